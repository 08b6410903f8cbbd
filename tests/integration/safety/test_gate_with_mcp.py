"""The gate in front of a real MCP server (the toolbox server over stdio, a real subprocess).

The toolbox server appends every call it receives to a record file the moment it arrives, so these
tests prove that a denied call never reached the server.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from massgen_tui.config.safety import SafetySettings
from massgen_tui.mcp import MCPServerSpec, ServerManager
from massgen_tui.safety import ApprovalDecision, ApprovalQueue, DecisionStore, SafetyGate
from tests.support.mcp_servers import read_record, toolbox_stdio

pytestmark = [pytest.mark.mcp, pytest.mark.timeout(90)]


def tools_called(record: Path) -> list[str]:
    return [entry["tool"] for entry in read_record(record)]


async def test_denied_calls_never_reach_the_server(tmp_path: Path) -> None:
    record = tmp_path / "calls.jsonl"
    specs = MCPServerSpec.from_backend({"mcp_servers": [toolbox_stdio("tb", record)]})
    async with await DecisionStore.open(tmp_path / "store.sqlite3") as store:
        queue = ApprovalQueue()
        gate = SafetyGate(SafetySettings(approval_timeout_seconds=20), store, queue, tmp_path)
        async with ServerManager(specs, hooks=[gate], agent="a1") as manager:
            # reversible (annotated read-only, named echo): allowed by policy, reaches the server
            echo = await manager.call_tool("tb", "echo", {"text": "hi"})
            assert echo.status == "ok" and echo.text == "hi"

            # irreversible: asked; the human denies; the server never sees it
            pending = asyncio.create_task(manager.call_tool("tb", "delete_file", {"path": "notes.txt"}))
            while not queue.pending():
                await asyncio.sleep(0.01)
            [req] = queue.pending()
            assert req.tool == "delete_file" and req.classification.verdict == "irreversible"
            queue.answer(req.request_id, ApprovalDecision.deny("not today", scope="user"))
            denied = await pending
            assert denied.status == "denied" and denied.decided_by == "human"
            assert "not sent to the server" in denied.reason and "not today" in denied.reason

            # the stored user-wide deny now decides without asking
            again = await manager.call_tool("tb", "delete_file", {"path": "other.txt"})
            assert again.status == "denied" and again.decided_by == "stored-rule"
            assert queue.pending() == []

            # approved once: it arrives
            pending = asyncio.create_task(manager.call_tool("tb", "write_note", {"title": "t", "body": "b"}))
            while not queue.pending():
                await asyncio.sleep(0.01)
            queue.answer(queue.pending()[0].request_id, ApprovalDecision.allow())
            assert (await pending).status == "ok"

            # planning mode: irreversible calls are blocked by policy before anyone is asked
            gate.set_planning_mode(True)
            blocked = await manager.call_tool("tb", "write_note", {"title": "plan"})
            assert blocked.status == "denied" and blocked.decided_by == "policy"
            assert queue.pending() == []

        assert tools_called(record) == ["echo", "write_note"]
        audit = await store.audit()
        decisions = [(e.tool, e.action, e.decider) for e in audit if e.event == "decision"]
        assert decisions == [
            ("echo", "allow", "policy"),
            ("delete_file", "deny", "human"),
            ("delete_file", "deny", "stored-rule"),
            ("write_note", "allow", "human"),
            ("write_note", "deny", "policy"),
        ]
        results = [(e.tool, e.result) for e in audit if e.event == "result"]
        assert results == [("echo", "ok"), ("delete_file", "denied"), ("delete_file", "denied"),
                           ("write_note", "ok"), ("write_note", "denied")]
        # the identity the MCP client gives is what decisions are keyed by
        [stored] = await store.list()
        assert stored.server_identity == specs[0].identity and stored.server_name == "tb"


async def test_fail_closed_without_an_approver_and_timeout(tmp_path: Path) -> None:
    record = tmp_path / "calls.jsonl"
    specs = MCPServerSpec.from_backend({"mcp_servers": [toolbox_stdio("tb", record)]})
    async with await DecisionStore.open(tmp_path / "store.sqlite3") as store:
        headless = SafetyGate(SafetySettings(), store, None, tmp_path)  # nobody to ask
        async with ServerManager(specs, hooks=[headless]) as manager:
            result = await manager.call_tool("tb", "delete_file", {"path": "x"})
            assert result.status == "denied" and result.decided_by == "policy"
            assert (await manager.call_tool("tb", "add", {"a": 1, "b": 2})).text == "3"
            manager.remove_hook(headless)
            slow_ui = SafetyGate(SafetySettings(approval_timeout_seconds=0.3), store, ApprovalQueue(), tmp_path)
            manager.add_hook(slow_ui)
            timed_out = await manager.call_tool("tb", "delete_file", {"path": "y"})
            assert timed_out.status == "denied" and timed_out.decided_by == "timeout"
        assert tools_called(record) == ["add"]
        assert [e.decider for e in await store.audit() if e.event == "decision"] == ["policy", "policy", "timeout"]
