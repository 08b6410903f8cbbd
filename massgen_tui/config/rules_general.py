"""Whole-config rules: ${VAR} placeholders, context paths, config_version."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from massgen_tui.config.locations import format_location
from massgen_tui.config.validation import Checker

PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}")


def _strings(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from _strings(value, (*path, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, (*path, index))
    elif isinstance(node, str) and "${" in node:
        yield path, node


def _backend_of(data: Any, path: tuple[str | int, ...]) -> Mapping[str, Any] | None:
    """The backend mapping a value at ``path`` lies in, if any."""
    if len(path) >= 3 and path[0] == "agents" and path[2] == "backend":
        agents = data.get("agents")
        if isinstance(agents, list) and isinstance(path[1], int) and path[1] < len(agents):
            agent = agents[path[1]]
            backend = agent.get("backend") if isinstance(agent, Mapping) else None
            return backend if isinstance(backend, Mapping) else None
    if len(path) >= 2 and path[0] == "agent" and path[1] == "backend":
        agent = data.get("agent")
        backend = agent.get("backend") if isinstance(agent, Mapping) else None
        return backend if isinstance(backend, Mapping) else None
    return None


def check_placeholders(checker: Checker) -> None:
    """``${VAR}`` as MassGen expands it: upper-case names from the environment, ``${cwd}`` from the
    backend's ``cwd``; an unset or empty variable makes MassGen refuse to start the MCP server."""
    for path, text in _strings(checker.data):
        location = format_location(path)
        for match in PLACEHOLDER.finditer(text):
            name, default = match.group(1), match.group(2)
            if name == "cwd" and default is None:
                backend = _backend_of(checker.data, path)
                if backend is None or "cwd" not in backend:
                    checker.warning(location, "${cwd} is replaced with the backend's 'cwd', and this backend has none",
                                    "add 'cwd: workspace' to the backend", code="env-placeholder")
                continue
            if default is not None:
                checker.warning(location, f"MassGen does not expand ${{{name}:-...}} defaults; the text stays as written",
                                f"write ${{{name}}} and export {name}", code="env-placeholder")
                continue
            if not re.fullmatch(r"[A-Z_][A-Z0-9_]*", name):
                checker.warning(location, f"MassGen expands only upper-case names; ${{{name}}} stays as written",
                                f"rename the variable to {name.upper()}", code="env-placeholder")
                continue
            value = checker.environ.get(name)
            if value is None or not str(value).strip():
                state = "is empty" if value is not None else "is not set"
                checker.warning(location, f"${{{name}}} is used but {name} {state}",
                                f"export {name}=... before running (or put it in a .env file MassGen loads)",
                                code="env-unset")


def check_context_paths(checker: Checker) -> None:
    orchestrator = checker.data.get("orchestrator")
    if not isinstance(orchestrator, Mapping):
        return
    paths = orchestrator.get("context_paths")
    if not isinstance(paths, list):
        return
    seen: dict[str, str] = {}
    for index, entry in enumerate(paths):
        location = f"orchestrator.context_paths[{index}]"
        if not isinstance(entry, Mapping):
            continue
        path = entry.get("path")
        if isinstance(path, str):
            if path in seen:
                checker.warning(f"{location}.path", f"context path {path!r} is listed twice (also {seen[path]})",
                                "keep one entry per path", code="context-path")
            seen.setdefault(path, f"{location}.path")
        protected = entry.get("protected_paths")
        if protected and entry.get("permission", "read") != "write":
            checker.warning(f"{location}.protected_paths", "protected_paths only matter on a path with write permission",
                            "set permission: write, or remove protected_paths", code="context-permission")
        if isinstance(protected, list):
            for j, item in enumerate(protected):
                if isinstance(item, str) and (item.startswith("/") or ".." in item.split("/")):
                    checker.warning(f"{location}.protected_paths[{j}]",
                                    f"protected path {item!r} should be relative to {path!r}",
                                    "write it relative to the context path", code="context-path")


def check_config_version(checker: Checker) -> None:
    from massgen_tui.config.models import CONFIG_VERSION

    version = checker.data.get("config_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > CONFIG_VERSION:
        checker.warning("config_version", f"config_version {version} is newer than this massgen-tui knows "
                        f"({CONFIG_VERSION})", "upgrade massgen-tui", code="config-version")


RULES = [check_placeholders, check_context_paths, check_config_version]
