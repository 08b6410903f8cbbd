"""The gate on a real SQLite store: policy, stored decisions, approvers, timeouts, fail closed, audit."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from massgen_tui.config.safety import SafetySettings
from massgen_tui.mcp.types import CallOutcome, ToolInfo
from massgen_tui.safety import (
    ApprovalDecision,
    ApprovalQueue,
    ApprovalRequest,
    DecisionStore,
    DenyingApprover,
    SafetyGate,
    TerminalApprover,
)
from tests.unit.safety.conftest import DELETE_TOOL, IDENTITY, READ_TOOL, make_call


class Scripted:
    """An approver that answers from a list and records what it was asked."""

    def __init__(self, *answers: ApprovalDecision) -> None:
        self.answers = list(answers)
        self.asked: list[ApprovalRequest] = []

    async def request(self, req: ApprovalRequest) -> ApprovalDecision:
        self.asked.append(req)
        return self.answers.pop(0)


def gate(store: DecisionStore, tmp_path: Path, approver=None, **settings) -> SafetyGate:  # type: ignore[no-untyped-def]
    return SafetyGate(SafetySettings(**settings), store, approver, tmp_path, session_id="sess-1")


async def test_reversible_call_is_allowed_by_policy_and_audited(store: DecisionStore, tmp_path: Path) -> None:
    g = gate(store, tmp_path)
    call = make_call(READ_TOOL, {"path": "a.txt"})
    decision = await g.before_call(call)
    assert decision.action == "allow" and decision.decided_by == "policy"
    await g.after_call(call, CallOutcome("ok", duration_s=0.01))
    entries = await store.audit(call_id=call.call_id)
    assert [(e.event, e.action, e.decider, e.result) for e in entries] == [
        ("decision", "allow", "policy", ""), ("result", "allow", "policy", "ok")]


async def test_fail_closed_irreversible_call_denied_when_nobody_can_answer(store: DecisionStore, tmp_path: Path) -> None:
    g = gate(store, tmp_path)  # no approver: DenyingApprover
    call = make_call(DELETE_TOOL, {"path": "a.txt"})
    decision = await g.before_call(call)
    assert decision.action == "deny" and decision.decided_by == "policy"
    assert "refused notes/delete_note" in decision.reason and "not sent to the server" in decision.reason
    assert "non-interactive" in decision.reason
    [entry] = await store.audit(call_id=call.call_id)  # flushed before the deny returned
    assert (entry.action, entry.decider, entry.verdict) == ("deny", "policy", "irreversible")


async def test_terminal_approver_without_a_terminal_denies(store: DecisionStore, tmp_path: Path) -> None:
    g = gate(store, tmp_path, TerminalApprover(tty_path=str(tmp_path / "no-such-tty")))
    decision = await g.before_call(make_call(DELETE_TOOL))
    assert decision.action == "deny" and "no terminal" in decision.reason


async def test_terminal_approver_reads_the_answer_from_a_terminal(store: DecisionStore, tmp_path: Path) -> None:
    import os

    master, slave = os.openpty()
    try:
        g = gate(store, tmp_path, TerminalApprover(tty_path=os.ttyname(slave)))
        task = asyncio.create_task(g.before_call(make_call(DELETE_TOOL, {"path": "x"})))
        prompt = b""
        while b"> " not in prompt:
            prompt += await asyncio.to_thread(os.read, master, 4096)
        assert b"notes/delete_note" in prompt
        os.write(master, b"s\n")
        decision = await asyncio.wait_for(task, 5)
        assert decision.action == "allow" and decision.decided_by == "human"
        [stored] = await store.list()
        assert (stored.scope, stored.scope_key, stored.action) == ("session", "sess-1", "allow")
    finally:
        os.close(master)
        os.close(slave)


async def test_defaults_per_verdict(store: DecisionStore, tmp_path: Path) -> None:
    g = gate(store, tmp_path, defaults={"reversible": "deny", "irreversible": "allow"})
    assert (await g.before_call(make_call(READ_TOOL))).action == "deny"
    assert (await g.before_call(make_call(DELETE_TOOL))).action == "allow"
    asked = Scripted(ApprovalDecision.allow())
    g = gate(store, tmp_path, asked, defaults={"reversible": "ask", "irreversible": "deny"})
    assert (await g.before_call(make_call(READ_TOOL))).decided_by == "human"
    assert len(asked.asked) == 1


async def test_planning_mode_blocks_irreversible_even_with_a_stored_allow(store: DecisionStore, tmp_path: Path) -> None:
    await store.add(kind="permission", scope="user", server_identity=IDENTITY, tool="delete_note", action="allow")
    g = gate(store, tmp_path, planning_mode=True)
    decision = await g.before_call(make_call(DELETE_TOOL))
    assert decision.action == "deny" and decision.decided_by == "policy" and "planning mode" in decision.reason
    assert (await g.before_call(make_call(READ_TOOL))).action == "allow"
    g.set_planning_mode(False)
    assert (await g.before_call(make_call(DELETE_TOOL))).decided_by == "stored-rule"


async def test_human_answer_with_scope_is_stored_and_reused(store: DecisionStore, tmp_path: Path) -> None:
    approver = Scripted(ApprovalDecision.allow("workspace", "fine here"))
    g = gate(store, tmp_path, approver)
    first = await g.before_call(make_call(DELETE_TOOL))
    assert first.action == "allow" and first.decided_by == "human"
    second = await g.before_call(make_call(DELETE_TOOL))
    assert second.action == "allow" and second.decided_by == "stored-rule"
    assert len(approver.asked) == 1
    v = g.last_verdicts
    assert list(v.values())[-1].rule is not None and list(v.values())[-1].rule.scope == "workspace"
    # another workspace is not covered
    other = tmp_path.parent / (tmp_path.name + "-other")
    other.mkdir()
    g2 = SafetyGate(SafetySettings(), store, DenyingApprover(), other, session_id="sess-1")
    assert (await g2.before_call(make_call(DELETE_TOOL))).action == "deny"


async def test_definition_change_reasks_instead_of_using_the_stored_allow(store: DecisionStore, tmp_path: Path) -> None:
    approver = Scripted(ApprovalDecision.allow("user"), ApprovalDecision.deny("changed, no"))
    g = gate(store, tmp_path, approver)
    assert (await g.before_call(make_call(DELETE_TOOL))).decided_by == "human"
    assert (await g.before_call(make_call(DELETE_TOOL))).decided_by == "stored-rule"
    changed = replace(DELETE_TOOL, description="Delete a note permanently, and its backups too")
    decision = await g.before_call(make_call(changed))
    assert decision.action == "deny" and decision.decided_by == "human"
    assert approver.asked[-1].stale_rule is not None and "changed" in approver.asked[-1].why_asked


async def test_stale_deny_is_asked_again_never_auto_allowed(store: DecisionStore, tmp_path: Path) -> None:
    await store.add(kind="permission", scope="user", server_identity=IDENTITY, tool="read_notes", action="deny",
                    definition_hash="an-older-definition")
    g = gate(store, tmp_path)  # reversible would be auto-allowed by policy, but the stale deny makes it ask
    decision = await g.before_call(make_call(READ_TOOL))
    assert decision.action == "deny" and decision.decided_by == "policy"
    # the human allows the new definition for good: asked once, then the new allow decides
    approver = Scripted(ApprovalDecision.allow("user"))
    g = gate(store, tmp_path, approver)
    assert (await g.before_call(make_call(READ_TOOL))).decided_by == "human"
    assert (await g.before_call(make_call(READ_TOOL))).decided_by == "stored-rule"
    assert len(approver.asked) == 1


async def test_timeout_denies_and_is_audited_as_timeout(store: DecisionStore, tmp_path: Path) -> None:
    queue = ApprovalQueue()
    g = gate(store, tmp_path, queue, approval_timeout_seconds=0.2)
    events = queue.subscribe()
    call = make_call(DELETE_TOOL)
    decision = await g.before_call(call)
    assert decision.action == "deny" and decision.decided_by == "timeout"
    assert queue.pending() == []
    kinds = [events.get_nowait().kind for _ in range(events.qsize())]
    assert kinds == ["queued", "withdrawn"]
    [entry] = await store.audit(call_id=call.call_id)
    assert entry.decider == "timeout"


async def test_parallel_requests_are_queued_and_answered_together(store: DecisionStore, tmp_path: Path) -> None:
    queue = ApprovalQueue()
    g = gate(store, tmp_path, queue, approval_timeout_seconds=10)
    other = replace(DELETE_TOOL, name="delete_everything")
    calls = [make_call(DELETE_TOOL, {"path": f"n{i}"}) for i in range(3)] + [make_call(other)]
    tasks = [asyncio.create_task(g.before_call(c)) for c in calls]
    while len(queue.pending()) < 4:
        await asyncio.sleep(0.01)
    first = queue.pending()[0]
    answered = queue.answer(first.request_id, ApprovalDecision.allow("session", applies_to_queued=True))
    assert len(answered) == 3  # the three delete_note requests, not delete_everything
    assert [r.tool for r in queue.pending()] == ["delete_everything"]
    assert len(queue.answer_all(ApprovalDecision.deny("not that"))) == 1
    results = await asyncio.gather(*tasks)
    assert [r.action for r in results] == ["allow", "allow", "allow", "deny"]
    stored = await store.list()
    assert len(stored) == 1 and stored[0].scope == "session"  # stored once, not three times


async def test_a_broken_approver_fails_closed(store: DecisionStore, tmp_path: Path) -> None:
    class Broken:
        async def request(self, req: ApprovalRequest) -> ApprovalDecision:
            raise RuntimeError("dialog crashed")

    decision = await gate(store, tmp_path, Broken()).before_call(make_call(DELETE_TOOL))
    assert decision.action == "deny" and "dialog crashed" in decision.reason


async def test_stored_classification_override_changes_the_verdict(store: DecisionStore, tmp_path: Path) -> None:
    await store.add(kind="classification", scope="user", server_identity=IDENTITY, tool="delete_note",
                    verdict="reversible", reason="it only moves notes to the bin")
    g = gate(store, tmp_path)
    decision = await g.before_call(make_call(DELETE_TOOL))
    assert decision.action == "allow" and decision.decided_by == "policy"
    assert list(g.last_verdicts.values())[-1].classification.overridden_by


async def test_config_rule_and_trusted_servers(store: DecisionStore, tmp_path: Path) -> None:
    g = gate(store, tmp_path, rules=[{"server": "notes", "tool": "delete_*", "verdict": "reversible"}])
    assert (await g.before_call(make_call(DELETE_TOOL))).action == "allow"
    fetch = ToolInfo.from_wire({"name": "fetch", "description": "Fetch a URL",
                                "inputSchema": {"properties": {"url": {"type": "string"}}},
                                "annotations": {"readOnlyHint": True}}, server="web")
    args = {"url": "https://example.com"}
    assert (await gate(store, tmp_path).before_call(make_call(fetch, args))).action == "deny"
    assert (await gate(store, tmp_path, trusted_servers=["web"]).before_call(make_call(fetch, args))).action == "allow"


async def test_audit_is_append_only_and_redacts_secrets(store: DecisionStore, tmp_path: Path) -> None:
    from massgen_tui.store import StoreError  # noqa: F401  (the store's own error type exists)

    g = gate(store, tmp_path)
    call = make_call(READ_TOOL, {"path": "a", "api_key": "sk-abcdefghijklmnopqrstuvwx",
                                 "headers": {"Authorization": "Bearer abc.def.ghi-123456"},
                                 "url": "https://user:hunter2@example.com/?token=abc123"})
    await g.before_call(call)
    [entry] = await store.audit(call_id=call.call_id)
    text = str(entry.arguments)
    assert "sk-abc" not in text and "abc.def" not in text and "hunter2" not in text and "abc123" not in text
    assert entry.arguments["path"] == "a"
    import sqlite3

    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        await store.db.execute("UPDATE audit SET decider = 'human'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        await store.db.execute("DELETE FROM audit")


async def test_closing_the_gate_ends_its_session_decisions(store: DecisionStore, tmp_path: Path) -> None:
    g = gate(store, tmp_path, Scripted(ApprovalDecision.allow("session"), ApprovalDecision.allow("user")))
    await g.before_call(make_call(DELETE_TOOL))
    await g.before_call(make_call(replace(DELETE_TOOL, name="delete_other")))
    assert {d.scope for d in await store.list()} == {"session", "user"}
    await g.aclose()
    assert [d.scope for d in await store.list()] == ["user"]


async def test_an_unusable_store_fails_closed(tmp_path: Path) -> None:
    store = await DecisionStore.open(tmp_path / "s.db")
    g = gate(store, tmp_path)
    await store.db.close()  # the store is gone (closed connection, disk error...)
    decision = await g.before_call(make_call(READ_TOOL))
    assert decision.action == "deny" and "store is unavailable" in decision.reason


@pytest.mark.parametrize("with_store", [True, False])
async def test_fail_closed_with_or_without_a_store(store: DecisionStore, tmp_path: Path, with_store: bool) -> None:
    g = SafetyGate(SafetySettings(planning_mode=False), store if with_store else None, None, tmp_path)
    assert (await g.before_call(make_call(DELETE_TOOL))).action == "deny"
    assert (await g.before_call(make_call(READ_TOOL))).action == "allow"
    g.set_planning_mode(True)
    assert (await g.before_call(make_call(DELETE_TOOL))).action == "deny"
