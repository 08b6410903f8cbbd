"""MCP servers for tests: the project's own toolbox server (stdio and streamable HTTP on
127.0.0.1) and the published servers that scripts/setup-test-env.sh installs in .cache/mcp-servers/.

Tests locate the published servers here; when they are missing this module runs the setup script
itself. Only when that fails does :func:`tests.support.requirements.need` skip (locally) or fail
(under CI).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SERVERS_DIR = Path(__file__).resolve().parent / "servers"
TOOLBOX = SERVERS_DIR / "toolbox_server.py"
PUBLISHED = REPO / ".cache" / "mcp-servers"
GIT_SERVER = PUBLISHED / "git" / "bin" / "mcp-server-git"
FILESYSTEM_SERVER = PUBLISHED / "node" / "node_modules" / ".bin" / "mcp-server-filesystem"
SETUP_SCRIPT = REPO / "scripts" / "setup-test-env.sh"


def toolbox_stdio(
    name: str = "toolbox",
    record: Path | None = None,
    *,
    fail_start: bool = False,
    fail_start_if: Path | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A config mapping for the toolbox server over stdio (as it would appear in mcp_servers)."""
    args = [str(TOOLBOX)]
    if record is not None:
        args += ["--record", str(record)]
    if fail_start:
        args.append("--fail-start")
    if fail_start_if is not None:
        args += ["--fail-start-if", str(fail_start_if)]
    return {"name": name, "type": "stdio", "command": sys.executable, "args": args, **extra}


def read_record(path: Path) -> list[dict[str, Any]]:
    """The calls a toolbox server recorded (one JSON object per line)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class HttpToolbox:
    """The toolbox server over streamable HTTP in a subprocess; stop/start keep the same port."""

    record: Path
    transport: str = "http"  # or "sse" for the legacy transport
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        path = "/sse" if self.transport == "sse" else "/mcp"
        return f"http://127.0.0.1:{self.port}{path}"

    def spec(self, name: str = "web", **extra: Any) -> dict[str, Any]:
        kind = "sse" if self.transport == "sse" else "streamable-http"
        return {"name": name, "type": kind, "url": self.url, **extra}

    def start(self, timeout_s: float = 20.0) -> HttpToolbox:
        self.log = self.record.with_suffix(".server.log")
        out = self.log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, str(TOOLBOX), "--transport", self.transport, "--port", str(self.port), "--record", str(self.record)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        out.close()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"toolbox HTTP server exited: {self.log.read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"toolbox HTTP server did not listen on {self.port} within {timeout_s}s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.process = None


def ensure_published_servers() -> tuple[Path, Path]:
    """Paths of mcp-server-git and mcp-server-filesystem, installing them if they are missing."""
    if not (GIT_SERVER.exists() and FILESYSTEM_SERVER.exists()) and SETUP_SCRIPT.exists():
        subprocess.run(["bash", str(SETUP_SCRIPT)], cwd=REPO, check=False, timeout=900)
    return GIT_SERVER, FILESYSTEM_SERVER


def pid_alive(pid: int) -> bool:
    """True if a process with this pid exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"
