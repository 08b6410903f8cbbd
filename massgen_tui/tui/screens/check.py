"""The check ("dry run") screen: progress, one line per result, cancellable at any time."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import ProgressBar, RichLog, Static
from textual.worker import Worker, WorkerState

from massgen_tui.config import ConfigDocument
from massgen_tui.tui.dry_run import CheckResult, count_steps, run_checks

MARKS = {"ok": ("✓", "green"), "fail": ("✗", "red"), "warn": ("!", "yellow"), "skip": ("-", "dim")}


class CheckScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("c,ctrl+c", "cancel", "Cancel check", priority=True),
        Binding("q,escape", "close", "Close", priority=True),
    ]

    def __init__(self, text: str, path: Path | None):
        super().__init__()
        self.doc = ConfigDocument.from_text(text, path)
        self.total = count_steps(self.doc)
        self.counts = {"ok": 0, "fail": 0, "warn": 0, "skip": 0}
        self.worker: Worker[None] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static("Check: API keys, MCP servers, Docker images, paths (no agent runs)", classes="dialog-title")
            yield ProgressBar(total=self.total, show_eta=False, id="check-progress")
            yield RichLog(id="check-log", wrap=True, markup=False)
            yield Static("running…  [b]c[/] cancel    [b]q[/] close", id="check-keys", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one(RichLog).focus()  # arrows scroll the results from the start, whatever the timing
        self.worker = self.run_checks()

    @work(exclusive=True, group="check")
    async def run_checks(self) -> None:
        async for result in run_checks(self.doc):
            self.add_result(result)

    def add_result(self, result: CheckResult) -> None:
        mark, style = MARKS[result.outcome]
        self.counts[result.outcome] += 1
        line = Text.assemble((f"{mark} ", style), (f"{result.agent or 'config'}", "bold"), f" {result.what}: ",
                             result.detail)
        self.query_one(RichLog).write(line)
        self.query_one(ProgressBar).advance(1)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        keys = self.query_one("#check-keys", Static)
        summary = ", ".join(f"{n} {k}" for k, n in self.counts.items() if n)
        if event.state == WorkerState.SUCCESS:
            self.query_one(ProgressBar).update(progress=self.total)
            keys.update(f"done: {summary}    [b]q[/] close")
        elif event.state == WorkerState.CANCELLED:
            self.query_one(RichLog).write(Text("cancelled: the remaining checks did not run", style="yellow"))
            keys.update(f"cancelled: {summary or 'nothing checked'}    [b]q[/] close")
        elif event.state == WorkerState.ERROR:
            self.query_one(RichLog).write(Text(f"check failed: {event.worker.error}", style="red"))
            keys.update("failed    [b]q[/] close")

    def action_cancel(self) -> None:
        if self.worker is not None and self.worker.is_running:
            self.worker.cancel()

    def action_close(self) -> None:
        self.action_cancel()
        self.dismiss(None)
