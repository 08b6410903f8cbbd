"""The problems panel: every diagnostic of the whole document; choosing one jumps to it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from massgen_tui.tui.keymap import PROBLEM_BINDINGS
from massgen_tui.tui.messages import JumpToProblem


def describe(diagnostic: Any) -> Text:
    mark = ("✗ ", "bold red") if diagnostic.severity == "error" else ("! ", "bold yellow")
    text = Text.assemble(mark)
    where = diagnostic.location or "document"
    if diagnostic.line:
        where += f" (line {diagnostic.line})"
    text.append(where, style="bold")
    text.append(": " + diagnostic.message)
    if getattr(diagnostic, "suggestion", None):
        text.append(f" — {diagnostic.suggestion}", style="italic")
    return text


class ProblemsPanel(OptionList):
    BINDINGS = PROBLEM_BINDINGS

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id)
        self.diagnostics: list[Any] = []
        self.border_title = "Problems"
        self._shown = False

    def show(self, diagnostics: Sequence[Any]) -> None:
        # errors first, then by line, so the first thing you see is the first thing to fix
        ordered = sorted(diagnostics, key=lambda d: (d.severity != "error", d.line or 0, d.location))
        if self._shown and [(d.location, d.message, d.line) for d in ordered] == [
                (d.location, d.message, d.line) for d in self.diagnostics]:
            return
        self._shown = True
        highlighted = self.highlighted
        self.diagnostics = ordered
        self.clear_options()
        if ordered:
            self.add_options([Option(describe(d), id=f"p{n}") for n, d in enumerate(ordered)])
            self.highlighted = min(highlighted or 0, len(ordered) - 1)
        else:
            self.add_option(Option(Text("✓ no problems", style="green"), id="none", disabled=True))
        errors = sum(1 for d in ordered if d.severity == "error")
        warnings = len(ordered) - errors
        self.border_title = f"Problems: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"

    def _jump(self, to_yaml: bool) -> None:
        if self.highlighted is None or not self.diagnostics:
            return
        d = self.diagnostics[self.highlighted]
        self.post_message(JumpToProblem(d.location, d.line, d.column, to_yaml))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._jump(to_yaml=False)

    def action_jump_field(self) -> None:
        self._jump(to_yaml=False)

    def action_jump_yaml(self) -> None:
        self._jump(to_yaml=True)
