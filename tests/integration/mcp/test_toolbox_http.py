"""The client against the toolbox server over streamable HTTP (and legacy SSE) on 127.0.0.1."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from massgen_tui.mcp import DenyTools, MCPServerSpec, ReconnectPolicy, ServerManager
from tests.support.mcp_servers import HttpToolbox, read_record, toolbox_stdio

pytestmark = [pytest.mark.mcp, pytest.mark.timeout(90)]


async def test_http_lists_calls_and_denies(http_toolbox: HttpToolbox, record: Path) -> None:
    specs = MCPServerSpec.from_backend(
        {"mcp_servers": [http_toolbox.spec("web", headers={"X-Test": "1"}), toolbox_stdio("local", record)]}
    )
    async with ServerManager(specs, hooks=[DenyTools(["mcp__web__delete_file"], "not over the web")]) as manager:
        status = manager.status()
        assert status["web"].status == "ready" and status["web"].transport == "streamable-http"
        assert status["local"].status == "ready"
        web_tools = {t.name: t for t in manager.tools("web")}
        assert web_tools["delete_file"].annotations.destructive_hint is True
        assert (await manager.call_tool("web", "add", {"a": 1, "b": 2})).text == "3"
        denied = await manager.call_tool("web", "delete_file", {"path": "x"})
        assert denied.status == "denied" and denied.reason == "not over the web"
        local = await manager.call_tool("local", "delete_file", {"path": "x"})  # same tool, other server: allowed
        assert local.status == "ok"
        timed_out = await manager.call_tool("web", "slow", {"seconds": 5}, timeout=0.5)
        assert timed_out.status == "timeout"
        assert manager.stderr("web") == ""
        for _ in range(50):
            if any(r["event"] == "cancelled" for r in read_record(http_toolbox.record)):
                break
            await asyncio.sleep(0.05)
    assert [(r["event"], r["tool"]) for r in read_record(http_toolbox.record)] == [
        ("call", "add"),
        ("call", "slow"),
        ("cancelled", "slow"),
    ]
    assert [r["tool"] for r in read_record(record)] == ["delete_file"]


async def test_header_placeholders_are_expanded_at_connect_time(http_toolbox: HttpToolbox) -> None:
    specs = MCPServerSpec.from_backend(
        {"mcp_servers": [http_toolbox.spec("web", headers={"X-Api-Key": "key-${TOOLBOX_TEST_TOKEN}"})]}
    )
    assert specs[0].headers["X-Api-Key"] == "key-${TOOLBOX_TEST_TOKEN}"
    async with ServerManager(specs, environ={"TOOLBOX_TEST_TOKEN": "s3cret"}) as manager:
        result = await manager.call_tool("web", "request_header", {"name": "x-api-key"})
        assert result.text == "key-s3cret"
        assert "s3cret" not in repr(manager.specs) and "s3cret" not in manager.status()["web"].reason


async def test_http_server_restart_is_reconnected(http_toolbox: HttpToolbox) -> None:
    specs = MCPServerSpec.from_backend({"mcp_servers": [http_toolbox.spec("web", timeout=5)]})
    policy = ReconnectPolicy(initial_delay_s=0.2, max_delay_s=0.5, max_failures=50, jitter=0)
    async with ServerManager(specs, policy=policy) as manager:
        first_pid = (await manager.call_tool("web", "whoami")).text
        http_toolbox.stop()
        lost = await manager.call_tool("web", "whoami", timeout=3)
        assert lost.status in ("error", "timeout")
        for _ in range(100):
            if manager.status()["web"].status != "ready":
                break
            await asyncio.sleep(0.05)
        assert manager.status()["web"].status in ("reconnecting", "connecting")
        http_toolbox.start()
        again = await manager.call_tool("web", "whoami", timeout=20)
        assert again.status == "ok" and again.text != first_pid
        assert manager.status()["web"].status == "ready"


async def test_idle_http_server_going_away_is_noticed_by_ping(http_toolbox: HttpToolbox) -> None:
    specs = MCPServerSpec.from_backend({"mcp_servers": [http_toolbox.spec("web", timeout=2)]})
    policy = ReconnectPolicy(initial_delay_s=0.2, max_delay_s=0.5, max_failures=50, jitter=0, ping_interval_s=0.3)
    async with ServerManager(specs, policy=policy) as manager:
        assert manager.status()["web"].ready
        http_toolbox.stop()
        for _ in range(100):  # no call is made: only the idle ping can notice
            if manager.status()["web"].status != "ready":
                break
            await asyncio.sleep(0.05)
        assert manager.status()["web"].status == "reconnecting"
        http_toolbox.start()
        for _ in range(200):
            if manager.status()["web"].ready:
                break
            await asyncio.sleep(0.05)
        assert manager.status()["web"].ready
        assert (await manager.call_tool("web", "echo", {"text": "back"})).text == "back"


async def test_http_server_that_is_not_there_fails_clearly(record: Path) -> None:
    from tests.support.mcp_servers import free_port

    port = free_port()
    specs = MCPServerSpec.from_backend(
        {"mcp_servers": [{"name": "nobody", "type": "streamable-http", "url": f"http://127.0.0.1:{port}/mcp", "timeout": 5},
                         toolbox_stdio("local", record)]}
    )
    async with ServerManager(specs) as manager:
        state = manager.status()["nobody"]
        assert state.status == "failed" and state.reason
        assert "connect" in state.reason.lower() or "closed" in state.reason.lower()
        assert manager.status()["local"].ready


async def test_legacy_sse_transport(tmp_path: Path) -> None:
    server = HttpToolbox(tmp_path / "sse-calls.jsonl", transport="sse").start()
    try:
        specs = MCPServerSpec.from_backend({"mcp_servers": [server.spec("old")]})
        async with ServerManager(specs) as manager:
            assert manager.status()["old"].transport == "sse" and manager.status()["old"].ready
            assert (await manager.call_tool("old", "echo", {"text": "legacy"})).text == "legacy"
    finally:
        server.stop()
    assert [r["tool"] for r in read_record(server.record)] == ["echo"]
