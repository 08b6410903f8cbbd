"""``massgen-tui gateway CONFIG --listen 127.0.0.1:0`` in a subprocess, with real streamable-HTTP
clients: the bearer token is required, compared exactly, and generated into a 0600 file."""

from __future__ import annotations

import stat
from pathlib import Path

import httpx
import pytest

from tests.integration.gateway.conftest import TOKEN, http_gateway, http_session, tools_called, write_config
from tests.support.mcp_servers import toolbox_stdio

pytestmark = [pytest.mark.mcp, pytest.mark.timeout(120)]

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}},
}
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


async def test_client_needs_the_token(tmp_path: Path, record: Path, store_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    token_file.chmod(0o600)
    config = write_config(tmp_path / "massgen.yaml", [toolbox_stdio("tb", record)])
    with http_gateway(config, "--token-file", str(token_file), "--store", str(store_path), "--approvals", "deny") as (
        _proc,
        url,
    ):
        assert url.startswith("http://127.0.0.1:") and url.endswith("/mcp")
        async with httpx.AsyncClient(timeout=10) as raw:
            missing = await raw.post(url, json=INITIALIZE, headers=HEADERS)
            assert missing.status_code == 401 and "missing bearer token" in missing.text
            assert missing.headers["www-authenticate"].startswith("Bearer")
            wrong = await raw.post(url, json=INITIALIZE, headers={**HEADERS, "Authorization": f"Bearer {TOKEN}x"})
            assert wrong.status_code == 401 and "wrong bearer token" in wrong.text
            basic = await raw.post(url, json=INITIALIZE, headers={**HEADERS, "Authorization": f"Basic {TOKEN}"})
            assert basic.status_code == 401
            right = await raw.post(url, json=INITIALIZE, headers={**HEADERS, "Authorization": f"Bearer {TOKEN}"})
            assert right.status_code == 200
            # even with the token, a web page can't reach it through DNS rebinding or a foreign origin
            authed = {**HEADERS, "Authorization": f"Bearer {TOKEN}"}
            rebound = await raw.post(url, json=INITIALIZE, headers={**authed, "Host": "evil.example"})
            assert rebound.status_code == 421
            foreign = await raw.post(url, json=INITIALIZE, headers={**authed, "Origin": "http://evil.example"})
            assert foreign.status_code == 403

        # the SDK's client without the token cannot even initialize
        with pytest.raises(BaseException) as refused:  # the SDK wraps the error in exception groups
            async with http_session(url, None):
                pass
        assert "Server returned an error response" in repr(refused.value)  # the SDK's words for the 401

        async with http_session(url, TOKEN) as client:
            names = {tool.name for tool in (await client.list_tools()).tools}
            assert {"tb__echo", "tb__delete_file"} <= names
            echo = await client.call_tool("tb__echo", {"text": "over http"})
            assert not echo.is_error and echo.content[0].text == "over http"  # type: ignore[union-attr]
            denied = await client.call_tool("tb__delete_file", {"path": "a.txt"})
            assert denied.is_error and "not sent to the server" in denied.content[0].text  # type: ignore[union-attr]
    assert tools_called(record) == ["echo"]


async def test_token_is_generated_into_a_private_file(tmp_path: Path, record: Path, store_path: Path) -> None:
    token_file = tmp_path / "secrets" / "gateway.token"
    config = write_config(tmp_path / "massgen.yaml", [toolbox_stdio("tb", record)])
    with http_gateway(config, "--token-file", str(token_file), "--store", str(store_path)) as (_proc, url):
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        token = token_file.read_text().strip()
        assert len(token) >= 32
        async with http_session(url, token) as client:
            assert not (await client.call_tool("tb__echo", {"text": "x"})).is_error
    log = (tmp_path / "gateway-http.log").read_text()
    assert f"generated a new bearer token in {token_file}" in log


def test_group_readable_token_file_is_refused(tmp_path: Path, record: Path) -> None:
    import subprocess

    from tests.integration.gateway.conftest import gateway_command

    token_file = tmp_path / "token"
    token_file.write_text(TOKEN)
    token_file.chmod(0o644)
    config = write_config(tmp_path / "massgen.yaml", [toolbox_stdio("tb", record)])
    done = subprocess.run(
        gateway_command(config, "--listen", "127.0.0.1:0", "--token-file", str(token_file)),
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2
    assert "can be read by other users" in done.stderr and "chmod 600" in done.stderr
    assert "Traceback" not in done.stderr


def test_non_loopback_listen_is_refused_without_allow_remote(tmp_path: Path, record: Path) -> None:
    import subprocess

    from tests.integration.gateway.conftest import gateway_command

    config = write_config(tmp_path / "massgen.yaml", [toolbox_stdio("tb", record)])
    done = subprocess.run(
        gateway_command(config, "--listen", "0.0.0.0:0"), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "refusing to listen on 0.0.0.0" in done.stderr and "--allow-remote" in done.stderr
    assert not record.exists()  # refused before any server started


def test_no_server_could_start_is_reported(tmp_path: Path, record: Path, store_path: Path) -> None:
    import subprocess

    from tests.integration.gateway.conftest import gateway_command

    config = write_config(tmp_path / "massgen.yaml", [toolbox_stdio("tb", record, fail_start=True)])
    done = subprocess.run(
        gateway_command(config, "--listen", "127.0.0.1:0", "--store", str(store_path)),
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1
    assert "MCP server 'tb' is failed" in done.stderr and "missing license key" in done.stderr
    assert "no MCP server could start" in done.stderr and "Traceback" not in done.stderr
    assert "listening" not in done.stdout
