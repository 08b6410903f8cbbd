"""The bearer token (file, comparison, ASGI guard) and the listen address rules."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

from massgen_tui.gateway import (
    BearerTokenGuard,
    GatewayError,
    ListenAddress,
    read_token_file,
    write_token_file,
)
from massgen_tui.gateway.auth import generate_token

TOKEN = "t" * 40


def test_token_file_is_written_private_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "token"
    token = generate_token()
    write_token_file(path, token)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_token_file(path) == token
    assert [p.name for p in path.parent.iterdir()] == ["token"]  # no temp file left behind


def test_token_file_problems_are_explained(tmp_path: Path) -> None:
    with pytest.raises(GatewayError, match="does not exist"):
        read_token_file(tmp_path / "missing")
    shared = tmp_path / "shared"
    shared.write_text(TOKEN)
    shared.chmod(0o640)
    with pytest.raises(GatewayError, match=r"chmod 600"):
        read_token_file(shared)
    short = tmp_path / "short"
    short.write_text("abc")
    short.chmod(0o600)
    with pytest.raises(GatewayError, match="at least 16 characters"):
        read_token_file(short)


async def _request(guard: BearerTokenGuard, headers: list[tuple[bytes, bytes]]) -> tuple[int, bytes]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await guard({"type": "http", "method": "POST", "path": "/mcp", "headers": headers}, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


async def test_guard_lets_only_the_exact_bearer_token_through() -> None:
    reached: list[str] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        reached.append(scope["type"])
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})

    guard = BearerTokenGuard(app, TOKEN)
    assert await _request(guard, [(b"authorization", f"Bearer {TOKEN}".encode())]) == (200, b"ok")
    status, body = await _request(guard, [])
    assert status == 401 and b"missing bearer token" in body
    for wrong in (f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", f"bearer{TOKEN}", TOKEN, f"Basic {TOKEN}"):
        status, body = await _request(guard, [(b"authorization", wrong.encode())])
        assert status == 401 and b"wrong bearer token" in body
    assert guard.refused == 6 and reached == ["http"]

    await guard({"type": "lifespan"}, None, None)  # lifespan passes untouched
    assert reached[-1] == "lifespan"


def test_guard_refuses_a_weak_token() -> None:
    with pytest.raises(GatewayError, match="at least 16"):
        BearerTokenGuard(lambda *a: None, "short")


@pytest.mark.parametrize(
    ("text", "host", "port"),
    [("127.0.0.1:8765", "127.0.0.1", 8765), ("localhost:0", "localhost", 0), ("[::1]:9000", "::1", 9000),
     ("8765", "127.0.0.1", 8765), ("0.0.0.0:80", "0.0.0.0", 80)],
)
def test_listen_addresses_parse(text: str, host: str, port: int) -> None:
    assert ListenAddress.parse(text) == ListenAddress(host, port)


@pytest.mark.parametrize(("text", "message"), [("127.0.0.1", "HOST:PORT"), ("host:http", "not a number"),
                                                ("127.0.0.1:70000", "between 0 and 65535"), ("[::1]9000", "IPv6")])
def test_bad_listen_addresses_are_explained(text: str, message: str) -> None:
    with pytest.raises(GatewayError, match=message):
        ListenAddress.parse(text)


def test_only_loopback_without_allow_remote() -> None:
    for host in ("127.0.0.1", "127.0.0.2", "::1", "localhost"):
        ListenAddress(host, 0).check(allow_remote=False)
    for host in ("0.0.0.0", "::", "192.168.1.10", "example.com"):
        with pytest.raises(GatewayError, match="--allow-remote"):
            ListenAddress(host, 0).check(allow_remote=False)
        ListenAddress(host, 0).check(allow_remote=True)


def test_bind_picks_a_free_port_and_reports_a_busy_one() -> None:
    sock = ListenAddress("127.0.0.1", 0).bind()
    try:
        port = sock.getsockname()[1]
        assert port > 0
        with pytest.raises(GatewayError, match=f"cannot listen on 127.0.0.1:{port}"):
            ListenAddress("127.0.0.1", port).bind()
    finally:
        sock.close()
