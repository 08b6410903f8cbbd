"""Docker execution figures, each against a raw Docker SDK baseline measured in the same run.

    .venv/bin/python benchmarks/bench_docker.py [--runs 40] [--cold-runs 8] [--lines 200000]

Prints: exec latency (median of many) vs raw ``exec_run`` on the same container; first-command latency
(container created, started, first command run) vs raw ``containers.run`` + ``exec_run``; log throughput
(lines/s from a container to the consumer) vs the SDK's ``logs(stream=True, follow=True)``.
Goals: exec <= 10 % over raw, cold start <= 15 % over raw. Uses the offline busybox image.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from massgen_tui.docker import ContainerRuntime, DockerSettings
from massgen_tui.docker.engine import connect
from massgen_tui.docker.monitoring import logs_stream
from massgen_tui.docker.offline_images import busybox_image


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:7.1f} ms (p10 {sorted(values)[len(values) // 10] * 1000:.1f}, " \
           f"p90 {sorted(values)[len(values) * 9 // 10] * 1000:.1f})"


def ratio(ours: list[float], raw: list[float]) -> str:
    over = statistics.median(ours) / statistics.median(raw) - 1
    return f"{over * 100:+.1f} %"


async def bench_exec(runtime: ContainerRuntime, client: object, settings: DockerSettings, runs: int) -> None:
    box = await runtime.ensure_container("bench", settings)
    container = client.containers.get(box.container_id)  # type: ignore[attr-defined]
    for _ in range(5):  # warm both paths
        await runtime.exec("bench", "true")
        container.exec_run(["/bin/sh", "-c", "true"], user=box.user)
    ours: list[float] = []
    raw: list[float] = []
    for _ in range(runs):  # interleaved, so drift hits both alike
        started = time.perf_counter()
        result = await runtime.exec("bench", "true")
        ours.append(time.perf_counter() - started)
        assert result.ok
        started = time.perf_counter()
        out = await asyncio.to_thread(container.exec_run, ["/bin/sh", "-c", "true"], user=box.user)
        raw.append(time.perf_counter() - started)
        assert out.exit_code == 0
    print(f"exec latency        massgen-tui {ms(ours)}")
    print(f"                    raw exec_run {ms(raw)}")
    print(f"                    overhead {ratio(ours, raw)}   (goal <= +10 %)")


async def bench_cold(runtime: ContainerRuntime, client: object, settings: DockerSettings, image: str, runs: int) -> None:
    ours: list[float] = []
    raw: list[float] = []
    for index in range(runs):
        agent = f"cold{index}"
        started = time.perf_counter()
        result = await runtime.exec(agent, "true", settings=settings)
        ours.append(time.perf_counter() - started)
        assert result.ok
        await runtime.stop_agent(agent)

        def raw_run() -> None:
            container = client.containers.run(image, ["sleep", "infinity"], detach=True,  # type: ignore[attr-defined]
                                              init=True, network_mode="none")
            container.exec_run(["/bin/sh", "-c", "true"])
            raw_run.container = container  # type: ignore[attr-defined]

        started = time.perf_counter()
        await asyncio.to_thread(raw_run)
        raw.append(time.perf_counter() - started)
        await asyncio.to_thread(raw_run.container.remove, force=True)  # type: ignore[attr-defined]
    print(f"first command       massgen-tui {ms(ours)}")
    print(f"                    raw run+exec {ms(raw)}")
    print(f"                    overhead {ratio(ours, raw)}   (goal <= +15 %)")


async def bench_logs(client: object, image: str, lines: int) -> None:
    script = f"sleep 1; seq 1 {lines}; sleep 30"

    async def ours() -> float:
        container = client.containers.run(image, ["sh", "-c", script], detach=True)  # type: ignore[attr-defined]
        try:
            count = 0
            started = None
            async for batch in logs_stream(client, container.id, tail="all"):
                started = started or time.perf_counter()
                count += len(batch)
                if count >= lines:
                    break
            return lines / (time.perf_counter() - (started or time.perf_counter()))
        finally:
            container.remove(force=True)

    def raw() -> float:
        container = client.containers.run(image, ["sh", "-c", script], detach=True)  # type: ignore[attr-defined]
        try:
            started = None
            for count, _line in enumerate(container.logs(stream=True, follow=True), start=1):
                started = started or time.perf_counter()
                if count >= lines:
                    break
            return lines / (time.perf_counter() - (started or time.perf_counter()))
        finally:
            container.remove(force=True)

    mine = await ours()
    base = await asyncio.to_thread(raw)
    print(f"log throughput      massgen-tui {mine:,.0f} lines/s (batched, {lines:,} lines)")
    print(f"                    raw logs(follow) {base:,.0f} lines/s   ratio x{mine / base:.1f}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--cold-runs", type=int, default=8)
    parser.add_argument("--lines", type=int, default=200_000)
    args = parser.parse_args()
    client = connect()
    image = busybox_image(client)
    with tempfile.TemporaryDirectory() as folder:
        settings = DockerSettings.from_backend({"command_line_docker_image": image, "cwd": f"{folder}/ws"})
        started = time.perf_counter()
        async with ContainerRuntime(client=client, config_path="bench") as runtime:
            print(f"session start       {(time.perf_counter() - started) * 1000:7.1f} ms (connect, sweep, events)")
            await bench_exec(runtime, client, settings, args.runs)
            await bench_cold(runtime, client, settings, image, args.cold_runs)
    await bench_logs(client, image, args.lines)


if __name__ == "__main__":
    asyncio.run(main())
