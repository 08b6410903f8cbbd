"""MCP tool safety: classify tools and calls, remember decisions, gate calls, ask a human, fail closed.

Nothing here imports Textual; aiosqlite is imported only when a store is opened.
"""

from massgen_tui.safety.classification import (
    Classification,
    LLMVerdict,
    Signal,
    classify_call,
    classify_tool,
)

__all__ = ["Classification", "LLMVerdict", "Signal", "classify_call", "classify_tool"]
