"""The hook chain around every call, and a registry of hook classes.

A hook is any object with ``name``, ``async before_call(call)`` and ``async after_call(call,
outcome)`` (:class:`massgen_tui.mcp.types.CallHook`). Hooks run in the order they were added. The
first deny stops the chain and the call never reaches the server; an ``allow`` carrying
``arguments`` rewrites the call for the hooks after it and for the server. ``after_call`` runs for
every hook on every outcome, denied ones included. A hook that raises in ``before_call`` denies the
call (fail closed); one that raises in ``after_call`` is logged and ignored.

To make a hook class known by name (for configs and the CLI), decorate it with
:func:`register_hook`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace

from massgen_tui.mcp.types import CallHook, CallOutcome, HookDecision, ToolCall

log = logging.getLogger(__name__)

HOOK_TYPES: dict[str, type] = {}


def register_hook(cls: type) -> type:
    """Class decorator: make a hook class available by its ``name`` attribute."""
    HOOK_TYPES[str(cls.name)] = cls
    return cls


@dataclass(frozen=True)
class ChainVerdict:
    """What the before-call half of the chain decided."""

    call: ToolCall  # with arguments as rewritten by the hooks
    denied: bool = False
    reason: str = ""
    decided_by: str = ""


class HookChain:
    """An ordered list of hooks; ``before`` and ``after`` run them around one call."""

    def __init__(self, hooks: Iterable[CallHook] = ()) -> None:
        self._hooks: list[CallHook] = []
        for hook in hooks:
            self.add(hook)

    def add(self, hook: CallHook) -> None:
        if not isinstance(hook, CallHook):
            raise TypeError(f"{hook!r} is not a call hook: it needs name, before_call and after_call")
        self._hooks.append(hook)

    def remove(self, hook: CallHook) -> None:
        self._hooks.remove(hook)

    @property
    def hooks(self) -> tuple[CallHook, ...]:
        return tuple(self._hooks)

    def __len__(self) -> int:
        return len(self._hooks)

    async def before(self, call: ToolCall) -> ChainVerdict:
        reason = ""
        decided_by = ""
        for hook in self._hooks:
            try:
                decision: HookDecision | None = await hook.before_call(call)
            except Exception as exc:
                log.exception("hook %s failed in before_call", getattr(hook, "name", hook))
                return ChainVerdict(
                    call, True, f"hook {getattr(hook, 'name', hook)!r} failed: {exc}", "hook-error"
                )
            if decision is None:
                continue
            if decision.action == "deny":
                return ChainVerdict(call, True, decision.reason, decision.decided_by or hook.name)
            if decision.arguments is not None:
                call = replace(call, arguments=dict(decision.arguments))
            if decision.reason:
                reason = decision.reason
            if decision.decided_by or decision.reason:
                decided_by = decision.decided_by or hook.name
        return ChainVerdict(call, False, reason, decided_by)

    async def after(self, call: ToolCall, outcome: CallOutcome) -> None:
        for hook in self._hooks:
            try:
                await hook.after_call(call, outcome)
            except Exception:
                log.exception("hook %s failed in after_call", getattr(hook, "name", hook))


@register_hook
class DenyTools:
    """Deny calls to the named tools (plain or ``mcp__server__tool`` names) with a fixed reason."""

    name = "deny-tools"

    def __init__(self, tools: Iterable[str], reason: str = "denied by configuration") -> None:
        self.tools = frozenset(tools)
        self.reason = reason

    async def before_call(self, call: ToolCall) -> HookDecision | None:
        if call.tool in self.tools or call.prefixed_name in self.tools:
            return HookDecision.deny(self.reason, decided_by="policy")
        return None

    async def after_call(self, call: ToolCall, outcome: CallOutcome) -> None:
        return None
