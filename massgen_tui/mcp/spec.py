"""What a config says about one MCP server, read from a backend's plain mapping.

MassGen accepts ``mcp_servers`` as a list of mappings with a ``name`` or as a mapping of name to
server. A server has a ``type`` (``stdio``, ``streamable-http``; ``sse`` as legacy) or, without one,
a ``command`` (stdio) or ``url`` (streamable HTTP). ``${VAR}`` placeholders stay as written here and
are expanded when the server connects (:meth:`MCPServerSpec.resolved`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from massgen_tui.mcp.errors import MCPServerError
from massgen_tui.mcp.filtering import ToolFilter
from massgen_tui.mcp.placeholders import expand

DEFAULT_TIMEOUT_S = 30.0
DEFAULT_HTTP_READ_TIMEOUT_S = 300.0
SERVER_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
TYPE_ALIASES = {
    "stdio": "stdio",
    "streamable-http": "streamable-http",
    "streamable_http": "streamable-http",
    "http": "streamable-http",
    "sse": "sse",
}


@dataclass(frozen=True)
class MCPServerSpec:
    """One server of one agent's backend. Placeholders are unexpanded until :meth:`resolved`."""

    name: str
    transport: str = "stdio"
    command: str = ""
    args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict, repr=False)  # may hold secrets once resolved
    cwd: str | None = None
    url: str = ""
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)  # may hold secrets once resolved
    timeout_s: float = DEFAULT_TIMEOUT_S
    http_read_timeout_s: float = DEFAULT_HTTP_READ_TIMEOUT_S
    tool_filter: ToolFilter = field(default_factory=ToolFilter)
    location: str = ""  # where the spec came from, e.g. "mcp_servers[1]"
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    variables: Mapping[str, str] = field(default_factory=dict)  # config variables: {"cwd": workspace}

    @property
    def identity(self) -> str:
        """What "this server" means for stored decisions: command + args for stdio, URL for HTTP.

        Built from the unexpanded spec so no secret from the environment ends up in it.
        """
        if self.transport == "stdio":
            return " ".join([self.command, *self.args])
        return self.url

    def resolved(self, environ: Mapping[str, str] | None = None) -> MCPServerSpec:
        """A copy with every ``${VAR}`` expanded; :class:`MCPServerError` names server and variable."""

        def x(value: str, where: str) -> str:
            return expand(
                value,
                server=self.name,
                where=f"{self.location or self.name}.{where}",
                environ=environ,
                variables=self.variables,
            )

        return replace(
            self,
            command=x(self.command, "command"),
            args=tuple(x(a, f"args[{i}]") for i, a in enumerate(self.args)),
            env={k: x(v, f"env.{k}") for k, v in self.env.items()},
            cwd=x(self.cwd, "cwd") if self.cwd else self.cwd,
            url=x(self.url, "url"),
            headers={k: x(v, f"headers.{k}") for k, v in self.headers.items()},
        )

    @classmethod
    def from_backend(cls, backend: Mapping[str, Any]) -> list[MCPServerSpec]:
        """Every server of a backend mapping (list or map form), with its combined tool filter."""
        servers = backend.get("mcp_servers")
        if servers is None:
            return []
        backend_allowed = _names(backend.get("allowed_tools"), "allowed_tools")
        backend_excluded = _names(backend.get("exclude_tools"), "exclude_tools")
        cwd = backend.get("cwd")
        variables = {"cwd": str(Path(cwd).expanduser().resolve())} if isinstance(cwd, str) and cwd else {}
        entries: list[tuple[str, str | None, Any]] = []
        if isinstance(servers, Mapping):
            for key, value in servers.items():
                entries.append((f"mcp_servers.{key}", str(key), value))
        elif isinstance(servers, list):
            for i, value in enumerate(servers):
                entries.append((f"mcp_servers[{i}]", None, value))
        else:
            raise MCPServerError(f"mcp_servers must be a list or a mapping, not {type(servers).__name__}")
        specs: list[MCPServerSpec] = []
        seen: set[str] = set()
        for location, key, value in entries:
            spec = cls.from_mapping(
                value,
                name=key,
                location=location,
                backend_allowed=backend_allowed,
                backend_excluded=backend_excluded,
            )
            if spec.name in seen:
                raise MCPServerError(f"{location}: a second MCP server named {spec.name!r}", server=spec.name)
            seen.add(spec.name)
            specs.append(replace(spec, variables=variables) if variables else spec)
        return specs

    @classmethod
    def from_mapping(
        cls,
        data: Any,
        *,
        name: str | None = None,
        location: str = "",
        backend_allowed: list[str] | None = None,
        backend_excluded: list[str] | None = None,
    ) -> MCPServerSpec:
        where = location or "mcp server"
        if not isinstance(data, Mapping):
            raise MCPServerError(f"{where}: an MCP server must be a mapping, not {type(data).__name__}")
        server_name = data.get("name", name)
        if not isinstance(server_name, str) or not server_name:
            raise MCPServerError(f"{where}: an MCP server needs a 'name'")
        if not SERVER_NAME.match(server_name):
            raise MCPServerError(
                f"{where}: MCP server name {server_name!r} may hold only letters, digits, '_' and '-'",
                server=server_name,
            )
        kind = data.get("type")
        if kind is None:
            kind = "stdio" if data.get("command") else "streamable-http" if data.get("url") else None
        transport = TYPE_ALIASES.get(str(kind).lower()) if kind is not None else None
        if transport is None:
            known = ", ".join(sorted(set(TYPE_ALIASES.values())))
            raise MCPServerError(
                f"{where}: MCP server {server_name!r} has type {kind!r}; use one of {known} "
                "(or give a 'command' for stdio or a 'url' for streamable-http)",
                server=server_name,
            )
        command = data.get("command") or ""
        url = data.get("url") or ""
        if transport == "stdio" and (not isinstance(command, str) or not command):
            raise MCPServerError(f"{where}: stdio MCP server {server_name!r} needs a 'command'", server=server_name)
        if transport != "stdio" and (not isinstance(url, str) or not url):
            raise MCPServerError(f"{where}: {transport} MCP server {server_name!r} needs a 'url'", server=server_name)
        args = data.get("args") or []
        if isinstance(args, str):
            args = [args]
        if not isinstance(args, list):
            raise MCPServerError(f"{where}.args: must be a list of strings", server=server_name)
        return cls(
            name=server_name,
            transport=transport,
            command=str(command),
            args=tuple(str(a) for a in args),
            env=_str_map(data.get("env"), f"{where}.env", server_name),
            cwd=str(data["cwd"]) if data.get("cwd") else None,
            url=str(url),
            headers=_str_map(data.get("headers"), f"{where}.headers", server_name),
            timeout_s=_seconds(data.get("timeout"), DEFAULT_TIMEOUT_S, f"{where}.timeout", server_name),
            http_read_timeout_s=_seconds(
                data.get("http_read_timeout"), DEFAULT_HTTP_READ_TIMEOUT_S, f"{where}.http_read_timeout", server_name
            ),
            tool_filter=ToolFilter.combine(
                backend_allowed=backend_allowed,
                backend_excluded=backend_excluded,
                server_allowed=_names(data.get("allowed_tools"), f"{where}.allowed_tools"),
                server_excluded=_names(data.get("exclude_tools"), f"{where}.exclude_tools"),
            ),
            location=location,
            raw=dict(data),
        )


def _names(value: Any, where: str) -> list[str] | None:
    """A list of tool names as MassGen reads it: a lone string counts as a list of one."""
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise MCPServerError(f"{where}: must be a list of tool names")


def _str_map(value: Any, where: str, server: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise MCPServerError(f"{where}: must be a mapping of names to strings", server=server)
    return {str(k): "" if v is None else str(v) for k, v in value.items()}


def _seconds(value: Any, default: float, where: str, server: str) -> float:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise MCPServerError(f"{where}: must be a positive number of seconds, not {value!r}", server=server)
    return float(value)
