"""The full-screen app: top tabs (Config, Containers, Safety, Run), the config studio, dialogs."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static, TabbedContent, TabPane, TextArea

from massgen_tui.tui import config_access as core
from massgen_tui.tui.commands import AppCommands
from massgen_tui.tui.keymap import APP_BINDINGS, Settings
from massgen_tui.tui.messages import FieldEdited, JumpToProblem, StructureEdited
from massgen_tui.tui.session import ConfigSession, DraftStore
from massgen_tui.tui.widgets.problems import ProblemsPanel
from massgen_tui.tui.widgets.section_panes import context_paths_value
from massgen_tui.tui.widgets.studio import SECTIONS, ConfigStudio
from massgen_tui.tui.widgets.yaml_editor import YamlEditor

STYLESHEET = Path(__file__).resolve().parent.parent / "data" / "styles" / "app.tcss"
VALIDATE_EVERY_S = 0.1  # at most one whole-document validation per 100 ms while typing
DRAFT_AFTER_S = 1.0


class MassGenApp(App[int]):
    CSS_PATH = str(STYLESHEET)
    BINDINGS = APP_BINDINGS
    COMMANDS = App.COMMANDS | {AppCommands}
    TITLE = "massgen-tui"

    def __init__(self, session: ConfigSession, *, settings: Settings | None = None, drafts: DraftStore | None = None,
                 start_wizard: bool = False, blink: bool = True):
        super().__init__()
        self.session = session
        self.settings = settings or Settings()
        self.drafts = drafts or DraftStore()
        self.start_wizard = start_wizard
        self.blink = blink
        self.diagnostics: list[Any] = []
        self.validator = core.validator_for(session.path)
        self.validated_version = -1
        self._last_validation = 0.0
        self._validation_timer: Any = None
        self._draft_timer: Any = None
        self.keymap_overrides: dict[str, str] = dict(self.settings.keys)
        self.first_frame_at: float | None = None
        self._approver: Any = None

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield Static("", id="status")
        with TabbedContent(id="main", initial="config"):
            with TabPane("Config", id="config"):
                yield ConfigStudio(id="studio", blink=self.blink)
            with TabPane("Containers", id="containers"):
                yield Vertical(id="containers-host")  # screens/containers.py, mounted after the first frame
            with TabPane("Safety", id="safety"):
                yield Vertical(id="safety-host")  # screens/safety_review.py, loads when first shown
            with TabPane("Run", id="run"):
                yield Vertical(id="run-host")  # the Run tab (screens/run.py), mounted after the first frame
        yield Footer(compact=True, show_command_palette=False)

    @property
    def studio(self) -> ConfigStudio:
        return self.query_one(ConfigStudio)

    @property
    def editor(self) -> YamlEditor:
        return self.query_one(YamlEditor)

    def on_mount(self) -> None:
        self.theme = self.settings.theme if self.settings.theme in self.available_themes else "textual-dark"
        if self.keymap_overrides:
            self.set_keymap(self.keymap_overrides)
        for problem in self.settings.problems:
            self.notify(problem, title="Settings", severity="warning", timeout=8)
        self.editor.load_text(self.session.text)
        self.studio.load_forms(self.session, force=True)
        self.run_validation()
        self.call_after_refresh(self._first_frame)
        if self.start_wizard:
            self.call_after_refresh(self.action_new_config)
        else:
            self.call_after_refresh(self._offer_draft)

    def _first_frame(self) -> None:
        self.first_frame_at = time.perf_counter()
        self.focus_default()
        self.call_later(self._mount_run_tab)
        self.call_later(self._mount_part2_tabs)

    async def _mount_part2_tabs(self) -> None:
        """The Containers and Safety tabs. The containers pane polls only while it is shown; the
        safety tab starts the config's MCP servers (to list their tools) only when first shown."""
        from massgen_tui.tui.screens.containers import ContainersPane
        from massgen_tui.tui.screens.safety_review import SafetyReview

        await self.query_one("#containers-host").mount(ContainersPane(autostart=False))
        await self.query_one("#safety-host").mount(SafetyReview(lambda: self.session.doc, autoload=False))

    @on(TabbedContent.TabActivated, "#main")
    def main_tab_shown(self, event: TabbedContent.TabActivated) -> None:
        """Part 2's tabs start their work (Docker polling, MCP servers) only when first shown."""
        pane_id = event.pane.id if event.pane is not None else None
        focused = self.focused
        if (focused is not None and event.pane is not None and focused.screen is event.pane.screen
                and event.pane not in focused.ancestors_with_self):
            # focus left in a hidden tab pulls that tab back when it holds a Log (textual 8.2.8): drop it
            self.screen.set_focus(None)
            if pane_id == "config":
                self.call_after_refresh(self.focus_default)
        if pane_id == "containers":
            for pane in self.query("#containers-pane"):
                if not pane.started:  # type: ignore[attr-defined]
                    pane.start()  # type: ignore[attr-defined]
        if pane_id == "safety":
            for review in self.query("#safety-review"):
                if not review.loaded and not review.loading:  # type: ignore[attr-defined]
                    review.action_reload()  # type: ignore[attr-defined]
        if pane_id in ("containers", "safety"):
            target = "#container-table" if pane_id == "containers" else "#safety-tools"

            def focus() -> None:  # only if that tab is still the one shown (focus would switch tabs)
                if self.query_one("#main", TabbedContent).active == pane_id and not isinstance(self.screen, ModalScreen):
                    for widget in self.query(target):
                        widget.focus()

            self.call_after_refresh(focus)

    @property
    def approver(self) -> Any:
        """The safety gate's approver for everything this app runs: the approval dialog (part 2)."""
        if self._approver is None:
            from massgen_tui.tui.screens.approval import TuiApprover

            self._approver = TuiApprover(self)
            self._approver.bind_loop()
        return self._approver

    async def _mount_run_tab(self) -> None:
        """The Run tab's imports (the agents core, ~50 ms) wait until the first frame is drawn."""
        from massgen_tui.tui.screens.run import RunView

        await self.query_one("#run-host").mount(RunView())

    def on_container_runtime_ready(self, event: Any) -> None:
        """A run started its containers: the containers pane (when mounted) watches their commands."""
        for pane in self.query("#containers-pane"):
            if getattr(pane, "runtime", None) is None:
                pane.runtime = event.runtime  # type: ignore[attr-defined]
                pane.watch_runtime()  # type: ignore[attr-defined]

    def focus_default(self) -> None:
        try:
            self.query_one("#agent-list").focus()
        except Exception:
            pass

    # ------------------------------------------------------------------ status and validation
    def refresh_status(self) -> None:
        s = self.session
        name = s.path.name if s.path else "untitled"
        line = Text.assemble(("massgen-tui ", "bold"), (name, "bold"))
        if s.dirty:
            line.append(" ● modified", style="yellow")
        errors = sum(1 for d in self.diagnostics if d.severity == "error")
        warnings = len(self.diagnostics) - errors
        line.append("   ")
        if errors:
            line.append(f"✗ {errors} error{'s' * (errors != 1)}", style="red")
        else:
            line.append("✓ no errors", style="green")
        line.append("  ")
        line.append(f"! {warnings} warning{'s' * (warnings != 1)}", style="yellow" if warnings else "dim")
        self.query_one("#status", Static).update(line)

    def schedule_validation(self) -> None:
        """Validate now if the last run is old enough, else once at the end of the window (debounce)."""
        wait = VALIDATE_EVERY_S - (time.perf_counter() - self._last_validation)
        if wait <= 0 and self._validation_timer is None:
            self.run_validation()
        elif self._validation_timer is None:
            self._validation_timer = self.set_timer(max(wait, 0.01), self._validation_due)

    def _validation_due(self) -> None:
        self._validation_timer = None
        if self.validated_version != self.session.version:
            self.run_validation()

    def run_validation(self) -> None:
        self._last_validation = time.perf_counter()
        result = core.validate(self.validator, self.session.text)
        self.diagnostics = list(result.diagnostics)
        self.validated_version = self.session.version
        self.studio.mark(self.diagnostics)
        self.refresh_status()

    def _changed(self, *, reload_forms: bool) -> None:
        self.schedule_validation()
        if reload_forms:
            self.studio.load_forms(self.session)
        self.refresh_status()
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_AFTER_S, self.save_draft)

    def save_draft(self) -> None:
        self._draft_timer = None
        try:
            if self.session.dirty:
                self.drafts.save(self.session.path, self.session.text)
            else:
                self.drafts.clear(self.session.path)
        except OSError as exc:
            self.notify(f"Could not keep a draft: {exc}", severity="warning")

    # ------------------------------------------------------------------ edits
    @on(FieldEdited)
    def field_edited(self, event: FieldEdited) -> None:
        value = event.value
        if event.location == "orchestrator.context_paths" and isinstance(value, list):
            value = context_paths_value(value)
        try:
            self.session.set_value(event.location, value)
        except Exception as exc:  # ConfigError: syntax error in the YAML
            self.notify(str(exc), severity="error")
            return
        self.editor.replace_all(self.session.text)
        self._changed(reload_forms=True)

    @on(StructureEdited)
    def structure_edited(self, event: StructureEdited) -> None:
        self.editor.replace_all(self.session.text)
        self._changed(reload_forms=True)
        self.notify(event.description, timeout=2)

    @on(TextArea.Changed, "#yaml-editor")
    def yaml_edited(self, event: TextArea.Changed) -> None:
        self.session.set_text(event.text_area.text)
        self._changed(reload_forms=False)  # forms reload when their section is shown again

    @on(TabbedContent.TabActivated, "#sections")
    def section_shown(self, event: TabbedContent.TabActivated) -> None:
        if self.studio.section != "yaml":
            self.studio.load_forms(self.session)
            self.studio.mark(self.diagnostics)

    @on(JumpToProblem)
    def jump(self, event: JumpToProblem) -> None:
        self.query_one("#main", TabbedContent).active = "config"
        if not event.to_yaml and event.location and self.session.doc is not None:
            self.studio.load_forms(self.session)
            if self.studio.reveal(event.location):
                return
        line = event.line
        column = event.column
        if line is None and event.location and self.session.doc is not None:
            found = core.position(self.session.doc, event.location)
            if found:
                line, column = found
        self.studio.show_section("yaml")
        self.editor.goto(line or 1, column)

    # ------------------------------------------------------------------ actions
    STUDIO_ACTIONS = frozenset({"save", "check", "new_config", "focus_problems", "show_yaml", "next_subtab",
                                "prev_subtab", "add_agent", "show_tab", "validate", "recover_draft"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While a dialog is open its own keys win: the studio's actions step aside."""
        return not (action in self.STUDIO_ACTIONS and isinstance(self.screen, ModalScreen))

    def action_command_palette(self) -> None:
        """ctrl+p opens the palette and closes it again (Escape is never the only way out)."""
        from textual.command import CommandPalette

        if CommandPalette.is_open(self) and isinstance(self.screen, CommandPalette):
            self.screen.dismiss()
        else:
            super().action_command_palette()

    def action_show_tab(self, tab: str) -> None:
        self.query_one("#main", TabbedContent).active = tab

    def action_help(self) -> None:
        from massgen_tui.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def action_next_subtab(self, step: int = 1) -> None:
        self.action_show_tab("config")
        current = self.studio.section
        index = SECTIONS.index(current) if current in SECTIONS else 0
        self.studio.show_section(SECTIONS[(index + step) % len(SECTIONS)])
        self.call_after_refresh(self.studio.focus_section)

    def action_prev_subtab(self) -> None:
        self.action_next_subtab(-1)

    def action_show_yaml(self) -> None:
        self.action_show_tab("config")
        self.studio.show_section("yaml")
        self.editor.focus()

    def action_focus_problems(self) -> None:
        self.action_show_tab("config")
        self.query_one(ProblemsPanel).focus()

    def action_add_agent(self) -> None:
        self.action_show_tab("config")
        self.studio.show_section("agents")
        self.query_one("#agents-pane").action_add_agent()
        self.call_after_refresh(self.studio.focus_section)

    def action_validate(self) -> None:
        self.run_validation()
        errors = sum(1 for d in self.diagnostics if d.severity == "error")
        warnings = len(self.diagnostics) - errors
        if errors:
            self.notify(f"{errors} error(s), {warnings} warning(s): see Problems (ctrl+e)", severity="error")
        else:
            self.notify(f"Valid ({warnings} warning(s))")

    def action_save(self) -> None:
        from massgen_tui.tui.screens.dialogs import DiffModal

        if self.validated_version != self.session.version:
            self.run_validation()
        errors = sum(1 for d in self.diagnostics if d.severity == "error")
        notes = []
        if errors:
            notes.append(f"This config has {errors} error(s); MassGen will reject it until they are fixed.")
        if self.session.disk_changed():
            notes.append("The file changed on disk since it was opened: saving replaces those changes.")
        name = self.session.path.name if self.session.path else "untitled"
        self.push_screen(DiffModal(name, self.session.diff(), "\n".join(notes)), self._save_answer)

    def _save_answer(self, write: bool | None, then_quit: bool = False) -> None:
        if not write:
            return
        try:
            path = self.session.save()
        except Exception as exc:
            self.notify(f"Not saved: {exc}", severity="error", timeout=10)
            return
        self.drafts.clear(self.session.path)
        self.refresh_status()
        self.notify(f"Saved {path.name}")
        if then_quit:
            self.exit(0)

    def action_request_quit(self) -> None:
        from massgen_tui.tui.screens.dialogs import DiffModal, QuitModal

        if not self.session.dirty:
            self.exit(0)
            return

        def answered(choice: str | None) -> None:
            if choice == "save":
                name = self.session.path.name if self.session.path else "untitled"
                self.push_screen(DiffModal(name, self.session.diff()),
                                 lambda ok: self._save_answer(ok, then_quit=True))
            elif choice == "discard":
                self.drafts.clear(self.session.path)
                self.exit(0)

        self.push_screen(QuitModal(), answered)

    def _offer_draft(self, explicit: bool = False) -> None:
        from massgen_tui.tui.screens.dialogs import ConfirmModal

        draft = self.drafts.load(self.session.path)
        if draft is None or draft.text == self.session.text:
            if explicit:
                self.notify("No draft for this file.")
            return
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(draft.saved_at))
        body = (f"Unsaved changes to {self.session.path.name if self.session.path else 'untitled'} were kept "
                f"from a session that ended without saving ({when}).\nRecover them? (n deletes the draft)")

        def answered(recover: bool | None) -> None:
            if recover:
                self.load_text(draft.text)
                self.notify("Draft recovered: review and save (ctrl+s)")
            else:
                self.drafts.clear(self.session.path)

        self.push_screen(ConfirmModal("Recover draft?", body, yes="y recover", no="n discard draft"), answered)

    def action_recover_draft(self) -> None:
        self._offer_draft(explicit=True)

    def load_text(self, text: str) -> None:
        """Replace the whole text (recovered draft, wizard) and refresh everything."""
        self.session.set_text(text)
        self.editor.replace_all(text)
        self.studio.load_forms(self.session, force=True)
        self.run_validation()
        self._changed(reload_forms=False)

    def action_new_config(self) -> None:
        from massgen_tui.tui.screens.wizard import WizardResult, WizardScreen

        def done(result: WizardResult | None) -> None:
            if result is None:
                return
            self.session = ConfigSession(result.path, result.text, saved_text=result.saved_text)
            self.validator = core.validator_for(result.path)
            self.editor.load_text(result.text)
            self.studio.load_forms(self.session, force=True)
            self.run_validation()
            self.notify(f"{'Saved' if result.saved else 'Created (not saved)'}: {result.path.name}")

        default = self.session.path or Path.cwd() / "massgen.yaml"
        self.push_screen(WizardScreen(default), done)

    def action_check(self) -> None:
        from massgen_tui.tui.screens.check import CheckScreen

        if self.session.doc is None:
            self.notify("Fix the YAML syntax error first.", severity="error")
            return
        self.push_screen(CheckScreen(self.session.text, self.session.path))
