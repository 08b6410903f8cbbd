"""The Safety tab against a real MCP server (toolbox over stdio) and a real SQLite store."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from massgen_tui.config import load_document
from massgen_tui.safety import AuditEntry, DecisionStore
from massgen_tui.tui.screens.safety_review import SafetyReview
from tests.support.mcp_servers import toolbox_stdio
from tests.support.pilot import screen_text, until

pytestmark = [pytest.mark.timeout(90)]


def write_config(tmp_path: Path) -> Path:
    config = {"agents": [{"id": "coder", "backend": {"type": "openai", "model": "gpt-4o",
                                                     "mcp_servers": [toolbox_stdio("tb", tmp_path / "calls.jsonl")]}}]}
    path = tmp_path / "massgen.yaml"
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    return path


class ReviewHost(App[None]):
    def __init__(self, config: Path, store: Path) -> None:
        super().__init__()
        self.config, self.store = config, store

    def compose(self) -> ComposeResult:
        yield SafetyReview(lambda: load_document(self.config), store_path=self.store)




def rows(app: App[None], table: str) -> list[list[str]]:
    t = app.query_one(table, DataTable)
    return [[str(getattr(c, "plain", c)) for c in t.get_row_at(i)] for i in range(t.row_count)]


async def test_tools_decisions_overrides_and_audit(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    store_path = tmp_path / "store.sqlite3"
    identity = load_document(config)  # the identity of the server as the gate sees it
    from massgen_tui.mcp import MCPServerSpec

    [spec] = MCPServerSpec.from_backend(identity.agent_entries()[0].backend)
    async with await DecisionStore.open(store_path) as store:
        await store.add(kind="permission", scope="user", server_identity=spec.identity, server_name="tb",
                        tool="write_note", action="allow", reason="fine")
        store.record(AuditEntry(event="decision", call_id="c1", server="tb", server_identity=spec.identity,
                                tool="delete_file", arguments={"path": "x.txt", "token": "sk-live-0123456789"},
                                verdict="irreversible", action="deny",
                                decider="human", agent="coder", ts=time.time()))
        await store.flush()

    app = ReviewHost(config, store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        review = app.query_one(SafetyReview)
        await until(pilot, lambda: review.loaded)
        tools = {r[1]: r for r in rows(app, "#safety-tools")}
        assert tools["echo"][2] == "reversible" and tools["add"][4] == "annotations" and tools["echo"][4] == "rules"
        assert tools["delete_file"][2] == "irreversible"
        assert tools["write_note"][5].endswith("allow user")

        # filter and sort
        app.query_one("#safety-tools", DataTable).focus()
        await pilot.press("slash", *"delete", "enter")
        assert [r[1] for r in rows(app, "#safety-tools")] == ["delete_file"], (review.filter_text, app.focused)
        await pilot.press("slash", "ctrl+a", "ctrl+k", "enter")
        assert len(rows(app, "#safety-tools")) == len(tools)
        await pilot.press("o")  # by verdict: irreversible first
        assert rows(app, "#safety-tools")[0][2] == "irreversible"

        # override delete_file's verdict
        table = app.query_one("#safety-tools", DataTable)
        table.focus()
        table.move_cursor(row=table.get_row_index("tb/delete_file"))
        await pilot.press("v")
        await pilot.pause()
        await pilot.press("y")
        await until(pilot, lambda: any(r[1] == "delete_file" and r[4] == "override" for r in rows(app, "#safety-tools")))
        assert next(r for r in rows(app, "#safety-tools") if r[1] == "delete_file")[2] == "reversible"

        # decisions: flip the permission, revoke the override
        await pilot.press("2")
        decisions = rows(app, "#safety-decisions")
        assert {r[1] for r in decisions} == {"allow", "mark reversible"}
        dtable = app.query_one("#safety-decisions", DataTable)
        allow_id = next(r[0] for r in decisions if r[1] == "allow")
        dtable.move_cursor(row=dtable.get_row_index(allow_id))
        assert review.view == "decisions" and app.focused is dtable, (review.view, app.focused)
        await pilot.press("e")
        await pilot.pause(1.0)
        assert {r[1] for r in rows(app, "#safety-decisions")} == {"deny", "mark reversible"}, [n.message for n in app._notifications]
        dtable = app.query_one("#safety-decisions", DataTable)
        override_id = next(r[0] for r in rows(app, "#safety-decisions") if r[1] == "mark reversible")
        dtable.move_cursor(row=dtable.get_row_index(override_id))
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await until(pilot, lambda: [r[1] for r in rows(app, "#safety-decisions")] == ["deny"])

        # the audit view, filterable
        await pilot.press("3")
        audit = rows(app, "#safety-audit")
        assert any(r[2] == "tb/delete_file" and r[4] == "deny" and r[5] == "human" and "path=x.txt" in r[7]
                   for r in audit)
        assert "token=[redacted]" in screen_text(app)  # drawn, not read as markup
        await pilot.press("slash", *"nothing-like-this", "enter")
        assert rows(app, "#safety-audit") == []

    async with await DecisionStore.open(store_path) as store:
        active = await store.list()
        assert [(d.kind, d.action, d.tool) for d in active] == [("permission", "deny", "write_note")]
