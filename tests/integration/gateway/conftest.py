"""Real MCP clients (the SDK's ClientSession) in front of the gateway, in front of real servers.

The gateway runs as the user runs it, ``python -m massgen_tui gateway CONFIG ...`` from the
project's venv, or in-process through :func:`massgen_tui.gateway.setup.open_gateway` where a test
needs an approver it scripts. The toolbox server records every call it receives, so a test can
prove that a denied call never arrived.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import pytest

from massgen_tui.mcp import MCPServerSpec
from tests.support.mcp_servers import REPO, ensure_published_servers, read_record
from tests.support.requirements import need

pytestmark = pytest.mark.mcp
TOKEN = "test-token-" + "k" * 32
LISTENING = re.compile(r"listening on (http://\S+)")


def write_config(
    path: Path, servers: list[Mapping[str, Any]], safety: Mapping[str, Any] | None = None, agent: str = "a1"
) -> Path:
    """A MassGen config (JSON is YAML) with one agent whose backend has these MCP servers."""
    data: dict[str, Any] = {
        "agents": [{"id": agent, "backend": {"type": "openai", "model": "gpt-4o-mini", "mcp_servers": list(servers)}}]
    }
    if safety is not None:
        data["safety"] = dict(safety)
    path.write_text(json.dumps(data, indent=2))
    return path


def identity(server: Mapping[str, Any]) -> str:
    """What the store calls this server (command + args), as the gate sees it."""
    return MCPServerSpec.from_mapping(server).identity


def tools_called(record: Path) -> list[str]:
    return [entry["tool"] for entry in read_record(record) if entry["event"] == "call"]


def gateway_command(config: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "massgen_tui", "gateway", str(config), *extra]


@asynccontextmanager
async def stdio_gateway(config: Path, *extra: str, env: Mapping[str, str] | None = None) -> AsyncIterator[Any]:
    """An initialized ClientSession talking to ``massgen-tui gateway CONFIG --stdio`` (a subprocess)."""
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "massgen_tui", "gateway", str(config), "--stdio", *extra],
        env={**os.environ, **(env or {})},
        cwd=str(REPO),
    )
    errlog = (config.parent / "gateway-stderr.log").open("a")
    try:
        async with stdio_client(params, errlog=errlog) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            yield session
    finally:
        errlog.close()


@contextmanager
def http_gateway(config: Path, *extra: str, timeout_s: float = 30.0) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``massgen-tui gateway CONFIG --listen 127.0.0.1:0 ...`` in a subprocess; yields it and its URL."""
    log = config.parent / "gateway-http.log"
    proc = subprocess.Popen(
        gateway_command(config, "--listen", "127.0.0.1:0", *extra),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=log.open("a"),
        text=True,
        cwd=str(REPO),
        start_new_session=True,
    )
    try:
        url = ""
        deadline = time.monotonic() + timeout_s
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            match = LISTENING.search(line)
            if match:
                url = match.group(1)
                break
        if not url:
            proc.kill()
            raise AssertionError(f"the gateway did not start listening: {log.read_text()[-3000:]}")
        yield proc, url
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


@asynccontextmanager
async def http_session(url: str, token: str | None) -> AsyncIterator[Any]:
    """An initialized ClientSession over streamable HTTP, sending ``token`` as the bearer token."""
    from mcp.client.session import ClientSession
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    headers = {"Authorization": f"Bearer {token}"} if token is not None else None
    async with (
        create_mcp_http_client(headers=headers) as client,
        streamable_http_client(url, http_client=client) as streams,
        ClientSession(streams[0], streams[1]) as session,
    ):
        await session.initialize()
        yield session


@pytest.fixture
def record(tmp_path: Path) -> Path:
    return tmp_path / "calls.jsonl"


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store.sqlite3"


@pytest.fixture(scope="session")
def filesystem_server() -> Path:
    _, filesystem = ensure_published_servers()
    need(filesystem.exists(), f"mcp-server-filesystem at {filesystem} (scripts/setup-test-env.sh installs it)")
    need(bool(shutil_which("node")), "node on PATH (runs @modelcontextprotocol/server-filesystem)")
    return filesystem


def shutil_which(name: str) -> str | None:
    import shutil

    return shutil.which(name)
