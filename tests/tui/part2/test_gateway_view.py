"""The Gateway view of the Safety tab: the gateway run inside the app, a real MCP client over streamable
HTTP in front of it, a real MCP server (the toolbox over stdio) behind it, the app's approval dialog
deciding, and the live calls on screen."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from massgen_tui.config import load_document
from massgen_tui.safety import DecisionStore
from massgen_tui.tui.screens.approval import ApprovalScreen, TuiApprover
from massgen_tui.tui.screens.safety_review import SafetyReview
from massgen_tui.tui.widgets.gateway_view import GatewayView
from tests.integration.gateway.conftest import http_session, tools_called
from tests.support.mcp_servers import toolbox_stdio
from tests.support.pilot import screen_text, until

pytestmark = [pytest.mark.mcp, pytest.mark.timeout(120)]


class GatewayHost(App[None]):
    def __init__(self, config: Path, store: Path, token_file: Path) -> None:
        super().__init__()
        self.config, self.store, self.token_file = config, store, token_file
        self.approver = TuiApprover(self)

    def compose(self) -> ComposeResult:
        yield SafetyReview(lambda: load_document(self.config), store_path=self.store, autoload=False,
                           gateway_options={"listen": "127.0.0.1:0", "token_file": self.token_file})

    def on_mount(self) -> None:
        self.approver.bind_loop()
        self.query_one("#safety-tools").focus()




def calls_on_screen(app: App[None]) -> list[dict[str, str]]:
    table = app.query_one("#safety-gateway", DataTable)
    names = [str(c.label) for c in table.columns.values()]
    return [dict(zip(names, (str(getattr(v, "plain", v)) for v in table.get_row_at(i)), strict=True))
            for i in range(table.row_count)]


def text_of(result: Any) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content)


async def test_gateway_in_the_app_asks_in_the_dialog_and_shows_live_calls(tmp_path: Path) -> None:
    record = tmp_path / "calls.jsonl"
    config = tmp_path / "massgen.yaml"
    config.write_text(json.dumps({"agents": [{"id": "coder", "backend": {
        "type": "openai", "model": "gpt-4o", "mcp_servers": [toolbox_stdio("tb", record)]}}]}))
    store_path = tmp_path / "store.sqlite3"
    token_file = tmp_path / "gateway.token"
    app = GatewayHost(config, store_path, token_file)
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one(GatewayView)
        await pilot.press("g")
        await until(pilot, lambda: view.url is not None)
        assert app.query_one("#safety-views").active == "gateway"
        status = str(app.query_one("#gateway-status").render())
        assert "listening" in status and str(token_file) in status and "(new)" in status
        assert token_file.stat().st_mode & 0o777 == 0o600
        token = token_file.read_text().strip()
        assert token not in status  # the token itself is never shown

        async with http_session(str(view.url), token) as client:
            names = {tool.name for tool in (await client.list_tools()).tools}
            assert {"tb__echo", "tb__delete_file"} <= names

            ok = await client.call_tool("tb__echo", {"text": "via the app"})
            assert not ok.is_error and text_of(ok) == "via the app"
            await until(pilot, lambda: [r["Result"] for r in calls_on_screen(app)] == ["ok"])
            echo = calls_on_screen(app)[0]
            assert (echo["Tool"], echo["Verdict"], echo["Decision"], echo["By"]) == \
                ("tb/echo", "reversible", "allow", "policy")

            # an irreversible call opens the app's dialog; deny: the server never sees it
            call = asyncio.ensure_future(client.call_tool("tb__delete_file", {"path": "keep.txt",
                                                                              "api_key": "sk-live-0123456789"}))
            await until(pilot, lambda: isinstance(app.screen, ApprovalScreen))
            await until(pilot, lambda: len(calls_on_screen(app)) == 2)
            assert calls_on_screen(app)[1]["Result"] == "running"  # shown live while it waits for a human
            await pilot.press("n")
            denied = await asyncio.wait_for(call, 10)
            assert denied.is_error and "the user denied it" in text_of(denied)
            assert tools_called(record) == ["echo"]
            await until(pilot, lambda: calls_on_screen(app)[1]["Result"] == "denied")
            row = calls_on_screen(app)[1]
            assert (row["Verdict"], row["Decision"], row["By"]) == ("irreversible", "deny", "human")
            assert "keep.txt" in row["Arguments"] and '"api_key": "[redacted]"' in row["Arguments"]
            assert "sk-live" not in str(calls_on_screen(app))
            assert '"api_key": "[redacted]"' in screen_text(app)  # drawn, not read as markup

            # allow once: it reaches the server
            call = asyncio.ensure_future(client.call_tool("tb__delete_file", {"path": "gone.txt"}))
            await until(pilot, lambda: isinstance(app.screen, ApprovalScreen))
            await pilot.press("y")
            allowed = await asyncio.wait_for(call, 10)
            assert not allowed.is_error
            assert tools_called(record) == ["echo", "delete_file"]
            await until(pilot, lambda: [r["Result"] for r in calls_on_screen(app)] == ["ok", "denied", "ok"])

        # g again stops it: the port is closed, the upstream server shut down
        url = view.url
        await pilot.press("g")
        await until(pilot, lambda: not view.running and view.url is None)
        assert "Gateway stopped" in str(app.query_one("#gateway-status").render())
        with pytest.raises(Exception):  # noqa: B017  (connection refused, in whatever wrapper the SDK uses)
            async with http_session(str(url), token) as client:
                await client.list_tools()

    # the decisions went to the same store and audit log as everything else
    async with await DecisionStore.open(store_path) as store:
        audit = [(e.tool, e.action, e.decider) for e in await store.audit() if e.event == "decision"]
    assert audit == [("echo", "allow", "policy"), ("delete_file", "deny", "human"), ("delete_file", "allow", "human")]


async def test_a_config_without_mcp_servers_says_so(tmp_path: Path) -> None:
    config = tmp_path / "massgen.yaml"
    config.write_text(json.dumps({"agents": [{"id": "a", "backend": {"type": "openai", "model": "gpt-4o"}}]}))
    app = GatewayHost(config, tmp_path / "store.sqlite3", tmp_path / "gateway.token")
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(GatewayView)
        await pilot.press("g")
        await until(pilot, lambda: "could not start" in str(app.query_one("#gateway-status").render()))
        assert "has no mcp_servers" in str(app.query_one("#gateway-status").render())
        assert not view.running and view.url is None
