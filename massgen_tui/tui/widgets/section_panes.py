"""Whole-config sections of the studio: Safety and Orchestrator/UI."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from massgen_tui.tui import config_access as core
from massgen_tui.tui.session import ConfigSession
from massgen_tui.tui.widgets.form import FieldSpec, Form

SAFETY_FIELDS = [
    FieldSpec("safety.defaults.reversible", "Reversible", "choice", choices=core.ACTIONS, default="allow"),
    FieldSpec("safety.defaults.irreversible", "Irreversible", "choice", choices=core.ACTIONS, default="ask"),
    FieldSpec("safety.planning_mode", "Planning mode", "bool", default="no"),
    FieldSpec("safety.approval_timeout_seconds", "Approval timeout", "number", placeholder="seconds, default 60"),
    FieldSpec("safety.trusted_servers", "Trusted servers", "list", placeholder="server names, comma-separated"),
]

UI_CHOICES = ("rich_terminal", "simple", "textual_terminal", "none")

ORCHESTRATOR_FIELDS = [
    FieldSpec("orchestrator.snapshot_storage", "Snapshots", placeholder="directory for workspace snapshots"),
    FieldSpec("orchestrator.agent_temporary_workspace", "Temp workspaces", placeholder="directory"),
    FieldSpec("orchestrator.context_paths", "Context paths", "list", placeholder="e.g. ../src:read, out:write"),
    FieldSpec("timeout_settings.orchestrator_timeout_seconds", "Timeout (s)", "int"),
    FieldSpec("ui.display_type", "UI display", "choice", choices=UI_CHOICES),
    FieldSpec("ui.logging_enabled", "Logging enabled", "bool"),
]


class SectionPane(Vertical):
    def __init__(self, title: str, specs: list[FieldSpec], *, id: str | None = None):
        super().__init__(id=id)
        self.title = title
        self.specs = specs
        self.session: ConfigSession | None = None

    def compose(self) -> ComposeResult:
        yield Static(self.title, classes="section-title")
        yield Form(self.specs, id=f"{self.id}-form")

    def load(self, session: ConfigSession) -> None:
        self.session = session
        form = self.query_one(Form)
        form.display = session.doc is not None
        if session.doc is not None:
            form.load("", _with_context_paths_flat(session.data), None)

    def mark(self, diagnostics: Sequence[Any]) -> None:
        self.query_one(Form).mark(diagnostics)

    def reveal(self, location: str) -> bool:
        widget = self.query_one(Form).widget_for(location)
        if widget is None:
            return False
        widget.focus()
        return True


def _with_context_paths_flat(data: Any) -> Any:
    """Show ``orchestrator.context_paths`` (a list of {path, permission}) as "path:permission" items."""
    paths = core.get_value(data, "orchestrator.context_paths")
    if not isinstance(paths, list) or not any(isinstance(p, dict) for p in paths):
        return data
    flat = [f"{p.get('path')}:{p.get('permission', 'read')}" if isinstance(p, dict) else str(p) for p in paths]
    view = dict(data)
    view["orchestrator"] = dict(data.get("orchestrator") or {})
    view["orchestrator"]["context_paths"] = flat
    return view


def context_paths_value(items: list[str]) -> list[dict[str, str]]:
    out = []
    for item in items:
        path, sep, permission = item.rpartition(":")
        if not sep or not path:  # no permission given: read (a wrong one is kept for the validator to flag)
            path, permission = item, "read"
        out.append({"path": path, "permission": permission})
    return out
