"""The Containers pane against the real engine: rows by label, live logs, actions by key, events,
an engine that does not answer, and no polling while a dialog covers the pane."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from textual.app import App, ComposeResult

from massgen_tui.docker.sessions import SessionIdentity
from massgen_tui.tui.monitoring import ContainerPoller
from massgen_tui.tui.screens.containers import ContainersPane
from massgen_tui.tui.screens.dialogs import ConfirmModal

TALKER = "i=0; while true; do i=$((i+1)); echo \"tick $i\"; printf '\\033[31mred %s\\033[0m\\n' $i; sleep 0.05; done"


class PaneHost(App[None]):
    def __init__(self, poller: ContainerPoller, poll_every_s: float = 0.3) -> None:
        super().__init__()
        self.poller = poller
        self.poll_every_s = poll_every_s

    def compose(self) -> ComposeResult:
        yield ContainersPane(poller=self.poller, poll_every_s=self.poll_every_s)


@pytest.fixture
def session(docker_client: Any, busybox_image: str) -> Iterator[tuple[SessionIdentity, list[Any]]]:
    ident = SessionIdentity()
    made: list[Any] = []
    for agent, command in (("writer", TALKER), ("idle", "sleep 600")):
        made.append(docker_client.containers.run(
            busybox_image, ["sh", "-c", command], detach=True, labels=ident.labels(agent),
            name=f"mgt-part2-{ident.session_id}-{agent}", init=True, mem_limit="64m"))
    yield ident, made
    for box in made:
        try:
            box.remove(force=True)
        except Exception:
            pass


async def _until(pilot: Any, condition: Any, timeout: float = 8.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    assert condition(), "condition not reached in time"


async def test_rows_logs_filter_and_actions(session: tuple[SessionIdentity, list[Any]]) -> None:
    ident, (writer, idle) = session
    app = PaneHost(ContainerPoller(session=ident.session_id))
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(ContainersPane)
        table = pane.table
        await _until(pilot, lambda: len(table.rows_by_id) == 2)
        assert {r.agent for r in table.rows_by_id.values()} == {"writer", "idle"}
        await _until(pilot, lambda: table.rows_by_id[writer.id].cpu_percent is not None)  # second poll: CPU known
        row = table.rows_by_id[writer.id]
        assert row.memory_limit == 64 * 1024 * 1024 and row.pids and row.pids >= 1
        updates = table.cell_updates
        await _until(pilot, lambda: pane.polls >= 4)
        assert table.cell_updates < updates + 13 * 2 * 3, "only changed cells are rewritten"

        # select the writer: its log streams, ANSI escapes never reach the screen
        table.focus()
        table.move_cursor(row=table.get_row_index(writer.id))
        await pilot.press("enter")
        view = pane.log_view
        await _until(pilot, lambda: view.line_count > 10)
        assert all("\x1b" not in line for line in view.lines)
        assert any(line.startswith("red ") for line in view.lines)
        seen = view.received
        await _until(pilot, lambda: view.received > seen + 5)  # live: more lines keep arriving

        # filter with /
        await pilot.press("slash", *"red", "enter")
        await pilot.pause(0.2)
        assert view.lines and all("red" in line for line in view.lines)
        await pilot.press("slash", "ctrl+a", "ctrl+k", "enter")  # empty filter clears it
        await pilot.pause(0.2)
        assert any(line.startswith("tick") for line in view.lines)

        # follow off / on, timestamps, since-window
        await pilot.press("f")
        assert view.auto_scroll is False
        await pilot.press("f", "t")
        await _until(pilot, lambda: any(line[:4].isdigit() and "T" in line[:20] for line in view.lines))
        await pilot.press("w")
        assert pane.since_index == 1

        # stop: the row says exited, no crash and no crash notification (the user asked for it)
        await pilot.press("s")
        await _until(pilot, lambda: table.rows_by_id[writer.id].state == "exited")

        # a container dying on its own is reported as a crash
        await asyncio.to_thread(idle.kill)  # SIGKILL from outside: exit 137
        await _until(pilot, lambda: "exit" in pane.table.notes.get(idle.id, "") or
                     "killed" in pane.table.notes.get(idle.id, ""))

        # remove asks first; n keeps it, y removes it; the row is then marked gone
        table.move_cursor(row=table.get_row_index(writer.id))
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("n")
        await pilot.pause(0.5)
        assert table.rows_by_id[writer.id].state == "exited"
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await _until(pilot, lambda: table.rows_by_id[writer.id].state == "gone")
        await pilot.press("g")
        assert writer.id not in table.rows_by_id


async def test_exec_one_off_command(session: tuple[SessionIdentity, list[Any]]) -> None:
    ident, (_writer, idle) = session
    app = PaneHost(ContainerPoller(session=ident.session_id))
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(ContainersPane)
        await _until(pilot, lambda: idle.id in pane.table.rows_by_id)
        pane.table.focus()
        pane.table.move_cursor(row=pane.table.get_row_index(idle.id))
        await pilot.press("e")
        await pilot.pause()
        await pilot.press(*"echo from-exec-$((6*7))", "enter")
        await _until(pilot, lambda: "from-exec-42" in pane.log_view.lines)
        await _until(pilot, lambda: "--- exit code 0 ---" in pane.log_view.lines)


async def test_no_polling_while_a_dialog_covers_the_pane(session: tuple[SessionIdentity, list[Any]]) -> None:
    ident, _ = session
    app = PaneHost(ContainerPoller(session=ident.session_id), poll_every_s=0.1)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(ContainersPane)
        await _until(pilot, lambda: pane.polls >= 2)
        app.push_screen(ConfirmModal("Covering", "the pane is covered"))
        await pilot.pause(0.3)  # a poll already running may finish
        polls = pane.polls
        await pilot.pause(1.0)
        assert pane.polls == polls and pane.skipped_polls > 0
        await pilot.press("n")
        await _until(pilot, lambda: pane.polls > polls)


async def test_engine_not_answering_is_shown_not_a_crash(tmp_path: Any) -> None:
    from massgen_tui.docker.engine import connect

    def nowhere() -> Any:
        import os

        old = os.environ.get("DOCKER_HOST")
        os.environ["DOCKER_HOST"] = f"unix://{tmp_path}/no-such.sock"
        try:
            return connect(timeout=2)
        finally:
            if old is None:
                os.environ.pop("DOCKER_HOST", None)
            else:
                os.environ["DOCKER_HOST"] = old

    app = PaneHost(ContainerPoller(client_factory=nowhere), poll_every_s=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(ContainersPane)
        await _until(pilot, lambda: pane.polls >= 2)
        assert pane.engine_down and "no-such.sock" in pane.engine_down
        assert "not answering" in str(pane.query_one("#containers-status").render())
        await pilot.press("s")  # an action with nothing selected says so
        await pilot.pause()
        assert app.is_running


async def test_vanished_container_is_marked_gone(docker_client: Any, busybox_image: str) -> None:
    ident = SessionIdentity()
    box = docker_client.containers.run(busybox_image, ["sleep", "600"], detach=True, labels=ident.labels("brief"),
                                       init=True)
    try:
        app = PaneHost(ContainerPoller(session=ident.session_id), poll_every_s=0.2)
        async with app.run_test(size=(80, 24)) as pilot:
            pane = app.query_one(ContainersPane)
            await _until(pilot, lambda: box.id in pane.table.rows_by_id)
            pane.table.focus()
            await pilot.press("enter")
            await asyncio.to_thread(box.remove, force=True)  # removed behind the app's back
            await _until(pilot, lambda: pane.table.rows_by_id[box.id].state == "gone")
            await _until(pilot, lambda: any(line.startswith("---") for line in pane.log_view.lines[-3:]))
            assert app.is_running
    finally:
        try:
            box.remove(force=True)
        except Exception:
            pass
