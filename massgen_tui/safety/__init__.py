"""MCP tool safety: classify tools and calls, remember decisions, gate calls, ask a human, fail closed.

Nothing here imports Textual; aiosqlite is imported only when a store is opened and httpx only when
an LLM classifier makes a request.
"""

from massgen_tui.safety.approval import (
    ApprovalDecision,
    ApprovalQueue,
    ApprovalRequest,
    Approver,
    DenyingApprover,
    QueueEvent,
    TerminalApprover,
)
from massgen_tui.safety.classification import (
    Classification,
    LLMVerdict,
    Signal,
    classify_call,
    classify_tool,
)
from massgen_tui.safety.decision_store import AuditEntry, DecisionStore
from massgen_tui.safety.decisions import PRECEDENCE, SCOPES, Decision, Resolution, StoredOverride, resolve
from massgen_tui.safety.errors import SafetyError
from massgen_tui.safety.gate import GateVerdict, SafetyGate

__all__ = [
    "PRECEDENCE",
    "SCOPES",
    "ApprovalDecision",
    "ApprovalQueue",
    "ApprovalRequest",
    "Approver",
    "AuditEntry",
    "Classification",
    "Decision",
    "DecisionStore",
    "DenyingApprover",
    "GateVerdict",
    "LLMVerdict",
    "QueueEvent",
    "Resolution",
    "SafetyError",
    "SafetyGate",
    "Signal",
    "StoredOverride",
    "TerminalApprover",
    "classify_call",
    "classify_tool",
    "resolve",
]
