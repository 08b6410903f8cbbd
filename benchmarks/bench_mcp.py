"""What the MCP client's hook chain adds to a tool call, against a bare SDK call.

Both sides talk to the same server program (tests/support/servers/toolbox_server.py, over stdio)
and call the same tool with the same arguments, in alternating blocks so that machine noise hits
both alike. Printed: per-call medians and means, the overhead of ServerManager.call_tool (with 0
and with 3 hooks, and with an event subscriber) over ClientSession.call_tool, and the cost of the
hook chain alone (no I/O). Goal: under 0.5 ms per call.

    .venv/bin/python benchmarks/bench_mcp.py [--calls N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from massgen_tui.mcp import (  # noqa: E402
    CallOutcome,
    HookChain,
    HookDecision,
    MCPServerSpec,
    ServerManager,
    ToolCall,
)

TOOLBOX = ROOT / "tests" / "support" / "servers" / "toolbox_server.py"
ARGS = {"text": "hello from the benchmark"}


class AllowAll:
    name = "allow-all"

    async def before_call(self, call: ToolCall) -> HookDecision | None:
        return None

    async def after_call(self, call: ToolCall, outcome: CallOutcome) -> None:
        return None


class RuleCheck:
    """A hook doing the kind of work a policy hook does: look the call up in a rule table."""

    name = "rule-check"

    def __init__(self) -> None:
        self.rules = {f"mcp__other__tool{i}": "deny" for i in range(200)}
        self.count = 0

    async def before_call(self, call: ToolCall) -> HookDecision | None:
        if self.rules.get(call.prefixed_name) == "deny":
            return HookDecision.deny("rule")
        return HookDecision.allow("no rule matched", decided_by="rules")

    async def after_call(self, call: ToolCall, outcome: CallOutcome) -> None:
        self.count += 1


class Rewrite:
    name = "rewrite"

    async def before_call(self, call: ToolCall) -> HookDecision | None:
        return HookDecision.allow(arguments=dict(call.arguments))

    async def after_call(self, call: ToolCall, outcome: CallOutcome) -> None:
        return None


def spec() -> MCPServerSpec:
    return MCPServerSpec.from_mapping({"name": "tb", "command": sys.executable, "args": [str(TOOLBOX)]})


async def bench(calls: int, block: int) -> None:
    from mcp import ClientSession, StdioServerParameters, stdio_client

    params = StdioServerParameters(command=sys.executable, args=[str(TOOLBOX)])
    hooks3 = [AllowAll(), RuleCheck(), Rewrite()]
    samples: dict[str, list[float]] = {"bare SDK": [], "manager, 0 hooks": [], "manager, 3 hooks": [],
                                       "manager, 3 hooks + events": []}
    with open("/dev/null", "w") as devnull:
        async with stdio_client(params, errlog=devnull) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            await session.list_tools()
            m0 = ServerManager([spec()])
            m3 = ServerManager([spec()], hooks=hooks3)
            m3e = ServerManager([spec()], hooks=hooks3)
            await asyncio.gather(m0.start(), m3.start(), m3e.start())
            stream = m3e.events()
            drained = 0

            async def drain() -> None:
                nonlocal drained
                async for _ in stream:
                    drained += 1

            drainer = asyncio.create_task(drain())

            async def bare() -> None:
                await session.call_tool("echo", ARGS)

            runners = {
                "bare SDK": bare,
                "manager, 0 hooks": lambda: m0.call_tool("tb", "echo", ARGS),
                "manager, 3 hooks": lambda: m3.call_tool("tb", "echo", ARGS),
                "manager, 3 hooks + events": lambda: m3e.call_tool("tb", "echo", ARGS),
            }
            for fn in runners.values():  # warm up
                for _ in range(20):
                    await fn()
            done = 0
            while done < calls:
                for name, fn in runners.items():
                    for _ in range(block):
                        t = time.perf_counter()
                        await fn()
                        samples[name].append(time.perf_counter() - t)
                done += block
            stream.close()
            await drainer
            await asyncio.gather(m0.aclose(), m3.aclose(), m3e.aclose())

    # The chain alone, no I/O: what the hooks themselves cost per call.
    chain = HookChain(hooks3)
    call = ToolCall("c", "tb", "echo", ARGS)
    outcome = CallOutcome("ok")
    n = 20000
    t = time.perf_counter()
    for _ in range(n):
        verdict = await chain.before(call)
        await chain.after(verdict.call, outcome)
    chain_us = (time.perf_counter() - t) / n * 1e6

    base_med = statistics.median(samples["bare SDK"])
    base_mean = statistics.fmean(samples["bare SDK"])
    print(f"MCP call cost, {calls} calls each, tool 'echo' over stdio (same server program)")
    print(f"{'':28} {'median ms':>10} {'mean ms':>10} {'+median ms':>11} {'+mean ms':>9} {'ratio':>6}")
    for name, values in samples.items():
        med, mean = statistics.median(values), statistics.fmean(values)
        print(
            f"{name:28} {med * 1e3:10.3f} {mean * 1e3:10.3f} {(med - base_med) * 1e3:+11.3f} "
            f"{(mean - base_mean) * 1e3:+9.3f} {med / base_med:6.2f}"
        )
    print(f"hook chain alone (3 hooks, before + after, no I/O): {chain_us:.1f} us per call")
    overhead = (statistics.median(samples["manager, 3 hooks"]) - base_med) * 1e3
    verdict = "meets" if overhead < 0.5 else "MISSES"
    print(f"overhead of ServerManager + 3 hooks over bare SDK: {overhead:.3f} ms per call ({verdict} the 0.5 ms goal)")
    print(f"events delivered to the subscriber: {drained}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=600)
    parser.add_argument("--block", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(bench(args.calls, args.block))


if __name__ == "__main__":
    main()
