"""Async streams for the UI: a container's logs (batched), its stats, and the engine's events.

Each stream reads the blocking Docker SDK in its own daemon thread and hands items to the event loop
with ``call_soon_threadsafe`` (the reader never waits on the UI). Closing the async iterator stops it.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from massgen_tui.docker.sessions import AGENT, SESSION


@dataclass(frozen=True)
class ContainerStats:
    container_id: str
    name: str
    cpu_percent: float  # as `docker stats` shows it: 100 % = one CPU busy
    memory_bytes: int  # usage minus inactive file cache, as `docker stats`
    memory_limit: int
    memory_percent: float
    net_rx: int
    net_tx: int
    block_read: int
    block_write: int
    pids: int
    online_cpus: int
    read_at: float


@dataclass(frozen=True)
class EngineEvent:
    action: str  # start, die, oom, kill, stop, destroy, create ...
    container_id: str
    name: str
    agent: str
    session: str
    exit_code: int | None
    time: float
    attributes: Mapping[str, str]


def compute_stats(raw: Mapping[str, Any], container_id: str = "", name: str = "") -> ContainerStats | None:
    """One stats sample as the docker CLI computes it; None for a sample without a previous reading."""
    cpu = raw.get("cpu_stats") or {}
    pre = raw.get("precpu_stats") or {}
    cpu_total = (cpu.get("cpu_usage") or {}).get("total_usage")
    pre_total = (pre.get("cpu_usage") or {}).get("total_usage")
    system, pre_system = cpu.get("system_cpu_usage"), pre.get("system_cpu_usage")
    if cpu_total is None or pre_total is None or not system or not pre_system:
        return None
    online = cpu.get("online_cpus") or len((cpu.get("cpu_usage") or {}).get("percpu_usage") or []) or 1
    cpu_delta = cpu_total - pre_total
    system_delta = system - pre_system
    cpu_percent = (cpu_delta / system_delta) * online * 100.0 if system_delta > 0 and cpu_delta >= 0 else 0.0
    memory = raw.get("memory_stats") or {}
    details = memory.get("stats") or {}
    usage = int(memory.get("usage") or 0)
    if "total_inactive_file" in details:  # cgroup v1
        usage -= min(usage, int(details["total_inactive_file"]))
    elif "inactive_file" in details:  # cgroup v2
        usage -= min(usage, int(details["inactive_file"]))
    limit = int(memory.get("limit") or 0)
    rx = tx = 0
    for network in (raw.get("networks") or {}).values():
        rx += int(network.get("rx_bytes") or 0)
        tx += int(network.get("tx_bytes") or 0)
    read = write = 0
    for entry in ((raw.get("blkio_stats") or {}).get("io_service_bytes_recursive") or []):
        op = str(entry.get("op", "")).lower()
        if op == "read":
            read += int(entry.get("value") or 0)
        elif op == "write":
            write += int(entry.get("value") or 0)
    return ContainerStats(
        container_id=container_id or str(raw.get("id", "")), name=name or str(raw.get("name", "")).lstrip("/"),
        cpu_percent=cpu_percent, memory_bytes=usage, memory_limit=limit,
        memory_percent=(usage / limit * 100.0) if limit else 0.0, net_rx=rx, net_tx=tx, block_read=read,
        block_write=write, pids=int((raw.get("pids_stats") or {}).get("current") or 0), online_cpus=int(online),
        read_at=time.time())


class _ThreadFeed:
    """Items put by a producer thread, taken on the event loop; ``close`` stops the producer."""

    _DONE = object()

    def __init__(self, produce: Callable[[Callable[[Any], None], threading.Event, list[Any]], None]):
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue[Any] = asyncio.Queue()
        self.stop = threading.Event()
        self.closers: list[Any] = []
        self.finished = False
        self.produce = produce
        threading.Thread(target=self._run, daemon=True, name="massgen-tui-docker-stream").start()

    def _put(self, item: Any) -> None:
        if not self.loop.is_closed():
            with contextlib.suppress(RuntimeError):
                self.loop.call_soon_threadsafe(self.queue.put_nowait, item)

    def _run(self) -> None:
        try:
            self.produce(self._put, self.stop, self.closers)
        except BaseException as exc:
            self._put(_Failure(exc))
        finally:
            self._put(self._DONE)

    def _unwrap(self, item: Any) -> Any:
        if item is self._DONE:
            self.finished = True
            raise StopAsyncIteration
        if isinstance(item, _Failure):
            self.finished = True
            if self.stop.is_set():
                raise StopAsyncIteration
            raise item.error
        return item

    async def get(self) -> Any:
        """The next item; StopAsyncIteration at the end."""
        return self._unwrap(await self.queue.get())

    def get_nowait(self) -> Any:
        """The next item if one is waiting (asyncio.QueueEmpty otherwise)."""
        return self._unwrap(self.queue.get_nowait())

    def close(self) -> None:
        self.stop.set()
        for close in self.closers:
            with contextlib.suppress(Exception):
                close()


async def _threaded(produce: Callable[[Callable[[Any], None], threading.Event, list[Any]], None],
                    ) -> AsyncIterator[Any]:
    """Run ``produce(put, stop, closers)`` in a daemon thread; yield what it puts until it ends."""
    feed = _ThreadFeed(produce)
    try:
        while True:
            try:
                item = await feed.get()
            except StopAsyncIteration:
                return
            yield item
    finally:
        feed.close()


@dataclass(frozen=True)
class _Failure:
    error: BaseException


async def stats_stream(client: Any, container_id: str) -> AsyncIterator[ContainerStats]:
    """One :class:`ContainerStats` a second (the engine's pace); ends when the container goes away."""
    from docker.errors import NotFound

    name = ""
    with contextlib.suppress(Exception):
        name = client.api.inspect_container(container_id)["Name"].lstrip("/")

    def produce(put: Callable[[Any], None], stop: threading.Event, closers: list[Any]) -> None:
        try:
            for raw in client.api.stats(container_id, stream=True, decode=True):
                if stop.is_set():
                    return
                sample = compute_stats(raw, container_id, name)
                if sample is not None:
                    put(sample)
        except NotFound:
            return

    async for sample in _threaded(produce):
        yield sample


def stats_once(client: Any, container_id: str) -> ContainerStats | None:
    """One sample (blocking, ~1-2 s: the engine takes two readings)."""
    raw = client.api.stats(container_id, stream=False)
    return compute_stats(raw, container_id)


def _raw_chunks(response: Any, chunk_size: int = 65536) -> Iterator[bytes]:
    """The response body as it arrives, in large pieces (whatever one read returns), HTTP chunking removed.

    The engine sends one HTTP chunk per log line; decoding them one by one (urllib3's ``read_chunked``)
    costs more than the lines themselves, so read the buffered socket directly when we can.
    """
    raw = response.raw
    buffered = getattr(getattr(raw, "_fp", None), "fp", None)
    if getattr(raw, "chunked", False) and buffered is not None and hasattr(buffered, "read1"):
        yield from _dechunk(lambda: buffered.read1(chunk_size))
        return
    if getattr(raw, "chunked", False) and hasattr(raw, "read_chunked"):
        yield from raw.read_chunked(chunk_size, decode_content=False)
        return
    read = raw.read1 if hasattr(raw, "read1") else raw.read
    while True:
        data = read(chunk_size)
        if not data:
            return
        yield data


def _dechunk(read: Callable[[], bytes]) -> Iterator[bytes]:
    """Payload bytes of an HTTP/1.1 chunked body, one piece per read holding every chunk completed by it."""
    buffer = b""
    while True:
        data = read()
        if not data:
            return
        buffer += data
        out: list[bytes] = []
        offset = 0
        while True:
            line_end = buffer.find(b"\r\n", offset)
            if line_end < 0:
                break
            size = int(buffer[offset:line_end].split(b";")[0] or b"0", 16)
            if size == 0:
                if out:
                    yield b"".join(out)
                return
            if len(buffer) < line_end + 2 + size + 2:
                break
            out.append(buffer[line_end + 2: line_end + 2 + size])
            offset = line_end + 2 + size + 2
        buffer = buffer[offset:]
        if out:
            yield b"".join(out)


def _pieces(raw: Iterator[bytes], tty: bool) -> Iterator[bytes]:
    """Output bytes, stdout and stderr together, one piece per read (frames of a read joined)."""
    if tty:
        yield from raw
        return
    buffer = b""
    for data in raw:
        buffer += data
        out: list[bytes] = []
        offset = 0
        while len(buffer) - offset >= 8:
            _stream, size = struct.unpack_from(">BxxxL", buffer, offset)
            if len(buffer) - offset - 8 < size:
                break
            out.append(buffer[offset + 8: offset + 8 + size])
            offset += 8 + size
        buffer = buffer[offset:]
        if out:
            yield b"".join(out)


def _frames(chunks: Iterator[bytes]) -> Iterator[tuple[int, bytes]]:
    """(stream, payload) frames of a multiplexed Docker stream, parsed from large chunks."""
    buffer = b""
    for data in chunks:
        buffer += data
        offset = 0
        while len(buffer) - offset >= 8:
            stream, size = struct.unpack_from(">BxxxL", buffer, offset)
            if len(buffer) - offset - 8 < size:
                break
            yield stream, buffer[offset + 8: offset + 8 + size]
            offset += 8 + size
        buffer = buffer[offset:]


async def logs_stream(client: Any, container_id: str, *, follow: bool = True, tail: int | str = 200,
                      interval: float = 0.05, max_batch: int = 5000, timestamps: bool = False,
                      since: float | None = None) -> AsyncIterator[list[str]]:
    """Lists of log lines (stdout and stderr), at most one list per ``interval`` seconds.

    ``timestamps`` prefixes each line with the engine's RFC 3339 time; ``since`` (Unix time) starts there."""
    api = client.api
    tty = bool(api.inspect_container(container_id)["Config"].get("Tty"))

    def produce(put: Callable[[Any], None], stop: threading.Event, closers: list[Any]) -> None:
        params: dict[str, Any] = {"stdout": 1, "stderr": 1, "follow": int(follow), "tail": str(tail),
                                  "timestamps": int(timestamps)}
        if since is not None:
            params["since"] = str(int(since))
        response = api._get(api._url("/containers/{0}/logs", container_id), params=params, stream=True)
        api._raise_for_status(response)
        sock = api._get_raw_response_socket(response)
        api._disable_socket_timeout(sock)  # a followed log may be quiet for long
        raw_sock = getattr(sock, "_sock", sock)  # a unix socket comes wrapped in SocketIO (no shutdown)
        closers.append(lambda: raw_sock.shutdown(2) if hasattr(raw_sock, "shutdown") else None)
        closers.append(response.close)
        pending = b""
        raw = _raw_chunks(response)
        for piece in _pieces(raw, tty):
            if stop.is_set():
                return
            pending += piece
            if b"\n" not in piece:
                continue
            *lines, pending = pending.split(b"\n")
            put([line.decode("utf-8", "replace").rstrip("\r") for line in lines])  # one hand-over per read
        if pending:
            put([pending.decode("utf-8", "replace")])

    feed = _ThreadFeed(produce)
    try:
        while True:
            try:
                merged = list(await feed.get())
            except StopAsyncIteration:
                return
            deadline = time.monotonic() + interval
            ended = False
            while len(merged) < max_batch:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    merged.extend(await asyncio.wait_for(feed.get(), remaining))
                except TimeoutError:
                    break
                except StopAsyncIteration:
                    ended = True
                    break
            yield merged
            if ended:
                return
    finally:
        feed.close()


async def engine_events(client: Any, *, actions: tuple[str, ...] = ("create", "start", "die", "oom", "kill",
                                                                    "stop", "destroy"),
                        session: str | None = None) -> AsyncIterator[EngineEvent]:
    """Container events of massgen-tui's containers (one session's, when given)."""
    label = f"{SESSION}={session}" if session else SESSION

    def produce(put: Callable[[Any], None], stop: threading.Event, closers: list[Any]) -> None:
        stream = client.events(decode=True, filters={"type": "container", "label": label})
        closers.append(stream.close)
        for event in stream:
            if stop.is_set():
                return
            action = str(event.get("Action") or event.get("status") or "")
            if action not in actions:
                continue
            actor = event.get("Actor") or {}
            attrs = {str(k): str(v) for k, v in (actor.get("Attributes") or {}).items()}
            code = attrs.get("exitCode")
            put(EngineEvent(action=action, container_id=str(actor.get("ID") or event.get("id") or ""),
                            name=attrs.get("name", ""), agent=attrs.get(AGENT, ""), session=attrs.get(SESSION, ""),
                            exit_code=int(code) if code and code.lstrip("-").isdigit() else None,
                            time=float(event.get("timeNano", 0)) / 1e9 or time.time(), attributes=attrs))

    async for item in _threaded(produce):
        yield item
