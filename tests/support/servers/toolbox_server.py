"""A test MCP server written with the SDK: run over stdio or streamable HTTP on 127.0.0.1.

Every tool call is appended to a JSON-lines record file (``--record`` or ``$TOOLBOX_RECORD``) the
moment it arrives, so a test can prove that a call the client denied never reached the server.
A slow tool reports progress and records when it is cancelled; a crash tool kills the process.

    python toolbox_server.py [--transport stdio|http|sse] [--port N] [--record FILE] [--fail-start]
                             [--fail-start-if FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations

RECORD: Path | None = None


def record(event: str, tool: str, arguments: dict[str, Any]) -> None:
    if RECORD is None:
        return
    line = json.dumps({"event": event, "tool": tool, "arguments": arguments, "pid": os.getpid(), "t": time.time()})
    with RECORD.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")
        fh.flush()


server = MCPServer("toolbox", instructions="Tools for massgen-tui's tests.")

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
DESTRUCTIVE = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=False)


@server.tool(title="Echo", description="Return the text unchanged.", annotations=READ_ONLY)
def echo(text: str) -> str:
    record("call", "echo", {"text": text})
    return text


@server.tool(description="Add two integers.", annotations=READ_ONLY)
def add(a: int, b: int) -> str:
    record("call", "add", {"a": a, "b": b})
    return str(a + b)


@server.tool(description="Sleep for a while, reporting progress each step.")
async def slow(seconds: float, ctx: Context, steps: int = 4) -> str:
    record("call", "slow", {"seconds": seconds, "steps": steps})
    try:
        for step in range(steps):
            await ctx.report_progress(step, steps, f"step {step + 1} of {steps}")
            await asyncio.sleep(seconds / steps)
        await ctx.report_progress(steps, steps, "done")
    except asyncio.CancelledError:
        record("cancelled", "slow", {"seconds": seconds, "steps": steps})
        raise
    record("finished", "slow", {"seconds": seconds, "steps": steps})
    return f"slept {seconds}s"


@server.tool(description="Kill this server process at once (simulates a crash).", annotations=DESTRUCTIVE)
def crash(code: int = 3) -> str:
    record("call", "crash", {"code": code})
    print(f"toolbox: crashing with exit code {code}", file=sys.stderr, flush=True)
    os._exit(code)


@server.tool(description="Delete a file from the workspace (records only; deletes nothing).", annotations=DESTRUCTIVE)
def delete_file(path: str) -> str:
    record("call", "delete_file", {"path": path})
    return f"deleted {path}"


@server.tool(description="Write a note to the notebook (records only).", annotations=DESTRUCTIVE)
def write_note(title: str, body: str = "") -> str:
    record("call", "write_note", {"title": title, "body": body})
    return f"wrote {title} ({len(body)} chars)"


@server.tool(description="Always fails with a tool error.")
def fail(message: str = "this tool always fails") -> str:
    record("call", "fail", {"message": message})
    raise ToolError(message)


@server.tool(description="Return the process id of the server.", annotations=READ_ONLY)
def whoami() -> str:
    record("call", "whoami", {})
    return str(os.getpid())


@server.tool(description="Add a tool named NAME to this server and tell the client the list changed.")
async def grow(name: str, ctx: Context) -> str:
    record("call", "grow", {"name": name})

    def grown(text: str = "") -> str:
        record("call", name, {"text": text})
        return f"{name}: {text}"

    server.add_tool(grown, name=name, description=f"A tool added at run time ({name}).")
    await ctx.session.send_tool_list_changed()  # the notification most published servers send
    return f"added {name}"


@server.tool(description="Return the value of an HTTP request header (HTTP transports only).", annotations=READ_ONLY)
def request_header(name: str, ctx: Context) -> str:
    record("call", "request_header", {"name": name})
    headers = ctx.headers or {}
    lowered = {k.lower(): v for k, v in headers.items()}
    return lowered.get(name.lower(), "<absent>")


@server.resource("note://readme", name="readme", description="The toolbox's readme.", mime_type="text/plain")
def readme() -> str:
    return "toolbox readme"


@server.resource("note://{title}", name="note", description="A note by title.")
def note(title: str) -> str:
    return f"note {title}"


@server.prompt(description="Ask for a review of a file.")
def review(path: str) -> str:
    return f"Please review {path}."


def main() -> None:
    global RECORD
    parser = argparse.ArgumentParser()
    parser.add_argument("--transport", choices=["stdio", "http", "sse"], default="stdio")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--record", default=os.environ.get("TOOLBOX_RECORD", ""))
    parser.add_argument("--fail-start", action="store_true", help="print an error to stderr and exit 3")
    parser.add_argument("--fail-start-if", default="", help="behave like --fail-start while this file exists")
    args = parser.parse_args()
    if args.fail_start or (args.fail_start_if and Path(args.fail_start_if).exists()):
        print("toolbox: cannot start: missing license key TOOLBOX_LICENSE", file=sys.stderr, flush=True)
        raise SystemExit(3)
    RECORD = Path(args.record) if args.record else None
    print(f"toolbox: starting over {args.transport} pid={os.getpid()}", file=sys.stderr, flush=True)
    if args.transport == "stdio":
        server.run("stdio")
    elif args.transport == "sse":
        server.settings.log_level = "WARNING"
        server.run("sse", host="127.0.0.1", port=args.port)
    else:
        server.settings.log_level = "WARNING"
        server.run("streamable-http", host="127.0.0.1", port=args.port)


if __name__ == "__main__":
    main()
