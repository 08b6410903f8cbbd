"""The saved-runs picker: newest first; enter reopens one read-only, q or escape closes."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from massgen_tui.tui.widgets.run_agent_panel import short

STATUS_STYLE = {"completed": "green", "failed": "red", "cancelled": "yellow", "timeout": "red"}


class SavedRunsPicker(ModalScreen[Path | None]):
    BINDINGS = [
        Binding("escape,q", "close", "Close", priority=True),
    ]

    def __init__(self, directory: Path | None = None) -> None:
        super().__init__()
        self.directory = directory

    def compose(self) -> ComposeResult:
        from massgen_tui.agents import list_runs

        runs = list_runs(self.directory)
        with Vertical(classes="dialog wide", id="run-picker"):
            yield Static("Saved runs  (enter opens read-only · q / escape closes)", classes="dialog-title")
            if not runs:
                yield Static("No saved runs yet: start one with ctrl+o in the Run tab.", classes="dialog-body")
            options = OptionList(id="run-picker-list")
            for summary in runs:
                when = summary.started_at.replace("T", " ")[:16]
                line = Text.assemble((f"{when}  ", "dim"),
                                     (f"{summary.status:<9} ", STATUS_STYLE.get(summary.status, "")),
                                     (short(summary.task, 200), ""))
                options.add_option(Option(line, id=str(summary.path)))
            options.display = bool(runs)
            yield options

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(Path(event.option.id) if event.option.id else None)

    def action_close(self) -> None:
        self.dismiss(None)
