"""What ``ServerManager.call_tool`` returns: the outcome of one logical call, SDK-free."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from massgen_tui.mcp.types import CallOutcome

CallStatus = Literal["ok", "tool_error", "error", "denied", "timeout", "cancelled"]


@dataclass(frozen=True)
class CallResult:
    """How a call ended.

    ``status``: ``ok`` (the tool answered), ``tool_error`` (the tool answered with ``isError``),
    ``denied`` (a hook or a limit stopped it before the server), ``timeout`` (no answer in time; the
    server was told to cancel), ``cancelled`` (cancelled by the caller; the server was told) or
    ``error`` (no answer: connection lost, protocol error, server not ready).
    ``content`` holds the result's content blocks in wire form (``{"type": "text", "text": ...}``).
    """

    call_id: str
    server: str
    tool: str
    status: CallStatus
    content: list[dict[str, Any]] = field(default_factory=list)
    structured_content: Any = None
    error: str = ""
    reason: str = ""  # why a hook denied or allowed
    decided_by: str = ""  # the deciding hook's ``decided_by`` (or its name)
    duration_s: float = 0.0
    arguments: Mapping[str, Any] = field(default_factory=dict)  # as sent, after any rewrite

    @property
    def prefixed_name(self) -> str:
        return f"mcp__{self.server}__{self.tool}"

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def is_error(self) -> bool:
        return self.status != "ok"

    @property
    def text(self) -> str:
        """The text blocks joined by newlines; for a call with no answer, the error or reason."""
        texts = [str(block.get("text", "")) for block in self.content if block.get("type") == "text"]
        if texts:
            return "\n".join(texts)
        return self.error or self.reason

    def outcome(self) -> CallOutcome:
        return CallOutcome(
            status=self.status,
            content=self.content or None,
            error=self.error or (self.reason if self.status == "denied" else ""),
            duration_s=self.duration_s,
        )
