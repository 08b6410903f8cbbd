"""Safety gate cost. Prints figures; asserts nothing.

1. The gate's added latency per call (before_call + after_call, real SQLite store on disk), for
   - a call decided by a stored allow (a user-scope rule),
   - a reversible tool allowed by policy (no stored decision),
   against a baseline measured in the same run: a hook that does nothing (the cost of being a hook).
   Goal: under 1 ms per call.
2. Classification of 1,000 distinct tools (built from the corpus tool lists with varied names and
   descriptions so no cache helps): cold, then again with the definition cache warm.
3. Argument-dependent classification (classify_call) of SQL and shell calls, per call.

Run: .venv/bin/python benchmarks/bench_safety.py
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
CORPUS = REPO.parent / "shared" / "corpus" / "mcp-tools"

from massgen_tui.config.safety import SafetySettings  # noqa: E402
from massgen_tui.mcp.types import CallOutcome, ToolCall, ToolInfo  # noqa: E402
from massgen_tui.safety import DecisionStore, SafetyGate, classify_call, classify_tool  # noqa: E402
from massgen_tui.safety import rules as rules_module  # noqa: E402

IDENTITY = "npx -y @modelcontextprotocol/server-filesystem /work"


class NoopHook:
    name = "noop"

    async def before_call(self, call: ToolCall) -> None:
        return None

    async def after_call(self, call: ToolCall, outcome: CallOutcome) -> None:
        return None


def corpus_tools() -> list[ToolInfo]:
    tools = []
    for path in sorted(CORPUS.glob("*.json")):
        data = json.loads(path.read_text())
        tools += [ToolInfo.from_wire(t, server=data["server"]) for t in data["tools"]]
    return tools


async def per_call_us(hook: object, calls: list[ToolCall]) -> float:
    outcome = CallOutcome("ok", duration_s=0.001)
    samples = []
    for call in calls:
        start = time.perf_counter()
        await hook.before_call(call)  # type: ignore[attr-defined]
        await hook.after_call(call, outcome)  # type: ignore[attr-defined]
        samples.append((time.perf_counter() - start) * 1e6)
    return statistics.median(samples[len(samples) // 10 :])  # drop warm-up


async def gate_latency() -> None:
    write = ToolInfo.from_wire({"name": "write_file", "description": "Create a new file or overwrite an existing one",
                                "inputSchema": {"type": "object", "properties": {"path": {"type": "string"},
                                                                                 "content": {"type": "string"}}},
                                "annotations": {"destructiveHint": True}}, server="fs")
    read = ToolInfo.from_wire({"name": "read_text_file", "description": "Read a file",
                               "inputSchema": {"type": "object", "properties": {"path": {"type": "string"}}},
                               "annotations": {"readOnlyHint": True}}, server="fs")

    def calls(tool: ToolInfo, n: int) -> list[ToolCall]:
        return [ToolCall(f"c{i}", "fs", tool.name, {"path": f"/work/f{i}.txt", "content": "x" * 100},
                         IDENTITY, "a1", tool) for i in range(n)]

    n = 2000
    with tempfile.TemporaryDirectory() as tmp:
        async with await DecisionStore.open(Path(tmp) / "bench.sqlite3") as store:
            await store.add(kind="permission", scope="user", server_identity=IDENTITY, tool="write_file",
                            action="allow", definition_hash=write.definition_hash)
            gate = SafetyGate(SafetySettings(), store, None, Path(tmp))
            baseline = await per_call_us(NoopHook(), calls(write, n))
            stored = await per_call_us(gate, calls(write, n))
            reversible = await per_call_us(gate, calls(read, n))
            await store.flush()
            entries = len(await store.audit(limit=None))
            assert all(v.action == "allow" for v in gate.last_verdicts.values())
    print("1. gate latency per call (before_call + after_call, median, real store on disk)")
    print(f"   baseline no-op hook:            {baseline:8.1f} us")
    print(f"   stored allow (user rule):       {stored:8.1f} us   ({stored / baseline:6.0f}x baseline; "
          f"added {stored - baseline:.1f} us, goal < 1000 us)")
    print(f"   reversible tool (policy allow): {reversible:8.1f} us   ({reversible / baseline:6.0f}x baseline; "
          f"added {reversible - baseline:.1f} us, goal < 1000 us)")
    print(f"   audit entries written: {entries} (decision + result per call)")


def classification_speed() -> None:
    base = corpus_tools()
    tools = []
    for i in range(1000):
        t = base[i % len(base)]
        tools.append(replace(t, name=f"{t.name}_{i}", description=f"{t.description} (variant {i})"))
    rules_module._CACHE.clear()
    start = time.perf_counter()
    cold = [classify_tool(t) for t in tools]
    cold_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    for t in tools:
        classify_tool(t)
    warm_ms = (time.perf_counter() - start) * 1000
    irr = sum(c.irreversible for c in cold)
    print("2. classification of 1,000 distinct tools (rules, no LLM)")
    print(f"   cold (no cache): {cold_ms:8.1f} ms total, {cold_ms:.1f} us per tool")
    print(f"   warm (definition cache): {warm_ms:8.1f} ms total ({cold_ms / warm_ms:.1f}x faster than cold)")
    print(f"   {irr} irreversible, {1000 - irr} reversible")


def call_classification_speed() -> None:
    sql = ToolInfo.from_wire({"name": "execute_sql", "description": "Execute a SQL statement",
                              "inputSchema": {"properties": {"sql": {"type": "string"}}}}, server="db")
    shell = ToolInfo.from_wire({"name": "run_command", "description": "Run a shell command",
                                "inputSchema": {"properties": {"command": {"type": "string"}}}}, server="sh")
    cases = [(sql, {"sql": "SELECT a, b FROM t WHERE c = 'x' ORDER BY a"}),
             (sql, {"sql": "DELETE FROM t WHERE id = 3"}),
             (shell, {"command": "ls -la | grep py"}),
             (shell, {"command": "rm -rf build"})]
    n = 2000
    print("3. argument-dependent classification (classify_call), per call")
    for tool, args in cases:
        start = time.perf_counter()
        for _ in range(n):
            c = classify_call(tool, args)
        us = (time.perf_counter() - start) / n * 1e6
        print(f"   {tool.name}({json.dumps(args)[:50]}): {us:6.1f} us -> {c.verdict}")


if __name__ == "__main__":
    asyncio.run(gate_latency())
    classification_speed()
    call_classification_speed()
