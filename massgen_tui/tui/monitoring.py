"""The plain glue between massgen_tui.docker and the Containers pane: no widgets in here.

* :class:`ContainerPoller` - one blocking poll (run it in a thread worker): every massgen-tui
  container (any session, found by label), each running one with a one-shot stats sample. CPU % comes
  from the delta to the previous poll (the engine's one-shot sample has no previous reading), so a
  poll costs a few milliseconds per container instead of the engine's 1-2 s two-reading sample.
* :func:`strip_ansi` - colour and cursor escapes removed, so the log view never shows them raw.
* :func:`describe_event` - what an engine event (OOM kill, crash, ...) means for the user.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

HISTORY = 30  # samples kept per container for the sparklines

_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])|[\x00-\x08\x0b-\x1f\x7f]")


def strip_ansi(line: str) -> str:
    """``line`` without ANSI escape sequences or control characters (tabs kept)."""
    if "\x1b" not in line and not _has_control(line):
        return line
    return _ANSI.sub("", line)


def _has_control(line: str) -> bool:
    return any(ch < " " and ch != "\t" for ch in line[:64]) if line else False


@dataclass
class ContainerRow:
    """One container as the pane shows it (values already computed, history for sparklines)."""

    id: str
    name: str
    agent: str
    session: str
    image: str
    state: str  # running, exited, created, paused ... ; "gone" once the engine no longer lists it
    status: str
    started_at: float | None = None
    owner_alive: bool = True
    cpu_percent: float | None = None
    memory_bytes: int | None = None
    memory_limit: int | None = None
    pids: int | None = None
    net_rx: int = 0
    net_tx: int = 0
    block_read: int = 0
    block_write: int = 0
    cpu_history: list[float] = field(default_factory=list)
    mem_history: list[float] = field(default_factory=list)


@dataclass
class PollResult:
    rows: list[ContainerRow]
    error: str | None = None  # the engine does not answer: say so, keep going
    took_s: float = 0.0


class ContainerPoller:
    """Collects the table's data. Blocking: call :meth:`poll` from a thread, one poll at a time."""

    def __init__(self, client_factory: Callable[[], Any] | None = None, *, session: str | None = None) -> None:
        self._client_factory = client_factory
        self._client: Any = None
        self.session = session
        self._previous: dict[str, dict[str, Any]] = {}  # id -> last cpu_stats
        self._cpu: dict[str, deque[float]] = {}
        self._mem: dict[str, deque[float]] = {}
        # The engine answers a one-shot stats request at its next 1 s collection tick, so the samples of
        # all containers are taken in parallel: a poll costs about one tick, whatever the count.
        self._pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="massgen-tui-stats")

    @property
    def client(self) -> Any:
        if self._client is None:
            if self._client_factory is not None:
                self._client = self._client_factory()
            else:
                from massgen_tui.docker.engine import connect

                self._client = connect(timeout=10)
        return self._client

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        if self._client is not None and self._client_factory is None:
            try:
                self._client.close()
            except Exception:
                pass
        self._client = None

    def poll(self) -> PollResult:
        started = time.perf_counter()
        try:
            rows = self._collect()
        except Exception as exc:  # engine stopped, socket gone: shown in the pane, retried next poll
            self._client = None if self._client_factory is None else self._client
            return PollResult([], engine_problem(exc), time.perf_counter() - started)
        return PollResult(rows, None, time.perf_counter() - started)

    def _collect(self) -> list[ContainerRow]:
        from massgen_tui.docker.monitoring import compute_stats
        from massgen_tui.docker.sessions import AGENT, SESSION, session_is_dead

        api = self.client.api
        label = f"{SESSION}={self.session}" if self.session else SESSION
        rows: list[ContainerRow] = []
        for info in api.containers(all=True, filters={"label": label}):
            labels = info.get("Labels") or {}
            rows.append(ContainerRow(
                id=info["Id"], name=(info.get("Names") or ["?"])[0].lstrip("/"), agent=labels.get(AGENT, ""),
                session=labels.get(SESSION, ""), image=info.get("Image", ""), state=info.get("State", ""),
                status=info.get("Status", ""), owner_alive=not session_is_dead(labels),
                started_at=_started_at(info)))

        def sample(row: ContainerRow) -> None:
            try:
                raw = api.stats(row.id, stream=False, one_shot=True)
            except Exception:
                return
            previous = self._previous.get(row.id)
            self._previous[row.id] = raw.get("cpu_stats") or {}
            raw["precpu_stats"] = previous or {}
            stats = compute_stats(raw, row.id, row.name)
            if stats is None:  # first sample: memory and I/O are known, CPU not yet
                memory = raw.get("memory_stats") or {}
                row.memory_limit = int(memory.get("limit") or 0) or None
                row.pids = int((raw.get("pids_stats") or {}).get("current") or 0)
                return
            row.cpu_percent = stats.cpu_percent
            row.memory_bytes, row.memory_limit, row.pids = stats.memory_bytes, stats.memory_limit, stats.pids
            row.net_rx, row.net_tx = stats.net_rx, stats.net_tx
            row.block_read, row.block_write = stats.block_read, stats.block_write

        running = [row for row in rows if row.state == "running"]
        if running:
            list(self._pool.map(sample, running))
        seen = {row.id for row in rows}
        for gone in [cid for cid in self._previous if cid not in seen]:
            self._previous.pop(gone, None)
            self._cpu.pop(gone, None)
            self._mem.pop(gone, None)
        for row in rows:
            if row.cpu_percent is not None:
                self._cpu.setdefault(row.id, deque(maxlen=HISTORY)).append(row.cpu_percent)
            if row.memory_bytes is not None and row.memory_limit:
                self._mem.setdefault(row.id, deque(maxlen=HISTORY)).append(100.0 * row.memory_bytes / row.memory_limit)
            row.cpu_history = list(self._cpu.get(row.id, ()))
            row.mem_history = list(self._mem.get(row.id, ()))
        return rows


def _started_at(info: dict[str, Any]) -> float | None:
    created = info.get("Created")
    return float(created) if isinstance(created, int | float) else None


def engine_problem(exc: BaseException) -> str:
    from massgen_tui.docker.engine import engine_address

    text = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
    if type(exc).__name__ == "DockerUnavailableError":
        return str(exc)
    return f"The Docker engine at {engine_address()} does not answer ({text}). Retrying."


Severity = Literal["information", "warning", "error"]


def describe_event(action: str, exit_code: int | None, stopping: bool = False) -> tuple[Severity, str] | None:
    """(severity, words) for an engine event worth telling the user; None for routine ones.

    ``stopping`` means the user asked this container to stop (so its exit is not a crash).
    """
    if action == "oom":
        return "error", "OOM killed (out of memory)"
    if action == "die":
        if stopping or exit_code in (None, 0):
            return None if stopping else ("information", "exited (code 0)")
        if exit_code == 137:
            return "error", "killed (exit 137: SIGKILL or out of memory)"
        return "warning", f"crashed (exit {exit_code})"
    if action == "destroy":
        return "information", "removed"
    return None


def exec_timeout_note(reason: str, command: str, duration_s: float) -> tuple[Severity, str] | None:
    """Words for an agent command that ended badly (from the runtime's activity stream)."""
    short = command if len(command) <= 60 else command[:57] + "..."
    if reason == "timeout":
        return "warning", f"command timed out after {duration_s:.0f}s: {short}"
    if reason == "oom":
        return "error", f"command OOM killed: {short}"
    if reason == "container_died":
        return "error", f"container died during: {short}"
    return None
