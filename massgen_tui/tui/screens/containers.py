"""The Containers tab: every massgen-tui container (this app's and other processes'), live stats with
sparklines, the selected container's log streaming live, and actions by key.

The poll loop follows Dolphie: a thread worker collects (:class:`ContainerPoller`), the UI applies the
result when it completes and re-arms with ``set_timer`` (polls never overlap), keyed rows are updated
only where a value changed, inside ``app.batch_update()``, and no poll runs while a dialog covers the
pane or the tab is hidden. Engine events (OOM kills, crashes) come from a second worker.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import DataTable, Input, Static
from textual.worker import Worker, WorkerState

from massgen_tui.tui.keymap import CONTAINER_BINDINGS
from massgen_tui.tui.monitoring import ContainerPoller, PollResult, describe_event, exec_timeout_note
from massgen_tui.tui.widgets.container_table import ContainerTable
from massgen_tui.tui.widgets.log_view import LogView

POLL_EVERY_S = 1.0
SINCE_WINDOWS: tuple[tuple[str, float | None], ...] = (
    ("last 500 lines", None), ("since 1m", 60.0), ("since 10m", 600.0), ("since 1h", 3600.0), ("everything", -1.0))



class PromptModal(ModalScreen[str | None]):
    """One line of input. Enter submits, ctrl+c / Escape cancel (Escape is never the only way)."""

    BINDINGS = [Binding("ctrl+c,escape", "cancel", "Cancel", priority=True)]

    def __init__(self, title: str, hint: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.title_text, self.hint, self.value, self.placeholder = title, hint, value, placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static(self.hint, classes="dialog-body")
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input")
            yield Static("[b]enter[/] run    [b]ctrl+c[/] cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ContainersPane(Vertical):
    """Mount it anywhere; ``runtime`` (a started ContainerRuntime) adds its command timeouts and exec path."""

    DEFAULT_CSS = """
    ContainersPane { height: 1fr; }
    ContainersPane #containers-status { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    ContainersPane #containers-status.-down { color: $error; text-style: bold; }
    ContainersPane #log-title { height: 1; padding: 0 1; background: $panel; }
    ContainersPane #log-filter { display: none; height: 1; border: none; padding: 0 1; }
    ContainersPane #log-filter.-shown { display: block; }
    """

    BINDINGS = CONTAINER_BINDINGS

    def __init__(self, *, poller: ContainerPoller | None = None, runtime: Any = None, poll_every_s: float = POLL_EVERY_S,
                 autostart: bool = True, max_lines: int = 10_000, id: str | None = "containers-pane") -> None:
        super().__init__(id=id)
        self.poller = poller or ContainerPoller()
        self.runtime = runtime
        self.poll_every_s = poll_every_s
        self.autostart = autostart
        self.max_lines = max_lines
        self.started = False
        self.polls = 0
        self.skipped_polls = 0
        self.last_result: PollResult | None = None
        self.engine_down: str | None = None
        self.streaming_id: str | None = None
        self.timestamps = False
        self.since_index = 0
        self.stopping: set[str] = set()
        self._timer: Any = None
        self._stream_client: Any = None
        self._poll_worker: Worker[PollResult] | None = None

    def compose(self) -> ComposeResult:
        yield Static("Looking for containers...", id="containers-status")
        yield ContainerTable(id="container-table")
        yield Static("No container selected: pick one and press enter to stream its log.", id="log-title")
        yield Input(placeholder="filter the log (enter applies, empty clears)", id="log-filter")
        yield LogView(max_lines=self.max_lines, id="container-log")

    @property
    def table(self) -> ContainerTable:
        return self.query_one(ContainerTable)

    @property
    def log_view(self) -> LogView:
        return self.query_one(LogView)

    def on_mount(self) -> None:
        self.query_one("#log-filter", Input).can_focus = False  # until / shows it
        if self.autostart:
            self.start()

    def start(self) -> None:
        if self.started:
            return
        self.started = True
        self._rearm(0.0)
        self.watch_engine_events()
        if self.runtime is not None:
            self.watch_runtime()

    def on_unmount(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self.poller.close()

    # ------------------------------------------------------------------ the poll loop
    def covered(self) -> bool:
        """A dialog (or any other screen) is on top, or the tab holding the pane is hidden."""
        if not self.is_attached:
            return True
        if self.app.screen is not self.screen:
            return True
        node: Any = self
        while isinstance(node, Widget):
            if not node.display:
                return True
            node = node.parent
        return False

    def _rearm(self, delay: float) -> None:
        self._timer = self.set_timer(max(delay, 0.01), self._poll_due, name="containers-poll")

    def _poll_due(self) -> None:
        self._timer = None
        if self.covered():
            self.skipped_polls += 1
            self._rearm(min(0.25, self.poll_every_s))
            return
        self._poll_worker = self.run_worker(self.poller.poll, thread=True, group="containers-poll",
                                            name="containers-poll", exit_on_error=False)

    def poll_now(self) -> None:
        """Poll at once (after an action), unless one is running."""
        if self._poll_worker is not None and self._poll_worker.state in (WorkerState.PENDING, WorkerState.RUNNING):
            return
        if self._timer is not None:
            self._timer.stop()
        self._poll_due()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is not self._poll_worker or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        event.stop()
        result = event.worker.result if event.state == WorkerState.SUCCESS else PollResult(
            [], f"polling failed: {event.worker.error}")
        if result is not None:
            self.apply_poll(result)
        if self.is_attached:
            self._rearm(self.poll_every_s)

    def apply_poll(self, result: PollResult) -> None:
        self.polls += 1
        self.last_result = result
        status = self.query_one("#containers-status", Static)
        if result.error:
            if self.engine_down is None:
                self.app.notify(result.error, title="Docker", severity="error", timeout=6)
            self.engine_down = result.error
            status.update(Text(f"Docker engine not answering: {result.error}"))
            status.add_class("-down")
            with self.app.batch_update():
                for row in self.table.rows_by_id.values():
                    if row.state not in ("gone", "unknown"):
                        row.state = "unknown"
                        self.table.set_note(row.id, "engine down")
            return
        if self.engine_down is not None:
            self.app.notify("The Docker engine answers again.", title="Docker", timeout=3)
            for cid in list(self.table.notes):
                if self.table.notes[cid] == "engine down":
                    self.table.notes[cid] = ""
        self.engine_down = None
        status.remove_class("-down")
        running = sum(1 for row in result.rows if row.state == "running")
        mine = "" if not self.runtime else f", {len(self.runtime.containers())} from this app"
        status.update(f"{len(result.rows)} container(s), {running} running{mine}  "
                      f"(every {self.poll_every_s:g}s; poll {result.took_s * 1000:.0f} ms)")
        with self.app.batch_update():
            self.table.apply(result.rows)

    # ------------------------------------------------------------------ engine events and runtime activity
    @work(group="containers-events", exclusive=True, exit_on_error=False)
    async def watch_engine_events(self) -> None:
        from massgen_tui.docker.monitoring import engine_events

        while self.is_attached:
            try:
                client = await self._client()
                async for event in engine_events(client, actions=("die", "oom", "destroy", "start")):
                    self.on_engine_event(event.action, event.container_id, event.exit_code, event.agent or event.name)
            except asyncio.CancelledError:
                raise
            except Exception:
                self._stream_client = None
            await asyncio.sleep(2.0)  # engine down: the poll loop says so; try again

    def on_engine_event(self, action: str, container_id: str, exit_code: int | None, who: str) -> None:
        if action == "start":
            self.stopping.discard(container_id)
            if self.table.notes.get(container_id) not in (None, ""):
                self.table.set_note(container_id, "")
            return
        note = describe_event(action, exit_code, stopping=container_id in self.stopping)
        if note is None:
            return
        severity, words = note
        if action == "die" and container_id in self.table.notes and "OOM" in self.table.notes[container_id]:
            words = self.table.notes[container_id]  # keep the cause, not the exit code it led to
        else:
            self.table.set_note(container_id, words)
        if severity != "information":
            self.app.notify(f"{who or container_id[:12]}: {words}", title="Container", severity=severity, timeout=8)
        if container_id == self.streaming_id and action in ("die", "destroy"):
            self.log_view.feed([f"--- {words} ---"])

    @work(group="containers-activity", exclusive=True, exit_on_error=False)
    async def watch_runtime(self) -> None:
        async for step in self.runtime.activity():
            if step.kind != "end" or step.result is None:
                continue
            note = exec_timeout_note(step.result.reason, step.command, step.result.duration_s)
            if note is None:
                continue
            severity, words = note
            box = self.runtime.container(step.agent_id)
            if box is not None:
                self.table.set_note(box.container_id, words)
            self.app.notify(f"{step.agent_id}: {words}", title="Command", severity=severity, timeout=8)

    async def _client(self) -> Any:
        if self._stream_client is None:
            from massgen_tui.docker.engine import connect

            self._stream_client = await asyncio.to_thread(connect, timeout=10)
        return self._stream_client

    # ------------------------------------------------------------------ logs
    @on(DataTable.RowSelected, "#container-table")
    def row_selected(self, event: DataTable.RowSelected) -> None:
        self.stream(str(event.row_key.value))

    def action_follow_logs(self) -> None:
        cid = self.table.selected_id
        if cid:
            self.stream(cid)

    def stream(self, container_id: str) -> None:
        self.streaming_id = container_id
        row = self.table.rows_by_id.get(container_id)
        label, window = SINCE_WINDOWS[self.since_index]
        name = row.name if row else container_id[:12]
        self._title(name, label)
        self.log_view.reset()
        self._stream_logs(container_id, window)

    def _title(self, name: str, label: str) -> None:
        flags = [label, "follow" if self.log_view.follow else "paused", "timestamps" if self.timestamps else ""]
        if self.log_view.filter_text:
            flags.append(f"filter {self.log_view.filter_text!r}")
        self.query_one("#log-title", Static).update(Text.assemble((name, "bold"), "  " + "  ".join(f for f in flags if f)))

    def _retitle(self) -> None:
        if self.streaming_id:
            row = self.table.rows_by_id.get(self.streaming_id)
            self._title(row.name if row else self.streaming_id[:12], SINCE_WINDOWS[self.since_index][0])

    @work(group="containers-logs", exclusive=True, exit_on_error=False)
    async def _stream_logs(self, container_id: str, window: float | None) -> None:
        from massgen_tui.docker.monitoring import logs_stream

        view = self.log_view
        try:
            client = await self._client()
            since = None if window is None or window < 0 else time.time() - window
            tail: int | str = 500 if window is None else "all"
            async for batch in logs_stream(client, container_id, tail=tail, since=since, timestamps=self.timestamps):
                view.feed(batch)
            view.feed(["--- end of log (the container stopped) ---"])
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            gone = type(exc).__name__ == "NotFound" or "No such container" in str(exc)
            view.feed([f"--- {'the container is gone' if gone else f'log unavailable: {exc}'} ---"])

    def action_toggle_follow(self) -> None:
        self.log_view.follow = not self.log_view.follow
        self._retitle()

    def action_toggle_timestamps(self) -> None:
        self.timestamps = not self.timestamps
        if self.streaming_id:
            self.stream(self.streaming_id)

    def action_since_window(self) -> None:
        self.since_index = (self.since_index + 1) % len(SINCE_WINDOWS)
        if self.streaming_id:
            self.stream(self.streaming_id)
        self.app.notify(f"Log window: {SINCE_WINDOWS[self.since_index][0]}", timeout=2)

    def action_filter(self) -> None:
        box = self.query_one("#log-filter", Input)
        box.can_focus = True
        box.add_class("-shown")
        box.value = self.log_view.filter_text
        box.focus()

    @on(Input.Submitted, "#log-filter")
    def filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.log_view.set_filter(event.value)
        if not event.value.strip():
            event.input.remove_class("-shown")
            event.input.can_focus = False
        self._retitle()
        self.table.focus()

    def action_focus_log(self) -> None:
        self.log_view.focus()

    def action_drop_gone(self) -> None:
        self.table.drop_gone()

    # ------------------------------------------------------------------ actions
    def _selected(self) -> str | None:
        cid = self.table.selected_id
        if cid is None:
            self.app.notify("No container selected.", severity="warning", timeout=3)
        return cid

    def action_stop(self) -> None:
        if cid := self._selected():
            self.stopping.add(cid)
            self._engine_call("stop", cid, lambda c: c.api.stop(cid, timeout=5))

    def action_restart(self) -> None:
        if cid := self._selected():
            self.stopping.add(cid)
            self._engine_call("restart", cid, lambda c: c.api.restart(cid, timeout=5))

    def action_remove(self) -> None:
        from massgen_tui.tui.screens.dialogs import ConfirmModal

        cid = self._selected()
        if cid is None:
            return
        row = self.table.rows_by_id.get(cid)
        name = row.name if row else cid[:12]

        def answered(yes: bool | None) -> None:
            if yes:
                self.stopping.add(cid)
                self._engine_call("remove", cid, lambda c: c.api.remove_container(cid, force=True))

        self.app.push_screen(ConfirmModal("Remove container?", f"Remove {name} ({cid[:12]}) and its writable layer? "
                                          "Anything not in a mounted workspace is lost.", yes="y remove", no="n keep"),
                             answered)

    @work(group="containers-action", exit_on_error=False)
    async def _engine_call(self, what: str, cid: str, call: Any) -> None:
        row = self.table.rows_by_id.get(cid)
        name = row.name if row else cid[:12]
        try:
            client = await self._client()
            await asyncio.to_thread(call, client)
        except Exception as exc:
            self.stopping.discard(cid)
            self.app.notify(f"Could not {what} {name}: {_short(exc)}", title="Docker", severity="error", timeout=8)
            return
        self.app.notify(f"{what}: {name}", title="Docker", timeout=3)
        self.poll_now()

    def action_exec(self) -> None:
        cid = self._selected()
        if cid is None:
            return
        row = self.table.rows_by_id.get(cid)
        if row is None or row.state != "running":
            self.app.notify("The container is not running: start it (r) first.", severity="warning", timeout=4)
            return

        def answered(command: str | None) -> None:
            if command:
                if self.streaming_id != cid:
                    self.stream(cid)
                self._exec(cid, row.agent, command)

        self.app.push_screen(PromptModal(f"Run a command in {row.name}",
                                         "Runs once with sh -c; output goes to the log below.",
                                         placeholder="ls -la /workspace"), answered)

    @work(group="containers-exec", exit_on_error=False)
    async def _exec(self, cid: str, agent: str, command: str) -> None:
        view = self.log_view
        view.feed([f"$ {command}"])
        box = self.runtime.container(agent) if self.runtime is not None and agent else None
        if box is not None and box.container_id == cid:  # this app's container: the agents' own exec path
            try:
                async for item in self.runtime.stream_exec(agent, command):
                    if hasattr(item, "text"):
                        view.feed(item.text.splitlines())
                    else:
                        view.feed([f"--- {item.summary()} ---"])
            except Exception as exc:
                view.feed([f"--- exec failed: {_short(exc)} ---"])
            return
        loop = asyncio.get_running_loop()
        client = await self._client()

        def run() -> int | None:
            exec_id = client.api.exec_create(cid, ["sh", "-c", command], stdout=True, stderr=True)["Id"]
            pending = ""
            for chunk in client.api.exec_start(exec_id, stream=True):
                pending += chunk.decode("utf-8", "replace")
                *lines, pending = pending.split("\n")
                if lines:
                    loop.call_soon_threadsafe(view.feed, lines)
            if pending:
                loop.call_soon_threadsafe(view.feed, [pending])
            return client.api.exec_inspect(exec_id).get("ExitCode")

        try:
            code = await asyncio.to_thread(run)
        except Exception as exc:
            view.feed([f"--- exec failed: {_short(exc)} ---"])
            return
        view.feed([f"--- exit code {code} ---"])

    def action_build(self) -> None:
        def answered(target: str | None) -> None:
            if target:
                self._build(target)

        self.app.push_screen(PromptModal(
            "Build an image", "A Dockerfile path, or a template name (minimal, python, node, datascience). "
            "Progress goes to the log below.", placeholder="minimal"), answered)

    @work(group="containers-build", exclusive=True, exit_on_error=False)
    async def _build(self, target: str) -> None:
        from massgen_tui.docker.errors import ImageError
        from massgen_tui.docker.images import build_image, template_dockerfile

        view = self.log_view
        self.streaming_id = None
        self.query_one("#log-title", Static).update(Text.assemble(("build", "bold"), f" {target}"))
        view.reset(f"--- building {target} ---")
        loop = asyncio.get_running_loop()
        try:
            client = await self._client()
            path = Path(target).expanduser()
            dockerfile = path if path.exists() else template_dockerfile(target)
            tag = await asyncio.to_thread(build_image, client, dockerfile,
                                          progress=lambda line: loop.call_soon_threadsafe(view.feed, [line]))
        except ImageError as exc:
            view.feed([f"--- build failed: {exc} ---"])
            self.app.notify(str(exc)[:300], title="Build failed", severity="error", timeout=10)
            return
        except Exception as exc:
            view.feed([f"--- build failed: {_short(exc)} ---"])
            self.app.notify(_short(exc), title="Build failed", severity="error", timeout=10)
            return
        view.feed([f"--- built {tag} ---"])
        self.app.notify(f"Built {tag}", title="Docker", timeout=5)


def _short(exc: BaseException) -> str:
    text = str(getattr(exc, "explanation", None) or exc)
    return text.splitlines()[0][:200] if text else type(exc).__name__
