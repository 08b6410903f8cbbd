"""Snapshots of the part-2 screens at 80x24 and 120x40 (pytest-textual-snapshot; frozen clock, no blink).

Regenerate after an intended change with ``--snapshot-update`` and look at the SVGs before committing.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult

from massgen_tui.config import load_document
from massgen_tui.tui.monitoring import ContainerPoller, ContainerRow
from massgen_tui.tui.screens.containers import ContainersPane
from massgen_tui.tui.screens.safety_review import SafetyReview
from tests.tui.part2.support import READ, DialogHost, make_request
from tests.tui.part2.test_safety_review import write_config

SIZES = [(80, 24), (120, 40)]
size_id = lambda s: f"{s[0]}x{s[1]}"  # noqa: E731


def dialog_app(queued: bool) -> DialogHost:
    app = DialogHost()

    async def ask() -> None:
        now = app.clock.now
        app.approver.request  # noqa: B018
        asyncio.get_running_loop().create_task(app.approver.request(make_request(
            request_id="req-1", created_at=now, timeout_s=45)))
        if queued:
            for i, tool in enumerate((None, READ)):
                req = make_request(request_id=f"req-{i + 2}", created_at=now + i + 1, timeout_s=45) if tool is None \
                    else make_request(READ, request_id=f"req-{i + 2}", created_at=now + i + 1, timeout_s=45)
                asyncio.get_running_loop().create_task(app.approver.request(req))

    app.call_after_refresh(lambda: asyncio.get_running_loop().create_task(ask()))
    return app


@pytest.mark.parametrize("size", SIZES, ids=size_id)
@pytest.mark.parametrize("queued", [False, True], ids=["one", "queued"])
def test_approval_dialog(snap_compare: Any, size: tuple[int, int], queued: bool) -> None:
    async def settle(pilot: Any) -> None:
        await pilot.pause(0.3)

    assert snap_compare(dialog_app(queued), run_before=settle, terminal_size=size)


class PaneHost(App[None]):
    def __init__(self, pane: ContainersPane) -> None:
        super().__init__()
        self.pane = pane

    def compose(self) -> ComposeResult:
        yield self.pane


ROWS = [
    ContainerRow(id="a" * 64, name="massgen-tui-3f2a-coder", agent="coder", session="3f2a", image="massgen-tui/python:8040",
                 state="running", status="Up 2 minutes", cpu_percent=37.5, memory_bytes=48 * 2**20,
                 memory_limit=512 * 2**20, pids=7, net_rx=2048, net_tx=512, block_read=3 * 2**20, block_write=2**20,
                 cpu_history=[5, 10, 40, 80, 60, 37.5], mem_history=[5, 6, 8, 9, 9, 9.4]),
    ContainerRow(id="b" * 64, name="massgen-tui-3f2a-critic", agent="critic", session="3f2a",
                 image="massgen-tui/minimal:f664", state="exited", status="Exited (137)"),
]


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_containers_pane_with_rows(snap_compare: Any, size: tuple[int, int]) -> None:
    pane = ContainersPane(autostart=False)

    async def fill(pilot: Any) -> None:
        pane.table.apply(ROWS)
        pane.table.set_note("b" * 64, "OOM killed (out of memory)")
        pane.log_view.feed(["$ python train.py", "\x1b[32mepoch 1\x1b[0m loss=0.41", "epoch 2 loss=0.33"])
        pane.table.focus()
        await pilot.pause(0.2)

    assert snap_compare(PaneHost(pane), run_before=fill, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_containers_pane_engine_down(snap_compare: Any, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    pane = ContainersPane(poller=ContainerPoller(), poll_every_s=30)
    pane.watch_engine_events = lambda: None  # type: ignore[method-assign]  # only the poll's message matters here

    async def wait(pilot: Any) -> None:
        for _ in range(100):
            await pilot.pause(0.05)
            if pane.engine_down:
                break
        pilot.app.clear_notifications()
        await pilot.pause(0.1)

    assert snap_compare(PaneHost(pane), run_before=wait, terminal_size=size)


class ReviewHost(App[None]):
    def __init__(self, config: Path, store: Path) -> None:
        super().__init__()
        self.config, self.store = config, store

    def compose(self) -> ComposeResult:
        yield SafetyReview(lambda: load_document(self.config), store_path=self.store)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_safety_review(snap_compare: Any, size: tuple[int, int], tmp_path: Path) -> None:
    app = ReviewHost(write_config(tmp_path), tmp_path / "store.sqlite3")

    async def loaded(pilot: Any) -> None:
        review = pilot.app.query_one(SafetyReview)
        for _ in range(300):
            await pilot.pause(0.05)
            if review.loaded:
                break
        pilot.app.query_one("#safety-tools").focus()
        await pilot.pause(0.1)

    assert snap_compare(app, run_before=loaded, terminal_size=size)
