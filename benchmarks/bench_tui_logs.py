"""The containers pane under load. Prints:

1. the log view's sustained ingest (lines/s) with memory bounded, against writing the same lines
   one ``Log.write_line`` at a time (the baseline, measured in the same run);
2. the latency of a key press answered while 50,000 lines/s flood the log view;
3. the app's CPU use while the Containers pane shows the stats of 20 real containers (busybox,
   removed afterwards).

Run: .venv/bin/python benchmarks/bench_tui_logs.py [--seconds 5] [--containers 20]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Log

from massgen_tui.tui.widgets.log_view import LogView

LINE = "2026-11-25T05:00:00Z worker[3]: step {} loss=0.4182 lr=3e-4 \x1b[32mok\x1b[0m tokens=8192"


def rss_mb() -> float:
    try:  # current resident size (Linux), else the peak
        return int(Path("/proc/self/statm").read_text().split()[1]) * resource.getpagesize() / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class LogApp(App[None]):
    BINDINGS = [Binding("k", "ping", "ping")]

    def __init__(self, baseline: bool = False) -> None:
        super().__init__()
        self.baseline = baseline
        self.pinged: list[float] = []

    def compose(self) -> ComposeResult:
        yield Log(max_lines=10_000, id="plain") if self.baseline else LogView(max_lines=10_000, id="view")

    def action_ping(self) -> None:
        self.pinged.append(time.perf_counter())


async def ingest(seconds: float, baseline: bool) -> tuple[float, int, int, float]:
    app = LogApp(baseline)
    lines = [LINE.format(i) for i in range(5000)]
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.1)
        widget: Any = app.query_one("#plain" if baseline else "#view")
        sent = 0
        start = time.perf_counter()
        rss_before = rss_mb()
        rss_half = None
        while time.perf_counter() - start < seconds:
            if rss_half is None and time.perf_counter() - start > seconds / 2:
                rss_half = rss_mb()
            if baseline:
                for line in lines[:500]:  # per-line writes, as a naive pane would do
                    widget.write_line(line)
                sent += 500
            else:
                widget.feed(lines)
                sent += len(lines)
            await asyncio.sleep(0)  # let the app draw and flush
        if not baseline:
            widget.flush()
        await pilot.pause(0.1)
        took = time.perf_counter() - start
        shown = widget.line_count
        kept = len(widget.kept) if not baseline else shown
        if not baseline:
            print(f"  RSS: +{(rss_half or rss_before) - rss_before:.1f} MB in the first half, "
                  f"+{rss_mb() - (rss_half or rss_before):.1f} MB in the second half (flat = bounded)")
            print(f"  drawn: {(sent - widget.dropped) / took:,.0f} lines/s written to the screen")
            print(f"  (of {sent:,} lines fed, {widget.dropped:,} scrolled past the 10,000-line window between two "
                  "50 ms flushes and were never drawn; all were kept for the filter until pushed out)")
        return sent / took, shown, kept, rss_mb() - rss_before


async def key_latency(rate: int, presses: int) -> list[float]:
    app = LogApp()
    lines = [LINE.format(i) for i in range(rate // 20)]
    async with app.run_test(size=(120, 40)) as pilot:
        view: Any = app.query_one(LogView)
        stop = asyncio.Event()
        fed = 0

        async def flood() -> None:
            nonlocal fed
            while not stop.is_set():
                view.feed(lines)  # rate/20 lines every 50 ms = rate lines/s
                fed += len(lines)
                await asyncio.sleep(0.05)

        task = asyncio.create_task(flood())
        await pilot.pause(0.5)
        latencies = []
        flood_start = time.perf_counter()
        for _ in range(presses):
            before = len(app.pinged)
            sent_at = time.perf_counter()
            await pilot.press("k")
            while len(app.pinged) == before:
                await asyncio.sleep(0.001)
            latencies.append((app.pinged[-1] - sent_at) * 1000)
            await asyncio.sleep(0.05)
        achieved = fed / (time.perf_counter() - flood_start + 0.5)
        stop.set()
        await task
        print(f"  flood achieved: {achieved:,.0f} lines/s")
        return latencies


async def containers_cpu(count: int, seconds: float) -> None:
    from massgen_tui.docker.engine import connect
    from massgen_tui.docker.offline_images import busybox_image
    from massgen_tui.docker.sessions import SessionIdentity
    from massgen_tui.tui.monitoring import ContainerPoller
    from massgen_tui.tui.screens.containers import ContainersPane

    client = connect()
    image = busybox_image(client)
    ident = SessionIdentity()
    boxes = []
    try:
        for i in range(count):
            boxes.append(client.containers.run(image, ["sh", "-c", "while true; do echo tick; sleep 1; done"],
                                               detach=True, labels=ident.labels(f"agent{i:02d}"), init=True))

        class PaneApp(App[None]):
            def compose(self) -> ComposeResult:
                yield ContainersPane(poller=ContainerPoller(session=ident.session_id), poll_every_s=1.0)

        app = PaneApp()
        async with app.run_test(size=(160, 50)) as pilot:
            pane: Any = app.query_one(ContainersPane)
            while len(pane.table.rows_by_id) < count:
                await pilot.pause(0.1)
            pane.table.focus()
            await pilot.press("enter")  # one log streaming too
            polls, cells = pane.polls, pane.table.cell_updates
            cpu0, wall0 = time.process_time(), time.perf_counter()
            await pilot.pause(seconds)
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
            took = pane.last_result.took_s * 1000 if pane.last_result else 0
            print(f"  {count} containers, {pane.polls - polls} polls in {wall:.1f}s (last poll {took:.0f} ms), "
                  f"{pane.table.cell_updates - cells} cells rewritten")
            print(f"  app CPU: {100 * cpu / wall:.1f}% of one core (process time incl. poll threads)")
    finally:
        for box in boxes:
            try:
                box.remove(force=True)
            except Exception:
                pass
        client.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--containers", type=int, default=20)
    parser.add_argument("--no-docker", action="store_true")
    args = parser.parse_args()

    print("1. log view sustained ingest (120x40, max_lines=10,000)")
    rate, shown, kept, grew = asyncio.run(ingest(args.seconds, baseline=False))
    base, _, _, _ = asyncio.run(ingest(min(args.seconds, 2.0), baseline=True))
    print(f"  batched LogView: {rate:,.0f} lines/s (goal >= 100,000); lines on screen {shown:,}, kept {kept:,}; "
          f"RSS grew {grew:.1f} MB over the run (bounded: the window and the filter buffer are capped)")
    print(f"  per-line Log.write_line baseline: {base:,.0f} lines/s -> batched is {rate / base:.1f}x")

    print("2. key press latency during a 50,000 lines/s flood")
    lat = asyncio.run(key_latency(50_000, 30))
    lat.sort()
    print(f"  median {statistics.median(lat):.1f} ms, p95 {lat[int(len(lat) * 0.95) - 1]:.1f} ms, "
          f"max {lat[-1]:.1f} ms (goal < 100 ms)")

    if not args.no_docker:
        print(f"3. CPU while showing the stats of {args.containers} containers")
        asyncio.run(containers_cpu(args.containers, args.seconds))


if __name__ == "__main__":
    main()
