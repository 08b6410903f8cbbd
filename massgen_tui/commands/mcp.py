"""``massgen-tui mcp tools CONFIG [--agent ID] [--json]``: connect a config's MCP servers and list
their tools. Imports the MCP client (and the SDK) only inside the handler.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(subparsers: Any) -> None:
    mcp = subparsers.add_parser("mcp", help="MCP servers of a config: list their tools", description=__doc__)
    sub = mcp.add_subparsers(dest="mcp_command", metavar="ACTION")
    tools = sub.add_parser(
        "tools",
        help="connect to a config's MCP servers and list each tool with its annotations",
        description=(
            "Connect to the MCP servers of a config (all agents, or one with --agent) and list each "
            "tool: prefixed name, title, description, annotations, and the server's status. Exit "
            "status: 0 all servers connected, 1 some failed, 2 unreadable config or unknown agent."
        ),
    )
    tools.add_argument("config", metavar="CONFIG", help="a MassGen config file (YAML)")
    tools.add_argument("--agent", metavar="ID", help="only this agent's servers")
    tools.add_argument("--json", action="store_true", help="print JSON: {servers: [{name, agent, status, error, tools}]}")
    tools.add_argument("--timeout", type=float, default=None, metavar="SECONDS", help="connect timeout per server")
    tools.set_defaults(handler=_tools)
    mcp.set_defaults(handler=lambda args: (mcp.print_help(), 2)[1])


def _tools(args: argparse.Namespace) -> int:
    import asyncio
    import logging

    from massgen_tui.config import ConfigError, load_document
    from massgen_tui.mcp import MCPServerError, MCPServerSpec

    logging.getLogger("mcp").setLevel(logging.CRITICAL)  # the SDK's teardown warnings are noise here
    try:
        doc = load_document(args.config)
        entries = [doc.agent(args.agent)] if args.agent else doc.agent_entries()
    except ConfigError as exc:
        print(f"massgen-tui mcp tools: {exc}", file=sys.stderr)
        return 2
    plan: list[tuple[str, list[MCPServerSpec]]] = []
    try:
        for entry in entries:
            specs = MCPServerSpec.from_backend(entry.backend)
            if args.timeout:
                from dataclasses import replace

                specs = [replace(s, timeout_s=args.timeout) for s in specs]
            plan.append((entry.id, specs))
    except MCPServerError as exc:
        where = f"{args.config}: {entry.location}.backend"
        print(f"massgen-tui mcp tools: {where}.{exc}", file=sys.stderr)
        return 2
    servers = asyncio.run(_collect(plan))
    if args.json:
        print(json.dumps({"servers": servers}, indent=2, default=str))
    else:
        _print_text(servers)
    return 1 if any(s["status"] != "ready" for s in servers) else 0


async def _collect(plan: list[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
    import asyncio

    from massgen_tui.mcp import ServerManager

    async def one_agent(agent: str, specs: list[Any]) -> list[dict[str, Any]]:
        if not specs:
            return []
        async with ServerManager(specs, agent=agent) as manager:
            out: list[dict[str, Any]] = []
            for name, state in manager.status().items():
                exposed = manager.tools(name) if state.ready else []
                hidden = [t.name for t in manager.all_tools(name) if t not in exposed]
                out.append(
                    {
                        "name": name,
                        "agent": agent,
                        "transport": state.transport,
                        "status": state.status,
                        "error": state.reason or None,
                        "stderr": (manager.stderr(name).strip()[-2000:] or None) if not state.ready else None,
                        "tools": [
                            {
                                "name": t.name,
                                "prefixed_name": t.prefixed_name,
                                "title": t.title or t.annotations.title,
                                "description": t.description,
                                "annotations": t.annotations.to_wire(),
                                "input_schema": dict(t.input_schema),
                            }
                            for t in exposed
                        ],
                        "hidden_tools": hidden,
                    }
                )
            return out

    results = await asyncio.gather(*(one_agent(agent, specs) for agent, specs in plan))
    return [server for group in results for server in group]


def _flags(annotations: dict[str, Any]) -> str:
    names = {"readOnlyHint": "read-only", "destructiveHint": "destructive", "idempotentHint": "idempotent",
             "openWorldHint": "open-world"}
    parts = []
    for key, label in names.items():
        if key in annotations:
            parts.append(label if annotations[key] else f"not {label}")
    return ", ".join(parts) if parts else "no annotations"


def _print_text(servers: list[dict[str, Any]]) -> None:
    if not servers:
        print("no MCP servers in this config")
        return
    for server in servers:
        head = f"{server['agent']}/{server['name']} ({server['transport']}): {server['status']}"
        if server["status"] == "ready":
            head += f", {len(server['tools'])} tools"
            if server["hidden_tools"]:
                head += f" ({len(server['hidden_tools'])} hidden by allowed_tools/exclude_tools)"
        print(head)
        if server["error"]:
            print(f"  error: {server['error']}")
        for tool in server["tools"]:
            title = f" - {tool['title']}" if tool["title"] else ""
            print(f"  {tool['prefixed_name']}{title}  [{_flags(tool['annotations'])}]")
            if tool["description"]:
                print(f"      {tool['description'].strip().splitlines()[0][:100]}")
