"""The CLI asks on its terminal: the gateway runs in a pseudo-terminal (its controlling terminal,
so /dev/tty is that pty), an HTTP client makes an irreversible call, and the test answers the
prompt the way a person would type it."""

from __future__ import annotations

import asyncio
import os
import pty
import re
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.integration.gateway.conftest import TOKEN, http_session, tools_called, write_config
from tests.support.mcp_servers import REPO, toolbox_stdio

pytestmark = [pytest.mark.mcp, pytest.mark.timeout(120)]


class Terminal:
    """The other end of the gateway's pty: everything it printed, and a keyboard."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.output = ""
        self._lock = threading.Lock()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 4096)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self.output += chunk.decode(errors="replace")

    async def wait_for(self, pattern: str, after: int = 0, timeout_s: float = 30) -> re.Match[str]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                match = re.compile(pattern).search(self.output, after)
            if match:
                return match
            await asyncio.sleep(0.05)
        raise AssertionError(f"{pattern!r} did not appear on the terminal:\n{self.output[-3000:]}")

    def type(self, text: str) -> None:
        os.write(self.fd, text.encode())


async def test_irreversible_call_is_asked_on_the_terminal(tmp_path: Path, record: Path, store_path: Path) -> None:
    config = write_config(tmp_path / "massgen.yaml", [toolbox_stdio("tb", record)])
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN)
    token_file.chmod(0o600)
    argv = [sys.executable, "-m", "massgen_tui", "gateway", str(config), "--listen", "127.0.0.1:0",
            "--token-file", str(token_file), "--store", str(store_path), "--workspace", str(tmp_path)]
    pid, fd = pty.fork()
    if pid == 0:  # the child: its stdin/stdout/stderr and controlling terminal are the pty
        try:
            os.chdir(REPO)
            os.execve(sys.executable, argv, dict(os.environ, COLUMNS="200"))
        finally:
            os._exit(127)
    terminal = Terminal(fd)
    try:
        url = (await terminal.wait_for(r"listening on (http://\S+/mcp)")).group(1)
        async with http_session(url, TOKEN) as client:
            # asked, and allowed once
            call = asyncio.create_task(client.call_tool("tb__delete_file", {"path": "junk.txt"}))
            prompt = await terminal.wait_for(r"wants to call tb/delete_file \(irreversible")
            await terminal.wait_for(r"allow: \[y\] once", prompt.end())
            assert tools_called(record) == []  # waiting for the human: not sent yet
            terminal.type("y\n")
            result = await asyncio.wait_for(call, 30)
            assert not result.is_error and result.content[0].text == "deleted junk.txt"  # type: ignore[union-attr]

            # asked again (the allow was for once); denied for good
            mark = len(terminal.output)
            call = asyncio.create_task(client.call_tool("tb__delete_file", {"path": "precious.txt"}))
            await terminal.wait_for(r"allow: \[y\] once", mark)
            terminal.type("d\n")
            denied = await asyncio.wait_for(call, 30)
            assert denied.is_error and "the user denied it" in denied.content[0].text  # type: ignore[union-attr]

            # the stored deny decides the next call without asking
            mark = len(terminal.output)
            third = await client.call_tool("tb__delete_file", {"path": "precious.txt"})
            assert third.is_error and "a stored rule denies it" in third.content[0].text  # type: ignore[union-attr]
            assert "wants to call" not in terminal.output[mark:]
        assert tools_called(record) == ["delete_file"]
    finally:
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            if os.waitpid(pid, os.WNOHANG) != (0, 0):
                break
            await asyncio.sleep(0.1)
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)
