"""Every key binding of the app, each with an id users can remap, and the settings file that does it.

Settings live in ``<platformdirs user config dir>/massgen-tui/settings.toml`` (``$XDG_CONFIG_HOME``
honoured; ``MASSGEN_TUI_SETTINGS`` overrides the path)::

    theme = "light"                 # "dark", "light" or any Textual theme name
    [keys]
    "config.save" = "ctrl+s,f2"     # binding id = comma-separated keys
    "app.quit" = "ctrl+q"
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from textual.binding import Binding

# (id, keys, action, description, shown in footer)
APP_BINDINGS: list[Binding] = [
    Binding("ctrl+q", "request_quit", "Quit", id="app.quit", priority=True),
    Binding("f1", "help", "Help", id="app.help"),
    Binding("question_mark", "help", "Help", show=False, id="app.help_alt"),
    Binding("ctrl+p", "command_palette", "Commands", id="app.commands", priority=True),
    Binding("ctrl+t", "toggle_theme", "Theme", show=False, id="app.theme"),
    Binding("f2", "show_tab('config')", "Config", show=False, id="app.tab.config"),
    Binding("f3", "show_tab('containers')", "Containers", show=False, id="app.tab.containers"),
    Binding("f4", "show_tab('safety')", "Safety", show=False, id="app.tab.safety"),
    Binding("f5", "show_tab('run')", "Run", show=False, id="app.tab.run"),
    Binding("ctrl+s", "save", "Save", id="config.save", priority=True),
    Binding("ctrl+r", "check", "Check", id="config.check", priority=True),
    Binding("ctrl+n", "new_config", "New", show=False, id="config.new", priority=True),
    Binding("ctrl+e", "focus_problems", "Problems", id="config.problems", priority=True),
    Binding("ctrl+y", "show_yaml", "YAML", show=False, id="config.yaml", priority=True),
    Binding("ctrl+right", "next_subtab", "Next section", show=False, id="config.next_section"),
    Binding("ctrl+left", "prev_subtab", "Previous section", show=False, id="config.prev_section"),
    Binding("ctrl+g", "next_subtab", "Next section", show=False, id="config.next_section_alt", priority=True),
]

AGENT_LIST_BINDINGS: list[Binding] = [
    Binding("a", "add_agent", "Add", id="agents.add"),
    Binding("c", "clone_agent", "Clone", id="agents.clone"),
    Binding("x,delete", "remove_agent", "Remove", id="agents.remove"),
    Binding("K,shift+up", "move_agent(-1)", "Move up", show=False, id="agents.move_up"),
    Binding("J,shift+down", "move_agent(1)", "Move down", show=False, id="agents.move_down"),
]

SERVER_LIST_BINDINGS: list[Binding] = [
    Binding("a", "add_server", "Add server", id="mcp.add"),
    Binding("x,delete", "remove_server", "Remove server", id="mcp.remove"),
]

PROBLEM_BINDINGS: list[Binding] = [
    Binding("enter", "jump_field", "Go to field", id="problems.jump"),
    Binding("y", "jump_yaml", "Go to YAML line", id="problems.jump_yaml"),
]

# The Run tab (massgen_tui/tui/screens/run.py); ctrl+c cancels only while a run is going (else it copies).
RUN_BINDINGS: list[Binding] = [
    Binding("ctrl+o", "start_run", "Start run", id="run.start", priority=True),
    Binding("ctrl+c", "cancel_run", "Cancel run", id="run.cancel", priority=True),
    Binding("ctrl+l", "open_saved", "Saved runs", id="run.saved", priority=True),
    Binding("z", "zoom", "Zoom panel", id="run.zoom"),
]

# The Run tab's list of waiting tool calls (shown only when the run's approver is a bare ApprovalQueue).
RUN_APPROVAL_BINDINGS: list[Binding] = [
    Binding("a", "decide('allow', 'once')", "Allow once", id="run.approval.allow"),
    Binding("s", "decide('allow', 'session')", "Allow for session", id="run.approval.allow_session"),
    Binding("d", "decide('deny', 'once')", "Deny", id="run.approval.deny"),
]

# The Containers tab (massgen_tui/tui/screens/containers.py): keys act on the selected container.
CONTAINER_BINDINGS: list[Binding] = [
    Binding("enter", "follow_logs", "Logs", id="containers.logs"),
    Binding("s", "stop", "Stop", id="containers.stop"),
    Binding("r", "restart", "Restart", id="containers.restart"),
    Binding("x,delete", "remove", "Remove", id="containers.remove"),
    Binding("e", "exec", "Exec", id="containers.exec"),
    Binding("b", "build", "Build image", id="containers.build"),
    Binding("f", "toggle_follow", "Follow", id="containers.follow"),
    Binding("slash", "filter", "Filter", id="containers.filter"),
    Binding("t", "toggle_timestamps", "Timestamps", show=False, id="containers.timestamps"),
    Binding("w", "since_window", "Since", show=False, id="containers.since"),
    Binding("g", "drop_gone", "Forget gone", show=False, id="containers.forget_gone"),
    Binding("l", "focus_log", "Log", show=False, id="containers.focus_log"),
]

# The Safety tab (massgen_tui/tui/screens/safety_review.py).
SAFETY_BINDINGS: list[Binding] = [
    Binding("u", "reload", "Reload", id="safety.reload"),
    Binding("slash", "filter", "Filter", id="safety.filter"),
    Binding("o", "sort", "Sort", id="safety.sort"),
    Binding("v", "override", "Override verdict", id="safety.override"),
    Binding("x,delete", "revoke", "Revoke", id="safety.revoke"),
    Binding("e", "edit", "Flip allow/deny", show=False, id="safety.edit"),
    Binding("L", "classify_llm", "LLM classify", show=False, id="safety.llm"),
    Binding("1", "view('tools')", "Tools", show=False, id="safety.view_tools"),
    Binding("2", "view('decisions')", "Decisions", show=False, id="safety.view_decisions"),
    Binding("3", "view('audit')", "Audit", show=False, id="safety.view_audit"),
    Binding("4", "view('gateway')", "Gateway", show=False, id="safety.view_gateway"),
    Binding("g", "gateway", "Gateway on/off", id="safety.gateway"),
]

# Keys bound inside dialogs (documented here so the help screen can list them; not remappable).
DIALOG_KEYS: list[tuple[str, str]] = [
    ("y / enter", "confirm (save, recover, quit)"),
    ("n / escape", "cancel / no"),
    ("d", "discard changes (quit dialog)"),
    ("ctrl+c / c / escape", "cancel a running check"),
    ("tab / shift+tab", "move between fields"),
    ("ctrl+n / ctrl+b", "wizard: next / back step"),
    ("y / s / w / a", "approval: allow once / for the session / always in this workspace / always (me)"),
    ("n / escape, d, r", "approval: deny / always deny / deny with a reason"),
    ("t", "approval: apply the answer to the queued calls of the same tool"),
]

ALL_GROUPS: list[tuple[str, list[Binding]]] = [
    ("Everywhere", APP_BINDINGS),
    ("Agent list", AGENT_LIST_BINDINGS),
    ("MCP server list", SERVER_LIST_BINDINGS),
    ("Problems panel", PROBLEM_BINDINGS),
    ("Run tab", RUN_BINDINGS),
    ("Run tab: waiting tool calls", RUN_APPROVAL_BINDINGS),
    ("Containers tab", CONTAINER_BINDINGS),
    ("Safety tab", SAFETY_BINDINGS),
]


@dataclass
class Settings:
    theme: str = "textual-dark"
    keys: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    problems: list[str] = field(default_factory=list)  # what was wrong in the file, shown once


THEMES = {"dark": "textual-dark", "light": "textual-light"}


def settings_path() -> Path:
    override = os.environ.get("MASSGEN_TUI_SETTINGS")
    if override:
        return Path(override)
    from platformdirs import user_config_dir

    return Path(user_config_dir("massgen-tui")) / "settings.toml"


def load_settings(path: Path | None = None) -> Settings:
    path = path or settings_path()
    settings = Settings(path=path)
    if not path.exists():
        return settings
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        settings.problems.append(f"{path}: cannot read settings: {exc}")
        return settings
    theme = raw.get("theme")
    if isinstance(theme, str):
        settings.theme = THEMES.get(theme, theme)
    keys = raw.get("keys", {})
    known = {b.id for _, group in ALL_GROUPS for b in group}
    if isinstance(keys, dict):
        for binding_id, value in keys.items():
            if binding_id not in known:
                settings.problems.append(f"{path}: [keys] {binding_id!r} is not a binding id (see docs/tui.md)")
            elif not isinstance(value, str) or not value.strip():
                settings.problems.append(f"{path}: [keys] {binding_id!r} must be a string like \"ctrl+s\"")
            else:
                settings.keys[binding_id] = value
    else:
        settings.problems.append(f"{path}: [keys] must be a table")
    return settings
