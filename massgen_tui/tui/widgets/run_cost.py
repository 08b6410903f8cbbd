"""One line under the task: run status, phase, time, tokens and cost (per agent and total)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from massgen_tui.tui.run_controller import RunState

STATUS_STYLE = {
    "idle": "dim", "starting": "yellow", "running": "bold yellow", "completed": "bold green",
    "failed": "bold red", "cancelled": "bold yellow", "timeout": "bold red", "replay": "bold blue",
}


def tokens(n: int) -> str:
    return f"{n / 1000:.1f}k" if n >= 10_000 else str(n)


def money(value: float | None) -> str:
    if value is None:
        return "cost n/a"
    return f"${value:.4f}" if value < 1 else f"${value:.2f}"


class CostBar(Static):
    def __init__(self, *, frozen_times: bool = False) -> None:
        super().__init__("", id="run-cost")
        self.frozen_times = frozen_times
        self._shown: Text | None = None

    def show(self, state: RunState, *, replay: bool = False) -> None:
        line = Text()
        status = state.status
        line.append(f"● {status}", style=STATUS_STYLE.get(status, ""))
        if replay:
            line.append(" (saved run, read-only)", style="blue")
        if state.phase and state.phase != "done":
            line.append(f" · {state.phase}")
            if state.planning_mode:
                line.append(" (planning mode)", style="dim")
        if not self.frozen_times and state.elapsed_s:
            line.append(f" · {state.elapsed_s:.1f}s", style="dim")
        if state.agents:
            line.append(f" · tokens {tokens(state.input_tokens)} in / {tokens(state.output_tokens)} out")
            line.append(f" · {money(state.cost_usd)}", style="bold" if state.cost_usd else "dim")
        if line != self._shown:  # no layout pass when nothing changed
            self._shown = line
            self.update(line)
