"""Answers and votes as they happen: one row per agent (state, latest answer, its vote)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from massgen_tui.tui.run_controller import RunState
from massgen_tui.tui.widgets.run_agent_panel import short
from massgen_tui.tui.widgets.run_cost import tokens

STATE_STYLE = {
    "waiting": "dim", "thinking": "cyan", "tool": "blue", "answered": "magenta", "voted": "green",
    "presenting": "bold magenta", "stopped": "bold red", "done": "dim",
}


class VotesView(Static):
    """Rebuilt from :class:`RunState` after each batch (a handful of rows: cheap)."""

    def __init__(self) -> None:
        super().__init__("", id="run-votes")
        self._shown: object = None

    def show(self, state: RunState) -> None:
        key = (state.presenter, tuple((a.id, a.status, a.answer_label, a.voted_for, a.vote_reason, a.votes_received,
                                      a.input_tokens + a.output_tokens) for a in state.agents.values()))
        if key == self._shown:  # no layout pass when nothing changed
            return
        self._shown = key
        if not state.agents:
            self.update(Text("No run yet.", style="dim"))
            return
        table = Table(expand=True, show_edge=False, pad_edge=False, box=None, padding=(0, 1))
        table.add_column("Agent", no_wrap=True, max_width=14)
        table.add_column("State", no_wrap=True, max_width=12)
        table.add_column("Answer", ratio=3, no_wrap=True, overflow="ellipsis")
        table.add_column("Vote", ratio=2, no_wrap=True, overflow="ellipsis")
        table.add_column("Tokens", no_wrap=True, justify="right")
        for agent in state.agents.values():
            mark = "★ " if state.presenter == agent.id else ""
            votes = f" ({agent.votes_received}✓)" if agent.votes_received else ""
            answer = Text(f"{agent.answer_label}: {short(agent.answer, 200)}" if agent.answer else "—",
                          style="" if agent.answer else "dim")
            vote = Text(f"→ {agent.voted_for}" + (f": {short(agent.vote_reason, 120)}" if agent.vote_reason else ""),
                        style="green") if agent.voted_for else Text("—", style="dim")
            table.add_row(Text(mark + agent.id + votes, style="bold"),
                          Text(agent.status, style=STATE_STYLE.get(agent.status, "")), answer, vote,
                          Text(tokens(agent.input_tokens + agent.output_tokens), style="dim"))
        self.update(table)
