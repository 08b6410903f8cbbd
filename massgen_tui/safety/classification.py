"""What a tool (or one call of it) is: reversible or irreversible, how sure, why, and what to do.

A classification is the sum of :class:`Signal` objects gathered from the tool's annotations, its
name, description and input schema (:mod:`massgen_tui.safety.rules`), its call's arguments
(:mod:`massgen_tui.safety.arguments`), an optional LLM answer and the user's overrides. Each signal
points one way with a weight in 0..1; the strongest side wins and ties go to ``irreversible``:
a missed irreversible tool is a safety failure, a needless prompt only costs a keypress.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, Protocol

from massgen_tui.mcp.types import ToolInfo

Verdict = Literal["reversible", "irreversible"]
Recommendation = Literal["auto-allow", "ask", "block-in-planning"]
SignalSource = Literal["annotation", "name", "description", "schema", "arguments", "llm", "override"]

# A reversible verdict below this confidence is recommended "ask" rather than "auto-allow".
AUTO_ALLOW_MIN_CONFIDENCE = 0.5


@dataclass(frozen=True)
class Signal:
    """One piece of evidence. ``id`` is stable ("name-verb:delete"); ``reason`` is plain words."""

    id: str
    direction: Verdict
    weight: float
    source: SignalSource
    reason: str
    effect: str = ""  # destroy | overwrite | send | money | deploy | exec | page | egress | read | additive ...
    param: str | None = None  # the input parameter this signal depends on, if any
    decisive: bool = False  # overrides and dry runs decide alone

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "direction": self.direction,
            "weight": round(self.weight, 2),
            "source": self.source,
            "reason": self.reason,
            "effect": self.effect,
            "param": self.param,
        }


@dataclass(frozen=True)
class Classification:
    """The verdict on one tool or one call, with everything needed to explain it."""

    server: str
    tool: str
    verdict: Verdict
    confidence: float
    reasons: tuple[str, ...]
    signals: tuple[Signal, ...]
    recommendation: Recommendation
    definition_hash: str = ""
    overridden_by: str | None = None  # description of the override rule that decided, if any
    arguments_considered: bool = False

    @property
    def irreversible(self) -> bool:
        return self.verdict == "irreversible"

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``massgen-tui safety classify --json`` (one entry of ``tools``)."""
        return {
            "server": self.server,
            "name": self.tool,
            "verdict": self.verdict,
            "confidence": round(self.confidence, 2),
            "reasons": list(self.reasons),
            "signals": [s.id for s in self.signals],
            "recommendation": self.recommendation,
        }


class OverrideRule(Protocol):
    """A classification override: ``safety.rules`` entries and stored overrides both fit."""

    server: str
    tool: str
    verdict: Verdict
    reason: str


@dataclass(frozen=True)
class LLMVerdict:
    """What a model said about one tool (cached in the store by definition hash)."""

    verdict: Verdict
    confidence: float
    reason: str
    model: str = ""


def combine(
    tool: ToolInfo,
    signals: Sequence[Signal],
    *,
    arguments_considered: bool = False,
) -> Classification:
    """Weigh the signals into a verdict. Decisive signals (overrides, dry runs) win outright."""
    decisive = [s for s in signals if s.decisive]
    if decisive:
        chosen = decisive[-1]
        return Classification(
            server=tool.server,
            tool=tool.name,
            verdict=chosen.direction,
            confidence=chosen.weight,
            reasons=(chosen.reason,),
            signals=tuple(signals),
            recommendation=_recommend(chosen.direction, chosen.weight),
            definition_hash=tool.definition_hash,
            overridden_by=chosen.reason if chosen.source == "override" else None,
            arguments_considered=arguments_considered,
        )
    irr = [s for s in signals if s.direction == "irreversible"]
    rev = [s for s in signals if s.direction == "reversible"]
    irr_w = max((s.weight for s in irr), default=0.0)
    rev_w = max((s.weight for s in rev), default=0.0)
    verdict: Verdict = "irreversible" if irr_w >= rev_w else "reversible"
    win, lose = (irr, rev) if verdict == "irreversible" else (rev, irr)
    win_w, lose_w = (irr_w, rev_w) if verdict == "irreversible" else (rev_w, irr_w)
    if not win:  # no evidence at all: the spec's defaults say destructive, so ask
        confidence = 0.3
        reasons: list[str] = ["nothing tells what this tool does; treated as irreversible"]
    else:
        confidence = max(0.05, min(0.99, win_w * (1.0 - 0.5 * lose_w)))
        reasons = [s.reason for s in sorted(win, key=lambda s: -s.weight)]
        if lose:
            strongest = max(lose, key=lambda s: s.weight)
            reasons.append(f"outweighed: {strongest.reason}")
    return Classification(
        server=tool.server,
        tool=tool.name,
        verdict=verdict,
        confidence=round(confidence, 3),
        reasons=tuple(dict.fromkeys(reasons)),
        signals=tuple(signals),
        recommendation=_recommend(verdict, confidence),
        definition_hash=tool.definition_hash,
        arguments_considered=arguments_considered,
    )


def _recommend(verdict: Verdict, confidence: float) -> Recommendation:
    if verdict == "irreversible":
        return "block-in-planning"
    return "auto-allow" if confidence >= AUTO_ALLOW_MIN_CONFIDENCE else "ask"


def override_signal(tool: ToolInfo, rules: Iterable[OverrideRule]) -> Signal | None:
    """The first override rule matching the tool (server and tool globs), as a decisive signal."""
    for rule in rules:
        if fnmatch.fnmatchcase(tool.server or "", rule.server or "*") and fnmatch.fnmatchcase(tool.name, rule.tool):
            why = rule.reason or "no reason given"
            return Signal(
                id=f"override:{rule.server}/{rule.tool}",
                direction=rule.verdict,
                weight=1.0,
                source="override",
                reason=f"overridden to {rule.verdict} by a rule for {rule.server}/{rule.tool}: {why}",
                effect="override",
                decisive=True,
            )
    return None


def llm_signal(answer: LLMVerdict) -> Signal:
    """The model's verdict as evidence. Asymmetric on purpose: the model can add caution freely (up to
    0.85), but a "reversible" answer weighs at most 0.7, so it can outvote weak evidence (annotations,
    spec defaults, soft verbs) and never a strong rule (a URL, code, delete, send, write): a tool
    description that talks the model into "reversible" cannot talk the gate out of asking."""
    cap = 0.85 if answer.verdict == "irreversible" else 0.7
    weight = max(0.0, min(1.0, answer.confidence)) * cap
    model = f" ({answer.model})" if answer.model else ""
    return Signal(
        id=f"llm:{answer.verdict}",
        direction=answer.verdict,
        weight=weight,
        source="llm",
        reason=f"the model{model} judged it {answer.verdict}: {answer.reason}",
        effect="llm",
    )


def classify_tool(
    tool: ToolInfo,
    *,
    trusted: bool = False,
    rules: Iterable[OverrideRule] = (),
    llm: LLMVerdict | None = None,
) -> Classification:
    """Classify a tool from its definition alone (no arguments)."""
    from massgen_tui.safety.rules import tool_signals

    signals = list(tool_signals(tool, trusted=trusted))
    if llm is not None:
        signals.append(llm_signal(llm))
    override = override_signal(tool, rules)
    if override is not None:
        signals.append(override)
    return combine(tool, signals)


def classify_call(
    tool: ToolInfo,
    arguments: Mapping[str, Any] | None,
    *,
    trusted: bool = False,
    rules: Iterable[OverrideRule] = (),
    llm: LLMVerdict | None = None,
    workspace: Path | None = None,
) -> Classification:
    """Classify one call: the tool's signals revised by what the arguments say.

    The arguments can clear a signal that depended on them (no URL given, a ``SELECT`` in a SQL
    parameter, ``mode="append"``, a file that does not exist yet) or add one (``DROP TABLE``,
    ``force=true``, ``git reset --hard``). An override rule decides the tool's verdict, but an
    irreversible argument (``DROP`` sent to a tool overridden as reversible) is still reported.
    """
    from massgen_tui.safety.arguments import revise_for_arguments
    from massgen_tui.safety.rules import tool_signals

    signals = list(tool_signals(tool, trusted=trusted))
    if llm is not None:
        signals.append(llm_signal(llm))
    signals = revise_for_arguments(tool, signals, arguments or {}, workspace=workspace)
    override = override_signal(tool, rules)
    if override is not None:
        arg_irreversible = [s for s in signals if s.source == "arguments" and s.direction == "irreversible"]
        if override.direction == "reversible" and arg_irreversible:
            strongest = max(arg_irreversible, key=lambda s: s.weight)
            signals.append(replace(strongest, decisive=True))
        else:
            signals.append(override)
    return combine(tool, signals, arguments_considered=True)


__all__ = [
    "AUTO_ALLOW_MIN_CONFIDENCE",
    "Classification",
    "LLMVerdict",
    "OverrideRule",
    "Recommendation",
    "Signal",
    "Verdict",
    "classify_call",
    "classify_tool",
    "combine",
]
