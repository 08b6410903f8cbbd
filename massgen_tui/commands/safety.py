"""``massgen-tui safety classify|decisions|audit``: classify tools, see and change stored decisions, read the audit log.

Only the standard library is imported here; the safety core, the store (aiosqlite) and the MCP
client are imported inside the handlers.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

PROG = "massgen-tui safety"


def register(subparsers: Any) -> None:
    safety = subparsers.add_parser(
        "safety", help="MCP tool safety: classify tools, stored decisions, audit log", description=__doc__
    )
    safety.add_argument("--store", metavar="PATH", help="the store file (default: $MASSGEN_TUI_STORE or the "
                        "user data directory)")
    sub = safety.add_subparsers(dest="safety_command", metavar="ACTION")

    classify = sub.add_parser(
        "classify",
        help="classify every tool of a config's MCP servers, or of a tool list file",
        description="Classify tools as reversible or irreversible. FILE is a server's tool list as JSON: the "
        "tools/list result ({\"tools\": [...]}, wire form) or an object with a 'tools' key (and optionally "
        "'server'). With --config, the config's MCP servers are started to list their tools, and safety.rules, "
        "safety.trusted_servers and safety.llm apply. Exit status: 0 done, 1 some server failed to start, "
        "2 unreadable input.",
    )
    source = classify.add_mutually_exclusive_group(required=True)
    source.add_argument("--config", metavar="CONFIG", help="a MassGen config file (YAML)")
    source.add_argument("--tools", metavar="FILE", help="a tool list as JSON")
    classify.add_argument("--agent", metavar="ID", help="with --config: only this agent's servers")
    classify.add_argument("--server", metavar="NAME", help="with --tools: the server's name (default: the file's "
                          "'server' key or its stem)")
    classify.add_argument("--json", action="store_true", help='print {"tools": [{server, name, verdict, '
                          "confidence, reasons, signals, recommendation}]}")
    classify.add_argument("--no-llm", action="store_true", help="rules only, even when safety.llm is configured")
    classify.set_defaults(handler=_classify)

    decisions = sub.add_parser("decisions", help="list, add or revoke stored allow/deny decisions and overrides",
                               description="Stored decisions. Precedence: a deny at any scope wins; otherwise "
                               "the most specific scope (session > workspace > user). See 'decisions list'.")
    dsub = decisions.add_subparsers(dest="decisions_command", metavar="ACTION")
    listing = dsub.add_parser("list", help="stored decisions and the precedence rules")
    listing.add_argument("--all", action="store_true", help="include revoked decisions")
    listing.add_argument("--json", action="store_true", help='print {"decisions": [...], "precedence": [...]}')
    listing.set_defaults(handler=_decisions_list)
    for action in ("allow", "deny", "override"):
        helps = {"allow": "always allow a tool (workspace or user scope)",
                 "deny": "always deny a tool (workspace or user scope)",
                 "override": "store a classification override (reversible or irreversible) for a tool"}
        p = dsub.add_parser(action, help=helps[action], description=helps[action] + ". Identify the server by "
                            "--server-identity (its command and args, or URL) or by --config CONFIG --server NAME.")
        target = p.add_mutually_exclusive_group(required=True)
        target.add_argument("--server-identity", metavar="IDENTITY", help="the server's command + args, or URL")
        target.add_argument("--config", metavar="CONFIG", help="find the server in this config (with --server)")
        p.add_argument("--server", metavar="NAME", help="the server's name in the config")
        p.add_argument("--agent", metavar="ID", help="with --config: the agent whose server it is")
        p.add_argument("--tool", required=True, help="tool name or glob ('*' for every tool of the server)")
        p.add_argument("--scope", choices=("workspace", "user"), default="user", help="default: user")
        p.add_argument("--workspace", metavar="DIR", help="the workspace directory (default: current directory)")
        p.add_argument("--arg", action="append", default=[], metavar="NAME=GLOB",
                       help="only calls whose argument NAME matches GLOB (repeatable)")
        p.add_argument("--reason", default="", help="why (shown when the rule decides)")
        if action == "override":
            p.add_argument("--verdict", required=True, choices=("reversible", "irreversible"))
        p.set_defaults(handler=_decisions_add, decisions_action=action)
    revoke = dsub.add_parser("revoke", help="revoke a stored decision by id (kept, marked revoked)")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(handler=_decisions_revoke)
    decisions.set_defaults(handler=_decisions_list, all=False, json=False)

    audit = sub.add_parser("audit", help="the append-only audit log of gated calls",
                           description="Every gated call: who decided (human, stored-rule, policy, timeout), "
                           "when, the arguments (secrets redacted) and the result.")
    audit.add_argument("--since", metavar="WHEN", help="a date/time (2026-01-31, 2026-01-31T12:00) or an age "
                       "(30m, 12h, 7d)")
    audit.add_argument("--limit", type=int, default=200, metavar="N", help="at most N entries (default 200, 0: all)")
    audit.add_argument("--json", action="store_true", help='print {"entries": [...]}')
    audit.set_defaults(handler=_audit)
    safety.set_defaults(handler=lambda args: (safety.print_help(), 2)[1])


# ------------------------------------------------------------------------------------- helpers
def _fail(message: str, code: int = 2) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return code


def _run(coro: Any) -> Any:
    import asyncio

    return asyncio.run(coro)


def _load_settings(doc: Any) -> Any:
    from pydantic import ValidationError

    from massgen_tui.config.safety import SafetySettings
    from massgen_tui.safety import SafetyError

    raw = doc.data.get("safety") if hasattr(doc.data, "get") else None
    try:
        return SafetySettings.model_validate(dict(raw) if raw else {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SafetyError(f"{doc.path if hasattr(doc, 'path') else 'config'}: safety.{where}: {first['msg']}") from exc


def _read_tool_file(path: str, server: str | None) -> list[Any]:
    from massgen_tui.mcp.types import ToolInfo
    from massgen_tui.safety import SafetyError

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SafetyError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise SafetyError(f"{path}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from exc
    if isinstance(data, dict) and isinstance(data.get("result"), dict):  # a whole JSON-RPC response
        data = data["result"]
    if isinstance(data, list):
        data = {"tools": data}
    if not isinstance(data, dict) or not isinstance(data.get("tools"), list):
        raise SafetyError(f"{path}: expected an object with a 'tools' list (the tools/list result)")
    name = server or str(data.get("server") or Path(path).stem)
    tools = []
    for i, entry in enumerate(data["tools"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
            raise SafetyError(f"{path}: tools[{i}] has no 'name'")
        tools.append(ToolInfo.from_wire(entry, server=name))
    return tools


# ------------------------------------------------------------------------------------ classify
def _classify(args: argparse.Namespace) -> int:
    from massgen_tui.safety import SafetyError

    try:
        return int(_run(_classify_async(args)))
    except SafetyError as exc:
        return _fail(str(exc))


async def _classify_async(args: argparse.Namespace) -> int:
    from massgen_tui.config.safety import SafetySettings
    from massgen_tui.safety import SafetyError, classify_tool

    settings = SafetySettings()
    config_data: Any = None
    failed: list[str] = []
    if args.tools:
        tools = _read_tool_file(args.tools, args.server)
    else:
        from massgen_tui.config import ConfigError, load_document

        try:
            doc = load_document(args.config)
        except ConfigError as exc:
            raise SafetyError(str(exc)) from exc
        settings = _load_settings(doc)
        config_data = doc.data
        tools, failed = await _tools_of_config(doc, args.agent)

    llm_answers: dict[str, Any] = {}
    llm_error: str | None = None
    if settings.llm is not None and not args.no_llm and tools:
        from massgen_tui.safety.decision_store import DecisionStore
        from massgen_tui.safety.llm import LLMClassifier, endpoint_from_settings

        endpoint = endpoint_from_settings(settings.llm, config_data)
        store = await DecisionStore.open(args.store)
        try:
            result = await LLMClassifier(endpoint, store).classify(tools)
        finally:
            await store.close()
        llm_answers, llm_error = result.answers, result.error
        if llm_error:
            print(f"{PROG}: {llm_error}; the rules alone classified those tools", file=sys.stderr)

    out = []
    for tool in tools:
        trusted = tool.server in settings.trusted_servers
        c = classify_tool(tool, trusted=trusted, rules=settings.rules, llm=llm_answers.get(tool.definition_hash))
        out.append(c)
    if args.json:
        print(json.dumps({"tools": [c.to_dict() for c in out]}, indent=2))
    else:
        if not out:
            print("no tools")
        for c in out:
            reason = c.reasons[0] if c.reasons else ""
            print(f"{c.verdict:12} {c.confidence:4.2f}  {c.recommendation:17} {c.server}/{c.tool}")
            if reason:
                print(f"{'':36}{reason[:100]}")
        irr = sum(1 for c in out if c.irreversible)
        print(f"{len(out)} tools: {irr} irreversible, {len(out) - irr} reversible")
    for name in failed:
        print(f"{PROG}: server {name} did not start; its tools were not classified", file=sys.stderr)
    return 1 if failed else 0


async def _tools_of_config(doc: Any, agent: str | None) -> tuple[list[Any], list[str]]:
    import logging

    from massgen_tui.config import ConfigError
    from massgen_tui.mcp import MCPServerError, MCPServerSpec, ServerManager
    from massgen_tui.safety import SafetyError

    logging.getLogger("mcp").setLevel(logging.CRITICAL)
    try:
        entries = [doc.agent(agent)] if agent else doc.agent_entries()
    except ConfigError as exc:
        raise SafetyError(str(exc)) from exc
    tools: list[Any] = []
    failed: list[str] = []
    seen: set[tuple[str, str]] = set()
    for entry in entries:
        try:
            specs = MCPServerSpec.from_backend(entry.backend)
        except MCPServerError as exc:
            raise SafetyError(f"{entry.location}.backend: {exc}") from exc
        specs = [s for s in specs if (s.name, s.identity) not in seen]
        seen.update((s.name, s.identity) for s in specs)
        if not specs:
            continue
        async with ServerManager(specs, agent=entry.id) as manager:
            for name, state in manager.status().items():
                if state.ready:
                    tools += manager.tools(name)
                else:
                    failed.append(f"{entry.id}/{name} ({state.reason})")
    return tools, failed


# ----------------------------------------------------------------------------------- decisions
def _decisions_list(args: argparse.Namespace) -> int:
    from massgen_tui.safety import PRECEDENCE, DecisionStore, SafetyError
    from massgen_tui.store import StoreError

    async def go() -> list[Any]:
        async with await DecisionStore.open(args.store) as store:
            return await store.list(include_revoked=args.all)

    try:
        decisions = _run(go())
    except (SafetyError, StoreError) as exc:
        return _fail(str(exc))
    if args.json:
        print(json.dumps({"decisions": [d.to_dict() for d in decisions], "precedence": list(PRECEDENCE)}, indent=2))
        return 0
    if not decisions:
        print("no stored decisions")
    for d in decisions:
        revoked = "  (revoked)" if d.revoked_at else ""
        reason = f"  - {d.reason}" if d.reason else ""
        print(f"{d.describe()}{revoked}{reason}")
        print(f"      server: {d.server_identity}")
    print("\nprecedence:")
    for line in PRECEDENCE:
        print(f"  {line}")
    return 0


def _identity(args: argparse.Namespace) -> tuple[str, str]:
    from massgen_tui.safety import SafetyError

    if args.server_identity:
        return args.server_identity, args.server or ""
    if not args.server:
        raise SafetyError("with --config, name the server with --server NAME")
    from massgen_tui.config import ConfigError, load_document
    from massgen_tui.mcp import MCPServerError, MCPServerSpec

    try:
        doc = load_document(args.config)
        entries = [doc.agent(args.agent)] if args.agent else doc.agent_entries()
        found = [s for e in entries for s in MCPServerSpec.from_backend(e.backend) if s.name == args.server]
    except (ConfigError, MCPServerError) as exc:
        raise SafetyError(str(exc)) from exc
    if not found:
        raise SafetyError(f"{args.config}: no MCP server named {args.server!r}")
    identities = {s.identity for s in found}
    if len(identities) > 1:
        raise SafetyError(f"{args.config}: agents define {args.server!r} differently; pick one with --agent")
    return found[0].identity, args.server


def _decisions_add(args: argparse.Namespace) -> int:
    from massgen_tui.safety import DecisionStore, SafetyError
    from massgen_tui.store import StoreError

    try:
        identity, name = _identity(args)
        pattern: dict[str, str] = {}
        for item in args.arg:
            key, sep, glob = item.partition("=")
            if not sep or not key:
                raise SafetyError(f"--arg {item!r}: expected NAME=GLOB")
            pattern[key] = glob
        workspace = str(Path(args.workspace or ".").resolve()) if args.scope == "workspace" else ""

        async def go() -> Any:
            async with await DecisionStore.open(args.store) as store:
                kind = "classification" if args.decisions_action == "override" else "permission"
                return await store.add(
                    kind=kind, scope=args.scope, server_identity=identity, server_name=name, tool=args.tool,
                    action=None if kind == "classification" else args.decisions_action,
                    verdict=getattr(args, "verdict", None), scope_key=workspace, arg_pattern=pattern,
                    reason=args.reason, created_by="cli")

        decision = _run(go())
    except (SafetyError, StoreError) as exc:
        return _fail(str(exc))
    print(f"stored {decision.describe()}")
    return 0


def _decisions_revoke(args: argparse.Namespace) -> int:
    from massgen_tui.safety import DecisionStore, SafetyError
    from massgen_tui.store import StoreError

    async def go() -> Any:
        async with await DecisionStore.open(args.store) as store:
            return await store.revoke(args.id)

    try:
        decision = _run(go())
    except (SafetyError, StoreError) as exc:
        return _fail(str(exc))
    if decision is None:
        return _fail(f"no active decision #{args.id} (see '{PROG} decisions list --all')", 1)
    print(f"revoked {decision.describe()}")
    return 0


# --------------------------------------------------------------------------------------- audit
def parse_since(text: str, now: float | None = None) -> float:
    """``30m``/``12h``/``7d``/``90s`` ago, or an ISO date/time (local time unless it has an offset)."""
    from datetime import datetime

    now = time.time() if now is None else now
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*", text)
    if match:
        unit = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[match.group(2)]
        return now - float(match.group(1)) * unit
    try:
        return datetime.fromisoformat(text.strip()).timestamp()
    except ValueError:
        raise ValueError(f"--since {text!r}: use an age like 30m, 12h, 7d or a date like 2026-01-31T12:00") from None


def _audit(args: argparse.Namespace) -> int:
    from datetime import datetime

    from massgen_tui.safety import DecisionStore, SafetyError
    from massgen_tui.store import StoreError

    try:
        since = parse_since(args.since) if args.since else None
    except ValueError as exc:
        return _fail(str(exc))

    async def go() -> list[Any]:
        async with await DecisionStore.open(args.store) as store:
            return await store.audit(since=since, limit=args.limit or None)

    try:
        entries = _run(go())
    except (SafetyError, StoreError) as exc:
        return _fail(str(exc))
    if args.json:
        print(json.dumps({"entries": [e.to_dict() for e in entries]}, indent=2, default=str))
        return 0
    if not entries:
        print("no audit entries" + (" since then" if since else ""))
    for e in entries:
        when = datetime.fromtimestamp(e.ts).isoformat(timespec="seconds")
        if e.event == "decision":
            args_text = json.dumps(e.arguments, ensure_ascii=False)[:120]
            print(f"{when} {e.action:5} by {e.decider:11} {e.server}/{e.tool} ({e.verdict}) {args_text}")
            if e.reason:
                print(f"{'':20}{e.reason[:140]}")
        else:
            extra = f": {e.error[:100]}" if e.error else ""
            print(f"{when} result {e.result} {e.server}/{e.tool}{extra}")
    return 0
