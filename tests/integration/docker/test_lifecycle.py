"""One container per agent per session, labelled, reused, removed; orphans of dead sessions swept."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from massgen_tui.docker import ContainerRuntime
from massgen_tui.docker.sessions import AGENT, BOOT_ID, CONFIG, PID, SESSION

pytestmark = pytest.mark.docker
REPO = Path(__file__).resolve().parents[3]


async def test_one_labelled_container_per_agent_reused_then_removed(docker_client: Any, settings_for: Any) -> None:
    settings = settings_for()
    async with ContainerRuntime(client=docker_client, config_path="/cfg/x.yaml") as runtime:
        first = await runtime.exec("a", "echo 1 > /tmp/state; hostname", settings=settings)
        second = await runtime.exec("a", "cat /tmp/state; hostname")
        other = await runtime.exec("b", "hostname; cat /tmp/state 2>/dev/null || echo none", settings=settings)
        assert second.stdout.split() == ["1", first.stdout.strip()]
        assert other.stdout.split() == [other.stdout.split()[0], "none"] and other.stdout.split()[0] != first.stdout.strip()
        ids = {c.agent_id: c.container_id for c in runtime.containers()}
        assert set(ids) == {"a", "b"}
        labels = docker_client.api.inspect_container(ids["a"])["Config"]["Labels"]
        assert labels[SESSION] == runtime.session.session_id and labels[AGENT] == "a"
        assert labels[CONFIG] == "/cfg/x.yaml" and labels[PID] == str(os.getpid()) and labels[BOOT_ID]
    for container_id in ids.values():
        assert not docker_client.api.containers(all=True, filters={"id": container_id})


ORPHAN_MAKER = textwrap.dedent("""
    import asyncio, sys
    from massgen_tui.docker import ContainerRuntime, DockerSettings

    async def main():
        runtime = ContainerRuntime(config_path="orphan")
        settings = DockerSettings.from_backend({"command_line_docker_image": sys.argv[1], "cwd": sys.argv[2]})
        box = await runtime.ensure_container("orphaned", settings)
        print(box.container_id, flush=True)
        await asyncio.sleep(600)

    asyncio.run(main())
""")


async def test_container_orphaned_by_sigkill_is_removed_at_next_start(docker_client: Any, busybox_image: str,
                                                                      tmp_path: Path) -> None:
    owner = subprocess.Popen([sys.executable, "-c", ORPHAN_MAKER, busybox_image, str(tmp_path / "ws")],
                             cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert owner.stdout is not None
        container_id = owner.stdout.readline().strip()
        assert container_id, "the owner process did not create its container"
    finally:
        owner.send_signal(signal.SIGKILL)
        owner.wait()
    assert docker_client.api.containers(filters={"id": container_id}), "SIGKILL leaves the container running"
    async with ContainerRuntime(client=docker_client) as runtime:
        assert container_id in {swept.id for swept in runtime.swept}
    assert not docker_client.api.containers(all=True, filters={"id": container_id})


async def test_live_sessions_are_not_swept(docker_client: Any, settings_for: Any) -> None:
    async with ContainerRuntime(client=docker_client) as first:
        box = await first.ensure_container("a", settings_for())
        async with ContainerRuntime(client=docker_client) as second:
            assert box.container_id not in {swept.id for swept in second.swept}
        assert docker_client.api.containers(filters={"id": box.container_id})


async def test_container_death_is_reported_and_the_next_command_gets_a_new_one(
        runtime: ContainerRuntime, settings_for: Any, docker_client: Any) -> None:
    import asyncio

    box = await runtime.ensure_container("a", settings_for())
    running = asyncio.create_task(runtime.exec("a", "sleep 20", timeout=30))
    await asyncio.sleep(0.5)
    await asyncio.to_thread(docker_client.api.kill, box.container_id)
    result = await running
    assert result.reason == "container_died" and result.cli_exit_code == 137
    again = await runtime.exec("a", "echo back")
    assert again.ok and runtime.container("a").container_id != box.container_id


async def test_changed_settings_give_the_agent_a_new_container(runtime: ContainerRuntime, settings_for: Any) -> None:
    first = await runtime.ensure_container("a", settings_for())
    assert await runtime.ensure_container("a", settings_for()) is first
    second = await runtime.ensure_container("a", settings_for(command_line_docker_pids_limit=100))
    assert second.container_id != first.container_id and second.settings.pids_limit == 100
