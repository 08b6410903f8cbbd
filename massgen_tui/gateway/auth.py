"""The bearer token HTTP clients must send, where it is kept, and the ASGI check.

A token is 32 random bytes, URL-safe. It is written to a file only the user can read (0600,
atomically) so a client config can point at it; the comparison is constant-time.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from massgen_tui.gateway.errors import GatewayError

MIN_TOKEN_CHARS = 16


def generate_token() -> str:
    return secrets.token_urlsafe(32)


def read_token_file(path: Path) -> str:
    """The token in ``path`` (first line, stripped); refuses a file others can read."""
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GatewayError(f"token file {path} does not exist (omit it to have one written for you)") from None
    except OSError as exc:
        raise GatewayError(f"cannot read token file {path}: {exc.strerror or exc}") from None
    if mode & 0o077:
        raise GatewayError(
            f"token file {path} can be read by other users (mode {mode & 0o777:o}); run: chmod 600 {path}"
        )
    token = text.strip().splitlines()[0].strip() if text.strip() else ""
    if len(token) < MIN_TOKEN_CHARS:
        raise GatewayError(f"token file {path}: the token must be at least {MIN_TOKEN_CHARS} characters")
    return token


def write_token_file(path: Path, token: str) -> None:
    """Write the token atomically with mode 0600 (created that way: never readable by others)."""
    path = path.expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(token + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise GatewayError(f"cannot write token file {path}: {exc.strerror or exc}") from None


def default_token_path() -> Path:
    """``gateway.token`` in massgen-tui's data folder: shared by the CLI and the app, so a client
    configured once works with either."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("massgen-tui", appauthor=False)) / "gateway.token"


def load_or_create_token(path: Path | None = None) -> tuple[str, bool]:
    """The token kept in ``path`` (default :func:`default_token_path`), or a new one written there
    (mode 0600). Returns the token and whether it was just created."""
    path = (path or default_token_path()).expanduser()
    if path.exists():
        return read_token_file(path), False
    token = generate_token()
    write_token_file(path, token)
    return token, True


def token_matches(presented: str, expected: str) -> bool:
    return hmac.compare_digest(presented.encode(), expected.encode())


class BearerTokenGuard:
    """ASGI middleware: every HTTP request needs ``Authorization: Bearer <token>``, else 401."""

    def __init__(self, app: Any, token: str) -> None:
        if len(token) < MIN_TOKEN_CHARS:
            raise GatewayError(f"the gateway token must be at least {MIN_TOKEN_CHARS} characters")
        self.app = app
        self._expected = f"Bearer {token}".encode()
        self.refused = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":  # lifespan (and websocket, which MCP does not use)
            await self.app(scope, receive, send)
            return
        presented = b""
        for key, value in scope.get("headers", ()):
            if key == b"authorization":
                presented = value
                break
        if hmac.compare_digest(presented, self._expected):
            await self.app(scope, receive, send)
            return
        self.refused += 1
        message = "missing bearer token" if not presented else "wrong bearer token"
        body = json.dumps(
            {"error": "invalid_token", "error_description": f"{message}: send 'Authorization: Bearer <token>'"}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"www-authenticate", b'Bearer realm="massgen-tui gateway", error="invalid_token"'),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
