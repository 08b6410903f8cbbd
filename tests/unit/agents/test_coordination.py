"""The loop's workflow rules and MassGen's coordination rules, driven through the localhost model
server (the replies depend only on what each request contains)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from massgen_tui.agents import events as ev
from massgen_tui.agents.backends import RetryPolicy, make_backend
from massgen_tui.agents.coordination import AgentRuntime, CoordinationSettings, Coordinator
from massgen_tui.agents.errors import AgentRunError
from massgen_tui.agents.loop import LoopLimits
from massgen_tui.agents.providers import resolve_endpoint
from tests.support.fake_llm import FakeLLM, FakeRequest, Reply


def who(request: FakeRequest) -> str:
    return request.system.split("You are ")[-1].split(".")[0] if "You are " in request.system else "?"


async def coordinate(responder: Callable[[FakeRequest], Reply], names: list[str], *, max_turns: int = 8,
                     settings: CoordinationSettings | None = None,
                     planning: list[bool] | None = None) -> tuple[object, list[ev.RunEvent], FakeLLM]:
    events: list[ev.RunEvent] = []
    with FakeLLM(responder) as llm:
        agents = []
        for name in names:
            endpoint = resolve_endpoint({"type": "vllm", "model": "m", "base_url": llm.base_url}, environ={})
            backend = make_backend(endpoint, agent=name, retry=RetryPolicy(max_retries=0))
            agents.append(AgentRuntime(name, backend, (), f"You are {name}.", limits=LoopLimits(max_turns=max_turns)))
        coordinator = Coordinator(agents, "the task", events.append, settings,
                                  planning=(planning.append if planning is not None else lambda on: None))
        try:
            result = await coordinator.run()
        finally:
            for agent in agents:
                await agent.backend.aclose()
    return result, events, llm


def answer_then_vote(prefer: str = "alpha") -> Callable[[FakeRequest], Reply]:
    def respond(r: FakeRequest) -> Reply:
        if "winning presenter" in r.system:
            return Reply(text=f"final from {who(r)}")
        mine = f"{who(r)} says hi"
        if mine not in r.answers().values():
            return Reply(tool_calls=[("new_answer", {"content": mine})])
        return Reply(tool_calls=[("vote", {"agent_id": r.label_of(prefer) or "agent1", "reason": "best"})])
    return respond


async def test_everyone_answers_votes_and_the_winner_presents_with_planning_toggled() -> None:
    planning: list[bool] = []
    result, events, llm = await coordinate(answer_then_vote("beta"), ["alpha", "beta"], planning=planning)
    assert result.status == "completed" and result.winner == "beta" and result.final_answer == "final from beta"
    assert result.votes == {"alpha": {"agent_id": "beta", "reason": "best"}, "beta": {"agent_id": "beta", "reason": "best"}}
    assert planning == [True, False]  # on for coordination, off for the presentation
    presenter = [r for r in llm.requests if "winning presenter" in r.system]
    assert len(presenter) == 1 and "beta (YOUR ANSWER)" in presenter[0].user_text
    assert "new_answer" in presenter[0].tools and "vote" not in presenter[0].tools
    labels = [e.label for e in events if isinstance(e, ev.AnswerPosted)]
    assert sorted(labels) == ["agent1.1", "agent2.1"]


async def test_votes_are_checked_before_they_count() -> None:
    def respond(r: FakeRequest) -> Reply:
        if "winning presenter" in r.system:
            return Reply(text="done")
        results = r.tool_results
        if not r.answers():
            if r.turn == 0:
                return Reply(tool_calls=[("vote", {"agent_id": "agent1", "reason": "too early"})])
            if r.turn == 1:
                return Reply(tool_calls=[("vote", {"agent_id": "agent1", "reason": "x"}),
                                         ("new_answer", {"content": "both"})])
            return Reply(tool_calls=[("new_answer", {"content": f"{who(r)}: {results}"})])
        if r.turn == 0:
            return Reply(tool_calls=[("vote", {"agent_id": "agent9", "reason": "who?"})])
        return Reply(tool_calls=[("vote", {"agent_id": "agent1", "reason": "ok"})])

    result, _, _ = await coordinate(respond, ["solo1", "solo2"])
    answer = result.answers["solo1"][0]
    assert "Cannot vote when no answers exist. Use new_answer tool." in answer
    assert "Cannot use both 'vote' and 'new_answer' in same response" in answer
    assert result.winner == "solo1" and result.status == "completed"


async def test_invalid_vote_target_lists_the_valid_ones() -> None:
    seen: list[list[str]] = []

    def respond(r: FakeRequest) -> Reply:
        if "winning presenter" in r.system:
            return Reply(text="done")
        if f"{who(r)} answer" not in " ".join(r.answers().values()):
            return Reply(tool_calls=[("new_answer", {"content": f"{who(r)} answer"})])
        if r.turn == 0:
            return Reply(tool_calls=[("vote", {"agent_id": "agent7", "reason": "?"})])
        seen.append(r.tool_results)
        return Reply(tool_calls=[("vote", {"agent_id": "agent2", "reason": "ok"})])

    result, _, _ = await coordinate(respond, ["x", "y"])
    assert any("Invalid agent_id 'agent7'. Valid agents: agent1, agent2" in t for results in seen for t in results)
    assert result.winner == "y"


async def test_an_agent_that_never_calls_a_workflow_tool_is_stopped_after_three_reminders() -> None:
    def respond(r: FakeRequest) -> Reply:
        if who(r) == "chatty":
            return Reply(text="I just like to talk")
        return answer_then_vote("quiet")(r)

    result, events, llm = await coordinate(respond, ["chatty", "quiet"])
    chatty = [r for r in llm.requests if who(r) == "chatty"]
    last = chatty[-1].messages
    assert sum("Finish your work above by making a tool call" in m["content"] for m in last if m["role"] == "user") == 2
    assert "I just like to talk" in last[-1]["content"]  # the reminder quotes the unfinished reply
    stopped = [e for e in events if isinstance(e, ev.AgentError) and e.agent == "chatty"]
    assert stopped and stopped[0].fatal and "without calling vote or new_answer" in stopped[0].message
    assert result.winner == "quiet" and result.status == "completed"


async def test_turn_limit_stops_an_agent_that_loops_on_tools() -> None:
    def respond(r: FakeRequest) -> Reply:
        if who(r) == "loopy":
            return Reply(tool_calls=[("no_such_tool", {})])
        return answer_then_vote("steady")(r)

    result, events, llm = await coordinate(respond, ["loopy", "steady"], max_turns=3)
    loopy = [r for r in llm.requests if who(r) == "loopy"]
    # a restart (steady's answer) may start a fresh round; the last round ran exactly max_turns turns
    assert loopy[-1].turn == 2 and "unknown tool 'no_such_tool'" in loopy[-1].tool_results[-1]
    assert any(isinstance(e, ev.AgentError) and e.agent == "loopy" and "max_turns" in e.message for e in events)
    assert result.winner == "steady"


async def test_answer_cap_leaves_only_the_vote_tool() -> None:
    def respond(r: FakeRequest) -> Reply:
        if "winning presenter" in r.system:
            return Reply(text="done")
        if "new_answer" in r.tools:
            return Reply(tool_calls=[("new_answer", {"content": f"{who(r)} v{len(r.answers()) + 1}"})])
        return Reply(tool_calls=[("vote", {"agent_id": "agent1", "reason": "capped"})])

    settings = CoordinationSettings(max_new_answers_per_agent=1)
    result, _, llm = await coordinate(respond, ["p", "q"], settings=settings)
    assert result.status == "completed" and all(len(v) == 1 for v in result.answers.values())
    capped = [r for r in llm.requests if "new_answer" not in r.tools]
    assert capped and "You have provided your maximum number of new answers" in capped[0].system


async def test_every_agent_failing_fails_the_run() -> None:
    with pytest.raises(AgentRunError, match="no agent produced an answer"):
        await coordinate(lambda r: Reply(status=400, error="bad request"), ["a", "b"])


async def test_timeout_without_any_answer_is_a_timeout() -> None:
    result, _events, _ = await coordinate(lambda r: Reply(text="...", delay_s=3), ["a", "b"],
                                         settings=CoordinationSettings(timeout_s=0.5))
    assert result.status == "timeout" and result.final_answer is None
    assert "orchestrator timeout after 0.5s" in result.error


async def test_single_agent_gets_no_workflow_tools_and_no_planning_mode() -> None:
    planning: list[bool] = []
    result, events, _llm = await coordinate(lambda r: Reply(text=f"tools={r.tools}"), ["only"], planning=planning)
    assert result.final_answer == "tools=[]" and result.reason == "single agent"
    assert planning == [False]
    assert not any(isinstance(e, ev.PhaseChanged) and e.phase == "coordination" for e in events)
