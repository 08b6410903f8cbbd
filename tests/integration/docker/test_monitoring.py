"""Streams for the UI: stats, logs (batched) and engine events, from the real engine."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from massgen_tui.docker import ContainerRuntime
from massgen_tui.docker.monitoring import engine_events, logs_stream, stats_stream

pytestmark = pytest.mark.docker


async def test_stats_stream_reports_cpu_memory_and_pids(runtime: ContainerRuntime, settings_for: Any,
                                                       docker_client: Any) -> None:
    box = await runtime.ensure_container("a", settings_for(command_line_docker_memory_limit="64m"))
    busy = asyncio.create_task(runtime.exec("a", "while :; do :; done", timeout=6))
    samples = []
    stream = stats_stream(docker_client, box.container_id)
    async for sample in stream:
        samples.append(sample)
        if len(samples) == 2:
            break
    await stream.aclose()
    busy.cancel()
    with pytest.raises(asyncio.CancelledError):
        await busy
    last = samples[-1]
    assert last.memory_limit == 64 * 1024 * 1024
    assert 0 < last.memory_bytes < last.memory_limit
    assert last.pids >= 3  # init, the keep-alive shell and sleep, plus the busy loop
    # near 100 on an idle machine; the 2-core CI box is shared, so only ask for clearly busy
    assert last.cpu_percent > 10, f"a busy loop should show CPU use, saw {last.cpu_percent}"
    assert last.name == box.name


async def test_logs_stream_batches_every_line(docker_client: Any, busybox_image: str) -> None:
    container = await asyncio.to_thread(
        docker_client.containers.run, busybox_image, ["sh", "-c", "sleep 0.5; seq 1 20000; echo err >&2; sleep 1"],
        detach=True, labels={"massgen-tui.test": "logs"})
    try:
        lines: list[str] = []
        batches = 0
        async for batch in logs_stream(docker_client, container.id, tail="all"):
            lines.extend(batch)
            batches += 1
            if len(lines) >= 20001:
                break
        assert "err" in lines  # the engine copies stdout and stderr separately: order between them may vary
        assert [line for line in lines if line != "err"] == [str(i) for i in range(1, 20001)]
        assert batches < 200, f"lines should arrive in batches, got {batches} batches"
    finally:
        await asyncio.to_thread(container.remove, force=True)


async def test_engine_events_show_start_die_and_oom(runtime: ContainerRuntime, settings_for: Any,
                                                   docker_client: Any) -> None:
    seen: list[Any] = []

    async def collect() -> None:
        async for event in engine_events(docker_client, session=runtime.session.session_id):
            seen.append(event)

    watcher = asyncio.create_task(collect())
    await asyncio.sleep(0.3)
    await runtime.exec("a", "x=a; while :; do x=$x$x; done", settings=settings_for(command_line_docker_memory_limit="32m"))
    await runtime.stop_agent("a")
    for _ in range(50):
        if any(e.action == "destroy" for e in seen):
            break
        await asyncio.sleep(0.1)
    watcher.cancel()
    actions = [e.action for e in seen]
    assert "start" in actions and "oom" in actions and "die" in actions, actions
    assert all(e.agent == "a" and e.session == runtime.session.session_id for e in seen)
    assert next(e for e in seen if e.action == "die").exit_code is not None
