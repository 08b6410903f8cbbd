"""Isolation and limits hold against the real engine."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from massgen_tui.docker import ContainerRuntime
from massgen_tui.docker.monitoring import stats_once
from tests.support.requirements import need

pytestmark = pytest.mark.docker


async def test_network_unreachable_under_none(runtime: ContainerRuntime, settings_for: Any) -> None:
    settings = settings_for()
    assert settings.network_mode == "none"
    result = await runtime.exec("a", "ls /sys/class/net; echo | nc -w 3 1.1.1.1 80; echo status=$?",
                                settings=settings)
    assert result.stdout.split()[0] == "lo" and "eth0" not in result.stdout
    assert "status=0" not in result.stdout
    assert "Network is unreachable" in result.stderr, result.stderr


async def test_bridge_network_reaches_the_gateway(runtime: ContainerRuntime, settings_for: Any) -> None:
    settings = settings_for(command_line_docker_network_mode="bridge")
    result = await runtime.exec(
        "a", "ls /sys/class/net; gw=$(ip route | awk '/default/ {print $3}'); echo | nc -w 3 $gw 1; echo status=$?",
        settings=settings)
    assert "eth0" in result.stdout.split()
    assert "Network is unreachable" not in result.stderr, result.stderr


async def test_fork_bomb_stopped_by_pids_limit_and_container_survives(
        runtime: ContainerRuntime, settings_for: Any, docker_client: Any) -> None:
    settings = settings_for(command_line_docker_pids_limit=48)
    box = await runtime.ensure_container("a", settings)
    # The inner shell dies when fork fails; the outer one forks it again into the freed slot, for ever.
    bomb = asyncio.create_task(runtime.exec("a", "while :; do (while :; do sleep 30 & done); done", timeout=4))
    await asyncio.sleep(2)
    peak = await asyncio.to_thread(stats_once, docker_client, box.container_id)
    result = await bomb
    assert peak is not None and peak.pids <= 48
    assert peak.pids >= 40, f"the bomb should fill the pids limit, saw {peak.pids}"
    assert "can't fork" in result.stderr or "Resource temporarily unavailable" in result.stderr
    assert result.reason == "timeout"
    after = await runtime.exec("a", "echo alive; ps -o args | grep -c '^sleep 30'")
    assert after.reason == "exited"
    assert after.stdout.split()[0] == "alive"
    assert after.stdout.split()[1] == "0", "no process of the bomb remains"
    assert runtime.container("a") is box and not box.dead


async def test_over_memory_limit_is_reported_as_oom(runtime: ContainerRuntime, settings_for: Any) -> None:
    settings = settings_for(command_line_docker_memory_limit="48m")
    result = await runtime.exec("a", "x=a; while :; do x=$x$x; done", settings=settings, timeout=60)
    assert result.reason == "oom"
    assert result.exit_code == 137 and result.cli_exit_code == 137
    again = await runtime.exec("a", "echo still here")
    assert again.ok and again.stdout == "still here\n"


async def test_oom_is_not_pinned_on_a_command_that_failed_beside_it(runtime: ContainerRuntime,
                                                                    settings_for: Any) -> None:
    settings = settings_for(command_line_docker_memory_limit="48m")
    await runtime.ensure_container("a", settings)
    bystander = asyncio.ensure_future(runtime.exec("a", "sleep 2; exit 3", timeout=60))
    hog = await runtime.exec("a", "x=a; while :; do x=$x$x; done", timeout=60)
    other = await bystander
    assert hog.reason == "oom"
    assert other.reason == "exited" and other.exit_code == 3


async def test_sleep_600_with_1s_timeout_returns_fast_and_leaves_nothing(
        runtime: ContainerRuntime, settings_for: Any) -> None:
    await runtime.ensure_container("a", settings_for())
    started = time.monotonic()
    result = await runtime.exec("a", "sleep 600 & (setsid sleep 600 &) ; sleep 600", timeout=1)
    elapsed = time.monotonic() - started
    assert result.reason == "timeout" and result.cli_exit_code == 124
    assert elapsed < 2.5, elapsed
    assert 0.9 <= result.duration_s < 2.5
    left = await runtime.exec("a", "ps -o args")
    assert "sleep 600" not in left.stdout, left.stdout


async def test_cancelling_an_exec_kills_its_processes(runtime: ContainerRuntime, settings_for: Any) -> None:
    await runtime.ensure_container("a", settings_for())
    task = asyncio.create_task(runtime.exec("a", "sleep 700", timeout=60))
    await asyncio.sleep(0.5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    left = await runtime.exec("a", "ps -o args")
    assert "sleep 700" not in left.stdout


async def test_disk_limit_caps_file_size_and_tmp(runtime: ContainerRuntime, settings_for: Any) -> None:
    settings = settings_for(command_line_docker_disk_limit="8m")
    result = await runtime.exec(
        "a", "dd if=/dev/zero of=big bs=1M count=16 2>&1; ls -l big | awk '{print $5}'; "
             "df -k /tmp | tail -1 | awk '{print $2}'", settings=settings)
    size, tmp_kib = result.stdout.split()[-2:]
    assert int(size) <= 8 * 1024 * 1024
    assert int(tmp_kib) == 8 * 1024


STATUS = "grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status; cat /proc/1/cmdline"


def _status(text: str) -> dict[str, int]:
    pairs = (line.split(":\t") for line in text.splitlines() if ":\t" in line)
    return {key: int(value, 16) for key, value in pairs}


async def test_non_root_user_has_no_capabilities(runtime: ContainerRuntime, settings_for: Any, tmp_path: Any) -> None:
    import os

    need(os.geteuid() == 0, "root, to give a folder to another uid (chown 1234:1234)")
    workspace = tmp_path / "owned"
    workspace.mkdir()
    os.chown(workspace, 1234, 1234)
    result = await runtime.exec("a", STATUS, settings=settings_for(cwd=str(workspace)))
    status = _status(result.stdout)
    assert status["CapEff"] == 0 and status["NoNewPrivs"] == 1


async def test_hardening_defaults(runtime: ContainerRuntime, settings_for: Any, docker_client: Any) -> None:
    from massgen_tui.docker.containers import SHELL_CAPABILITIES

    result = await runtime.exec("a", STATUS, settings=settings_for())
    status = _status(result.stdout)
    # root-owned workspace here: root in the container, with only the shell's few capabilities
    numbers = {"CHOWN": 0, "DAC_OVERRIDE": 1, "FOWNER": 3, "FSETID": 4, "KILL": 5, "SETGID": 6, "SETUID": 7}
    expected = sum(1 << numbers[name] for name in SHELL_CAPABILITIES)
    assert status["CapBnd"] == expected and status["CapEff"] in (0, expected)
    assert status["NoNewPrivs"] == 1
    assert "docker-init" in result.stdout
    info = docker_client.api.inspect_container(runtime.container("a").container_id)["HostConfig"]
    assert info["CapDrop"] == ["ALL"] and info["Init"] is True and info["PidsLimit"] == 512


async def test_read_only_root(runtime: ContainerRuntime, settings_for: Any) -> None:
    settings = settings_for(command_line_docker_read_only_root=True)
    result = await runtime.exec("a", "touch /etc/x; echo $?; touch /tmp/x && echo tmp-ok; touch ~/h && echo home-ok",
                                settings=settings)
    assert result.stdout.split()[0] != "0"
    assert "tmp-ok" in result.stdout and "home-ok" in result.stdout
    assert "Read-only file system" in result.stderr


async def test_cpu_limit_applied(runtime: ContainerRuntime, settings_for: Any, docker_client: Any) -> None:
    await runtime.ensure_container("a", settings_for(command_line_docker_cpu_limit=0.5,
                                                     command_line_docker_memory_limit="64m"))
    info = docker_client.api.inspect_container(runtime.container("a").container_id)["HostConfig"]
    assert info["NanoCpus"] == 500_000_000 and info["Memory"] == 64 * 1024 * 1024
    assert info["MemorySwap"] == 64 * 1024 * 1024
