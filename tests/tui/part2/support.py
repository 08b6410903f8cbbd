"""Shared helpers for the part-2 TUI tests: real classifications, a host app for the dialog."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Static

from massgen_tui.mcp.types import ToolAnnotations, ToolCall, ToolInfo
from massgen_tui.safety import ApprovalRequest, classify_tool
from massgen_tui.tui.screens.approval import TuiApprover

DELETE = ToolInfo("delete_file", "Delete a file from the workspace.", {"type": "object", "properties": {
    "path": {"type": "string"}}}, ToolAnnotations(destructive_hint=True), server="toolbox")
READ = ToolInfo("read_file", "Read a file and return its text.", {"type": "object", "properties": {
    "path": {"type": "string"}}}, ToolAnnotations(read_only_hint=True), server="toolbox")


class FrozenClock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def make_request(tool: ToolInfo = DELETE, arguments: dict[str, Any] | None = None, *, timeout_s: float = 60.0,
                 created_at: float = 1_000_000.0, agent: str = "coder", request_id: str | None = None,
                 identity: str = "python toolbox_server.py") -> ApprovalRequest:
    call = ToolCall(call_id=request_id or f"call-{tool.name}", server=tool.server, tool=tool.name,
                    arguments=arguments if arguments is not None else {"path": "notes/todo.txt",
                                                                       "api_key": "sk-live-123456789abcdef"},
                    server_identity=identity, agent=agent, tool_info=tool)
    extra: dict[str, Any] = {"request_id": request_id} if request_id else {}
    return ApprovalRequest(call=call, classification=classify_tool(tool), why_asked="irreversible calls are asked by default",
                           timeout_s=timeout_s, workspace="/work/project", created_at=created_at, **extra)


class DialogHost(App[None]):
    """A bare app whose only job is to host the approval dialog (and a second screen to cover)."""

    def __init__(self, clock: FrozenClock | None = None) -> None:
        super().__init__()
        self.clock = clock or FrozenClock()
        self.approver = TuiApprover(self, clock=self.clock)

    def compose(self) -> ComposeResult:
        yield Static("host screen: the app keeps running underneath", id="host")

    def on_mount(self) -> None:
        self.approver.bind_loop()
