"""The final answer of a run, with who presented it and the votes that chose them."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from massgen_tui.tui.run_controller import RunState
from massgen_tui.tui.widgets.run_agent_panel import rich_block


class FinalAnswerView(VerticalScroll):
    """Hidden until the run has a final answer; focusable so it scrolls by keys."""

    def __init__(self) -> None:
        super().__init__(id="run-final")
        self.can_focus = True
        self._shown: object = None

    def compose(self) -> ComposeResult:
        yield Static("", id="run-final-text")

    def show(self, state: RunState) -> None:
        key = (state.final_answer, state.presenter, tuple(state.final_votes.items()), state.final_reason)
        if key == self._shown:
            return
        self._shown = key
        if state.final_answer is None:
            self.display = False
            return
        self.display = True
        votes = ", ".join(f"{voter}→{target}" for voter, target in state.final_votes.items())
        by = f"presented by {state.presenter}" if state.presenter else "final answer"
        self.border_title = "Final answer"
        self.border_subtitle = by + (f" · votes {votes}" if votes else "") + \
            (f" · {state.final_reason}" if state.final_reason and state.final_reason != "votes" else "")
        self.query_one("#run-final-text", Static).update(rich_block(state.final_answer))
