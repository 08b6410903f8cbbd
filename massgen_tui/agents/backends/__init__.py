"""LLM backends: streaming chat with tool calls over two wire protocols."""

from massgen_tui.agents.backends.base import (
    ChatBackend,
    Completion,
    Message,
    RetryPolicy,
    ToolCallRequest,
    ToolSpec,
    Usage,
    make_backend,
)

__all__ = ["ChatBackend", "Completion", "Message", "RetryPolicy", "ToolCallRequest", "ToolSpec", "Usage",
           "make_backend"]
