"""Transports: how bytes reach a server. One class per transport, registered by its ``type`` name.

A transport turns a resolved :class:`MCPServerSpec` into the SDK's pair of message streams. To add
one, subclass :class:`Transport`, set ``kind`` to the config's ``type`` value and decorate the
class with :func:`register_transport`.
"""

from __future__ import annotations

import shutil
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, ClassVar, TextIO

from massgen_tui.mcp.errors import MCPServerError
from massgen_tui.mcp.spec import MCPServerSpec

TRANSPORTS: dict[str, type[Transport]] = {}


def register_transport(cls: type[Transport]) -> type[Transport]:
    """Class decorator: make ``cls`` the transport for servers whose ``type`` is ``cls.kind``."""
    TRANSPORTS[cls.kind] = cls
    return cls


def transport_for(spec: MCPServerSpec, *, stderr: TextIO | None = None) -> Transport:
    cls = TRANSPORTS.get(spec.transport)
    if cls is None:
        raise MCPServerError(
            f"MCP server {spec.name!r}: no transport registered for type {spec.transport!r} "
            f"(known: {', '.join(sorted(TRANSPORTS))})",
            server=spec.name,
        )
    return cls(spec, stderr=stderr)


class Transport(ABC):
    """Opens one connection to one server; ``open()`` yields ``(read_stream, write_stream)``."""

    kind: ClassVar[str]

    def __init__(self, spec: MCPServerSpec, *, stderr: TextIO | None = None) -> None:
        self.spec = spec
        self.stderr = stderr  # where a local server process's stderr goes (stdio only)

    @abstractmethod
    def open(self) -> AbstractAsyncContextManager[tuple[Any, Any]]:
        """An async context manager yielding the SDK's read and write streams."""


@register_transport
class StdioTransport(Transport):
    """A local process speaking JSON-RPC on stdin/stdout (the SDK kills its process group on close)."""

    kind = "stdio"

    @asynccontextmanager
    async def open(self) -> AsyncIterator[tuple[Any, Any]]:
        from mcp.client.stdio import StdioServerParameters, stdio_client

        spec = self.spec
        command = spec.command
        if spec.cwd and not Path(spec.cwd).is_dir():
            raise MCPServerError(
                f"MCP server {spec.name!r}: working directory {spec.cwd!r} does not exist", server=spec.name
            )
        if "/" not in command and shutil.which(command, path=spec.env.get("PATH")) is None:
            raise MCPServerError(
                f"MCP server {spec.name!r}: command {command!r} was not found on PATH; install it or give "
                "its full path in 'command'",
                server=spec.name,
            )
        if "/" in command and not Path(command).exists():
            raise MCPServerError(f"MCP server {spec.name!r}: command {command!r} does not exist", server=spec.name)
        params = StdioServerParameters(command=command, args=list(spec.args), env=dict(spec.env) or None, cwd=spec.cwd)
        kwargs: dict[str, Any] = {}
        if self.stderr is not None:
            kwargs["errlog"] = self.stderr
        async with stdio_client(params, **kwargs) as (read, write):
            yield read, write


def _http_client(spec: MCPServerSpec) -> Any:
    import httpx2
    from mcp.shared._httpx_utils import create_mcp_http_client

    return create_mcp_http_client(
        headers=dict(spec.headers) or None,
        timeout=httpx2.Timeout(spec.timeout_s, read=spec.http_read_timeout_s),
    )


@register_transport
class StreamableHTTPTransport(Transport):
    """A server at an HTTP URL speaking MCP's streamable HTTP transport."""

    kind = "streamable-http"

    @asynccontextmanager
    async def open(self) -> AsyncIterator[tuple[Any, Any]]:
        from mcp.client.streamable_http import streamable_http_client

        async with _http_client(self.spec) as client, streamable_http_client(self.spec.url, http_client=client) as streams:
            yield streams[0], streams[1]


@register_transport
class SSETransport(Transport):
    """The legacy HTTP+SSE transport, for servers that have not moved to streamable HTTP."""

    kind = "sse"

    @asynccontextmanager
    async def open(self) -> AsyncIterator[tuple[Any, Any]]:
        from mcp.client.sse import sse_client

        spec = self.spec
        async with sse_client(
            spec.url,
            headers=dict(spec.headers) or None,
            timeout=spec.timeout_s,
            sse_read_timeout=spec.http_read_timeout_s,
        ) as streams:
            yield streams[0], streams[1]
