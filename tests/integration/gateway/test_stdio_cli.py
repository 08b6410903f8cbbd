"""``massgen-tui gateway CONFIG --stdio`` spawned by the SDK's stdio client, as Claude Code or Codex
would, in front of the toolbox server and @modelcontextprotocol/server-filesystem."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from massgen_tui.safety import DecisionStore
from tests.integration.gateway.conftest import identity, stdio_gateway, tools_called, write_config
from tests.support.mcp_servers import toolbox_stdio

pytestmark = [pytest.mark.mcp, pytest.mark.timeout(120)]


def text_of(result: object) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content)  # type: ignore[attr-defined]


async def audit_rows(store_path: Path) -> list[tuple[str, str, str, str, str]]:
    async with await DecisionStore.open(store_path) as store:
        return [(e.event, e.tool, e.action, e.decider, e.result) for e in await store.audit()]


async def test_tools_pass_through_and_reversible_call_reaches_server(
    tmp_path: Path, record: Path, store_path: Path
) -> None:
    # the config's safety rules apply: 'fail' has no annotations (so counts as irreversible) but is
    # marked reversible here
    rules = [{"server": "tb", "tool": "fail", "verdict": "reversible", "reason": "it only fails"}]
    config = write_config(tmp_path / "massgen.yaml", [toolbox_stdio("tb", record)], safety={"rules": rules})
    async with stdio_gateway(config, "--store", str(store_path), "--approvals", "deny") as client:
        listed = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert {"tb__echo", "tb__add", "tb__slow", "tb__delete_file", "tb__write_note", "tb__fail"} <= set(listed)
        assert all(name.startswith("tb__") for name in listed)
        echo = listed["tb__echo"]
        assert echo.title == "Echo" and echo.description == "Return the text unchanged."
        assert echo.annotations is not None and echo.annotations.read_only_hint is True
        assert echo.annotations.destructive_hint is False and echo.annotations.open_world_hint is False
        assert echo.input_schema["properties"]["text"]["type"] == "string"
        assert listed["tb__delete_file"].annotations.destructive_hint is True  # type: ignore[union-attr]

        result = await client.call_tool("tb__echo", {"text": "through the gateway"})
        assert not result.is_error and text_of(result) == "through the gateway"
        assert result.structured_content == {"result": "through the gateway"}

        added = await client.call_tool("tb__add", {"a": 2, "b": 40})
        assert text_of(added) == "42"

        # an upstream tool error comes back as the same tool error
        tool_error = await client.call_tool("tb__fail", {"message": "broken on purpose"})
        assert tool_error.is_error and "broken on purpose" in text_of(tool_error)
    assert tools_called(record) == ["echo", "add", "fail"]
    rows = await audit_rows(store_path)
    assert ("decision", "echo", "allow", "policy", "") in rows
    assert ("result", "echo", "allow", "policy", "ok") in rows


async def test_irreversible_call_is_denied_and_never_arrives(tmp_path: Path, record: Path, store_path: Path) -> None:
    config = write_config(tmp_path / "massgen.yaml", [toolbox_stdio("tb", record)])
    async with stdio_gateway(config, "--store", str(store_path), "--approvals", "deny") as client:
        denied = await client.call_tool("tb__delete_file", {"path": "notes.txt"})
        assert denied.is_error
        text = text_of(denied)
        assert "refused tb/delete_file" in text and "--approvals deny" in text and "not sent to the server" in text
        ok = await client.call_tool("tb__echo", {"text": "still serving"})
        assert not ok.is_error
    assert tools_called(record) == ["echo"]  # delete_file never reached the server
    rows = await audit_rows(store_path)
    assert ("decision", "delete_file", "deny", "policy", "") in rows
    assert ("result", "delete_file", "deny", "policy", "denied") in rows


async def test_no_terminal_to_ask_on_fails_closed(tmp_path: Path, record: Path, store_path: Path) -> None:
    """--approvals prompt (the default) with no /dev/tty (the client owns stdin/stdout, and this
    process has no controlling terminal): a call that needs a human is denied."""
    config = write_config(tmp_path / "massgen.yaml", [toolbox_stdio("tb", record)])
    async with stdio_gateway(config, "--store", str(store_path)) as client:
        denied = await client.call_tool("tb__write_note", {"title": "t", "body": "b"})
        assert denied.is_error and "no terminal" in text_of(denied)
    assert tools_called(record) == []
    log = (tmp_path / "gateway-stderr.log").read_text()
    assert "no terminal (/dev/tty) to ask on" in log


async def test_stored_decision_applies_on_the_next_call(tmp_path: Path, record: Path, store_path: Path) -> None:
    server = toolbox_stdio("tb", record)
    config = write_config(tmp_path / "massgen.yaml", [server])
    async with await DecisionStore.open(store_path) as store:
        allow = await store.add(
            kind="permission", scope="user", server_identity=identity(server), server_name="tb", tool="delete_file",
            action="allow", reason="the test allows it",
        )
        await store.add(
            kind="permission", scope="workspace", scope_key=str(tmp_path), server_identity=identity(server),
            server_name="tb", tool="write_note", action="deny", reason="no notes here",
        )
    async with stdio_gateway(
        config, "--store", str(store_path), "--approvals", "deny", "--workspace", str(tmp_path)
    ) as client:
        allowed = await client.call_tool("tb__delete_file", {"path": "old.txt"})
        assert not allowed.is_error and text_of(allowed) == "deleted old.txt"
        denied = await client.call_tool("tb__write_note", {"title": "x"})
        assert denied.is_error and "a stored rule denies it" in text_of(denied) and "no notes here" in text_of(denied)
    assert tools_called(record) == ["delete_file"]
    async with await DecisionStore.open(store_path) as store:
        entries = await store.audit()
    decided = {(e.tool, e.decider, e.rule_id) for e in entries if e.event == "decision"}
    assert ("delete_file", "stored-rule", allow.id) in decided
    assert any(tool == "write_note" and decider == "stored-rule" for tool, decider, _ in decided)


async def test_filesystem_server_read_passes_write_is_denied(
    tmp_path: Path, store_path: Path, filesystem_server: Path
) -> None:
    root = tmp_path / "files"
    root.mkdir()
    (root / "hello.txt").write_text("hello from disk\n")
    server = {"name": "fs", "type": "stdio", "command": str(filesystem_server), "args": [str(root)]}
    config = write_config(tmp_path / "massgen.yaml", [server])
    async with stdio_gateway(config, "--store", str(store_path), "--approvals", "deny") as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        assert {"fs__read_text_file", "fs__write_file", "fs__list_directory"} <= names
        read = await client.call_tool("fs__read_text_file", {"path": str(root / "hello.txt")})
        assert not read.is_error and "hello from disk" in text_of(read)
        # overwriting an existing file can't be undone: asked, and with --approvals deny, denied
        write = await client.call_tool("fs__write_file", {"path": str(root / "hello.txt"), "content": "gone"})
        assert write.is_error and "not sent to the server" in text_of(write)
        await asyncio.sleep(0)
    assert (root / "hello.txt").read_text() == "hello from disk\n"
    rows = await audit_rows(store_path)
    assert ("decision", "read_text_file", "allow", "policy", "") in rows
    assert ("decision", "write_file", "deny", "policy", "") in rows


def test_stdin_from_a_file_uses_the_sdk_transport(tmp_path: Path, record: Path, store_path: Path) -> None:
    """The fast pipe transport needs pipes; with stdin redirected from a file the gateway falls
    back to the SDK's stdio transport. The file ends at once, which means the client has gone, so
    a call still running then is answered with "Connection closed"; initialize is answered."""
    import json
    import subprocess

    from tests.integration.gateway.conftest import gateway_command

    config = write_config(tmp_path / "massgen.yaml", [toolbox_stdio("tb", record)])
    requests = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "tb__echo", "arguments": {"text": "f"}}},
    ]
    script = tmp_path / "requests.jsonl"
    script.write_text("".join(json.dumps(r) + "\n" for r in requests))
    with script.open() as stdin:
        done = subprocess.run(
            gateway_command(config, "--stdio", "--store", str(store_path), "--approvals", "deny"),
            stdin=stdin, capture_output=True, text=True, timeout=60,
        )
    assert done.returncode == 0, done.stderr
    answers = {msg["id"]: msg for msg in map(json.loads, done.stdout.splitlines())}
    assert answers[1]["result"]["serverInfo"]["name"] == "massgen-tui-gateway"
    call = answers[2]
    assert call.get("result", {}).get("content") == [{"type": "text", "text": "f"}] or (
        call["error"]["message"] == "Connection closed"
    )


async def test_tool_list_changes_reach_a_stdio_client(tmp_path: Path, record: Path, store_path: Path) -> None:
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    from tests.support.mcp_servers import REPO

    rules = [{"tool": "grow", "verdict": "reversible"}]
    config = write_config(tmp_path / "massgen.yaml", [toolbox_stdio("tb", record)], safety={"rules": rules})
    changed = asyncio.Event()

    async def on_message(message: object) -> None:
        root = getattr(message, "root", message)
        if getattr(root, "method", None) == "notifications/tools/list_changed":
            changed.set()

    import os
    import sys

    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "massgen_tui", "gateway", str(config), "--stdio", "--store", str(store_path), "--approvals", "deny"],
        env=dict(os.environ), cwd=str(REPO),
    )
    with (tmp_path / "stderr.log").open("w") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write), ClientSession(
            read, write, message_handler=on_message
        ) as client:
            await client.initialize()
            await client.list_tools()
            assert text_of(await client.call_tool("tb__grow", {"name": "leaf"})) == "added leaf"
            await asyncio.wait_for(changed.wait(), 20)
            assert "tb__leaf" in {t.name for t in (await client.list_tools()).tools}
