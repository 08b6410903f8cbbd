from __future__ import annotations

import asyncio

import pytest

from massgen_tui.mcp import CallResult, DenyTools, HookChain, HookDecision, ReconnectPolicy, ToolCall
from massgen_tui.mcp.events import CallStarted, EventHub
from massgen_tui.mcp.types import CallOutcome


class Scripted:
    """A hook that answers from a script and logs what it saw."""

    def __init__(self, name: str, decision: HookDecision | None, log: list[str]) -> None:
        self.name = name
        self.decision = decision
        self.log = log

    async def before_call(self, call: ToolCall) -> HookDecision | None:
        self.log.append(f"{self.name}:before:{dict(call.arguments)}")
        return self.decision

    async def after_call(self, call: ToolCall, outcome: CallOutcome) -> None:
        self.log.append(f"{self.name}:after:{outcome.status}")


class Broken:
    name = "broken"

    async def before_call(self, call: ToolCall) -> HookDecision | None:
        raise RuntimeError("database is locked")

    async def after_call(self, call: ToolCall, outcome: CallOutcome) -> None:
        raise RuntimeError("after failed")


CALL = ToolCall("c1", "fs", "write_file", {"path": "a"})


async def test_rewrite_flows_to_later_hooks_and_first_deny_stops() -> None:
    log: list[str] = []
    chain = HookChain(
        [
            Scripted("rewrite", HookDecision.allow("narrowed", arguments={"path": "b"}), log),
            Scripted("deny", HookDecision.deny("no writes", decided_by="policy"), log),
            Scripted("never", None, log),
        ]
    )
    verdict = await chain.before(CALL)
    assert verdict.denied and verdict.reason == "no writes" and verdict.decided_by == "policy"
    assert dict(verdict.call.arguments) == {"path": "b"}
    assert log == ["rewrite:before:{'path': 'a'}", "deny:before:{'path': 'b'}"]
    await chain.after(verdict.call, CallOutcome("denied", error="no writes"))
    assert log[2:] == ["rewrite:after:denied", "deny:after:denied", "never:after:denied"]


async def test_hook_that_raises_denies_fail_closed_and_after_errors_are_contained() -> None:
    chain = HookChain([Broken()])
    verdict = await chain.before(CALL)
    assert verdict.denied and "database is locked" in verdict.reason and verdict.decided_by == "hook-error"
    await chain.after(CALL, CallOutcome("denied"))  # does not raise


async def test_allow_without_opinion_passes_call_unchanged() -> None:
    verdict = await HookChain([Scripted("quiet", None, [])]).before(CALL)
    assert not verdict.denied and verdict.call is CALL


def test_chain_rejects_objects_that_are_not_hooks() -> None:
    with pytest.raises(TypeError, match="not a call hook"):
        HookChain([object()])  # type: ignore[list-item]


async def test_deny_tools_matches_plain_and_prefixed_names() -> None:
    hook = DenyTools(["mcp__fs__write_file", "delete"])
    assert (await hook.before_call(CALL)).action == "deny"  # type: ignore[union-attr]
    assert await hook.before_call(ToolCall("c", "fs", "read_file", {})) is None
    assert (await hook.before_call(ToolCall("c", "git", "delete", {}))).action == "deny"  # type: ignore[union-attr]


async def test_event_hub_fans_out_and_drops_oldest_for_slow_readers() -> None:
    hub = EventHub(maxsize=2)
    fast, slow = hub.subscribe(), hub.subscribe()
    for i in range(3):
        hub.publish(CallStarted(f"c{i}", "s", "t", {}))
    assert slow.dropped == 1
    assert [e.call_id for e in (await anext(fast), await anext(fast))] == ["c1", "c2"]  # type: ignore[union-attr]
    slow.close()  # events already queued are still delivered, then the stream ends
    assert [e.call_id async for e in slow] == ["c1", "c2"]  # type: ignore[union-attr]
    fast.close()
    assert not hub.has_subscribers


async def test_event_stream_iterates_until_closed() -> None:
    hub = EventHub()
    stream = hub.subscribe()

    async def produce() -> None:
        for i in range(3):
            hub.publish(CallStarted(f"c{i}", "s", "t", {}))
            await asyncio.sleep(0)
        hub.close()

    task = asyncio.create_task(produce())
    got = [e.call_id async for e in stream]  # type: ignore[union-attr]
    await task
    assert got == ["c0", "c1", "c2"]


def test_backoff_grows_and_caps() -> None:
    policy = ReconnectPolicy(initial_delay_s=1, max_delay_s=5, multiplier=2, jitter=0)
    assert [policy.delay(n) for n in (1, 2, 3, 4, 5)] == [1, 2, 4, 5, 5]


def test_call_result_text_and_outcome() -> None:
    ok = CallResult("c", "s", "t", "ok", content=[{"type": "text", "text": "a"}, {"type": "image"}, {"type": "text", "text": "b"}])
    assert ok.text == "a\nb" and ok.ok and not ok.is_error and ok.prefixed_name == "mcp__s__t"
    denied = CallResult("c", "s", "t", "denied", reason="no")
    assert denied.text == "no" and denied.outcome().status == "denied" and denied.outcome().error == "no"
