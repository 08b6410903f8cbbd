"""The approval dialog, and :class:`TuiApprover`: the safety gate's approver inside the app.

The gate awaits ``approver.request(req)``; the request waits in a
:class:`massgen_tui.safety.ApprovalQueue` while a modal dialog shows the oldest one on top of whatever
screen is active (even another dialog). The rest of the app keeps running. Answering one request may
also answer the queued requests of the same tool (``t``). An unanswered request is denied when its
countdown ends (the gate's own timeout denies too: fail closed either way).

Keys: y allow once, s allow for this session, w always allow in this workspace, a always allow (for
me, everywhere), n deny, d always deny, r deny with a reason, t apply to the queued calls of this tool,
Escape deny once. Focus starts on Deny for irreversible calls.
"""

from __future__ import annotations

import asyncio
import json
import math
import threading
import time
from collections.abc import Callable
from typing import Any

from rich.syntax import Syntax
from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from massgen_tui.safety import ApprovalDecision, ApprovalQueue, ApprovalRequest

# (key, action, scope, label) - also listed on the help screen
CHOICES: tuple[tuple[str, str, str, str], ...] = (
    ("y", "allow", "once", "Allow once"),
    ("s", "allow", "session", "Session"),
    ("w", "allow", "workspace", "Workspace"),
    ("a", "allow", "user", "Always"),
    ("n", "deny", "once", "Deny"),
    ("d", "deny", "user", "Always deny"),
)

APPROVAL_KEYS: list[tuple[str, str]] = [
    ("y", "allow this call once"),
    ("s", "allow this tool for the rest of the session"),
    ("w", "always allow this tool in this workspace"),
    ("a", "always allow this tool (for me, everywhere)"),
    ("n / escape", "deny this call"),
    ("d", "always deny this tool (for me, everywhere)"),
    ("r", "deny with a reason (type it, enter sends it to the agent)"),
    ("t", "also apply the answer to the queued calls of the same tool"),
    ("tab / enter", "move between the buttons / press the focused one"),
]

SCOPE_WORDS = {"once": "this call only", "session": "this session", "workspace": "this workspace",
               "user": "everywhere, for me"}


def pretty_arguments(arguments: Any) -> str:
    try:
        return json.dumps(arguments, indent=2, ensure_ascii=False, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return repr(arguments)


class TuiApprover:
    """An :class:`massgen_tui.safety.Approver` that asks in the app's dialog.

    Call :meth:`request` from the app's event loop (a gate running in a worker) or from any other
    thread or event loop (it hops to the app's loop). :meth:`request_blocking` serves plain threads.
    """

    def __init__(self, app: App[Any], queue: ApprovalQueue | None = None, *, clock: Callable[[], float] = time.time,
                 notify_timeouts: bool = True) -> None:
        self.app = app
        self.queue = queue or ApprovalQueue()
        self.clock = clock
        self.notify_timeouts = notify_timeouts
        self.screen: ApprovalScreen | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.answered: dict[str, ApprovalDecision] = {}  # request id -> the answer given in the dialog
        self.expired: list[ApprovalRequest] = []  # withdrawn without an answer (timeout, cancelled)

    def bind_loop(self) -> None:
        """Remember the app's loop (call on the app's loop, e.g. in on_mount)."""
        self.loop = asyncio.get_running_loop()

    # ------------------------------------------------------------------ the Approver protocol
    async def request(self, req: ApprovalRequest) -> ApprovalDecision:
        here = asyncio.get_running_loop()
        if self.loop is None and threading.current_thread() is threading.main_thread():
            self.loop = here
        if self.loop is None or self.loop is here:
            return await self._request_here(req)
        future = asyncio.run_coroutine_threadsafe(self._request_here(req), self.loop)
        return await asyncio.wrap_future(future)

    def request_blocking(self, req: ApprovalRequest, timeout: float | None = None) -> ApprovalDecision:
        """From a plain thread (not the app's): wait for the answer (deny after ``timeout``)."""
        if self.loop is None:
            raise RuntimeError("TuiApprover.bind_loop() was not called on the app's loop")
        future = asyncio.run_coroutine_threadsafe(self._request_here(req), self.loop)
        try:
            return future.result(timeout if timeout is not None else req.timeout_s)
        except TimeoutError:
            future.cancel()
            return ApprovalDecision.deny(f"no answer within {req.timeout_s:g}s", decided_by="timeout")

    async def _request_here(self, req: ApprovalRequest) -> ApprovalDecision:
        from textual._context import active_app

        active_app.set(self.app)  # a task started from another thread has no app in its context
        asyncio.get_running_loop().call_soon(self.sync)
        try:
            return await self.queue.request(req)
        finally:
            if req.request_id not in self.answered:
                self.expired.append(req)
                if self.notify_timeouts:
                    self.app.notify(f"{req.agent or 'agent'}: {req.server}/{req.tool} was not answered in time: denied",
                                    title="Safety", severity="warning", timeout=6)
            asyncio.get_running_loop().call_soon(self.sync)

    # ------------------------------------------------------------------ the dialog side
    def pending(self) -> list[ApprovalRequest]:
        return self.queue.pending()

    def answer(self, req: ApprovalRequest, decision: ApprovalDecision) -> list[str]:
        ids = self.queue.answer(req.request_id, decision)
        for rid in ids:
            self.answered[rid] = decision
        self.sync()
        return ids

    def sync(self) -> None:
        """Show the oldest waiting request (pushing the dialog on top of whatever is shown), or close it."""
        pending = self.queue.pending()
        screen = self.screen
        if not pending:
            if screen is not None and screen in self.app.screen_stack:
                if self.app.screen is screen:
                    self.screen = None
                    screen.dismiss(None)
                else:  # something was opened on top of the dialog: it closes when that one does
                    screen.nothing_waiting()
            else:
                self.screen = None
            return
        if screen is None or screen not in self.app.screen_stack:
            self.screen = ApprovalScreen(self, pending[0])
            self.app.push_screen(self.screen)
            return
        current = screen.request
        if current.request_id not in {r.request_id for r in pending}:
            if screen.is_mounted:
                screen.show(pending[0])
            else:  # pushed but not composed yet: its on_mount shows the request
                screen.request = pending[0]
        elif screen.is_mounted:  # (not yet mounted: on_mount counts the queue as it is then)
            screen.refresh_counts()


class ApprovalScreen(ModalScreen[None]):
    """One request at a time; the queue count and countdown update live."""

    DEFAULT_CSS = """
    ApprovalScreen { align: center middle; }
    ApprovalScreen #approval { width: 96; max-width: 100%; height: auto; max-height: 100%;
                               border: thick $warning; background: $surface; padding: 0 1; }
    ApprovalScreen #approval-head { height: 1; }
    ApprovalScreen #approval-who { height: auto; }
    ApprovalScreen #approval-verdict { height: auto; max-height: 5; }
    ApprovalScreen #approval-args { height: auto; max-height: 8; min-height: 2; border: round $panel-lighten-2; }
    ApprovalScreen #approval-args:focus { border: round $accent; }
    ApprovalScreen #approval-scopes { height: auto; color: $text-muted; }
    ApprovalScreen #approval-countdown { height: 1; color: $warning; }
    ApprovalScreen .approval-buttons { height: 1; margin: 1 0 0 0; }
    ApprovalScreen .approval-buttons.-second { margin: 0; }
    ApprovalScreen .approval-label { width: auto; height: 1; color: $text-muted; padding: 0 1 0 0; }
    ApprovalScreen .approval-buttons Button { margin: 0 1 0 0; min-width: 10; }
    ApprovalScreen #approval-reason { display: none; }
    ApprovalScreen #approval-reason.-shown { display: block; }
    ApprovalScreen #approval-keys { height: auto; color: $text-muted; }
    """

    BINDINGS = [
        *(Binding(key, f"choose('{action}', '{scope}')", label, show=False) for key, action, scope, label in CHOICES),
        Binding("r", "reason", "Deny with reason", show=False),
        Binding("t", "toggle_queued", "Apply to queued", show=False),
        Binding("escape", "escape", "Deny", show=False),
    ]

    def __init__(self, approver: TuiApprover, request: ApprovalRequest) -> None:
        super().__init__(id="approval-screen")
        self.approver = approver
        self.request = request
        self.apply_to_queued = False
        self.arguments_text = ""
        self._ticker: Any = None

    def compose(self) -> ComposeResult:
        with Vertical(id="approval"):
            yield Static(id="approval-head")
            yield Static(id="approval-who")
            yield Static(id="approval-verdict")
            with VerticalScroll(id="approval-args"):
                yield Static(id="approval-args-text")
            yield Static(id="approval-scopes")
            yield Static(id="approval-countdown")
            with Horizontal(classes="approval-buttons"):
                yield Static("allow:", classes="approval-label")
                for key, action, scope, label in CHOICES[:4]:
                    yield Button(f"{key} {label}", id=f"choice-{action}-{scope}", compact=True,
                                 variant="success" if scope == "once" else "default")
            with Horizontal(classes="approval-buttons -second"):
                yield Static(" deny:", classes="approval-label")
                for key, action, scope, label in CHOICES[4:]:
                    yield Button(f"{key} {label}", id=f"choice-{action}-{scope}", compact=True, variant="error")
                yield Button("r With reason", id="choice-reason", compact=True)
            yield Input(placeholder="why (sent to the agent); enter denies, escape goes back", id="approval-reason")
            yield Static(id="approval-keys")

    def on_mount(self) -> None:
        self.show(self.request)
        self._ticker = self.set_interval(0.25, self.tick, name="approval-countdown")

    # ------------------------------------------------------------------ content
    def show(self, request: ApprovalRequest) -> None:
        self.request = request
        self.apply_to_queued = False
        c = request.classification
        self.query_one("#approval-who", Static).update(Text.assemble(
            (request.agent or "An agent", "bold"), " wants to call ", (request.server, "bold"), " / ",
            (request.tool, "bold reverse")))
        verdict = Text()
        verdict.append(c.verdict.upper(), style="bold red" if c.irreversible else "bold green")
        verdict.append(f"  confidence {c.confidence:.2f}   asked because: {request.why_asked}")
        if request.stale_rule is not None:
            verdict.append(f"\nthe tool changed since {request.stale_rule.describe()}", style="yellow")
        for reason in c.reasons[:3]:
            verdict.append(f"\n • {reason}")
        self.query_one("#approval-verdict", Static).update(verdict)
        self.arguments_text = pretty_arguments(request.arguments)
        self.query_one("#approval-args-text", Static).update(
            Syntax(self.arguments_text, "json", theme="ansi_dark", word_wrap=True,
                   background_color="default"))
        scopes = [s for s in request.scopes]
        words = "  ".join(f"{s}: {SCOPE_WORDS.get(s, s)}" for s in scopes)
        where = f"  (workspace {request.workspace})" if request.workspace and "workspace" in scopes else ""
        self.query_one("#approval-scopes", Static).update(Text(f"Scopes  {words}{where}"))
        for _key, action, scope, _label in CHOICES:
            self.query_one(f"#choice-{action}-{scope}", Button).disabled = scope not in scopes
        reason = self.query_one("#approval-reason", Input)
        reason.value = ""
        reason.remove_class("-shown")
        self.refresh_counts()
        self.tick()
        self.focus_default()

    def focus_default(self) -> None:
        target = "#choice-deny-once" if self.request.classification.irreversible else "#choice-allow-once"
        self.query_one(target, Button).focus()

    def queued_same_tool(self) -> list[ApprovalRequest]:
        return [r for r in self.approver.pending()
                if r.request_id != self.request.request_id and r.same_tool(self.request)]

    def refresh_counts(self) -> None:
        waiting = len(self.approver.pending()) - 1
        head = Text("Approve a tool call?", style="bold")
        if waiting > 0:
            head.append(f"   {waiting} more waiting", style="bold yellow")
        self.query_one("#approval-head", Static).update(head)
        same = len(self.queued_same_tool())
        keys = Text("tab/enter buttons   ↑↓ scroll arguments")
        if same:
            keys.append(f"   t: apply to the {same} queued call(s) of this tool: ")
            keys.append("ON" if self.apply_to_queued else "off", style="bold" if self.apply_to_queued else "")
        self.query_one("#approval-keys", Static).update(keys)

    def nothing_waiting(self) -> None:
        self.query_one("#approval-countdown", Static).update("Nothing waiting any more.")

    def on_screen_resume(self) -> None:
        if not self.approver.pending() and self.approver.screen is self:
            self.approver.screen = None
            self.dismiss(None)

    def tick(self) -> None:
        if self.request.request_id not in {r.request_id for r in self.approver.pending()}:
            return
        left = self.request.deadline - self.approver.clock()
        if left <= 0:
            self.query_one("#approval-countdown", Static).update("No answer: denied.")
            self.approver.answer(self.request, ApprovalDecision.deny(
                f"no answer within {self.request.timeout_s:g}s", decided_by="timeout"))
            return
        self.query_one("#approval-countdown", Static).update(f"Denied automatically in {math.ceil(left)}s")

    # ------------------------------------------------------------------ answers
    def action_choose(self, action: str, scope: str) -> None:
        if scope not in self.request.scopes:
            self.notify(f"A '{scope}' decision cannot be stored for this server.", severity="warning", timeout=3)
            return
        queued = self.apply_to_queued and bool(self.queued_same_tool())
        if action == "allow":
            decision = ApprovalDecision.allow(scope, f"allowed ({scope}) in the dialog",  # type: ignore[arg-type]
                                              applies_to_queued=queued)
        else:
            decision = ApprovalDecision.deny(f"denied ({scope}) in the dialog", scope,  # type: ignore[arg-type]
                                             applies_to_queued=queued)
        self.approver.answer(self.request, decision)

    def action_reason(self) -> None:
        box = self.query_one("#approval-reason", Input)
        box.add_class("-shown")
        box.focus()

    @on(Input.Submitted, "#approval-reason")
    def reason_given(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip() or "denied in the dialog"
        self.approver.answer(self.request, ApprovalDecision.deny(
            text, applies_to_queued=self.apply_to_queued and bool(self.queued_same_tool())))

    def action_toggle_queued(self) -> None:
        if not self.queued_same_tool():
            self.notify("No other call of this tool is waiting.", timeout=2)
            return
        self.apply_to_queued = not self.apply_to_queued
        self.refresh_counts()

    def action_escape(self) -> None:
        box = self.query_one("#approval-reason", Input)
        if box.has_class("-shown"):
            box.remove_class("-shown")
            self.focus_default()
            return
        self.action_choose("deny", "once")

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        event.stop()
        bid = event.button.id or ""
        if bid == "choice-reason":
            self.action_reason()
        elif bid.startswith("choice-"):
            _, action, scope = bid.split("-", 2)
            self.action_choose(action, scope)
