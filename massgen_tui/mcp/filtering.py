"""``allowed_tools`` / ``exclude_tools`` as MassGen applies them.

MassGen combines the two levels like this (``mcp_tools/client.py``): the exclusions of the backend
and of the server add up; a server's ``allowed_tools`` replaces the backend's when it is set. An
entry names a tool either plainly (``read_file``) or with MassGen's prefix
(``mcp__filesystem__read_file``); a prefixed entry only matches the server it names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

PREFIX = "mcp__"


def prefixed_name(server: str, tool: str) -> str:
    """MassGen's name for a server's tool: ``mcp__<server>__<tool>``."""
    return f"{PREFIX}{server}__{tool}"


def split_prefixed(name: str) -> tuple[str, str] | None:
    """``mcp__server__tool`` -> ``(server, tool)``; ``None`` for a plain name."""
    if not name.startswith(PREFIX):
        return None
    rest = name[len(PREFIX) :]
    server, sep, tool = rest.partition("__")
    if not sep or not server or not tool:
        return None
    return server, tool


def _matches(entry: str, server: str, tool: str) -> bool:
    return entry == tool or entry == prefixed_name(server, tool)


@dataclass(frozen=True)
class ToolFilter:
    """Which of a server's tools are exposed. ``allowed=None`` means all that are not excluded."""

    allowed: tuple[str, ...] | None = None
    excluded: tuple[str, ...] = ()

    @classmethod
    def combine(
        cls,
        *,
        backend_allowed: Iterable[str] | None = None,
        backend_excluded: Iterable[str] | None = None,
        server_allowed: Iterable[str] | None = None,
        server_excluded: Iterable[str] | None = None,
    ) -> ToolFilter:
        allowed = server_allowed if server_allowed is not None else backend_allowed
        excluded = list(dict.fromkeys([*(backend_excluded or ()), *(server_excluded or ())]))
        return cls(tuple(allowed) if allowed is not None else None, tuple(excluded))

    def allows(self, server: str, tool: str) -> bool:
        return self.why_hidden(server, tool) is None

    def why_hidden(self, server: str, tool: str) -> str | None:
        """``None`` if the tool is exposed, else a sentence saying which setting hides it."""
        for entry in self.excluded:
            if _matches(entry, server, tool):
                return f"tool {tool!r} of MCP server {server!r} is hidden by exclude_tools entry {entry!r}"
        if self.allowed is not None and not any(_matches(entry, server, tool) for entry in self.allowed):
            return f"tool {tool!r} of MCP server {server!r} is not in allowed_tools"
        return None

    @property
    def active(self) -> bool:
        return self.allowed is not None or bool(self.excluded)
