"""One server's connection: connect, keep the session, notice loss, reconnect with backoff.

Each server runs in a task of its own, because the SDK's transports and sessions are anyio
context managers that must be entered and left in the same task. Calls from other tasks use the
session while it is ready. When the connection is lost the runner tears it down and reconnects
with exponential backoff; after ``max_failures`` failures in a row the circuit opens (status
``failed``, ``circuit_open``) and automatic retries stop until ``cooldown_s`` has passed or
someone asks for :meth:`ServerConnection.restart`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable, Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from massgen_tui.mcp.errors import MCPServerError
from massgen_tui.mcp.events import EventHub, ServerStatusChanged, ToolsChanged
from massgen_tui.mcp.filtering import prefixed_name
from massgen_tui.mcp.spec import MCPServerSpec
from massgen_tui.mcp.status import ServerState, ServerStatus
from massgen_tui.mcp.transports import transport_for
from massgen_tui.mcp.types import ToolInfo

log = logging.getLogger(__name__)

STDERR_TAIL_BYTES = 16_384


@dataclass(frozen=True)
class ReconnectPolicy:
    """Backoff between reconnect attempts and when to give up (the circuit breaker)."""

    initial_delay_s: float = 0.5
    max_delay_s: float = 30.0
    multiplier: float = 2.0
    jitter: float = 0.1  # +- fraction of the delay
    max_failures: int = 5  # failures in a row before the circuit opens
    cooldown_s: float = 60.0  # open circuit: wait this long, then try once more (half-open)
    retry_initial: bool = False  # retry a server that never connected (usually a config problem)
    ping_interval_s: float | None = 15.0  # HTTP servers: ping when idle to notice a server gone away

    def delay(self, failures: int) -> float:
        base = min(self.max_delay_s, self.initial_delay_s * self.multiplier ** max(0, failures - 1))
        return max(0.0, base * (1 + random.uniform(-self.jitter, self.jitter)))


class StderrLog:
    """A stdio server's stderr, kept in a file for the user to read (survives reconnects)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: TextIO | None = None
        self._final = ""

    def file(self) -> TextIO:
        if self._file is None:
            self._file = self.path.open("a", encoding="utf-8", errors="replace")
        return self._file

    def tail(self, max_bytes: int = STDERR_TAIL_BYTES) -> str:
        if self._file is None and not self.path.exists():
            return self._final
        try:
            with self.path.open("rb") as fh:
                fh.seek(0, 2)
                size = fh.tell()
                fh.seek(max(0, size - max_bytes))
                data = fh.read()
        except OSError:
            return self._final
        text = data.decode("utf-8", errors="replace")
        if size > max_bytes:
            text = text.split("\n", 1)[-1]
        return text

    def close(self) -> None:
        self._final = self.tail()
        if self._file is not None:
            self._file.close()
            self._file = None


def describe_error(exc: BaseException) -> str:
    """A one-line description of a connect failure, unwrapping anyio's exception groups."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    if isinstance(exc, MCPServerError):
        return str(exc)
    from mcp.shared.exceptions import MCPError

    if isinstance(exc, MCPError):
        if exc.code == -32000:
            return "the server closed the connection before it was ready"
        return f"MCP error {exc.code}: {exc.message}"
    if isinstance(exc, TimeoutError):
        return "no answer to initialize within the timeout"
    text = str(exc) or type(exc).__name__
    name = type(exc).__name__
    return text if text.startswith(name) else f"{name}: {text}"


class ServerConnection:
    """The live connection to one server and its state."""

    def __init__(
        self,
        spec: MCPServerSpec,
        *,
        hub: EventHub,
        policy: ReconnectPolicy,
        stderr_dir: Path,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.spec = spec
        self._hub = hub
        self._policy = policy
        self._environ = environ
        self.stderr = StderrLog(stderr_dir / f"{spec.name}.stderr.log")
        self.state = ServerState(spec.name, "connecting", transport=spec.transport)
        self.tools: list[ToolInfo] = []  # everything the server lists, unfiltered
        self.session: Any = None
        self.generation = 0  # bumps on each new session, so a loss report can't hit a newer session
        self._ready = asyncio.Event()
        self._state_changed = asyncio.Event()  # replaced by a fresh one after every change
        self._settled = asyncio.Event()  # the first attempt is over (ready or failed)
        self._lost = asyncio.Event()
        self._wake = asyncio.Event()  # restart requested / closing
        self._closing = False
        self._runner: asyncio.Task[None] | None = None
        self._lost_reason = ""

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Start connecting; returns when the first attempt has settled."""
        if self._runner is None:
            self._runner = asyncio.create_task(self._run(), name=f"mcp-server-{self.spec.name}")
        limit = self.spec.timeout_s + 10
        try:
            await asyncio.wait_for(self._settled.wait(), limit)
        except TimeoutError:
            # Keep trying in the background; the caller sees a failure it can act on now.
            self._set_state("failed", f"not connected after {limit:g}s (still trying)")

    async def aclose(self, timeout_s: float = 15.0) -> None:
        self._closing = True
        self._wake.set()
        self._lost.set()
        runner = self._runner
        # A live session winds down by itself once woken; a connect still in progress (a server that
        # never answers initialize) is cancelled at once: the SDK's stdio teardown then stops the
        # process within its own bounded grace period.
        grace = timeout_s if self._ready.is_set() else 0.0
        if runner is not None and not runner.done():
            try:
                await asyncio.wait_for(asyncio.shield(runner), grace)
            except (TimeoutError, asyncio.CancelledError):
                runner.cancel()
                with contextlib.suppress(BaseException):
                    await runner
        self._set_state("closed", "")
        self.stderr.close()

    def restart(self) -> None:
        """Reconnect now, resetting the circuit breaker (drops a live session)."""
        if self._closing:
            return
        if self._runner is not None and self._runner.done():  # the runner died: start a new one
            self._runner = asyncio.get_running_loop().create_task(self._run(), name=f"mcp-server-{self.spec.name}")
        self._manual_restart = True
        self._lost_reason = "restart requested"
        self._ready.clear()
        self._set_state("reconnecting", self._lost_reason)
        self._lost.set()
        self._wake.set()

    def connection_lost(self, reason: str, generation: int | None = None) -> None:
        """Called when a call saw the connection die: tear down and reconnect."""
        if generation is not None and generation != self.generation:
            return
        if not self._lost.is_set():
            self._lost_reason = reason
            self._lost.set()

    async def wait_ready(self, timeout_s: float) -> Any:
        """The live session, waiting up to ``timeout_s`` while (re)connecting; fails at once when
        the server is (or becomes) ``failed`` or ``closed``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while True:
            if self.state.status == "ready" and self.session is not None:
                return self.session
            if self.state.status in ("failed", "closed"):
                raise MCPServerError(self.not_ready_message(), server=self.spec.name)
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise MCPServerError(
                    f"MCP server {self.spec.name!r} is not ready after {timeout_s:g}s ({self.state.status}"
                    f"{': ' + self.state.reason if self.state.reason else ''})",
                    server=self.spec.name,
                )
            changed = self._state_changed
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                continue

    def not_ready_message(self) -> str:
        state = self.state
        text = f"MCP server {self.spec.name!r} is {state.status}"
        if state.reason:
            text += f": {state.reason}"
        return text

    # -- the runner --------------------------------------------------------------------------

    _manual_restart = False

    async def _run(self) -> None:
        try:
            await self._run_loop()
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # a bug here must not leave callers waiting forever
            log.exception("MCP server %s: connection runner failed", self.spec.name)
            self._set_state("failed", f"internal error: {describe_error(exc)}")
            raise
        finally:
            self._ready.clear()
            self.session = None
            self._settled.set()

    async def _run_loop(self) -> None:
        failures = 0
        ever_ready = False
        last_reason = ""
        while not self._closing:
            if self._manual_restart:
                last_reason = "restart requested"
            self._set_state("reconnecting" if ever_ready else "connecting", last_reason, attempt=failures)
            self._lost.clear()
            self._wake.clear()
            self._manual_restart = False
            self._lost_reason = ""
            reason = await self._connect_once()
            if self._closing:
                break
            if reason is None:  # had a session, then lost it
                ever_ready = True
                failures = 0
                if self._manual_restart:
                    continue
                last_reason = self._lost_reason or "connection lost"
                failures = 1
                self._set_state("reconnecting", last_reason, attempt=failures)
                if await self._sleep(self._policy.delay(failures)):
                    failures = 0
                continue
            failures += 1
            last_reason = reason
            self._settled.set()
            if not ever_ready and not self._policy.retry_initial:
                self._set_state("failed", reason, attempt=failures)
                if await self._sleep(None):  # until restart() or close
                    failures = 0
                continue
            if failures >= self._policy.max_failures:
                self._set_state(
                    "failed",
                    f"{reason} (gave up after {failures} failures in a row; retry in {self._policy.cooldown_s:g}s)",
                    attempt=failures,
                    circuit_open=True,
                )
                # Woken by restart(): start afresh; cooldown over: half-open, one more try.
                woken = await self._sleep(self._policy.cooldown_s)
                failures = 0 if woken else self._policy.max_failures - 1
                continue
            self._set_state("reconnecting", reason, attempt=failures)
            if await self._sleep(self._policy.delay(failures)):
                failures = 0
        self._settled.set()

    async def _sleep(self, seconds: float | None) -> bool:
        """Wait ``seconds`` (forever if None) or until woken; True if woken by restart()."""
        try:
            await asyncio.wait_for(self._wake.wait(), seconds)
        except TimeoutError:
            return False
        return not self._closing

    async def _connect_once(self) -> str | None:
        """Connect, serve until lost; ``None`` after a session was lost, else the failure reason."""
        import anyio
        from mcp.client.session import ClientSession

        had_session = False
        try:
            spec = self.spec.resolved(self._environ)
            transport = transport_for(spec, stderr=self.stderr.file() if spec.transport == "stdio" else None)
            async with AsyncExitStack() as stack:
                read, write = await stack.enter_async_context(transport.open())
                tg = await stack.enter_async_context(anyio.create_task_group())
                stack.callback(tg.cancel_scope.cancel)
                relay_send, relay_recv = anyio.create_memory_object_stream[Any](0)
                tg.start_soon(self._relay, read, relay_send)
                session = await stack.enter_async_context(
                    ClientSession(relay_recv, write, message_handler=self._on_message)
                )
                with anyio.fail_after(spec.timeout_s):
                    await session.initialize()
                    tools = await self._list_tools(session)
                self.tools = tools
                self.generation += 1
                self.session = session
                had_session = True
                self._set_state("ready", "", tool_count=len(tools))
                self._hub.publish(ToolsChanged(self.spec.name, tuple(t.name for t in tools)))
                self._ready.set()
                self._settled.set()
                await self._serve(session, spec)
                self._ready.clear()
                self.session = None
            return None
        except BaseException as exc:
            self._ready.clear()
            self.session = None
            if not isinstance(exc, Exception):
                task = asyncio.current_task()
                if isinstance(exc, KeyboardInterrupt | SystemExit) or (task is not None and task.cancelling()):
                    raise  # a real cancellation of this runner (aclose) or the process is ending
                # A cancellation that escaped the SDK's task groups while nobody cancelled us:
                # count it as a failed attempt instead of letting the runner die silently.
                log.debug("MCP server %s: stray cancellation during connect", self.spec.name, exc_info=True)
            log.debug("MCP server %s: connection ended", self.spec.name, exc_info=True)
            if had_session:
                self._lost_reason = self._lost_reason or describe_error(exc)
                return None
            reason = describe_error(exc)
            if self.spec.transport != "stdio" and not isinstance(exc, MCPServerError):
                reason = f"cannot connect to {self.spec.url}: {reason}"  # unexpanded: no secrets
            tail = self.stderr.tail(2000).strip() if self.spec.transport == "stdio" else ""
            if tail and not isinstance(exc, MCPServerError):
                last = "\n".join(tail.splitlines()[-5:])
                reason = f"{reason}; server stderr: {last}"
            return reason

    async def _serve(self, session: Any, spec: MCPServerSpec) -> None:
        """Hold the session until it is lost; over HTTP, ping when idle (a stdio server's exit is
        seen at once, an HTTP server's only when a request fails)."""
        interval = self._policy.ping_interval_s
        if spec.transport == "stdio" or not interval:
            await self._lost.wait()
            return
        while not self._lost.is_set():
            try:
                await asyncio.wait_for(self._lost.wait(), interval)
                return
            except TimeoutError:
                pass
            try:
                await asyncio.wait_for(session.send_ping(), spec.timeout_s)
            except Exception as exc:
                self.connection_lost(f"no answer to ping: {describe_error(exc)}", self.generation)

    async def _relay(self, read: Any, send: Any) -> None:
        """Pass messages on to the session and notice when the server's side ends."""
        import anyio

        try:
            async with send:
                async for item in read:
                    await send.send(item)
        except (anyio.ClosedResourceError, anyio.BrokenResourceError, anyio.EndOfStream):
            pass
        finally:
            if not self._closing:
                self.connection_lost("the server closed the connection", self.generation)

    async def _on_message(self, message: Any) -> None:
        if isinstance(message, Exception):
            # A transport fault (e.g. the HTTP server went away): treat connection errors as a loss.
            name = type(message).__name__
            log.debug("MCP server %s: transport error %s: %s", self.spec.name, name, message)
            if isinstance(message, OSError) or "Connect" in name or "RemoteProtocol" in name:
                self.connection_lost(describe_error(message), self.generation)
            return
        method = getattr(getattr(message, "root", message), "method", None) or getattr(message, "method", None)
        if method == "notifications/tools/list_changed" and self.session is not None:
            asyncio.get_running_loop().create_task(self._refresh_tools())

    async def _refresh_tools(self) -> None:
        session = self.session
        if session is None:
            return
        try:
            self.tools = await self._list_tools(session)
        except Exception as exc:
            log.warning("MCP server %s: re-listing tools failed: %s", self.spec.name, exc)
            return
        self._set_state("ready", "", tool_count=len(self.tools))
        self._hub.publish(ToolsChanged(self.spec.name, tuple(t.name for t in self.tools)))

    async def _list_tools(self, session: Any) -> list[ToolInfo]:
        from mcp.types import PaginatedRequestParams

        tools: list[ToolInfo] = []
        cursor: str | None = None
        for _ in range(1000):
            params = PaginatedRequestParams(cursor=cursor) if cursor else None
            result = await session.list_tools(params=params)
            for tool in result.tools:
                wire = tool.model_dump(by_alias=True, exclude_none=True, mode="json")
                tools.append(ToolInfo.from_wire(wire, server=self.spec.name))
            cursor = result.next_cursor
            if not cursor:
                break
        return tools

    # -- state -------------------------------------------------------------------------------

    def _set_state(self, status: ServerStatus, reason: str, **extra: Any) -> None:
        previous = self.state
        state = ServerState(
            self.spec.name,
            status,
            reason,
            attempt=extra.get("attempt", 0),
            tool_count=extra.get("tool_count", previous.tool_count if status == "ready" else len(self.tools)),
            circuit_open=extra.get("circuit_open", False),
            transport=self.spec.transport,
        )
        if state == previous:
            return
        self.state = state
        changed, self._state_changed = self._state_changed, asyncio.Event()
        changed.set()
        if status != previous.status or reason != previous.reason:
            log.info("MCP server %s: %s %s", self.spec.name, status, reason)
        self._hub.publish(ServerStatusChanged(self.spec.name, state, previous.status))

    def prefixed(self, tool: str) -> str:
        return prefixed_name(self.spec.name, tool)


def now() -> float:
    return time.perf_counter()


OnProgress = Callable[[float, float | None, str | None], Any]
