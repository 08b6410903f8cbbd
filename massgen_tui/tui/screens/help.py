"""The help screen: every key binding, with its id (for remapping) and the keys currently bound."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from massgen_tui.tui.keymap import ALL_GROUPS, DIALOG_KEYS, settings_path


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("q,escape,f1,question_mark", "dismiss_help", "Close", priority=True)]

    def compose(self) -> ComposeResult:
        keymap = getattr(self.app, "keymap_overrides", {})
        with Vertical(classes="dialog wide"):
            yield Static("Keys  (q closes; remap by id in settings.toml)", classes="dialog-title")
            with VerticalScroll(id="help-scroll"):
                for title, group in ALL_GROUPS:
                    table = Table(title=title, title_justify="left", expand=True, show_edge=False, pad_edge=False)
                    table.add_column("Key", no_wrap=True, ratio=2)
                    table.add_column("Does", ratio=3)
                    table.add_column("Id", style="dim", ratio=3)
                    for binding in group:
                        keys = keymap.get(binding.id or "", binding.key).replace("question_mark", "?")
                        table.add_row(keys.replace(",", " / "), binding.description, binding.id or "")
                    yield Static(table)
                dialogs = Table(title="Dialogs and forms", title_justify="left", expand=True, show_edge=False)
                dialogs.add_column("Key", no_wrap=True, ratio=2)
                dialogs.add_column("Does", ratio=6)
                for key, what in DIALOG_KEYS:
                    dialogs.add_row(key, what)
                yield Static(dialogs)
                yield Static(f"Settings file: {settings_path().name} in the massgen-tui config directory "
                             "(see docs/tui.md).", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
