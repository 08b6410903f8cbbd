"""Planning mode for coordination: while it is on, calls to irreversible MCP tools are denied before
they reach the safety gate (no human is asked during coordination); the final presenter runs with
it off, so its calls go to the gate and, when the policy says so, to a human.

The verdict comes from the safety domain's classifier (``classify_call``: tool definition and
arguments, the config's rules and trusted servers).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from massgen_tui.mcp.types import CallOutcome, HookDecision, ToolCall

if TYPE_CHECKING:
    from massgen_tui.config.safety import SafetySettings

Classifier = Callable[[ToolCall], tuple[bool, str]]  # (irreversible, why)


def safety_classifier(settings: SafetySettings | None) -> Classifier:
    from massgen_tui.safety.classification import classify_call

    trusted = set(settings.trusted_servers) if settings else set()
    rules = list(settings.rules) if settings else []

    def classify(call: ToolCall) -> tuple[bool, str]:
        if call.tool_info is None:
            return True, "unknown tool: treated as irreversible"
        result = classify_call(call.tool_info, call.arguments, trusted=call.server in trusted, rules=rules)
        why = result.reasons[0] if result.reasons else result.verdict
        return result.verdict == "irreversible", why

    return classify


class PlanningModeHook:
    """A :class:`~massgen_tui.mcp.types.CallHook`; register it before the safety gate."""

    name = "planning-mode"

    def __init__(self, classify: Classifier, *, always: bool = False):
        self.classify = classify
        self.always = always  # safety.planning_mode: on for the whole run, presentation included
        self.active = False

    def set(self, on: bool) -> None:
        self.active = on

    async def before_call(self, call: ToolCall) -> HookDecision | None:
        if not (self.active or self.always):
            return None
        irreversible, why = self.classify(call)
        if not irreversible:
            return None
        phase = "the run (safety.planning_mode)" if self.always else "coordination"
        return HookDecision.deny(
            f"planning mode: {call.prefixed_name} is irreversible ({why}) and blocked during {phase}; "
            "describe the action in your answer instead"
            + ("" if self.always else " — the agent that presents the final answer may carry it out"),
            decided_by="planning-mode")

    async def after_call(self, call: ToolCall, outcome: CallOutcome) -> None:
        return None
