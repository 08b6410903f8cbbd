"""``massgen-tui gateway CONFIG``: serve a config's MCP servers as one MCP server, every call through
the safety gate. Imports the gateway, the mcp SDK, uvicorn and aiosqlite only inside the handler.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

DEFAULT_LISTEN = "127.0.0.1:8765"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "gateway",
        help="serve a config's MCP servers to any MCP client (Claude Code, Codex, MassGen) through the safety gate",
        description=(
            "Serve one MCP server that re-exposes the tools of CONFIG's MCP servers as <server>__<tool>. "
            "Every call passes massgen-tui's safety gate: stored decisions and the config's 'safety:' "
            "defaults apply, calls that need a human are asked on the terminal (/dev/tty), and decisions "
            "and results go to the same store and audit log as the app. A denied call returns a tool error "
            "and never reaches the upstream server. Over HTTP, clients must send 'Authorization: Bearer "
            "<token>'. Exit status: 0 stopped, 1 could not serve, 2 bad config or arguments."
        ),
    )
    parser.add_argument("config", metavar="CONFIG", help="a MassGen config file (YAML)")
    parser.add_argument("--agent", metavar="ID", help="serve only this agent's MCP servers (default: every agent's)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--stdio", action="store_true", help="serve one client on stdin/stdout (the client starts us)")
    mode.add_argument(
        "--listen",
        metavar="HOST:PORT",
        help=f"serve streamable HTTP at http://HOST:PORT/mcp (default {DEFAULT_LISTEN}; port 0 picks a free one)",
    )
    parser.add_argument(
        "--token-file",
        metavar="FILE",
        help="the bearer token HTTP clients must send: read from FILE (mode 0600), or generated and written "
        "there if FILE does not exist (default: gateway.token in massgen-tui's data folder)",
    )
    parser.add_argument(
        "--approvals",
        choices=("prompt", "deny"),
        default="prompt",
        help="calls that need a human: ask on the terminal (/dev/tty; denied when there is none), or deny them",
    )
    parser.add_argument(
        "--allow-remote", action="store_true", help="allow listening on an address other machines can reach"
    )
    parser.add_argument("--store", metavar="PATH", help="the safety store (default: $MASSGEN_TUI_STORE or the user's)")
    parser.add_argument(
        "--workspace", metavar="DIR", help="the directory workspace-scoped decisions apply to (default: current)"
    )
    parser.set_defaults(handler=_gateway)


def _say(text: str) -> None:
    print(f"massgen-tui gateway: {text}", file=sys.stderr, flush=True)


def _gateway(args: argparse.Namespace) -> int:
    import asyncio
    import logging

    from massgen_tui.gateway import GatewayError, ListenAddress
    from massgen_tui.gateway.setup import plan_gateway, safety_settings

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="massgen-tui gateway: %(message)s")
    for noisy in ("mcp", "uvicorn", "uvicorn.error", "httpx"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    try:
        plan = plan_gateway(args.config, args.agent)
        safety_settings(plan)  # bad settings are a config error, reported before anything starts
        address = None if args.stdio else ListenAddress.parse(args.listen or DEFAULT_LISTEN)
        if address is not None:
            address.check(allow_remote=args.allow_remote)
        token = None if address is None else _token(args.token_file)
    except GatewayError as exc:
        _say(str(exc))
        return 2
    try:
        return asyncio.run(_serve(args, plan, address, token))
    except GatewayError as exc:
        _say(str(exc))
        return 1


def _token(token_file: str | None) -> str:
    from pathlib import Path

    from massgen_tui.gateway.auth import default_token_path, load_or_create_token

    path = Path(token_file).expanduser() if token_file else default_token_path()
    token, created = load_or_create_token(path)
    if created:
        _say(f"generated a new bearer token in {path} (mode 0600): {token}")
    return token


def _approver(mode: str, stdio: bool) -> Any:
    import os

    from massgen_tui.safety.approval import DenyingApprover, TerminalApprover

    if mode == "deny":
        return DenyingApprover("the gateway runs with --approvals deny: calls that need approval are denied")
    try:
        os.close(os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY))
    except OSError:
        _say("no terminal (/dev/tty) to ask on: calls that need approval will be denied (fail closed)")
        return DenyingApprover("no terminal to ask on: the gateway runs without one (fail closed)")
    where = "this terminal (/dev/tty), which the client shares" if stdio else "this terminal"
    _say(f"calls that need approval will be asked on {where}")
    return TerminalApprover("/dev/tty")


async def _serve(args: argparse.Namespace, plan: Any, address: Any, token: str | None) -> int:
    import asyncio
    import signal


    # SIGTERM stops the gateway like Ctrl-C does: upstream servers are closed, the audit log flushed.
    task = asyncio.current_task()
    if task is not None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    try:
        return await _run(args, plan, address, token)
    except asyncio.CancelledError:
        return 0


async def _run(args: argparse.Namespace, plan: Any, address: Any, token: str | None) -> int:
    from massgen_tui.gateway.setup import open_gateway

    approver = _approver(args.approvals, args.stdio)
    async with open_gateway(plan, approver, store_path=args.store, workspace=args.workspace) as gateway:
        status = gateway.status()
        ready = [name for name, state in status.items() if state.ready]
        for name, state in status.items():
            if not state.ready:
                _say(f"MCP server {name!r} is {state.status}: {state.reason}")
        if not ready:
            _say("no MCP server could start; nothing to serve")
            return 1
        _say(f"serving {len(gateway.routes())} tools of {', '.join(ready)}; store {gateway.store.path}")
        if address is None:
            await gateway.serve_stdio()
            return 0
        listener = await gateway.start_http(address, token, allow_remote=args.allow_remote)
        print(f"massgen-tui gateway listening on {listener.url}", flush=True)
        try:
            await listener.wait()
        finally:
            await listener.aclose()
    return 0
