"""Orchestration overhead of agent runs per model turn, beyond the model's own time. Prints figures;
asserts nothing.

The model is the localhost fake server (real OpenAI-compatible streaming) answering after a fixed
latency. Measured in the same run:

0. Baseline: the same request streamed by a bare httpx client (the model's own time as any client
   sees it: server latency + HTTP + SSE).
1. One agent, N turns each calling execute_command ``true`` locally, then a final answer.
2. Three agents coordinating (answer, restarts, votes, presentation).

For each scenario: wall time, turns, model time (measured around each streamed request), tool time,
and the overhead = (time inside the agent loops - model time - tool time) / turns: what the loop,
events, message building and tool dispatch cost per turn. Also run setup+teardown (backends, saved
JSON) and the backend's own cost over the bare client.

Run: .venv/bin/python benchmarks/bench_agents.py [--latency-ms 40] [--turns 30]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from massgen_tui.agents import Run, RunOptions  # noqa: E402
from massgen_tui.config import load_document  # noqa: E402
from tests.support.fake_llm import FakeLLM, FakeRequest, Reply  # noqa: E402

TEXT = "Working on it. " * 8  # ~120 characters of streamed text per turn


async def bare_baseline(base_url: str, n: int) -> float:
    """Median ms for one streamed request by a bare httpx client."""
    import httpx

    body = {"model": "m", "stream": True, "messages": [{"role": "user", "content": "baseline"}],
            "stream_options": {"include_usage": True}}
    samples = []
    async with httpx.AsyncClient() as client:
        for _ in range(n):
            start = time.perf_counter()
            async with client.stream("POST", f"{base_url}/chat/completions", json=body,
                                     headers={"Authorization": "Bearer k"}) as response:
                async for _line in response.aiter_lines():
                    pass
            samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def write_config(folder: Path, base_url: str, names: list[str]) -> Path:
    lines = ["agents:"]
    for name in names:
        lines += [f"  - id: {name.lower()}", f"    system_message: You are {name}.", "    backend:",
                  "      type: chatcompletion", "      model: m", f"      base_url: {base_url}", "      api_key: k",
                  "      enable_mcp_command_line: true", "      command_line_execution_mode: local",
                  f"      cwd: {folder / name}"]
    path = folder / f"bench-{len(names)}.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def responder(latency_s: float, turns: int):
    def respond(r: FakeRequest) -> Reply:
        if "winning presenter" in r.system:
            return Reply(text=TEXT, delay_s=latency_s)
        if "You are Solo" in r.system:
            if r.turn < turns - 1:
                return Reply(text=TEXT, tool_calls=[("execute_command", {"command": "true"})], delay_s=latency_s)
            return Reply(text=TEXT + "final", delay_s=latency_s)
        who = r.system.split("You are ")[-1].split(".")[0]
        mine = f"{who} answer"
        if mine not in r.answers().values():
            if r.turn == 0:
                return Reply(text=TEXT, tool_calls=[("execute_command", {"command": "true"})], delay_s=latency_s)
            return Reply(text=TEXT, tool_calls=[("new_answer", {"content": mine})], delay_s=latency_s)
        return Reply(text=TEXT, tool_calls=[("vote", {"agent_id": "agent1", "reason": "first"})], delay_s=latency_s)
    return respond


async def scenario(base_url: str, folder: Path, names: list[str]) -> dict[str, float]:
    run = Run.from_config(load_document(write_config(folder, base_url, names)), "benchmark task",
                          options=RunOptions(runs_dir=folder / "runs", max_turns=1000))
    start = time.perf_counter()
    async for _ in run.events():
        pass
    record = await run.wait()
    wall = time.perf_counter() - start
    assert record.status == "completed", record.error
    stats = run.stats.values()
    turns = sum(s.turns for s in stats)
    model = sum(s.model_time_s for s in stats)
    tool = sum(s.tool_time_s for s in stats)
    loop = sum(s.loop_time_s for s in stats)
    return {"wall_ms": wall * 1000, "turns": turns, "model_ms": model * 1000, "tool_ms": tool * 1000,
            "loop_ms": loop * 1000, "overhead_ms_per_turn": (loop - model - tool) * 1000 / max(turns, 1),
            "model_ms_per_turn": model * 1000 / max(turns, 1)}


async def repeated(base_url: str, folder: Path, names: list[str], n: int) -> dict[str, float]:
    runs = [await scenario(base_url, folder, names) for _ in range(n)]
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency-ms", type=float, default=40.0)
    parser.add_argument("--turns", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5, help="runs per scenario; medians are printed")
    args = parser.parse_args()
    latency = args.latency_ms / 1000
    with tempfile.TemporaryDirectory() as tmp, FakeLLM(responder(latency, args.turns)) as llm:
        folder = Path(tmp)
        await bare_baseline(llm.base_url, 3)  # warm-up
        baseline = await bare_baseline(llm.base_url, 20)
        single = await repeated(llm.base_url, folder, ["Solo"], args.repeat)
        team = await repeated(llm.base_url, folder, ["Alpha", "Beta", "Gamma"], args.repeat)

    print(f"fake model latency set to {args.latency_ms:.0f} ms per reply; medians of {args.repeat} runs per scenario")
    print(f"baseline: bare httpx streamed request            {baseline:8.1f} ms")
    for name, s in (("1 agent, tool every turn", single), ("3 agents coordinating", team)):
        setup = s["wall_ms"] - (s["loop_ms"] if name.startswith("1") else 0)
        print(f"\n{name}: {s['turns']:.0f} turns, wall {s['wall_ms']:.0f} ms")
        print(f"  model time per turn (backend, incl. parsing)  {s['model_ms_per_turn']:8.1f} ms"
              f"  ({s['model_ms_per_turn'] / baseline:.2f}x the bare client)")
        print(f"  tool time total                               {s['tool_ms']:8.1f} ms")
        print(f"  orchestration overhead per turn               {s['overhead_ms_per_turn']:8.2f} ms"
              f"  ({100 * s['overhead_ms_per_turn'] / baseline:.1f}% of a bare model request)")
        if name.startswith("1"):
            print(f"  run setup + teardown + save                   {setup:8.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
