"""The MCP client: one place where massgen-tui talks to MCP servers (over the mcp SDK).

Importing this package does not import the SDK; it is imported when a server connects.
"""

from massgen_tui.mcp.connection import ReconnectPolicy
from massgen_tui.mcp.errors import MCPServerError
from massgen_tui.mcp.events import (
    CallEnded,
    CallFailed,
    CallProgress,
    CallStarted,
    EventStream,
    MCPEvent,
    ServerStatusChanged,
    ToolsChanged,
)
from massgen_tui.mcp.filtering import ToolFilter, prefixed_name, split_prefixed
from massgen_tui.mcp.hooks import HOOK_TYPES, DenyTools, HookChain, register_hook
from massgen_tui.mcp.manager import ServerManager
from massgen_tui.mcp.results import CallResult, CallStatus
from massgen_tui.mcp.spec import MCPServerSpec
from massgen_tui.mcp.status import ServerState, ServerStatus
from massgen_tui.mcp.transports import TRANSPORTS, Transport, register_transport
from massgen_tui.mcp.types import (
    CallHook,
    CallOutcome,
    HookDecision,
    ToolAnnotations,
    ToolCall,
    ToolInfo,
)

__all__ = [
    "HOOK_TYPES",
    "TRANSPORTS",
    "CallEnded",
    "CallFailed",
    "CallHook",
    "CallOutcome",
    "CallProgress",
    "CallResult",
    "CallStarted",
    "CallStatus",
    "DenyTools",
    "EventStream",
    "HookChain",
    "HookDecision",
    "MCPEvent",
    "MCPServerError",
    "MCPServerSpec",
    "ReconnectPolicy",
    "ServerManager",
    "ServerState",
    "ServerStatus",
    "ServerStatusChanged",
    "ToolAnnotations",
    "ToolCall",
    "ToolFilter",
    "ToolInfo",
    "ToolsChanged",
    "Transport",
    "prefixed_name",
    "register_hook",
    "register_transport",
    "split_prefixed",
]
