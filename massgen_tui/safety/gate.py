"""The safety gate: a hook in the MCP call chain that decides whether a call may reach its server.

Order for every call: classify the call (tool definition + arguments + overrides + cached LLM
answer) -> stored decisions (a deny anywhere wins) -> policy (planning mode blocks irreversible
calls, then ``safety.defaults`` per verdict) -> the approver when the answer is "ask". Nobody to
answer, an approver error or a timeout all deny: fail closed. Every decision and every result is
appended to the audit log.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from massgen_tui.config.safety import SafetySettings
from massgen_tui.mcp.types import CallOutcome, HookDecision, ToolCall, ToolInfo
from massgen_tui.safety.approval import ApprovalDecision, ApprovalRequest, Approver, DenyingApprover
from massgen_tui.safety.classification import (
    Classification,
    LLMVerdict,
    OverrideRule,
    classify_call,
    classify_tool,
)
from massgen_tui.safety.decision_store import AuditEntry, DecisionStore
from massgen_tui.safety.decisions import Decision, Resolution, overrides_for, resolve
from massgen_tui.store import StoreError

Decider = Literal["human", "stored-rule", "policy", "timeout"]


@dataclass(frozen=True)
class GateVerdict:
    """Everything the gate decided about one call (also kept in :attr:`SafetyGate.last_verdicts`)."""

    call_id: str
    action: Literal["allow", "deny"]
    decider: Decider
    reason: str
    classification: Classification
    resolution: Resolution
    rule: Decision | None = None
    stored: Decision | None = None  # a decision the human asked to remember


class SafetyGate:
    """A :class:`massgen_tui.mcp.types.CallHook`. Add it to a ``ServerManager`` with ``add_hook``."""

    name = "safety"

    def __init__(
        self,
        settings: SafetySettings | None = None,
        store: DecisionStore | None = None,
        approver: Approver | None = None,
        workspace: Path | str | None = None,
        *,
        session_id: str | None = None,
        llm: Any | None = None,  # massgen_tui.safety.llm.LLMClassifier; built from settings.llm when omitted
        config: Mapping[str, Any] | None = None,  # the config's data, to resolve safety.llm.agent
        keep_verdicts: int = 200,
    ) -> None:
        self.settings = settings or SafetySettings()
        self.store = store
        self.approver: Approver = approver or DenyingApprover()
        self.workspace = Path(workspace).expanduser().resolve() if workspace is not None else Path.cwd().resolve()
        self.session_id = session_id or uuid.uuid4().hex
        self.llm = llm
        self.llm_error: str | None = None  # why safety.llm is not used (the rules decide alone)
        if llm is None and self.settings.llm is not None:
            from massgen_tui.safety.errors import SafetyError
            from massgen_tui.safety.llm import LLMClassifier, endpoint_from_settings

            try:
                self.llm = LLMClassifier(endpoint_from_settings(self.settings.llm, config), store)
            except SafetyError as exc:
                self.llm_error = str(exc)
        self.planning_mode = self.settings.planning_mode
        self.last_verdicts: dict[str, GateVerdict] = {}
        self._keep = keep_verdicts
        self._store_lock = asyncio.Lock()

    # ------------------------------------------------------------------------------ helpers
    def set_planning_mode(self, on: bool) -> None:
        self.planning_mode = on

    def _trusted(self, call: ToolCall) -> bool:
        trusted = self.settings.trusted_servers
        return call.server in trusted or (bool(call.server_identity) and call.server_identity in trusted)

    def _tool(self, call: ToolCall) -> ToolInfo:
        if call.tool_info is not None:
            return call.tool_info if call.tool_info.server else ToolInfo(
                call.tool_info.name, call.tool_info.description, call.tool_info.input_schema,
                call.tool_info.annotations, call.tool_info.title, call.server)
        return ToolInfo(name=call.tool, server=call.server)  # unknown definition: spec defaults apply

    def _llm_answer(self, tool: ToolInfo) -> LLMVerdict | None:
        if self.llm is None:
            return None
        answer = self.llm.cached(tool.definition_hash)
        if answer is None:
            self.llm.schedule([tool])  # background; this call goes on with the rules alone
        return answer

    async def classify(self, call: ToolCall, decisions: list[Decision] | None = None) -> Classification:
        """The call's classification with config rules and stored overrides applied."""
        tool = self._tool(call)
        if decisions is None:
            decisions = await self.store.for_server(call.server_identity) if self.store else []
        rules: list[OverrideRule] = list(overrides_for(
            decisions, server_name=call.server, server_identity=call.server_identity, tool=call.tool,
            definition_hash=tool.definition_hash, session_id=self.session_id, workspace=self.workspace))
        rules += list(self.settings.rules)
        return classify_call(tool, call.arguments, trusted=self._trusted(call), rules=rules,
                             llm=self._llm_answer(tool), workspace=self.workspace)

    async def aclose(self) -> None:
        """End the session: its session-scope decisions are revoked and the audit log is flushed.
        The store itself stays open (it belongs to whoever opened it)."""
        if self.store is not None:
            await self.store.end_session(self.session_id)
            await self.store.flush()

    def prepare(self, tools: Sequence[ToolInfo]) -> None:
        """Tell the gate a server's tools (after connecting): the LLM classifies them all in one
        background request, so answers are ready before the first call. Never waits."""
        if self.llm is not None and tools:
            self.llm.schedule(list(tools))

    async def review(self, tools: Sequence[ToolInfo], identities: Mapping[str, str] | None = None) -> list[Classification]:
        """Tool-level classifications as the gate sees them (config rules, stored overrides, trust,
        cached LLM answers): what the safety screen shows. ``identities`` maps server name to identity."""
        out = []
        for tool in tools:
            identity = (identities or {}).get(tool.server, "")
            decisions = await self.store.for_server(identity) if self.store is not None and identity else []
            rules: list[OverrideRule] = list(overrides_for(
                decisions, server_name=tool.server, server_identity=identity, tool=tool.name,
                definition_hash=tool.definition_hash, session_id=self.session_id, workspace=self.workspace))
            rules += list(self.settings.rules)
            trusted = tool.server in self.settings.trusted_servers or (identity and identity in self.settings.trusted_servers)
            llm = self.llm.cached(tool.definition_hash) if self.llm is not None else None
            out.append(classify_tool(tool, trusted=bool(trusted), rules=rules, llm=llm))
        return out

    # ----------------------------------------------------------------------------- the hook
    async def before_call(self, call: ToolCall) -> HookDecision:
        try:
            return await self._before_call(call)
        except (StoreError, sqlite3.Error) as exc:  # no stored decisions to consult: fail closed
            return HookDecision.deny(
                f"massgen-tui safety refused {call.server}/{call.tool}: the decision store is unavailable ({exc}). "
                "The call was not sent to the server.", decided_by="policy")

    async def _before_call(self, call: ToolCall) -> HookDecision:
        decisions = await self.store.for_server(call.server_identity) if self.store else []
        classification = await self.classify(call, decisions)
        tool = self._tool(call)
        resolution = resolve(
            decisions, server_identity=call.server_identity, tool=call.tool, arguments=call.arguments,
            definition_hash=tool.definition_hash, session_id=self.session_id, workspace=self.workspace)

        verdict = await self._decide(call, classification, resolution, tool)
        self._remember(verdict)
        self._audit_decision(call, verdict)
        if verdict.action != "deny":
            return HookDecision.allow(verdict.reason, decided_by=verdict.decider)
        if self.store is not None:
            try:
                await self.store.flush()  # the record exists before the agent hears about it
            except (StoreError, sqlite3.Error):
                pass  # kept queued and retried by the next flush; the deny stands
        return HookDecision.deny(self._refusal(call, verdict), decided_by=verdict.decider)

    async def _decide(
        self, call: ToolCall, c: Classification, resolution: Resolution, tool: ToolInfo
    ) -> GateVerdict:
        def verdict(action: Literal["allow", "deny"], decider: Decider, reason: str,
                    rule: Decision | None = None, stored: Decision | None = None) -> GateVerdict:
            return GateVerdict(call.call_id, action, decider, reason, c, resolution, rule, stored)

        if resolution.outcome == "deny":
            return verdict("deny", "stored-rule", resolution.explanation, resolution.rule)
        if self.planning_mode and c.irreversible:
            return verdict("deny", "policy", "planning mode blocks irreversible calls ("
                           + (c.reasons[0] if c.reasons else "classified irreversible") + ")")
        if resolution.outcome == "allow":
            return verdict("allow", "stored-rule", resolution.explanation, resolution.rule)
        if resolution.outcome == "ask":
            why = resolution.explanation
        else:
            default = getattr(self.settings.defaults, c.verdict)
            if default == "allow":
                return verdict("allow", "policy", f"{c.verdict} calls are allowed by default")
            if default == "deny":
                return verdict("deny", "policy", f"{c.verdict} calls are denied by the safety defaults")
            why = f"{c.verdict} calls are asked by default"
        return await self._ask(call, c, why, resolution, tool, verdict)

    async def _ask(self, call: ToolCall, c: Classification, why: str, resolution: Resolution, tool: ToolInfo,
                   verdict: Any) -> GateVerdict:
        timeout = float(self.settings.approval_timeout_seconds)
        req = ApprovalRequest(call=call, classification=c, why_asked=why, timeout_s=timeout,
                              workspace=str(self.workspace),
                              stale_rule=resolution.rule if resolution.outcome == "ask" else None)
        try:
            answer = await asyncio.wait_for(self.approver.request(req), timeout)
        except TimeoutError:
            return verdict("deny", "timeout", f"no answer within {timeout:g}s")
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # an approver that breaks must not let the call through
            return verdict("deny", "policy", f"the approver failed ({type(exc).__name__}: {exc}): fail closed")
        if not isinstance(answer, ApprovalDecision) or answer.action not in ("allow", "deny"):
            return verdict("deny", "policy", "the approver gave no valid answer: fail closed")
        decider: Decider = "human" if answer.decided_by == "human" else (
            answer.decided_by if answer.decided_by in ("policy", "timeout", "stored-rule") else "policy")
        stored = await self._store_answer(call, tool, answer)
        reason = answer.reason or f"{answer.action} ({answer.scope})"
        return verdict(answer.action, decider, reason, None, stored)

    async def _store_answer(self, call: ToolCall, tool: ToolInfo, answer: ApprovalDecision) -> Decision | None:
        if answer.scope == "once" or self.store is None or not call.server_identity:
            return None
        scope_key = {"session": self.session_id, "workspace": str(self.workspace), "user": ""}[answer.scope]
        pattern = dict(answer.arg_pattern or {})
        async with self._store_lock:  # one answer covering parallel requests is stored once
            for existing in await self.store.for_server(call.server_identity):
                if (existing.kind == "permission" and existing.action == answer.action
                        and existing.scope == answer.scope and existing.scope_key == scope_key
                        and existing.tool == call.tool and dict(existing.arg_pattern) == pattern
                        and existing.definition_hash == tool.definition_hash):
                    return existing
            return await self.store.add(
                kind="permission", scope=answer.scope, server_identity=call.server_identity, server_name=call.server,
                tool=call.tool, action=answer.action, scope_key=scope_key, arg_pattern=pattern,
                definition_hash=tool.definition_hash, reason=answer.reason, created_by="human")

    @staticmethod
    def _refusal(call: ToolCall, v: GateVerdict) -> str:
        who = {"human": "the user denied it", "stored-rule": "a stored rule denies it",
               "policy": "the safety policy denies it", "timeout": "nobody approved it in time"}[v.decider]
        return (f"massgen-tui safety refused {call.server}/{call.tool}: {who} - {v.reason}. "
                f"The call was not sent to the server. Classified {v.classification.verdict}"
                + (f": {v.classification.reasons[0]}" if v.classification.reasons else "") + ".")

    def _remember(self, verdict: GateVerdict) -> None:
        self.last_verdicts[verdict.call_id] = verdict
        while len(self.last_verdicts) > self._keep:
            self.last_verdicts.pop(next(iter(self.last_verdicts)))

    def _audit_decision(self, call: ToolCall, v: GateVerdict) -> None:
        if self.store is None:
            return
        rule = v.rule or v.stored
        self.store.record(AuditEntry(
            event="decision", call_id=call.call_id, server=call.server, server_identity=call.server_identity,
            tool=call.tool, arguments=dict(call.arguments), verdict=v.classification.verdict,
            confidence=v.classification.confidence, action=v.action, decider=v.decider,
            rule_id=rule.id if rule else None, reason=v.reason, session_id=self.session_id, agent=call.agent or "",
            workspace=str(self.workspace), ts=time.time()))

    async def after_call(self, call: ToolCall, outcome: CallOutcome) -> None:
        if self.store is None:
            return
        v = self.last_verdicts.get(call.call_id)
        self.store.record(AuditEntry(
            event="result", call_id=call.call_id, server=call.server, server_identity=call.server_identity,
            tool=call.tool, arguments=dict(call.arguments), verdict=v.classification.verdict if v else "",
            action=v.action if v else "", decider=v.decider if v else "", result=outcome.status,
            error=outcome.error[:2000], duration_s=outcome.duration_s, session_id=self.session_id,
            agent=call.agent or "", workspace=str(self.workspace), ts=time.time()))

