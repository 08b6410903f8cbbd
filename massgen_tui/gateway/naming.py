"""The names the gateway gives the tools it re-exposes: ``<server>__<tool>``.

Clients restrict tool names: Claude's API accepts ``^[a-zA-Z0-9_-]{1,64}$``, and Claude Code and
Codex add their own ``mcp__<gateway>__`` in front. MassGen's ``mcp__<server>__<tool>`` would double
that prefix, so the gateway uses the shorter ``<server>__<tool>``. A name that would break the rule
(a tool name with dots or spaces, or longer than 64 characters) is made valid and, when it had to
change, given a short hash of the original so two tools never end up with one name.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from massgen_tui.mcp.types import ToolInfo

TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
MAX_NAME = 64
SEPARATOR = "__"
_INVALID = re.compile(r"[^a-zA-Z0-9_-]")


def exposed_name(server: str, tool: str) -> str:
    """The name a client sees for ``tool`` of ``server``; always matches :data:`TOOL_NAME`."""
    name = f"{server}{SEPARATOR}{tool}"
    if TOOL_NAME.match(name):
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    clean = _INVALID.sub("_", name)
    return f"{clean[: MAX_NAME - len(digest) - 1]}_{digest}"


@dataclass(frozen=True)
class Route:
    """Where one exposed name leads."""

    name: str  # as the client sees it
    server: str
    tool: str
    info: ToolInfo


def build_routes(tools: Iterable[ToolInfo]) -> dict[str, Route]:
    """Exposed name -> route. A clash (two tools mapping to one name) is resolved by hashing the
    later one's original name, so every tool stays reachable and names are stable across runs."""
    routes: dict[str, Route] = {}
    for info in tools:
        name = exposed_name(info.server, info.name)
        if name in routes:
            digest = hashlib.sha256(f"{info.server}/{info.name}".encode()).hexdigest()[:8]
            name = f"{name[: MAX_NAME - len(digest) - 1]}_{digest}"
        routes[name] = Route(name, info.server, info.name, info)
    return routes
