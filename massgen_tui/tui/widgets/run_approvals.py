"""Tool calls waiting for a human during a run (the run's ApprovalQueue), answered from the Run tab:
``a`` allow once, ``s`` allow for this session, ``d`` deny. Shown only while something waits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from massgen_tui.tui.keymap import RUN_APPROVAL_BINDINGS
from massgen_tui.tui.widgets.run_agent_panel import short


@dataclass
class ApprovalAnswered(Message):
    request_id: str
    action: str  # allow | deny
    scope: str  # once | session


class PendingApprovals(OptionList):
    BINDINGS = RUN_APPROVAL_BINDINGS

    def __init__(self) -> None:
        super().__init__(id="run-approvals")
        self.requests: list[Any] = []
        self.display = False

    def show(self, pending: list[Any]) -> None:
        self.requests = list(pending)
        highlighted = self.highlighted
        self.clear_options()
        for req in self.requests:
            c = req.classification
            line = Text.assemble((f"{req.agent or '?'} ", "bold"), (f"{req.server}/{req.tool} ", "bold yellow"),
                                 (short(dict(req.arguments), 80), ""), (f"  [{c.verdict}] {short(req.why_asked, 80)}",
                                                                        "dim"))
            self.add_option(Option(line, id=req.request_id))
        self.display = bool(self.requests)
        self.border_title = f"{len(self.requests)} tool call(s) waiting for you: a allow · s allow for session · d deny"
        if self.requests:
            self.highlighted = min(highlighted or 0, len(self.requests) - 1)

    def action_decide(self, action: str, scope: str) -> None:
        if self.highlighted is None or not self.requests:
            return
        req = self.requests[self.highlighted]
        self.post_message(ApprovalAnswered(req.request_id, action, scope))
