"""Stored decisions and how they combine: the precedence rules, as code and as data.

A decision allows or denies a tool of a server (identified by command + args, or URL) at a scope:
``once`` (this call, never stored), ``session`` (this run of the app), ``workspace`` (a directory
and everything under it) or ``user`` (everywhere). It may be narrowed by an argument pattern.
Classification overrides are stored the same way with a verdict instead of an action.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from massgen_tui.safety.classification import Verdict

Scope = Literal["once", "session", "workspace", "user"]
StoredScope = Literal["session", "workspace", "user"]
Action = Literal["allow", "deny"]
DecisionKind = Literal["permission", "classification"]

SCOPES: tuple[Scope, ...] = ("once", "session", "workspace", "user")
SCOPE_RANK: dict[str, int] = {"once": 4, "session": 3, "workspace": 2, "user": 1}

#: The precedence rules, in order; shown by ``massgen-tui safety decisions list`` and the TUI.
PRECEDENCE: tuple[str, ...] = (
    "1. Only decisions for this server (command + args, or URL), this tool (name or glob) and, if the "
    "decision has one, matching arguments are considered; a workspace decision applies in its directory "
    "and below, a session decision only in its session.",
    "2. A deny at any scope wins over every allow.",
    "3. Otherwise the most specific allow decides: session > workspace (deeper directory first) > user; "
    "at equal scope one with an argument pattern beats one without, an exact tool name beats a glob, "
    "and the newer beats the older.",
    "4. A decision made for an older definition of the tool (its description, schema or annotations "
    "changed since) does not decide: the call is asked again, never auto-allowed (an old deny is "
    "asked again until an allow is given for the new definition).",
    "5. With no decision, policy decides: planning mode blocks irreversible calls, then the defaults per "
    "verdict (safety.defaults: allow | ask | deny). Planning mode also overrides stored allows.",
    "6. When the answer is 'ask' and nobody can answer (no approver, no terminal, timeout), the call is "
    "denied: fail closed.",
)


@dataclass(frozen=True)
class Decision:
    """One stored row (``id`` 0 for a ``once`` decision that is never stored)."""

    id: int
    kind: DecisionKind
    scope: StoredScope | Literal["once"]
    server_identity: str
    tool: str
    action: Action | None = None
    verdict: Verdict | None = None
    scope_key: str = ""
    server_name: str = ""
    arg_pattern: Mapping[str, str] = field(default_factory=dict)
    definition_hash: str = ""
    reason: str = ""
    created_by: str = "human"
    created_at: float = 0.0
    revoked_at: float | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def describe(self) -> str:
        what = self.action if self.kind == "permission" else f"mark {self.verdict}"
        where = {"session": "for the session", "workspace": f"in {self.scope_key}", "user": "everywhere",
                 "once": "once"}[self.scope]
        pattern = ""
        if self.arg_pattern:
            pattern = " when " + ", ".join(f"{k} matches {v!r}" for k, v in self.arg_pattern.items())
        server = self.server_name or self.server_identity
        return f"#{self.id} {what} {server}/{self.tool} {where}{pattern}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "action": self.action, "verdict": self.verdict,
            "scope": self.scope, "scope_key": self.scope_key, "server_identity": self.server_identity,
            "server_name": self.server_name, "tool": self.tool, "arg_pattern": dict(self.arg_pattern),
            "definition_hash": self.definition_hash, "reason": self.reason, "created_by": self.created_by,
            "created_at": self.created_at, "revoked_at": self.revoked_at, "description": self.describe(),
        }

    # ---------------------------------------------------------------------------- matching
    def matches_tool(self, server_identity: str, tool: str) -> bool:
        return self.server_identity == server_identity and fnmatch.fnmatchcase(tool, self.tool)

    def matches_arguments(self, arguments: Mapping[str, Any]) -> bool:
        for key, pattern in self.arg_pattern.items():
            if key not in arguments:
                return False
            value = arguments[key]
            text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
            if not fnmatch.fnmatchcase(text, pattern):
                return False
        return True

    def applies_in(self, session_id: str, workspace: Path | None) -> bool:
        if self.scope == "user":
            return True
        if self.scope == "session":
            return self.scope_key == session_id
        if self.scope == "workspace":
            if workspace is None:
                return False
            key = Path(self.scope_key)
            return workspace == key or key in workspace.parents
        return False

    def specificity(self) -> tuple[int, int, int, int, float]:
        depth = len(Path(self.scope_key).parts) if self.scope == "workspace" else 0
        exact = 0 if any(ch in self.tool for ch in "*?[") else 1
        return (SCOPE_RANK[self.scope], depth, 1 if self.arg_pattern else 0, exact, self.created_at)


@dataclass(frozen=True)
class Resolution:
    """What the stored decisions say about one call, and which rule said it."""

    outcome: Literal["allow", "deny", "ask", "none"]
    rule: Decision | None = None
    explanation: str = ""
    considered: tuple[Decision, ...] = ()
    stale: tuple[Decision, ...] = ()


def resolve(
    decisions: Iterable[Decision],
    *,
    server_identity: str,
    tool: str,
    arguments: Mapping[str, Any],
    definition_hash: str,
    session_id: str,
    workspace: Path | None,
) -> Resolution:
    """Apply :data:`PRECEDENCE` to the permission decisions that match this call."""
    matching = [
        d for d in decisions
        if d.kind == "permission" and d.active and d.matches_tool(server_identity, tool)
        and d.applies_in(session_id, workspace) and d.matches_arguments(arguments)
    ]
    if not matching:
        return Resolution("none", explanation="no stored decision for this tool")
    fresh = [d for d in matching if not d.definition_hash or d.definition_hash == definition_hash]
    stale = tuple(d for d in matching if d not in fresh)
    denies = sorted((d for d in fresh if d.action == "deny"), key=Decision.specificity, reverse=True)
    if denies:
        rule = denies[0]
        return Resolution("deny", rule, f"denied by stored rule {rule.describe()}"
                          + (f" ({rule.reason})" if rule.reason else ""), tuple(matching), stale)
    allows = sorted((d for d in fresh if d.action == "allow"), key=Decision.specificity, reverse=True)
    stale_denies = [d for d in stale if d.action == "deny"]
    if stale_denies:
        latest = max(stale_denies, key=lambda d: d.created_at)
        # an allow given for the current definition after that deny is the answer to the re-ask
        allows = [d for d in allows if d.created_at > latest.created_at]
        if not allows:
            return Resolution("ask", latest, f"the tool changed since {latest.describe()}: asking again",
                              tuple(matching), stale)
    if allows:
        rule = allows[0]
        return Resolution("allow", rule, f"allowed by stored rule {rule.describe()}", tuple(matching), stale)
    rule = stale[0]
    return Resolution("ask", rule, f"the tool's definition changed since {rule.describe()}: asking again",
                      tuple(matching), stale)


@dataclass(frozen=True)
class StoredOverride:
    """A stored classification override in the shape :func:`classify_tool` takes (``OverrideRule``)."""

    server: str
    tool: str
    verdict: Verdict
    reason: str


def overrides_for(
    decisions: Iterable[Decision],
    *,
    server_name: str,
    server_identity: str,
    tool: str,
    definition_hash: str,
    session_id: str,
    workspace: Path | None,
) -> list[StoredOverride]:
    """Matching, current classification overrides, most specific first (ties: irreversible first)."""
    matching = [
        d for d in decisions
        if d.kind == "classification" and d.active and d.verdict and d.matches_tool(server_identity, tool)
        and d.applies_in(session_id, workspace)
        and (not d.definition_hash or d.definition_hash == definition_hash)
    ]
    matching.sort(key=lambda d: (d.specificity()[:4], d.verdict == "irreversible", d.created_at), reverse=True)
    return [
        StoredOverride(server_name or "*", tool, d.verdict, f"stored {d.describe()}" + (f": {d.reason}" if d.reason else ""))
        for d in matching if d.verdict is not None
    ]
