"""The config studio: section sub-tabs (forms and YAML) over one problems panel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import TabbedContent, TabPane

from massgen_tui.tui.session import ConfigSession
from massgen_tui.tui.widgets.agent_panes import AgentsPane, ExecutionPane, McpPane
from massgen_tui.tui.widgets.problems import ProblemsPanel
from massgen_tui.tui.widgets.section_panes import ORCHESTRATOR_FIELDS, SAFETY_FIELDS, SectionPane
from massgen_tui.tui.widgets.yaml_editor import YamlEditor

SECTIONS = ("agents", "mcp", "execution", "safety-section", "orchestrator", "yaml")


class ConfigStudio(Vertical):
    def __init__(self, *, id: str | None = None, blink: bool = True):
        super().__init__(id=id)
        self.blink = blink
        self._loaded_version = -1

    def compose(self) -> ComposeResult:
        with TabbedContent(id="sections", initial="agents"):
            with TabPane("Agents", id="agents"):
                yield AgentsPane(id="agents-pane")
            with TabPane("MCP servers", id="mcp"):
                yield McpPane(id="mcp-pane")
            with TabPane("Execution", id="execution"):
                yield ExecutionPane(id="execution-pane")
            with TabPane("Safety", id="safety-section"):
                yield SectionPane("Tool-call safety: what happens without a stored decision", SAFETY_FIELDS,
                                  id="safety-pane")
            with TabPane("Orchestrator/UI", id="orchestrator"):
                yield SectionPane("Orchestrator, timeouts and display", ORCHESTRATOR_FIELDS, id="orchestrator-pane")
            with TabPane("YAML", id="yaml"):
                yield YamlEditor(id="yaml-editor", blink=self.blink)
        yield ProblemsPanel(id="problems")

    @property
    def panes(self) -> list[Any]:
        return [self.query_one(f"#{name}") for name in
                ("agents-pane", "mcp-pane", "execution-pane", "safety-pane", "orchestrator-pane")]

    @property
    def section(self) -> str:
        return self.query_one("#sections", TabbedContent).active

    def show_section(self, section: str) -> None:
        self.query_one("#sections", TabbedContent).active = section

    def load_forms(self, session: ConfigSession, force: bool = False) -> None:
        """Refresh the forms from the session (skipped when nothing changed)."""
        if not force and self._loaded_version == session.version:
            return
        self._loaded_version = session.version
        for pane in self.panes:
            pane.load(session)

    def mark(self, diagnostics: Sequence[Any]) -> None:
        for pane in self.panes:
            pane.mark(diagnostics)
        self.query_one(ProblemsPanel).show(diagnostics)

    def reveal(self, location: str) -> bool:
        """Show the section and focus the field for a diagnostic location. False when no form holds it."""
        targets: list[tuple[str, str]] = []
        if ".mcp_servers" in location:
            targets.append(("mcp", "mcp-pane"))
        if ".backend.command_line_" in location:
            targets.append(("execution", "execution-pane"))
        if location.startswith(("agents", "agent")):
            targets.append(("agents", "agents-pane"))
        if location.startswith("safety"):
            targets.append(("safety-section", "safety-pane"))
        if location.startswith(("orchestrator", "ui", "timeout_settings")):
            targets.append(("orchestrator", "orchestrator-pane"))
        for section, pane_id in targets:
            self.show_section(section)
            if self.query_one(f"#{pane_id}").reveal(location):
                return True
        return False

    def focus_section(self) -> None:
        """Focus the first field of the section on show (so keys work right after switching)."""
        pane = self.query_one(f"#{self.section}", TabPane)
        for widget in pane.query("AgentList, AgentPicker, Input, Select, Checkbox, TextArea"):
            if widget.focusable:
                widget.focus()
                return
