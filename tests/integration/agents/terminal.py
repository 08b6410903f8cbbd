"""Drive a command through a real terminal (a pty from util-linux ``script``), as a person would."""

from __future__ import annotations

import os
import select
import shlex
import shutil
import subprocess
import time
from pathlib import Path

from tests.support.requirements import need

REPO = Path(__file__).resolve().parents[3]


def run_in_terminal(argv: list[str], env: dict[str, str], answer: str, timeout_s: float = 120
                    ) -> tuple[int, str, bool]:
    """Run ``argv`` with a pty as its terminal (util-linux ``script``) and type ``answer`` at every
    approval prompt. Returns (exit status, everything the terminal showed, whether it was asked)."""
    need(shutil.which("script") is not None, "util-linux `script` to give the command a terminal")
    proc = subprocess.Popen(["script", "-qfec", shlex.join(argv), "/dev/null"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=REPO)
    assert proc.stdin is not None and proc.stdout is not None
    output = b""
    asked = 0
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        ready, _, _ = select.select([proc.stdout], [], [], 0.2)
        if ready:
            output += os.read(proc.stdout.fileno(), 4096)
        if output.count(b"allow: [y] once") > asked:
            asked += 1
            proc.stdin.write(answer.encode() + b"\n")
            proc.stdin.flush()
    if proc.poll() is None:
        proc.kill()
    output += proc.stdout.read()
    proc.wait(10)
    return proc.returncode, output.decode(errors="replace"), asked > 0
