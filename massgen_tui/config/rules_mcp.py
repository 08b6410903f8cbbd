"""MCP server rules: names, transports, URLs, duplicate names. Both list and map forms."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlparse

from massgen_tui.config.locations import format_location, parse_location
from massgen_tui.config.rules_agents import iter_backends
from massgen_tui.config.validation import Checker

NAME = re.compile(r"^[A-Za-z0-9_-]+$")
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


def iter_servers(backend_location: str, backend: Mapping[str, Any]) -> Iterator[tuple[str, str | None, Any]]:
    """(location, name, server mapping) for each server; map-form locations use the name as key."""
    servers = backend.get("mcp_servers")
    base = parse_location(backend_location)
    if isinstance(servers, list):
        for index, server in enumerate(servers):
            name = server.get("name") if isinstance(server, Mapping) else None
            yield format_location((*base, "mcp_servers", index)), name if isinstance(name, str) else None, server
    elif isinstance(servers, Mapping):
        for key, server in servers.items():
            yield format_location((*base, "mcp_servers", str(key))), str(key), server


def check_servers(checker: Checker) -> None:
    for backend_location, backend in iter_backends(checker.data):
        servers = backend.get("mcp_servers")
        names: dict[str, str] = {}
        for location, name, server in iter_servers(backend_location, backend):
            if not isinstance(server, Mapping):
                continue  # the schema check reports the type
            map_form = isinstance(servers, Mapping)
            name_location = location if map_form else f"{location}.name"
            if name is not None:
                if not NAME.match(name):
                    fixed = re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_") or "server"
                    checker.report("error", name_location,
                                   f"MCP server name {name!r} may only contain letters, digits, _ and -",
                                   f"rename it to {fixed!r}", "mcp-name")
                if name in names:
                    checker.error(name_location, f"duplicate MCP server name {name!r} (also at {names[name]})",
                                  "give each server of an agent its own name", code="mcp-duplicate")
                else:
                    names[name] = name_location
            _check_transport(checker, location, server)


def _check_transport(checker: Checker, location: str, server: Mapping[str, Any]) -> None:
    transport = server.get("type", "stdio")
    if transport == "sse":
        checker.warning(f"{location}.type", "the 'sse' transport is deprecated",
                        "use type: streamable-http (the server's /mcp endpoint)", code="mcp-sse")
    if transport == "stdio":
        if "command" not in server and "args" not in server:
            checker.error(f"{location}.command", "stdio MCP server has no 'command'",
                          "add the program to start, e.g. command: npx with args: [-y, <package>]",
                          code="mcp-transport")
        elif isinstance(server.get("command"), str) and not server["command"].strip():
            checker.error(f"{location}.command", "stdio MCP server 'command' is empty",
                          "add the program to start, e.g. npx or uvx", code="mcp-transport")
        if "url" in server:
            checker.warning(f"{location}.url", "'url' is ignored by a stdio server",
                            "set type: streamable-http to connect to the URL, or remove it", code="mcp-transport")
        cwd = server.get("cwd")
        if isinstance(cwd, str) and ".." in cwd.replace("\\", "/").split("/"):
            checker.error(f"{location}.cwd", "MCP server cwd may not contain '..' (MassGen refuses it)",
                          "use an absolute path or one inside the config's folder", code="mcp-transport")
    elif transport in ("streamable-http", "sse"):
        url = server.get("url")
        if url is None:
            checker.error(f"{location}.url", f"{transport} MCP server has no 'url'",
                          "add url: http://host:port/mcp", code="mcp-transport")
        elif isinstance(url, str):
            _check_url(checker, f"{location}.url", url, server)
        if "command" in server:
            checker.warning(f"{location}.command", f"'command' is ignored by a {transport} server",
                            "remove it, or set type: stdio to start a local program", code="mcp-transport")


def _check_url(checker: Checker, location: str, url: str, server: Mapping[str, Any]) -> None:
    if "${" in url:
        return
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https"):
        scheme = parsed.scheme or "none"
        checker.error(location, f"MCP server URL {url!r} has scheme {scheme!r}; only http and https work",
                      "write it like https://host/mcp or http://localhost:8000/mcp", code="mcp-url")
        return
    if not parsed.hostname:
        checker.error(location, f"MCP server URL {url!r} has no host", "write it like http://localhost:8000/mcp",
                      code="mcp-url")
        return
    security = server.get("security")
    security = security if isinstance(security, Mapping) else {}
    if parsed.hostname in LOCAL_HOSTS and security.get("allow_localhost") is not True:
        checker.warning(location, "MassGen refuses localhost URLs unless the server allows it",
                        "add security: {allow_localhost: true}", code="mcp-url")


RULES = [check_servers]
