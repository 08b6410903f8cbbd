"""The Run tab: type a task, start the config's agents, watch them work, read the final answer.

* enter in the task field (or ctrl+o) checks the config first (``Run.from_config``): every problem is
  listed with its location and nothing starts;
* one panel per agent streams its text, tool calls with status and results, and command output;
* the table under the panels shows each agent's state, latest answer and vote as they happen;
* the final answer appears when an agent presented it; tokens and cost stay in the line under the task;
* ctrl+c cancels a running run (ctrl+c copies as usual when no run is going);
* ctrl+l lists saved runs and reopens one read-only (replayed from its transcript);
* z zooms the focused panel to the whole screen (z or escape restores);
* tool calls the safety policy asks about go to the app's approval dialog (part 2's ``TuiApprover``);
  with a bare ``ApprovalQueue`` as approver they wait in a list above the panels: a / s / d answer them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static

from massgen_tui.agents import events as ev
from massgen_tui.tui.keymap import RUN_BINDINGS
from massgen_tui.tui.run_controller import (
    ApprovalsChanged,
    ContainerRuntimeReady,
    RunBatch,
    RunController,
    RunEnded,
    RunState,
    coalesce,
)
from massgen_tui.tui.widgets.run_agent_panel import AgentPanel
from massgen_tui.tui.widgets.run_approvals import ApprovalAnswered, PendingApprovals
from massgen_tui.tui.widgets.run_cost import CostBar
from massgen_tui.tui.widgets.run_final import FinalAnswerView
from massgen_tui.tui.widgets.run_votes import VotesView

STYLESHEET = Path(__file__).resolve().parent.parent.parent / "data" / "styles" / "run.tcss"


KEYS_IDLE = "enter / ctrl+o start · ctrl+l saved runs · tab next panel · z zoom"
KEYS_RUNNING = "ctrl+c cancel · tab next panel · z zoom · arrows / pgup / pgdn scroll"

ConfigLoader = Callable[[], Any]  # -> ConfigDocument; raises ConfigError when the YAML cannot be read


class RunView(Vertical):
    DEFAULT_CSS = STYLESHEET.read_text(encoding="utf-8")
    BINDINGS = RUN_BINDINGS

    def __init__(self, *, config: ConfigLoader | None = None, options: Callable[[], Any] | None = None,
                 approver: Callable[[], Any] | None = None, runs_dir: Path | None = None,
                 frozen_times: bool = False, id: str | None = "run-view"):
        """``config`` gives the document to run (default: the app's config session, as edited);
        ``options`` makes the ``RunOptions``; ``approver`` makes the approver for a run (default: the
        app's approval dialog; see :meth:`_make_approver`); ``frozen_times`` hides times (screenshots)."""
        super().__init__(id=id)
        self._config = config
        self._options = options
        self._approver = approver
        self.runs_dir = runs_dir
        self.frozen_times = frozen_times
        self.state = RunState()
        self.controller: RunController | None = None
        self.approvals: Any = None  # the ApprovalQueue this tab answers (None when another screen does)
        self.replay: Any = None  # the RunRecord shown read-only
        self.panels: dict[str, AgentPanel] = {}
        self._dialog_approver: Any = None
        self._runtime_announced = False
        self._started_at = 0.0

    # -- layout ----------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(id="run-task-row"):
            yield Static("Task", id="run-task-label")
            yield Input(placeholder="what should the agents do? (enter starts)", id="run-task")
        yield CostBar(frozen_times=self.frozen_times)
        problems = Static("", id="run-problems")
        problems.display = False
        yield problems
        yield PendingApprovals()
        with Horizontal(id="run-agents"):
            yield Static(self._empty_text(), id="run-empty")
        yield VotesView()
        final = FinalAnswerView()
        final.display = False
        yield final
        yield Static(KEYS_IDLE, id="run-keys")

    def on_mount(self) -> None:
        self.refresh_summary()
        if not self.frozen_times:  # the clock in the status line moves while nothing streams
            self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        if self.running:
            self.refresh_summary()

    def on_show(self) -> None:
        if self.app.focused is None or not self._contains_focus():
            self.call_after_refresh(self.focus_task)

    def _contains_focus(self) -> bool:
        focused = self.app.focused
        return focused is not None and self in focused.ancestors_with_self

    def focus_task(self) -> None:
        self.query_one("#run-task", Input).focus()

    def _empty_text(self) -> str:
        return ("Type a task above and press enter (or ctrl+o) to run the agents of this config: each gets a "
                "panel here with its text, tool calls and commands, then the answers, votes and the final "
                "answer.\n\nctrl+l reopens a saved run (read-only).")

    # -- state ------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.controller is not None and not self.controller.finished

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_run":
            return self.running  # otherwise ctrl+c keeps its usual meaning (copy)
        return True

    def refresh_summary(self) -> None:
        if self.running and not self.frozen_times:
            self.state.elapsed_s = max(self.state.elapsed_s, time.monotonic() - self._started_at)
        self.query_one(CostBar).show(self.state, replay=self.replay is not None)
        self.query_one(VotesView).show(self.state)
        self.query_one(FinalAnswerView).show(self.state)
        self.query_one("#run-keys", Static).update(KEYS_RUNNING if self.running else KEYS_IDLE)

    def show_problems(self, title: str, lines: list[str]) -> None:
        box = self.query_one("#run-problems", Static)
        if not lines:
            box.display = False
            box.update("")
            return
        body = Text(title + "\n", style="bold")
        for line in lines:
            body.append(f"• {line}\n")
        body.rstrip()
        box.update(body)
        box.border_title = "cannot start"
        box.display = True

    async def _reset(self, agents: list[tuple[str, str]]) -> None:
        """Empty the view and mount one panel per agent (id, model)."""
        self.state = RunState()
        self.show_problems("", [])
        self.query_one(PendingApprovals).show([])
        container = self.query_one("#run-agents", Horizontal)
        await container.remove_children()
        self.panels = {agent_id: AgentPanel(agent_id, model, frozen_times=self.frozen_times)
                       for agent_id, model in agents}
        container.set_class(len(agents) > 3, "-grid")
        if self.panels:
            await container.mount_all(self.panels.values())
        else:
            await container.mount(Static(self._empty_text(), id="run-empty"))

    # -- starting ---------------------------------------------------------------------------------
    @on(Input.Submitted, "#run-task")
    async def task_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        await self.action_start_run()

    def _load_config(self) -> Any:
        if self._config is not None:
            return self._config()
        from massgen_tui.tui import config_access

        session = self.app.session  # type: ignore[attr-defined]
        return config_access.parse(session.text, session.path)

    async def action_start_run(self) -> None:
        from massgen_tui.agents import AgentRunError, Run, RunOptions
        from massgen_tui.config import ConfigError

        if self.running:
            self.app.notify("A run is going: ctrl+c cancels it first.", severity="warning")
            return
        task = self.query_one("#run-task", Input).value.strip()
        if not task:
            self.show_problems("Nothing to run yet:", ["type the task for the agents in the Task field"])
            self.focus_task()
            return
        try:
            doc = self._load_config()
            options = self._options() if self._options is not None else RunOptions(runs_dir=self.runs_dir)
            approver = self._make_approver()
            run = Run.from_config(doc, task, approver=approver, options=options)
        except ConfigError as exc:
            self.show_problems("The config cannot be read (fix it in the Config tab, f2):", [str(exc)])
            return
        except AgentRunError as exc:
            lines = [ln.strip()[2:] if ln.strip().startswith("- ") else ln.strip()
                     for ln in str(exc).splitlines()[1:] if ln.strip()] or [str(exc)]
            self.show_problems("Cannot start the run; fix these in the Config tab (f2) and try again:", lines)
            return
        except Exception as exc:  # a bug must not take the app down
            self.show_problems("Cannot start the run:", [f"{type(exc).__name__}: {exc}"])
            return
        self.replay = None
        await self._reset([(a.id, a.endpoint.model) for a in run.plan.agents])
        self.state.status, self.state.task = "starting", task
        self.controller = RunController(self, run, self.approvals)
        self._runtime_announced = False
        self._started_at = time.monotonic()
        self.refresh_summary()
        self.run_worker(self.controller.consume(), group="run", exclusive=True, exit_on_error=False,
                        name="run-events")
        first = next(iter(self.panels.values()), None)
        if first is not None:
            first.log_widget.focus()

    def _make_approver(self) -> Any:
        """The approver for a new run. Default: the app's approval dialog (``TuiApprover``: the app's
        own ``approver`` when it has one, else one made for this tab). A factory that returns a bare
        ``ApprovalQueue`` makes this tab answer the requests itself (the list above the panels)."""
        from massgen_tui.safety import ApprovalQueue

        if self._approver is not None:
            approver = self._approver()
        else:
            approver = getattr(self.app, "approver", None)
            if approver is None or not hasattr(approver, "request"):
                if self._dialog_approver is None:
                    from massgen_tui.tui.screens.approval import TuiApprover

                    self._dialog_approver = TuiApprover(self.app)
                approver = self._dialog_approver
        self.approvals = approver if isinstance(approver, ApprovalQueue) else None
        return approver

    def action_zoom(self) -> None:
        """Zoom the focused agent panel (or the final answer) to the whole screen; z again restores."""
        screen = self.screen
        if screen.maximized is not None:
            screen.minimize()
        elif screen.focused is not None and screen.focused is not self.query_one("#run-task"):
            screen.maximize(screen.focused)

    def action_cancel_run(self) -> None:
        if self.controller is not None and self.running:
            self.controller.cancel()
            self.app.notify("Cancelling the run: commands are stopped, the run is saved as cancelled.")

    # -- events -----------------------------------------------------------------------------------
    @on(RunBatch)
    def run_batch(self, message: RunBatch) -> None:
        message.stop()
        self.apply_events(message.events)

    def apply_events(self, events: list[ev.RunEvent]) -> None:
        with self.app.batch_update():
            for event in events:
                self.state.apply(event)
                panel = self.panels.get(event.agent) if event.agent else None
                if panel is not None:
                    panel.apply(event)
                elif isinstance(event, ev.RunFinished):
                    for each in self.panels.values():
                        each.apply(event)
                elif isinstance(event, ev.AgentError) and event.agent is None:
                    self.show_problems("The run failed:", [event.message])
            self.refresh_summary()
        if self.controller is not None and not self._runtime_announced:
            runtime = getattr(self.controller.run, "container_runtime", None)
            if runtime is not None:
                self._runtime_announced = True
                self.post_message(ContainerRuntimeReady(runtime))

    @on(RunEnded)
    def run_ended(self, message: RunEnded) -> None:
        message.stop()
        self.query_one(PendingApprovals).show([])
        self.refresh_summary()
        if message.error:
            self.show_problems("The run stopped unexpectedly:", [message.error])
            return
        status = self.state.status
        where = f"; saved as {Path(self.state.saved_to).stem}" if self.state.saved_to else ""
        self.app.notify(f"Run {status}{where}", severity="information" if status == "completed" else "warning",
                        timeout=6)
        if self.state.final_answer is not None:
            self.query_one(FinalAnswerView).focus()

    @on(ApprovalsChanged)
    def approvals_changed(self, message: ApprovalsChanged) -> None:
        message.stop()
        panel = self.query_one(PendingApprovals)
        had = bool(panel.requests)
        panel.show(message.pending)
        if message.pending and not had:
            panel.focus()
            self.app.notify(f"{len(message.pending)} tool call(s) wait for your approval in the Run tab",
                            severity="warning", timeout=6)

    @on(ApprovalAnswered)
    def approval_answered(self, message: ApprovalAnswered) -> None:
        message.stop()
        if self.approvals is None:
            return
        from massgen_tui.safety import ApprovalDecision

        if message.action == "allow":
            decision = ApprovalDecision.allow(message.scope, "allowed in the Run tab")  # type: ignore[arg-type]
        else:
            decision = ApprovalDecision.deny("denied in the Run tab")
        self.approvals.answer(message.request_id, decision)
        self.query_one(PendingApprovals).show(self.approvals.pending())

    # -- saved runs -------------------------------------------------------------------------------
    def action_open_saved(self) -> None:
        from massgen_tui.tui.widgets.run_picker import SavedRunsPicker

        if self.running:
            self.app.notify("A run is going: cancel it (ctrl+c) or wait before opening a saved run.",
                            severity="warning")
            return
        self.app.push_screen(SavedRunsPicker(self.runs_dir), self._open_chosen)

    async def _open_chosen(self, path: Path | None) -> None:
        if path is not None:
            await self.open_saved(path)

    async def open_saved(self, ref: str | Path) -> None:
        """Reopen a saved run read-only: its transcript replayed into the panels."""
        from massgen_tui.agents import AgentRunError, load_run

        try:
            record = load_run(ref, self.runs_dir)
        except AgentRunError as exc:
            self.app.notify(str(exc), severity="error", timeout=10)
            return
        self.controller = None
        await self._reset([(str(a.get("id")), str(a.get("model") or "")) for a in record.agents])
        self.replay = record
        self.query_one("#run-task", Input).value = record.task
        self.apply_events(coalesce(record.events()))
        if self.state.status in ("idle", "running", "starting"):
            self.state.status = record.status or "unknown"
        self.state.run_id = self.state.run_id or record.run_id
        if record.final_answer is not None and self.state.final_answer is None:
            self.state.final_answer, self.state.presenter = record.final_answer, record.winner
        self.refresh_summary()
        first = next(iter(self.panels.values()), None)
        if first is not None:  # keys scroll and zoom the transcript at once
            first.log_widget.focus()
