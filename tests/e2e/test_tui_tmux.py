"""End to end: the installed ``massgen-tui`` in a real tmux pane, driven by keystrokes, saving a file."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.requirements import need

pytestmark = pytest.mark.tmux

ENTRY = Path(sys.executable).parent / "massgen-tui"
CONFIG = """\
# e2e config: this comment must survive
agents:
  - id: alpha   # first
    backend:
      type: openai
      model: gpt-4o
"""


def tmux(*args: str, socket: str) -> str:
    out = subprocess.run(["tmux", "-L", socket, *args], check=True, capture_output=True, text=True, timeout=10)
    return out.stdout


def wait_for(socket: str, text: str, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-t", "e2e", socket=socket)
        if text in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared; last screen:\n{screen}")


def test_add_agent_and_save_in_tmux(tmp_path: Path) -> None:
    need(shutil.which("tmux") is not None, "tmux")
    need(ENTRY.exists(), f"the installed entry point {ENTRY}")
    config = tmp_path / "massgen.yaml"
    config.write_text(CONFIG)
    socket = f"massgen-tui-e2e-{os.getpid()}"
    env = {"TERM": "screen-256color", "PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_STATE_HOME": str(tmp_path / "state"),
           "XDG_DATA_HOME": str(tmp_path / "data"), "LANG": "C.UTF-8"}
    command = " ".join(f"{k}='{v}'" for k, v in env.items()) + f" exec {ENTRY} massgen.yaml"
    tmux("new-session", "-d", "-s", "e2e", "-x", "80", "-y", "24", "-c", str(tmp_path), command, socket=socket)
    try:
        wait_for(socket, "alpha")
        wait_for(socket, "a Add")  # the footer shows the agent list's keys once it has the focus
        tmux("send-keys", "-t", "e2e", "a", socket=socket)  # add an agent from the agent list
        wait_for(socket, "agent_2")
        tmux("send-keys", "-t", "e2e", "C-s", socket=socket)  # save: the diff dialog first
        screen = wait_for(socket, "write file")
        assert "+  - id: agent_2" in screen
        tmux("send-keys", "-t", "e2e", "y", socket=socket)
        deadline = time.monotonic() + 10
        while "agent_2" not in config.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        saved = config.read_text()
        assert "- id: agent_2" in saved
        assert "# e2e config: this comment must survive" in saved and "# first" in saved
        tmux("send-keys", "-t", "e2e", "C-q", socket=socket)  # nothing unsaved: quits at once
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if "e2e" not in subprocess.run(["tmux", "-L", socket, "list-sessions"], capture_output=True,
                                           text=True).stdout:
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the app did not quit on ctrl+q")
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)
