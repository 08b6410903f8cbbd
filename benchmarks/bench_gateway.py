"""What the gateway adds to a tool call, against calling the upstream server directly.

The same client (the SDK's ClientSession) calls the same tool ('echo' of
tests/support/servers/toolbox_server.py) with the same arguments, in alternating blocks so that
machine noise hits every path alike:

- stdio, direct:   client -> stdio -> toolbox
- stdio, gateway:  client -> stdio -> `massgen-tui gateway --stdio` (safety gate, store, audit) -> stdio -> toolbox
- HTTP, direct:    client -> streamable HTTP -> toolbox
- HTTP, gateway:   client -> streamable HTTP + bearer token -> `massgen-tui gateway --listen` -> stdio -> toolbox

'echo' is annotated read-only, so the gate classifies it, finds no stored decision and allows it
by policy; every call still writes two audit rows. Printed: per-call medians and means per path and
the gateway's added latency (gateway minus direct, same transport). Goal: under 2 ms per call.

    .venv/bin/python benchmarks/bench_gateway.py [--calls N] [--block N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOOLBOX = ROOT / "tests" / "support" / "servers" / "toolbox_server.py"
ARGS = {"text": "hello from the benchmark"}
TOKEN = "benchmark-token-" + "b" * 32


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_port(port: int, timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


async def http_client(stack: AsyncExitStack, url: str, token: str | None) -> Any:
    from mcp.client.session import ClientSession
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    headers = {"Authorization": f"Bearer {token}"} if token else None
    client = await stack.enter_async_context(create_mcp_http_client(headers=headers))
    streams = await stack.enter_async_context(streamable_http_client(url, http_client=client))
    session = await stack.enter_async_context(ClientSession(streams[0], streams[1]))
    await session.initialize()
    return session


async def stdio_client_session(stack: AsyncExitStack, command: str, args: list[str], errlog: Any) -> Any:
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    params = StdioServerParameters(command=command, args=args, env=dict(os.environ), cwd=str(ROOT))
    read, write = await stack.enter_async_context(stdio_client(params, errlog=errlog))
    session = await stack.enter_async_context(ClientSession(read, write))
    await session.initialize()
    return session


async def bench(calls: int, block: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-gateway-"))
    config = tmp / "massgen.yaml"
    server = {"name": "tb", "type": "stdio", "command": sys.executable, "args": [str(TOOLBOX)]}
    config.write_text(json.dumps({"agents": [{"id": "a1", "backend": {"type": "openai", "model": "m",
                                                                      "mcp_servers": [server]}}]}))
    token_file = tmp / "token"
    token_file.write_text(TOKEN)
    token_file.chmod(0o600)
    store = tmp / "store.sqlite3"
    errlog = (tmp / "stderr.log").open("w")
    http_port = free_port()
    toolbox_http = subprocess.Popen(
        [sys.executable, str(TOOLBOX), "--transport", "http", "--port", str(http_port)],
        stdout=errlog, stderr=errlog, start_new_session=True,
    )
    gateway_http = subprocess.Popen(
        [sys.executable, "-m", "massgen_tui", "gateway", str(config), "--listen", "127.0.0.1:0",
         "--token-file", str(token_file), "--store", str(store)],
        stdout=subprocess.PIPE, stderr=errlog, text=True, cwd=str(ROOT), start_new_session=True,
    )
    try:
        assert gateway_http.stdout is not None
        line = await asyncio.to_thread(gateway_http.stdout.readline)
        match = re.search(r"listening on (\S+)", line)
        if not match:
            raise RuntimeError(f"the HTTP gateway did not start: {line!r}")
        gateway_url = match.group(1)
        await wait_port(http_port)
        async with AsyncExitStack() as stack:
            sessions = {
                "stdio, direct": await stdio_client_session(stack, sys.executable, [str(TOOLBOX)], errlog),
                "stdio, gateway": await stdio_client_session(
                    stack, sys.executable,
                    ["-m", "massgen_tui", "gateway", str(config), "--stdio", "--store", str(store)], errlog),
                "HTTP, direct": await http_client(stack, f"http://127.0.0.1:{http_port}/mcp", None),
                "HTTP, gateway": await http_client(stack, gateway_url, TOKEN),
            }
            tool = {"stdio, direct": "echo", "HTTP, direct": "echo", "stdio, gateway": "tb__echo",
                    "HTTP, gateway": "tb__echo"}
            runners: dict[str, Callable[[], Awaitable[Any]]] = {
                name: (lambda s=session, t=tool[name]: s.call_tool(t, ARGS)) for name, session in sessions.items()
            }
            for name, fn in runners.items():  # warm up, and check every path really answers
                for _ in range(20):
                    result = await fn()
                    if result.is_error or result.content[0].text != ARGS["text"]:
                        raise RuntimeError(f"{name}: unexpected answer {result}")
            samples: dict[str, list[float]] = {name: [] for name in runners}
            done = 0
            while done < calls:
                for name, fn in runners.items():
                    for _ in range(block):
                        t = time.perf_counter()
                        await fn()
                        samples[name].append(time.perf_counter() - t)
                done += block
    finally:
        for proc in (gateway_http, toolbox_http):
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        errlog.close()

    print(f"Gateway latency, {calls} calls per path, tool 'echo' (same server program), alternating blocks of {block}")
    print(f"{'':16} {'median ms':>10} {'mean ms':>10} {'p90 ms':>9}")
    for name, values in samples.items():
        p90 = statistics.quantiles(values, n=10)[-1]
        print(f"{name:16} {statistics.median(values) * 1e3:10.3f} {statistics.fmean(values) * 1e3:10.3f} "
              f"{p90 * 1e3:9.3f}")
    for transport in ("stdio", "HTTP"):
        direct, via = samples[f"{transport}, direct"], samples[f"{transport}, gateway"]
        added_med = (statistics.median(via) - statistics.median(direct)) * 1e3
        added_mean = (statistics.fmean(via) - statistics.fmean(direct)) * 1e3
        verdict = "meets" if added_med < 2.0 else "MISSES"
        print(f"added by the gateway over {transport}: {added_med:+.3f} ms median, {added_mean:+.3f} ms mean per call "
              f"(ratio {statistics.median(via) / statistics.median(direct):.2f}; {verdict} the 2 ms goal)")


async def bench_in_process(calls: int, block: int) -> None:
    """The gateway's own work per call, without the extra process hop: a client on in-memory streams
    -> the gateway's MCP server -> ServerManager with the safety gate -> stdio -> toolbox, against
    ServerManager.call_tool (no hooks) -> stdio -> the same toolbox program."""
    import anyio
    from mcp.client.session import ClientSession
    from mcp.shared.memory import create_client_server_memory_streams

    from massgen_tui.config.safety import SafetySettings
    from massgen_tui.gateway import Gateway
    from massgen_tui.mcp import MCPServerSpec, ServerManager
    from massgen_tui.safety import DecisionStore, DenyingApprover, SafetyGate

    tmp = Path(tempfile.mkdtemp(prefix="bench-gateway-inproc-"))
    spec = MCPServerSpec.from_mapping({"name": "tb", "command": sys.executable, "args": [str(TOOLBOX)]})
    async with AsyncExitStack() as stack:
        store = await DecisionStore.open(tmp / "store.sqlite3")
        stack.push_async_callback(store.close)
        gate = SafetyGate(SafetySettings(), store, DenyingApprover(), tmp)
        direct = await stack.enter_async_context(ServerManager([spec]))
        bare_gateway = await stack.enter_async_context(Gateway([spec]))
        gated_gateway = await stack.enter_async_context(Gateway([spec], hooks=[gate]))
        tg = await stack.enter_async_context(anyio.create_task_group())
        stack.callback(tg.cancel_scope.cancel)
        sessions = {}
        for name, gateway in (("gateway, no gate", bare_gateway), ("gateway + gate", gated_gateway)):
            client_streams, server_streams = await stack.enter_async_context(create_client_server_memory_streams())
            tg.start_soon(gateway.serve_streams, *server_streams)
            session = await stack.enter_async_context(ClientSession(*client_streams))
            await session.initialize()
            sessions[name] = session
        runners: dict[str, Callable[[], Awaitable[Any]]] = {
            "manager, direct": lambda: direct.call_tool("tb", "echo", ARGS),
            "gateway, no gate": lambda: sessions["gateway, no gate"].call_tool("tb__echo", ARGS),
            "gateway + gate": lambda: sessions["gateway + gate"].call_tool("tb__echo", ARGS),
        }
        for fn in runners.values():
            for _ in range(20):
                await fn()
        samples: dict[str, list[float]] = {name: [] for name in runners}
        done = 0
        while done < calls:
            for name, fn in runners.items():
                for _ in range(block):
                    t = time.perf_counter()
                    await fn()
                    samples[name].append(time.perf_counter() - t)
            done += block
    base = statistics.median(samples["manager, direct"])
    print()
    print("In-process (no extra process hop): the gateway's protocol layer and the safety gate")
    print(f"{'':18} {'median ms':>10} {'mean ms':>10} {'+median ms':>11}")
    for name, values in samples.items():
        med = statistics.median(values)
        print(f"{name:18} {med * 1e3:10.3f} {statistics.fmean(values) * 1e3:10.3f} {(med - base) * 1e3:+11.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--block", type=int, default=50)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (other processes add noise)")
    asyncio.run(bench(args.calls, args.block))
    asyncio.run(bench_in_process(args.calls, args.block))


if __name__ == "__main__":
    main()
