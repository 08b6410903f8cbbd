"""ServerManager: every MCP server of one agent, their tools, and calls through the hook chain."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from massgen_tui.mcp.connection import OnProgress, ReconnectPolicy, ServerConnection
from massgen_tui.mcp.errors import MCPServerError
from massgen_tui.mcp.events import CallEnded, CallFailed, CallProgress, CallStarted, EventHub, EventStream
from massgen_tui.mcp.filtering import split_prefixed
from massgen_tui.mcp.hooks import HookChain
from massgen_tui.mcp.results import CallResult, CallStatus
from massgen_tui.mcp.spec import MCPServerSpec
from massgen_tui.mcp.status import ServerState
from massgen_tui.mcp.types import CallHook, ToolCall, ToolInfo

log = logging.getLogger(__name__)

DEFAULT_MAX_ARGUMENT_BYTES = 1_000_000
CONNECTION_CLOSED = -32000
REQUEST_TIMEOUT = -32001


class ServerManager:
    """Connects an agent's MCP servers in parallel and routes every call through the hook chain.

    Use as ``async with ServerManager(specs, hooks=[...], agent="a1") as manager:``; a server that
    fails to connect is reported in :meth:`status` and does not stop the others.
    """

    def __init__(
        self,
        specs: Iterable[MCPServerSpec],
        hooks: Iterable[CallHook] = (),
        agent: str | None = None,
        *,
        policy: ReconnectPolicy | None = None,
        max_argument_bytes: int = DEFAULT_MAX_ARGUMENT_BYTES,
        environ: Mapping[str, str] | None = None,
        stderr_dir: Path | None = None,
    ) -> None:
        self.agent = agent
        self.max_argument_bytes = max_argument_bytes
        self._policy = policy or ReconnectPolicy()
        self._hub = EventHub()
        self._chain = HookChain(hooks)
        self._own_stderr_dir = stderr_dir is None
        self._stderr_dir = stderr_dir or Path(tempfile.mkdtemp(prefix="massgen-tui-mcp-"))
        self._stderr_dir.mkdir(parents=True, exist_ok=True)
        self._connections: dict[str, ServerConnection] = {}
        for spec in specs:
            if spec.name in self._connections:
                raise MCPServerError(f"two MCP servers are named {spec.name!r}", server=spec.name)
            self._connections[spec.name] = ServerConnection(
                spec, hub=self._hub, policy=self._policy, stderr_dir=self._stderr_dir, environ=environ
            )
        self._inflight: dict[str, asyncio.Task[Any]] = {}
        self._cancelled: set[str] = set()
        self._started = False
        self._closed = False

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect every server in parallel; returns when each is ready or has failed."""
        if self._started:
            return
        self._started = True
        await asyncio.gather(*(conn.start() for conn in self._connections.values()))

    async def aclose(self) -> None:
        """Cancel calls in flight, close every connection and stop every server process."""
        if self._closed:
            return
        self._closed = True
        for call_id in list(self._inflight):
            self.cancel(call_id)  # the caller gets a "cancelled" result; the server is told
        await asyncio.gather(*(conn.aclose() for conn in self._connections.values()), return_exceptions=True)
        self._hub.close()
        if self._own_stderr_dir:
            shutil.rmtree(self._stderr_dir, ignore_errors=True)

    async def __aenter__(self) -> ServerManager:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def reconnect(self, server: str, wait_s: float | None = None) -> ServerState:
        """Reconnect one server now (also after its circuit opened or it never started)."""
        conn = self._connection(server)
        conn.restart()
        if wait_s:
            await asyncio.sleep(0)
            try:
                await conn.wait_ready(wait_s)
            except MCPServerError:
                pass
        return conn.state

    # -- hooks -------------------------------------------------------------------------------

    def add_hook(self, hook: CallHook) -> None:
        self._chain.add(hook)

    def remove_hook(self, hook: CallHook) -> None:
        self._chain.remove(hook)

    @property
    def hooks(self) -> tuple[CallHook, ...]:
        return self._chain.hooks

    # -- what is there -----------------------------------------------------------------------

    @property
    def specs(self) -> list[MCPServerSpec]:
        return [conn.spec for conn in self._connections.values()]

    def status(self) -> dict[str, ServerState]:
        return {name: conn.state for name, conn in self._connections.items()}

    def stderr(self, server: str) -> str:
        """The tail of a stdio server's stderr (empty for HTTP servers)."""
        return self._connection(server).stderr.tail()

    def tools(self, server: str | None = None) -> list[ToolInfo]:
        """Tools exposed after allowed_tools/exclude_tools, of ready servers (or of one server)."""
        out: list[ToolInfo] = []
        for conn in self._pick(server):
            flt = conn.spec.tool_filter
            out.extend(t for t in conn.tools if flt.allows(conn.spec.name, t.name))
        return out

    def all_tools(self, server: str | None = None) -> list[ToolInfo]:
        """Every tool the servers list, hidden ones included."""
        return [t for conn in self._pick(server) for t in conn.tools]

    def find_tool(self, name: str, server: str | None = None) -> ToolInfo | None:
        """An exposed tool by plain name (with ``server``) or by ``mcp__server__tool`` name."""
        if server is None:
            parts = split_prefixed(name)
            if parts is None:
                return None
            server, name = parts
        conn = self._connections.get(server)
        if conn is None or not conn.spec.tool_filter.allows(server, name):
            return None
        return next((t for t in conn.tools if t.name == name), None)

    def sessions(self) -> dict[str, Any]:
        """The SDK session of each server that is ready now (for relaying resources and prompts)."""
        return {name: conn.session for name, conn in self._connections.items()
                if conn.state.status == "ready" and conn.session is not None}

    def events(self) -> EventStream:
        """A new subscription to status and call events (an async iterator; ``close()`` it)."""
        return self._hub.subscribe()

    def _pick(self, server: str | None) -> list[ServerConnection]:
        if server is not None:
            return [self._connection(server)]
        return list(self._connections.values())

    def _connection(self, server: str) -> ServerConnection:
        conn = self._connections.get(server)
        if conn is None:
            known = ", ".join(sorted(self._connections)) or "none"
            raise MCPServerError(f"no MCP server named {server!r} (servers: {known})", server=server)
        return conn

    # -- calls -------------------------------------------------------------------------------

    def cancel(self, call_id: str) -> bool:
        """Cancel a call in flight: the server is sent ``notifications/cancelled``."""
        task = self._inflight.get(call_id)
        if task is None or task.done():
            return False
        self._cancelled.add(call_id)
        task.cancel()
        return True

    async def call_prefixed(
        self, name: str, arguments: Mapping[str, Any] | None = None, timeout: float | None = None
    ) -> CallResult:
        """Call by MassGen's ``mcp__server__tool`` name."""
        parts = split_prefixed(name)
        if parts is None:
            raise MCPServerError(f"{name!r} is not an MCP tool name of the form mcp__<server>__<tool>")
        return await self.call_tool(parts[0], parts[1], arguments, timeout)

    async def call_tool(
        self,
        server: str,
        tool: str,
        arguments: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        *,
        call_id: str | None = None,
        on_progress: OnProgress | None = None,
    ) -> CallResult:
        """One logical call: hooks before, the server (unless denied), hooks after; never raises for
        a failed call (see :attr:`CallResult.status`). Raises :class:`MCPServerError` for an unknown
        server or a manager not started; re-raises ``CancelledError`` when the calling task itself is
        cancelled (after-hooks and events still see the call as ``cancelled``). :meth:`cancel` works
        at any stage, also while a hook is waiting (for a human, say).
        """
        conn = self._connection(server)
        if not self._started:
            raise MCPServerError("start the ServerManager (or use 'async with') before calling tools", server=server)
        call_id = call_id or uuid.uuid4().hex
        started = time.perf_counter()
        arguments = dict(arguments or {})
        info = next((t for t in conn.tools if t.name == tool), None)
        call = ToolCall(
            call_id=call_id,
            server=server,
            tool=tool,
            arguments=arguments,
            server_identity=conn.spec.identity,
            agent=self.agent,
            tool_info=info,
        )
        publish = self._hub.publish if self._hub.has_subscribers else None
        if publish:
            publish(CallStarted(call_id, server, tool, arguments, self.agent))

        hidden = conn.spec.tool_filter.why_hidden(server, tool)
        if hidden is not None:
            return self._finish_denied(call, hidden, "config", started, publish)
        if conn.state.status in ("failed", "closed"):
            # Fail fast, before any hook asks a human about a call that cannot go anywhere.
            failed = CallResult(call_id, server, tool, "error", error=conn.not_ready_message(), arguments=arguments)
            if publish:
                self._publish_end(failed, publish)
            return failed

        task = asyncio.current_task()
        if task is not None:
            self._inflight[call_id] = task
        progress = _CallProgress(call)
        try:
            return await self._run_call(conn, progress, timeout, started, on_progress, publish)
        except asyncio.CancelledError:
            by_client = call_id in self._cancelled
            if by_client and task is not None:
                task.uncancel()
            error = "cancelled by the client" if by_client else "the calling task was cancelled"
            if progress.sent:
                error += "; the server was told"
            cancelled = CallResult(
                call_id,
                server,
                tool,
                "cancelled",
                error=error,
                duration_s=time.perf_counter() - started,
                arguments=progress.call.arguments,
            )
            if not progress.after_done and len(self._chain):
                progress.after_done = True
                await asyncio.shield(self._chain.after(progress.call, cancelled.outcome()))
            if publish:
                self._publish_end(cancelled, publish)
            if by_client:
                return cancelled
            raise
        finally:
            self._inflight.pop(call_id, None)
            self._cancelled.discard(call_id)

    async def _run_call(
        self,
        conn: ServerConnection,
        progress: _CallProgress,
        timeout: float | None,
        started: float,
        on_progress: OnProgress | None,
        publish: Any,
    ) -> CallResult:
        verdict = await self._chain.before(progress.call) if len(self._chain) else None
        if verdict is not None:
            progress.call = verdict.call
            if verdict.denied:
                return await self._deny(progress, verdict.reason or "denied", verdict.decided_by, started, publish)
        call = progress.call
        try:
            size = len(json.dumps(call.arguments, separators=(",", ":"), ensure_ascii=False).encode())
        except (TypeError, ValueError) as exc:
            return await self._deny(progress, f"arguments are not JSON: {exc}", "size-limit", started, publish)
        if size > self.max_argument_bytes:
            reason = f"arguments are {size} bytes, over the limit of {self.max_argument_bytes} bytes"
            return await self._deny(progress, reason, "size-limit", started, publish)

        result = await self._send(conn, progress, timeout, started, on_progress, publish)
        if verdict is not None and verdict.decided_by and not result.decided_by:
            result = _with(result, decided_by=verdict.decided_by, reason=verdict.reason)
        if len(self._chain):
            progress.after_done = True
            await self._chain.after(call, result.outcome())
        if publish:
            self._publish_end(result, publish)
        return result

    async def _send(
        self,
        conn: ServerConnection,
        progress: _CallProgress,
        timeout: float | None,
        started: float,
        on_progress: OnProgress | None,
        publish: Any,
    ) -> CallResult:
        from mcp.shared.exceptions import MCPError

        call = progress.call
        timeout_s = timeout if timeout is not None else conn.spec.timeout_s
        call_id = call.call_id
        progress_cb = None
        if publish is not None or on_progress is not None:

            async def progress_cb(value: float, total: float | None, message: str | None) -> None:
                if publish is not None:
                    publish(CallProgress(call_id, call.server, call.tool, value, total, message))
                if on_progress is not None:
                    maybe = on_progress(value, total, message)
                    if asyncio.iscoroutine(maybe):
                        await maybe

        def result(status: CallStatus, **fields: Any) -> CallResult:
            return CallResult(
                call_id,
                call.server,
                call.tool,
                status,
                duration_s=time.perf_counter() - started,
                arguments=call.arguments,
                **fields,
            )

        generation = conn.generation
        try:
            session = await conn.wait_ready(timeout_s)
            generation = conn.generation
            progress.sent = True
            sent = await session.call_tool(
                call.tool, dict(call.arguments), read_timeout_seconds=timeout_s, progress_callback=progress_cb
            )
        except MCPServerError as exc:
            return result("error", error=str(exc))
        except MCPError as exc:
            if exc.code == REQUEST_TIMEOUT:
                return result("timeout", error=f"no answer within {timeout_s:g}s; the server was told to cancel")
            if exc.code == CONNECTION_CLOSED:
                conn.connection_lost("the connection closed during a call", generation)
                return result("error", error=f"the connection to MCP server {call.server!r} closed during the call")
            return result("error", error=f"MCP error {exc.code}: {exc.message}")
        except Exception as exc:  # transport failures (httpx, OSError, anyio) and result validation
            import anyio

            if isinstance(exc, OSError | anyio.BrokenResourceError | anyio.ClosedResourceError) or (
                "httpx" in type(exc).__module__
            ):
                conn.connection_lost(f"{type(exc).__name__}: {exc}", generation)
            return result("error", error=f"{type(exc).__name__}: {exc}")
        content = [block.model_dump(by_alias=True, exclude_none=True, mode="json") for block in sent.content]
        status: CallStatus = "tool_error" if sent.is_error else "ok"
        error = "\n".join(b.get("text", "") for b in content if b.get("type") == "text") if sent.is_error else ""
        return result(status, content=content, structured_content=sent.structured_content, error=error)

    async def _deny(
        self, progress: _CallProgress, reason: str, decided_by: str, started: float, publish: Any
    ) -> CallResult:
        call = progress.call
        result = _denied(call, reason, decided_by, started)
        if len(self._chain):
            progress.after_done = True
            await self._chain.after(call, result.outcome())
        if publish:
            self._publish_end(result, publish)
        return result

    def _finish_denied(
        self, call: ToolCall, reason: str, decided_by: str, started: float, publish: Any
    ) -> CallResult:
        """A call the config hides: no hook sees it, because it was never a call the agent could make."""
        result = _denied(call, reason, decided_by, started)
        if publish:
            self._publish_end(result, publish)
        return result

    @staticmethod
    def _publish_end(result: CallResult, publish: Any) -> None:
        if result.status in ("ok", "tool_error", "denied"):
            publish(
                CallEnded(
                    result.call_id,
                    result.server,
                    result.tool,
                    result.status,
                    result.duration_s,
                    text=result.text[:2000],
                    reason=result.reason,
                    decided_by=result.decided_by,
                )
            )
        else:
            publish(
                CallFailed(result.call_id, result.server, result.tool, result.status, result.error, result.duration_s)
            )


class _CallProgress:
    """Where one call has got to, so a cancellation at any point is reported exactly once."""

    __slots__ = ("after_done", "call", "sent")

    def __init__(self, call: ToolCall) -> None:
        self.call = call  # as rewritten by the hooks so far
        self.sent = False  # handed to the session
        self.after_done = False  # after-hooks have been started


def _with(result: CallResult, **changes: Any) -> CallResult:
    from dataclasses import replace

    return replace(result, **changes)


def _denied(call: ToolCall, reason: str, decided_by: str, started: float) -> CallResult:
    """The result of a call that never reached its server."""
    return CallResult(
        call.call_id,
        call.server,
        call.tool,
        "denied",
        reason=reason,
        decided_by=decided_by,
        duration_s=time.perf_counter() - started,
        arguments=call.arguments,
    )
