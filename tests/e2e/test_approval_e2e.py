"""End to end in one app: a real MCP server (the toolbox over stdio) behind the safety gate, the gate's
approver is the app's dialog, and a real container streams its log in the Containers pane meanwhile.

deny -> the server never received the call; allow -> it did; "always" -> the next call passes without
asking, and after a restart (new store connection, new gate, new server) the decision still holds.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult

from massgen_tui.config.safety import SafetySettings
from massgen_tui.docker.sessions import SessionIdentity
from massgen_tui.mcp import MCPServerSpec, ServerManager
from massgen_tui.safety import DecisionStore, SafetyGate
from massgen_tui.tui.monitoring import ContainerPoller
from massgen_tui.tui.screens.approval import ApprovalScreen, TuiApprover
from massgen_tui.tui.screens.containers import ContainersPane
from tests.support.docker_engine import busybox_image, docker_client  # noqa: F401
from tests.support.mcp_servers import read_record, toolbox_stdio

pytestmark = [pytest.mark.timeout(120)]


class GatedApp(App[None]):
    def __init__(self, poller: ContainerPoller) -> None:
        super().__init__()
        self.poller = poller
        self.approver = TuiApprover(self)

    def compose(self) -> ComposeResult:
        yield ContainersPane(poller=self.poller, poll_every_s=0.5)

    def on_mount(self) -> None:
        self.approver.bind_loop()


def calls(record: Path) -> list[tuple[str, dict[str, Any]]]:
    return [(e["tool"], e.get("arguments", {})) for e in read_record(record)]


async def _until(pilot: Any, condition: Any, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    assert condition(), "condition not reached in time"


async def test_dialog_decides_what_reaches_the_server(tmp_path: Path, docker_client: Any,  # noqa: F811
                                                      busybox_image: str) -> None:  # noqa: F811
    ident = SessionIdentity()
    box = docker_client.containers.run(
        busybox_image, ["sh", "-c", "i=0; while true; do i=$((i+1)); echo beat $i; sleep 0.05; done"], detach=True,
        labels=ident.labels("worker"), init=True)
    record = tmp_path / "calls.jsonl"
    store_path = tmp_path / "store.sqlite3"
    specs = MCPServerSpec.from_backend({"mcp_servers": [toolbox_stdio("tb", record)]})
    settings = SafetySettings(approval_timeout_seconds=60)
    app = GatedApp(ContainerPoller(session=ident.session_id))
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            pane = app.query_one(ContainersPane)
            await _until(pilot, lambda: box.id in pane.table.rows_by_id)
            pane.table.focus()
            await pilot.press("enter")
            view = pane.log_view
            await _until(pilot, lambda: view.received > 5)

            store = await DecisionStore.open(store_path)
            gate = SafetyGate(settings, store, app.approver, tmp_path)
            async with ServerManager(specs, hooks=[gate], agent="coder") as manager:
                # deny: the dialog opens, the server never receives the call, logs keep flowing meanwhile
                call = asyncio.create_task(manager.call_tool("tb", "delete_file", {"path": "keep.txt"}))
                await _until(pilot, lambda: isinstance(app.screen, ApprovalScreen))
                assert app.screen.request.tool == "delete_file"
                before = view.received
                await _until(pilot, lambda: view.received > before + 10)  # the log streams under the dialog
                await pilot.press("n")
                result = await asyncio.wait_for(call, 10)
                assert result.status == "denied" and result.decided_by == "human"
                assert ("delete_file", {"path": "keep.txt"}) not in calls(record)

                # allow once: it arrives
                call = asyncio.create_task(manager.call_tool("tb", "delete_file", {"path": "a.txt"}))
                await _until(pilot, lambda: isinstance(app.screen, ApprovalScreen))
                await pilot.press("y")
                assert (await asyncio.wait_for(call, 10)).status == "ok"
                assert ("delete_file", {"path": "a.txt"}) in calls(record)

                # always allow (for me): stored; the next call passes without a dialog
                call = asyncio.create_task(manager.call_tool("tb", "write_note", {"title": "t1"}))
                await _until(pilot, lambda: isinstance(app.screen, ApprovalScreen))
                await pilot.press("a")
                assert (await asyncio.wait_for(call, 10)).status == "ok"
                await pilot.pause(0.1)
                assert not isinstance(app.screen, ApprovalScreen)
                again = await asyncio.wait_for(manager.call_tool("tb", "write_note", {"title": "t2"}), 10)
                assert again.status == "ok" and again.decided_by == "stored-rule"
                assert not isinstance(app.screen, ApprovalScreen)
            await gate.aclose()
            await store.close()

            # restart: a new store connection, gate and server process; the decision is still there
            store = await DecisionStore.open(store_path)
            stored = [d for d in await store.list() if d.tool == "write_note"]
            assert [(d.action, d.scope) for d in stored] == [("allow", "user")]
            gate = SafetyGate(settings, store, app.approver, tmp_path)
            async with ServerManager(specs, hooks=[gate], agent="coder") as manager:
                third = await asyncio.wait_for(manager.call_tool("tb", "write_note", {"title": "t3"}), 10)
                assert third.status == "ok" and third.decided_by == "stored-rule"
            await gate.aclose()
            await store.close()
            assert [t for t, _ in calls(record)].count("write_note") == 3
            assert app.approver.expired == []
            assert view.received > before + 10 and app.is_running
    finally:
        box.remove(force=True)
