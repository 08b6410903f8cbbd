"""Events for the UI: plain dataclasses on an async stream, one subscriber queue each.

A subscriber that stops reading does not slow calls down: its queue is bounded and the oldest
events are dropped (``EventStream.dropped`` counts them).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from massgen_tui.mcp.status import ServerState


@dataclass(frozen=True)
class ServerStatusChanged:
    server: str
    state: ServerState
    previous: str  # the status before
    at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class ToolsChanged:
    server: str
    tool_names: tuple[str, ...]
    at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class CallStarted:
    call_id: str
    server: str
    tool: str
    arguments: Mapping[str, Any]
    agent: str | None = None
    at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class CallProgress:
    call_id: str
    server: str
    tool: str
    progress: float
    total: float | None = None
    message: str | None = None
    at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class CallEnded:
    """A call that got an answer or a decision: status ``ok``, ``tool_error`` or ``denied``."""

    call_id: str
    server: str
    tool: str
    status: str
    duration_s: float
    text: str = ""
    reason: str = ""  # for denied: the hook's reason
    decided_by: str = ""
    at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class CallFailed:
    """A call that got no answer: status ``error``, ``timeout`` or ``cancelled``."""

    call_id: str
    server: str
    tool: str
    status: str
    error: str
    duration_s: float
    at: float = field(default_factory=time.time)


MCPEvent = ServerStatusChanged | ToolsChanged | CallStarted | CallProgress | CallEnded | CallFailed


class EventStream:
    """One subscriber's view of the events, an async iterator; ``close()`` ends it."""

    def __init__(self, hub: EventHub, maxsize: int) -> None:
        self._hub = hub
        self._queue: asyncio.Queue[MCPEvent | None] = asyncio.Queue()  # bounded by _put, not by the queue
        self._maxsize = maxsize
        self.dropped = 0
        self._closed = False

    def _put(self, event: MCPEvent | None) -> None:
        if event is not None:
            while self._queue.qsize() >= self._maxsize:
                self._queue.get_nowait()
                self.dropped += 1
        self._queue.put_nowait(event)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._hub._streams.discard(self)
            self._put(None)

    def __aiter__(self) -> AsyncIterator[MCPEvent]:
        return self

    async def __anext__(self) -> MCPEvent:
        if self._closed and self._queue.empty():
            raise StopAsyncIteration
        event = await self._queue.get()
        if event is None:
            raise StopAsyncIteration
        return event

    def get_nowait(self) -> MCPEvent | None:
        """The next event if one is waiting (for polling UIs), else ``None``."""
        try:
            event = self._queue.get_nowait()
        except asyncio.QueueEmpty:
            return None
        if event is None:
            raise StopAsyncIteration
        return event


class EventHub:
    """Fans events out to every open :class:`EventStream`."""

    def __init__(self, maxsize: int = 1000) -> None:
        self._streams: set[EventStream] = set()
        self._maxsize = maxsize

    def subscribe(self) -> EventStream:
        stream = EventStream(self, self._maxsize)
        self._streams.add(stream)
        return stream

    def publish(self, event: MCPEvent) -> None:
        for stream in tuple(self._streams):
            stream._put(event)

    @property
    def has_subscribers(self) -> bool:
        return bool(self._streams)

    def close(self) -> None:
        for stream in tuple(self._streams):
            stream.close()
