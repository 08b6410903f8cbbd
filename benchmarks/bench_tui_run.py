"""Run tab speed: a fast model's stream shown batched (every 50 ms) against one widget update per event.

    .venv/bin/python benchmarks/bench_tui_run.py [--deltas N] [--agents K]

A scripted event source (the same interface as ``massgen_tui.agents.Run``: ``events()``, ``wait()``,
``cancel()``) yields K agents' text deltas of 4 characters with a newline every 20 deltas, plus
command output chunks, as fast as the loop takes them. The Run tab (headless, Textual's Pilot at
120x40) shows them:

* batched: through ``RunController`` (one message per 50 ms window, deltas merged);
* baseline: the same view fed one event per message (``apply_events([event])``), measured in the
  same run.

Printed: events, wall time until every event is on screen, events/s, UI batches, and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_events(deltas: int, agents: int) -> list[Any]:
    from massgen_tui.agents import events as ev

    ids = [f"a{i + 1}" for i in range(agents)]
    out: list[Any] = [ev.RunStarted(run_id="bench", task="t", agents=ids)]
    for i in range(deltas):
        agent = ids[i % agents]
        text = "word" + ("\n" if i % 20 == 19 else " ")
        out.append(ev.TextDelta(agent=agent, text=text))
        if i % 50 == 0:
            out.append(ev.CommandOutput(agent=agent, call_id=f"c{i}", text=f"\x1b[32mline {i}\x1b[0m\n"))
    out.append(ev.RunFinished(status="completed"))
    return out


class ScriptedRun:
    """Yields prepared events, letting the loop run between them (as a real stream does)."""

    def __init__(self, events: list[Any], rate: float | None = None):
        self._events = events
        self.rate = rate  # events per second, None: as fast as the loop takes them

    async def events(self):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        for i, event in enumerate(self._events):
            if i % 8 == 0:
                delay = 0.0 if self.rate is None else started + i / self.rate - time.perf_counter()
                await asyncio.sleep(max(delay, 0.0))
            yield event

    async def wait(self) -> None:
        return None

    def cancel(self) -> None:
        pass


async def measure(events: list[Any], agents: int, batched: bool | None,
                  rate: float | None = None) -> tuple[float, float, int]:
    """batched None: the source alone, drained without showing anything (the floor)."""
    from textual.app import App, ComposeResult

    from massgen_tui.tui.run_controller import RunController
    from massgen_tui.tui.screens.run import RunView

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield RunView(config=lambda: None, runs_dir=Path(tempfile.mkdtemp()), frozen_times=True)

    app = Host()
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one(RunView)
        await view._reset([(f"a{i + 1}", "m") for i in range(agents)])
        await pilot.pause()
        started = time.perf_counter()
        cpu = time.process_time()
        if batched is None:
            posts = 0
            async for _ in ScriptedRun(events, rate).events():
                pass
        elif batched:
            controller = RunController(view, ScriptedRun(events, rate))
            view.controller = controller
            await controller.consume()
            posts = controller.batches_posted
        else:
            posts = 0
            async for event in ScriptedRun(events, rate).events():
                view.apply_events([event])
                posts += 1
        await pilot.pause()  # everything processed and drawn
        await app.animator.wait_until_complete()
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
    return elapsed, cpu, posts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deltas", type=int, default=10000)
    parser.add_argument("--agents", type=int, default=3)
    parser.add_argument("--rate", type=float, default=2000.0, help="paced run: events per second")
    args = parser.parse_args()
    events = make_events(args.deltas, args.agents)
    print(f"events: {len(events)} ({args.deltas} text deltas, {args.agents} agents, command output every 50)")
    print("1. flood (as fast as the loop takes them): wall time until all are on screen")
    base_wall, _, base_posts = asyncio.run(measure(events, args.agents, batched=False))
    wall, _, posts = asyncio.run(measure(events, args.agents, batched=True))
    print(f"   one update per event (baseline): {base_wall:.2f} s, {len(events) / base_wall:,.0f} events/s, "
          f"{base_posts} updates")
    print(f"   batched every 50 ms (Run tab):   {wall:.2f} s, {len(events) / wall:,.0f} events/s, {posts} updates")
    print(f"   speed-up: {base_wall / wall:.1f}x")
    paced = events[: int(args.rate * 3)]
    print(f"2. paced at {args.rate:,.0f} events/s for ~3 s ({len(paced)} events): CPU time the UI spent")
    floor_wall, floor_cpu, _ = asyncio.run(measure(paced, args.agents, batched=None, rate=args.rate))
    base_wall, base_cpu, base_posts = asyncio.run(measure(paced, args.agents, batched=False, rate=args.rate))
    wall, cpu, posts = asyncio.run(measure(paced, args.agents, batched=True, rate=args.rate))
    print(f"   one update per event (baseline): CPU {base_cpu:.2f} s over {base_wall:.2f} s, {base_posts} updates")
    print(f"   batched every 50 ms (Run tab):   CPU {cpu:.2f} s over {wall:.2f} s, {posts} updates")
    print(f"   the source alone, nothing shown:  CPU {floor_cpu:.2f} s over {floor_wall:.2f} s")
    print(f"   CPU spent showing the events: {base_cpu - floor_cpu:.2f} s one by one vs {cpu - floor_cpu:.2f} s batched "
          f"({(base_cpu - floor_cpu) / max(cpu - floor_cpu, 1e-3):.1f}x less)")


if __name__ == "__main__":
    main()
