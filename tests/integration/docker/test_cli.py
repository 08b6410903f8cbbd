"""The CLI: exec exit statuses, docker ps / build / clean, through real processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from massgen_tui.docker import ContainerRuntime

pytestmark = pytest.mark.docker
REPO = Path(__file__).resolve().parents[3]


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "massgen_tui", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.fixture
def config(tmp_path: Path, busybox_image: str) -> Path:
    path = tmp_path / "massgen.yaml"
    path.write_text(f"""\
agents:
  - id: coder
    backend:
      type: openai
      model: gpt-5-mini
      cwd: {tmp_path / 'ws'}
      command_line_execution_mode: docker
      command_line_docker_image: {busybox_image}
      command_line_docker_memory_limit: 48m
      command_line_blocked_commands: ["rm "]
""")
    return path


def test_exec_exit_statuses(config: Path, tmp_path: Path) -> None:
    done = cli("exec", str(config), "--agent", "coder", "--", "echo out; echo err >&2; echo made > f.txt; exit 3")
    assert (done.returncode, done.stdout) == (3, "out\n") and "err\n" in done.stderr
    assert (tmp_path / "ws" / "f.txt").read_text() == "made\n"
    argv = cli("exec", str(config), "--agent", "coder", "--", "ls", "-a", "f.txt")
    assert (argv.returncode, argv.stdout) == (0, "f.txt\n")
    timed = cli("exec", str(config), "--agent", "coder", "--timeout", "1", "--", "sleep 600")
    assert timed.returncode == 124 and "timed out" in timed.stderr
    oom = cli("exec", str(config), "--agent", "coder", "--", "x=a; while :; do x=$x$x; done")
    assert oom.returncode == 137 and "out-of-memory" in oom.stderr
    blocked = cli("exec", str(config), "--agent", "coder", "--", "rm f.txt")
    assert blocked.returncode == 126 and "blocked pattern" in blocked.stderr
    missing = cli("exec", str(config), "--agent", "nobody", "--", "true")
    assert missing.returncode == 2 and "agents: coder" in missing.stderr and "Traceback" not in missing.stderr


def test_exec_reports_bad_settings_with_the_key(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("agent:\n  id: a\n  backend:\n    type: openai\n    command_line_docker_network_mode: wide\n")
    done = cli("exec", str(path), "--agent", "a", "--", "true")
    assert done.returncode == 2
    assert "command_line_docker_network_mode: must be one of none, bridge, host" in done.stderr


async def test_docker_ps_lists_live_containers(docker_client: Any, settings_for: Any) -> None:
    async with ContainerRuntime(client=docker_client, config_path="/x/conf.yaml") as runtime:
        box = await runtime.ensure_container("lister", settings_for(command_line_docker_memory_limit="64m"))
        done = cli("docker", "ps", "--json")
        assert done.returncode == 0, done.stderr
        rows = {row["name"]: row for row in json.loads(done.stdout)["containers"]}
        row = rows[box.name]
        assert row["agent"] == "lister" and row["session"] == runtime.session.session_id
        assert row["state"] == "running" and row["owner_alive"] is True and row["config"] == "/x/conf.yaml"
        assert row["memory_limit"] == 64 * 1024 * 1024 and row["cpu_percent"] is not None
        table = cli("docker", "ps", "--no-stats")
        assert box.name in table.stdout and "lister" in table.stdout


def test_docker_build_template_and_broken_dockerfile(busybox_image: str, tmp_path: Path) -> None:
    built = cli("docker", "build", "minimal", "--base", busybox_image, "--tag", "massgen-tui-test/minimal:cli")
    assert built.returncode == 0, built.stderr
    assert built.stdout.strip() == "massgen-tui-test/minimal:cli"
    (tmp_path / "Dockerfile").write_text(f"FROM {busybox_image}\nRUN false\n")
    broken = cli("docker", "build", str(tmp_path / "Dockerfile"))
    assert broken.returncode == 1
    assert "building the image from" in broken.stderr and "Traceback" not in broken.stderr
    unknown = cli("docker", "build", "no-such-template")
    assert unknown.returncode == 2 and "not a template" in unknown.stderr


def test_docker_clean_removes_dead_sessions(docker_client: Any, busybox_image: str) -> None:
    from massgen_tui.docker.sessions import BOOT_ID, PID, SESSION, SessionIdentity

    labels = SessionIdentity().labels("ghost")
    labels[PID] = "999999999"  # no such process
    labels[SESSION] = "deadbeef0000"
    labels[BOOT_ID] = labels[BOOT_ID]
    container = docker_client.containers.create(busybox_image, ["sleep", "60"], labels=labels)
    done = cli("docker", "clean")
    assert done.returncode == 0 and "session deadbeef0000, agent ghost" in done.stdout
    assert not docker_client.api.containers(all=True, filters={"id": container.id})


def test_exec_terminated_kills_the_command_and_removes_its_container(config: Path, docker_client: Any) -> None:
    import signal
    import time

    from massgen_tui.docker.sessions import CONFIG

    process = subprocess.Popen([sys.executable, "-m", "massgen_tui", "exec", str(config), "--agent", "coder", "--",
                                "echo started; sleep 50"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    assert process.stdout is not None
    assert process.stdout.readline() == "started\n"
    label = {"label": f"{CONFIG}={config.resolve()}"}
    assert docker_client.api.containers(filters=label)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 143
    deadline = time.monotonic() + 10
    while docker_client.api.containers(all=True, filters=label) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not docker_client.api.containers(all=True, filters=label)
    process.stdout.close()
    assert process.stderr is not None
    process.stderr.close()
