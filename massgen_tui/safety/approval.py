"""Asking a human: the approver protocol and its three implementations.

* :class:`DenyingApprover` - nobody can answer (CI, scripts): every request is denied.
* :class:`TerminalApprover` - the headless CLI: asks on ``/dev/tty``; with no terminal it denies.
* :class:`ApprovalQueue` - the interface the TUI's dialog sits on: parallel requests wait in a queue,
  the UI lists them and answers one, several (``applies_to_queued``) or all at once.

The gate puts a timeout around every request; an unanswered request is denied and audited as
"timeout". An approver never needs to implement timeouts itself.
"""

from __future__ import annotations

import asyncio
import json
import os
import select
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from massgen_tui.mcp.types import ToolCall
from massgen_tui.safety.classification import Classification
from massgen_tui.safety.decisions import SCOPES, Decision, Scope
from massgen_tui.safety.redaction import redact


@dataclass(frozen=True)
class ApprovalRequest:
    """A call waiting for a human. ``arguments`` are redacted for display."""

    call: ToolCall
    classification: Classification
    why_asked: str
    timeout_s: float
    workspace: str = ""
    stale_rule: Decision | None = None  # set when re-asking because the tool's definition changed
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    created_at: float = field(default_factory=time.time)
    scopes: tuple[Scope, ...] = SCOPES

    @property
    def server(self) -> str:
        return self.call.server

    @property
    def tool(self) -> str:
        return self.call.tool

    @property
    def agent(self) -> str | None:
        return self.call.agent

    @property
    def arguments(self) -> Mapping[str, Any]:
        return redact(dict(self.call.arguments))

    @property
    def deadline(self) -> float:
        return self.created_at + self.timeout_s

    def same_tool(self, other: ApprovalRequest) -> bool:
        return (self.call.server_identity, self.call.server, self.call.tool) == (
            other.call.server_identity, other.call.server, other.call.tool)

    def summary(self) -> str:
        c = self.classification
        return f"{self.call.server}/{self.call.tool} ({c.verdict}, confidence {c.confidence:.2f})"


@dataclass(frozen=True)
class ApprovalDecision:
    """A human's (or a fallback's) answer. ``scope`` other than "once" is stored as a decision."""

    action: Literal["allow", "deny"]
    scope: Scope = "once"
    reason: str = ""
    applies_to_queued: bool = False
    arg_pattern: Mapping[str, str] | None = None
    decided_by: str = "human"

    @classmethod
    def allow(cls, scope: Scope = "once", reason: str = "", *, applies_to_queued: bool = False) -> ApprovalDecision:
        return cls("allow", scope, reason, applies_to_queued)

    @classmethod
    def deny(cls, reason: str = "", scope: Scope = "once", *, applies_to_queued: bool = False,
             decided_by: str = "human") -> ApprovalDecision:
        return cls("deny", scope, reason, applies_to_queued, None, decided_by)


@runtime_checkable
class Approver(Protocol):
    """Anything that can answer an :class:`ApprovalRequest`."""

    async def request(self, req: ApprovalRequest) -> ApprovalDecision: ...


class DenyingApprover:
    """Nobody is there to answer: deny, so irreversible calls never run unattended (fail closed)."""

    def __init__(self, reason: str = "no one can approve calls here (non-interactive)") -> None:
        self.reason = reason

    async def request(self, req: ApprovalRequest) -> ApprovalDecision:
        return ApprovalDecision.deny(self.reason, decided_by="policy")


# ------------------------------------------------------------------------------------- terminal
_ANSWERS: dict[str, tuple[Literal["allow", "deny"], Scope]] = {
    "y": ("allow", "once"), "yes": ("allow", "once"), "s": ("allow", "session"), "w": ("allow", "workspace"),
    "a": ("allow", "user"), "n": ("deny", "once"), "no": ("deny", "once"), "": ("deny", "once"),
    "d": ("deny", "user"), "dw": ("deny", "workspace"),
}


class TerminalApprover:
    """Asks on the controlling terminal (``/dev/tty``), one request at a time.

    Works while stdin/stdout are pipes (the headless CLI). With no terminal to open, it denies.
    """

    def __init__(self, tty_path: str = "/dev/tty") -> None:
        self.tty_path = tty_path
        self._lock = asyncio.Lock()

    async def request(self, req: ApprovalRequest) -> ApprovalDecision:
        async with self._lock:
            cancel = threading.Event()
            try:
                return await asyncio.to_thread(self._ask, req, cancel)
            finally:
                cancel.set()

    def _ask(self, req: ApprovalRequest, cancel: threading.Event) -> ApprovalDecision:
        try:
            fd = os.open(self.tty_path, os.O_RDWR | os.O_NOCTTY)
        except OSError as exc:
            return ApprovalDecision.deny(f"no terminal to ask on ({self.tty_path}: {exc.strerror or exc})",
                                         decided_by="policy")
        try:
            c = req.classification
            args = json.dumps(req.arguments, ensure_ascii=False, default=str)
            if len(args) > 400:
                args = args[:400] + "..."
            lines = [
                "",
                f"massgen-tui safety: {req.agent or 'an agent'} wants to call {req.summary()}",
                f"  why asked: {req.why_asked}",
                *(f"  - {r}" for r in c.reasons[:4]),
                f"  arguments: {args}",
                f"  (denied automatically in {req.timeout_s:g}s)",
                "  allow: [y] once  [s] session  [w] workspace  [a] always    deny: [n] once  [dw] workspace  "
                "[d] always  > ",
            ]
            os.write(fd, "\n".join(lines).encode())
            buffer = b""
            while not cancel.is_set():
                ready, _, _ = select.select([fd], [], [], 0.2)
                if not ready:
                    continue
                chunk = os.read(fd, 1024)
                if not chunk:
                    break
                buffer += chunk
                if b"\n" in buffer:
                    answer = buffer.split(b"\n", 1)[0].decode(errors="replace").strip().lower()
                    action, scope = _ANSWERS.get(answer, ("deny", "once"))
                    note = "" if answer in _ANSWERS else f" (unrecognised answer {answer!r})"
                    os.write(fd, f"  -> {action} ({scope}){note}\n".encode())
                    return ApprovalDecision(action, scope, f"answered {answer!r} on the terminal{note}")
            return ApprovalDecision.deny("the terminal closed or the request was withdrawn", decided_by="policy")
        finally:
            os.close(fd)


# ---------------------------------------------------------------------------------------- queue
@dataclass(frozen=True)
class QueueEvent:
    """What changed in an :class:`ApprovalQueue`: a request arrived, was answered or expired."""

    kind: Literal["queued", "answered", "withdrawn"]
    request: ApprovalRequest
    decision: ApprovalDecision | None = None


class ApprovalQueue:
    """The approver the TUI dialog implements against: a queue of parallel requests.

    ``await queue.request(req)`` waits until the UI calls :meth:`answer` (or :meth:`answer_all`), or
    the gate's timeout withdraws it. The UI learns about changes from :meth:`subscribe` (an
    ``asyncio.Queue`` of :class:`QueueEvent`) or by polling :meth:`pending`. Call the methods on
    the event loop the gate runs on (Textual's loop); from another thread use :meth:`answer_threadsafe`.
    """

    def __init__(self) -> None:
        self._pending: dict[str, tuple[ApprovalRequest, asyncio.Future[ApprovalDecision]]] = {}
        self._subscribers: list[asyncio.Queue[QueueEvent]] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    async def request(self, req: ApprovalRequest) -> ApprovalDecision:
        loop = asyncio.get_running_loop()
        self._loop = loop
        future: asyncio.Future[ApprovalDecision] = loop.create_future()
        self._pending[req.request_id] = (req, future)
        self._publish(QueueEvent("queued", req))
        try:
            return await future
        finally:
            if self._pending.pop(req.request_id, None) is not None:  # withdrawn (timeout, cancelled)
                self._publish(QueueEvent("withdrawn", req))

    def pending(self) -> list[ApprovalRequest]:
        """Waiting requests, oldest first."""
        return sorted((req for req, _ in self._pending.values()), key=lambda r: r.created_at)

    def answer(self, request_id: str, decision: ApprovalDecision) -> list[str]:
        """Answer one request; with ``applies_to_queued`` also every waiting request for the same tool.

        Returns the ids answered (empty if the request is no longer waiting).
        """
        entry = self._pending.get(request_id)
        if entry is None:
            return []
        targets = [request_id]
        if decision.applies_to_queued:
            targets += [rid for rid, (req, _) in self._pending.items() if rid != request_id and req.same_tool(entry[0])]
        return self._resolve(targets, decision)

    def answer_all(self, decision: ApprovalDecision, request_ids: Iterable[str] | None = None) -> list[str]:
        """Answer every waiting request (or the given ones) with the same decision."""
        ids = list(self._pending) if request_ids is None else [r for r in request_ids if r in self._pending]
        return self._resolve(ids, decision)

    def answer_threadsafe(self, request_id: str, decision: ApprovalDecision) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self.answer, request_id, decision)

    def _resolve(self, ids: list[str], decision: ApprovalDecision) -> list[str]:
        done = []
        for rid in ids:
            entry = self._pending.pop(rid, None)
            if entry is None:
                continue
            req, future = entry
            if not future.done():
                future.set_result(decision)
                done.append(rid)
                self._publish(QueueEvent("answered", req, decision))
        return done

    def subscribe(self) -> asyncio.Queue[QueueEvent]:
        queue: asyncio.Queue[QueueEvent] = asyncio.Queue()
        self._subscribers.append(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[QueueEvent]) -> None:
        if queue in self._subscribers:
            self._subscribers.remove(queue)

    def _publish(self, event: QueueEvent) -> None:
        for queue in self._subscribers:
            queue.put_nowait(event)
