"""The gateway: one MCP server in front of a config's servers, every call through the hook chain.

In-process use (what the CLI does, and what the TUI does with its own approver)::

    async with Gateway(specs, hooks=[gate], agent="a1") as gateway:
        events = gateway.events()                  # live calls: CallStarted/Progress/Ended/Failed
        listener = await gateway.start_http(ListenAddress("127.0.0.1", 0), token)
        print(listener.url)                        # clients connect with "Authorization: Bearer <token>"
        ...
        await listener.aclose()

or ``await gateway.serve_stdio()`` to serve one client on this process's stdin/stdout.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from massgen_tui.gateway.auth import BearerTokenGuard
from massgen_tui.gateway.errors import GatewayError
from massgen_tui.gateway.listen import ListenAddress
from massgen_tui.gateway.naming import Route
from massgen_tui.gateway.protocol import ToolDirectory, build_server
from massgen_tui.mcp.events import EventStream
from massgen_tui.mcp.manager import ServerManager
from massgen_tui.mcp.spec import MCPServerSpec
from massgen_tui.mcp.status import ServerState
from massgen_tui.mcp.types import CallHook

log = logging.getLogger(__name__)

MCP_PATH = "/mcp"


@dataclass
class HttpListener:
    """A running streamable-HTTP endpoint of the gateway."""

    address: ListenAddress
    port: int
    guard: BearerTokenGuard
    _server: Any = field(repr=False)
    _task: asyncio.Task[None] = field(repr=False)

    @property
    def url(self) -> str:
        host = f"[{self.address.host}]" if ":" in self.address.host else self.address.host
        return f"http://{host}:{self.port}{MCP_PATH}"

    @property
    def refused(self) -> int:
        """Requests refused for a missing or wrong token."""
        return self.guard.refused

    async def wait(self) -> None:
        """Until the listener stops (``aclose`` or a fatal server error)."""
        await asyncio.shield(self._task)

    async def aclose(self) -> None:
        self._server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(asyncio.shield(self._task), 10)
        if not self._task.done():
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task


class Gateway:
    """Re-exposes the tools of ``specs`` as one MCP server; calls pass ``hooks`` (the safety gate)."""

    def __init__(
        self,
        specs: Iterable[MCPServerSpec],
        hooks: Iterable[CallHook] = (),
        agent: str | None = None,
        *,
        manager: ServerManager | None = None,
        instructions: str | None = None,
    ) -> None:
        self.manager = manager or ServerManager(specs, hooks=hooks, agent=agent)
        self.directory = ToolDirectory(self.manager)
        servers = ", ".join(s.name for s in self.manager.specs) or "none"
        self.instructions = instructions or (
            f"Tools of the MCP servers {servers}, named <server>__<tool>, passed through massgen-tui's "
            "safety gate: calls that can't be undone may wait for a human's approval, and a denied call "
            "returns a tool error saying why."
        )
        self._listeners: list[HttpListener] = []
        self._started = False
        self._clients: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()  # connection -> session
        self._watcher: asyncio.Task[None] | None = None
        self.gate: Any = None  # the SafetyGate, when built by open_gateway
        self.store: Any = None  # its DecisionStore

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect the upstream servers (each ready or failed; see :meth:`status`)."""
        if not self._started:
            self._started = True
            await self.manager.start()
            self._watcher = asyncio.create_task(self._forward_tool_changes(), name="gateway-tools-changed")

    async def aclose(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(BaseException):
                await self._watcher
        for listener in list(self._listeners):
            await listener.aclose()
        self._listeners.clear()
        await self.manager.aclose()

    async def __aenter__(self) -> Gateway:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    # -- what is there -----------------------------------------------------------------------

    def status(self) -> dict[str, ServerState]:
        return self.manager.status()

    def routes(self) -> dict[str, Route]:
        """Exposed tool name -> (server, tool, definition)."""
        return self.directory.routes()

    def events(self) -> EventStream:
        """A new subscription to live calls (started, progress, ended with the decision, failed) and
        server status changes; ``close()`` it when done."""
        return self.manager.events()

    def add_hook(self, hook: CallHook) -> None:
        self.manager.add_hook(hook)

    @property
    def listeners(self) -> tuple[HttpListener, ...]:
        return tuple(self._listeners)

    # -- clients -----------------------------------------------------------------------------

    def _remember_client(self, session: Any) -> None:
        connection = getattr(session, "_connection", None)
        if connection is not None:
            self._clients[connection] = session

    @property
    def client_count(self) -> int:
        """Clients that have made a request and are still connected (as far as the SDK knows)."""
        return len(self._clients)

    async def _forward_tool_changes(self) -> None:
        """When an upstream server's tool list changes, tell every connected client
        (``notifications/tools/list_changed``); they then list the tools again."""
        from massgen_tui.mcp.events import ToolsChanged

        stream = self.manager.events()
        try:
            async for event in stream:
                if not isinstance(event, ToolsChanged) or not self._clients:
                    continue
                for connection, session in list(self._clients.items()):
                    try:
                        await session.send_tool_list_changed()
                    except Exception as exc:  # the client went away, or has no channel for it
                        log.debug("could not tell a client that tools changed: %s", exc)
                        self._clients.pop(connection, None)
        finally:
            stream.close()

    # -- transports --------------------------------------------------------------------------

    def _server(self) -> Any:
        return build_server(
            self.manager, self.directory, instructions=self.instructions, on_client=self._remember_client
        )

    async def serve_stdio(self) -> None:
        """Serve one client on this process's stdin/stdout until it disconnects."""
        from massgen_tui.gateway.stdio import stdio_streams

        await self.start()
        server = self._server()
        async with stdio_streams() as (read, write):
            await server.run(read, write, server.create_initialization_options())

    async def serve_streams(self, read: Any, write: Any) -> None:
        """Serve one client over a pair of SDK message streams (in-memory tests, custom transports)."""
        await self.start()
        server = self._server()
        await server.run(read, write, server.create_initialization_options())

    async def start_http(
        self, address: ListenAddress, token: str, *, allow_remote: bool = False
    ) -> HttpListener:
        """Listen for streamable-HTTP clients; every request must carry the bearer ``token``."""
        import uvicorn

        address.check(allow_remote=allow_remote)
        await self.start()
        server = self._server()
        app = server.streamable_http_app(streamable_http_path=MCP_PATH, host=address.host)
        guard = BearerTokenGuard(app, token)
        sock = address.bind()
        port = int(sock.getsockname()[1])
        config = uvicorn.Config(guard, lifespan="on", log_level="warning", access_log=False)
        http = _quiet_server(config)
        task = asyncio.create_task(http.serve(sockets=[sock]), name=f"gateway-http-{port}")
        for _ in range(500):
            if http.started or task.done():
                break
            await asyncio.sleep(0.01)
        if task.done() or not http.started:
            sock.close()
            error = task.exception() if task.done() and not task.cancelled() else None
            raise GatewayError(f"the HTTP gateway did not start on {address.host}:{port}: {error or 'timed out'}")
        listener = HttpListener(address, port, guard, http, task)
        self._listeners.append(listener)
        return listener

    async def serve_http(self, address: ListenAddress, token: str, *, allow_remote: bool = False) -> None:
        listener = await self.start_http(address, token, allow_remote=allow_remote)
        try:
            await listener.wait()
        finally:
            await listener.aclose()


def _quiet_server_class() -> type:
    import uvicorn

    class QuietServer(uvicorn.Server):
        """uvicorn without its signal handlers: the embedding program (CLI or TUI) owns signals."""

        @contextlib.contextmanager
        def capture_signals(self) -> Any:
            yield

    return QuietServer


def _quiet_server(config: Any) -> Any:
    return _quiet_server_class()(config)
