"""When no engine answers: a plain message, never a traceback, and no local fallback by surprise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from massgen_tui.docker import DockerUnavailableError
from massgen_tui.docker.engine import connect, unavailable_message

REPO = Path(__file__).resolve().parents[3]


def test_connect_says_plainly_that_no_engine_answers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/none.sock")
    with pytest.raises(DockerUnavailableError) as caught:
        connect(timeout=3)
    message = str(caught.value)
    assert message.startswith(f"No Docker engine answers at unix://{tmp_path}/none.sock")
    assert "command_line_execution_mode: local" in message and "not run on the host" in message


def test_local_mode_is_named_when_the_config_has_it() -> None:
    assert "already runs commands locally" in unavailable_message("x", execution_mode="local")


def test_exec_without_an_engine_exits_125_with_the_message(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("agent:\n  id: a\n  backend:\n    type: openai\n    command_line_execution_mode: docker\n")
    done = subprocess.run([sys.executable, "-m", "massgen_tui", "exec", str(config), "--agent", "a", "--", "true"],
                          cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
                          env={"PATH": "/usr/bin:/bin", "DOCKER_HOST": f"unix://{tmp_path}/none.sock"})
    assert done.returncode == 125
    assert "No Docker engine answers" in done.stderr and "Traceback" not in done.stderr
