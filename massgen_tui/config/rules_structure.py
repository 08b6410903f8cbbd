"""The shape of the file: a mapping, agents present once, legacy spellings, unknown keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from massgen_tui.config import vocabulary as vocab
from massgen_tui.config.locations import format_location
from massgen_tui.config.validation import Checker, did_you_mean

# MassGen V1 keys: rejected by MassGen since V2.
V1_KEYS = ("models", "model_configs", "num_agents", "max_rounds", "consensus_threshold", "voting_enabled",
           "enable_voting")


def check_root(checker: Checker) -> None:
    data = checker.data
    if data is None:
        checker.error("", "the config is empty", "start from a preset: massgen-tui init --preset single",
                      code="root-type")
    elif not isinstance(data, Mapping):
        kind = "a list" if isinstance(data, list) else f"a single value ({type(data).__name__})"
        checker.error("", f"the config must be a mapping of keys (agents:, orchestrator:, ...), not {kind}",
                      "start from a preset: massgen-tui init --preset single", code="root-type")


check_root.stop_on_error = True  # type: ignore[attr-defined]


def check_agents_present(checker: Checker) -> None:
    data = checker.data
    has_agents, has_agent = "agents" in data, "agent" in data
    if has_agents and has_agent:
        checker.error("agent", "the config has both 'agents' and 'agent'",
                      "keep one: 'agents:' (a list) for several agents, 'agent:' for one", code="agents-and-agent")
    elif not has_agents and not has_agent and not any(k in data for k in V1_KEYS):
        checker.error("", "the config has no agents",
                      "add 'agents:' with a list of agents (id, backend) or 'agent:' for a single one",
                      code="no-agents")
    elif has_agents and isinstance(data["agents"], list) and not data["agents"]:
        checker.error("agents", "'agents' is an empty list", "add at least one agent with an id and a backend",
                      code="no-agents")


def check_legacy(checker: Checker) -> None:
    data = checker.data
    found_v1 = [key for key in V1_KEYS if key in data]
    for key in found_v1:
        checker.error(key, f"'{key}' is a MassGen V1 key; V1 configs are no longer supported",
                      "rewrite as a V2 config: 'agents:' with one entry per model (see massgen-tui init)",
                      code="legacy-v1")
    if "display" in data:
        checker.warning("display", "top-level 'display' is a legacy spelling of 'ui'",
                        "move it under 'ui:' (display.type becomes ui.display_type); massgen-tui migrate does this",
                        code="legacy-key")
    ui = data.get("ui")
    if isinstance(ui, Mapping) and "type" in ui:
        checker.warning("ui.type", "'ui.type' is a legacy spelling of 'ui.display_type'",
                        "rename it to 'display_type'; massgen-tui migrate does this", code="legacy-key")


def _unknown(checker: Checker, mapping: Any, path: tuple[str | int, ...], known: frozenset[str] | set[str],
             what: str, note: str = "") -> None:
    if not isinstance(mapping, Mapping):
        return
    for key in mapping:
        name = str(key)
        if name in known:
            continue
        location = format_location((*path, name))
        suggestion = did_you_mean(name, sorted(known))
        checker.warning(location, f"unknown {what} key '{name}'{note}", suggestion, code="unknown-key")


def _fields(model_name: str) -> set[str]:
    from massgen_tui.config import models

    return set(getattr(models, model_name).model_fields)


def check_unknown_keys(checker: Checker) -> None:
    data = checker.data
    top = vocab.TOP_LEVEL_KEYS | _fields("MassGenConfig") | {"display", *V1_KEYS}
    _unknown(checker, data, (), top, "top-level", " (MassGen ignores it)")
    agents: list[tuple[tuple[str | int, ...], Any]] = []
    if isinstance(data.get("agents"), list):
        agents = [(("agents", i), a) for i, a in enumerate(data["agents"])]
    elif isinstance(data.get("agent"), Mapping):
        agents = [(("agent",), data["agent"])]
    agent_known = vocab.AGENT_KEYS | _fields("Agent")
    backend_known = vocab.BACKEND_KEYS | _fields("Backend")
    server_known = vocab.MCP_SERVER_KEYS | _fields("MCPServer")
    security_known = vocab.MCP_SECURITY_KEYS | _fields("MCPSecurity")
    for path, agent in agents:
        if not isinstance(agent, Mapping):
            continue
        _unknown(checker, agent, path, agent_known, "agent")
        backend = agent.get("backend")
        if not isinstance(backend, Mapping):
            continue
        bpath = (*path, "backend")
        _unknown(checker, backend, bpath, backend_known, "backend", " (MassGen passes it to the provider API)")
        servers = backend.get("mcp_servers")
        items: list[tuple[tuple[str | int, ...], Any]] = []
        if isinstance(servers, list):
            items = [((*bpath, "mcp_servers", i), s) for i, s in enumerate(servers)]
        elif isinstance(servers, Mapping):
            items = [((*bpath, "mcp_servers", str(n)), s) for n, s in servers.items()]
        for spath, server in items:
            if isinstance(server, Mapping):
                _unknown(checker, server, spath, server_known, "MCP server")
                _unknown(checker, server.get("security"), (*spath, "security"), security_known, "MCP security")
    orchestrator = data.get("orchestrator")
    if isinstance(orchestrator, Mapping):
        _unknown(checker, orchestrator, ("orchestrator",), vocab.ORCHESTRATOR_KEYS | _fields("Orchestrator"),
                 "orchestrator")
        _unknown(checker, orchestrator.get("coordination"), ("orchestrator", "coordination"),
                 vocab.COORDINATION_KEYS | _fields("Coordination"), "coordination")
        paths = orchestrator.get("context_paths")
        if isinstance(paths, list):
            for i, entry in enumerate(paths):
                _unknown(checker, entry, ("orchestrator", "context_paths", i),
                         vocab.CONTEXT_PATH_KEYS | _fields("ContextPath"), "context path")
    ui = data.get("ui")
    _unknown(checker, ui, ("ui",), vocab.UI_KEYS | _fields("UI") | {"type"}, "ui")
    _unknown(checker, data.get("timeout_settings"), ("timeout_settings",),
             vocab.TIMEOUT_KEYS | _fields("TimeoutSettings"), "timeout_settings")


RULES = [check_root, check_agents_present, check_legacy, check_unknown_keys]
