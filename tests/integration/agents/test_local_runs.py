"""Runs of real configs against the fake LLM server on localhost, commands run by a local shell."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from massgen_tui.agents import AgentRunError, Run, RunOptions, load_run
from massgen_tui.agents import events as ev
from massgen_tui.agents.backends.base import RetryPolicy
from massgen_tui.config import load_document
from tests.integration.agents.scripts import coordinating, persona
from tests.support.fake_llm import FakeLLM, Reply, team_config

FAST_RETRY = RetryPolicy(max_retries=2, base_delay_s=0.01, max_delay_s=0.05)


def write_config(tmp_path: Path, base_url: str, agents: list[tuple[str, str]], *, extra_backend: str = "",
                 top: str = "") -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(team_config(base_url, agents, extra_backend=extra_backend, top=top))
    return path


async def collect(run: Run) -> list[ev.RunEvent]:
    return [event async for event in run.events()]


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("FAKE_LLM_KEY", "sk-local-test")
    return "sk-local-test"


async def test_two_agents_run_commands_vote_and_present(tmp_path: Path, key: str) -> None:
    responder = coordinating(lambda who: f"echo {who.lower()}-$((6*7))")
    with FakeLLM(responder, api_key=key) as llm:
        config = write_config(tmp_path, llm.base_url, [("a1", "Alpha"), ("a2", "Beta")])
        run = Run.from_config(load_document(config), "compute 6*7", options=RunOptions(runs_dir=tmp_path / "runs"))
        events = await collect(run)
    record = await run.wait()

    assert record.status == "completed", record.error
    finished = [e for e in events if isinstance(e, ev.ToolCallFinished) and e.tool == "execute_command"]
    outputs = {e.agent: e.result for e in finished}
    assert "alpha-42" in outputs["a1"] and "beta-42" in outputs["a2"]
    assert all(e.status == "ok" for e in finished)
    streamed = "".join(e.text for e in events if isinstance(e, ev.CommandOutput) and e.agent == "a1")
    assert "alpha-42" in streamed
    votes = {e.agent: e.voted_for for e in events if isinstance(e, ev.VoteCast)}
    assert votes == {"a1": "a1", "a2": "a1"}
    final = next(e for e in events if isinstance(e, ev.FinalAnswer))
    assert final.agent == "a1"
    assert final.content.startswith("FINAL by Alpha")
    assert isinstance(events[-1], ev.RunFinished) and events[-1].final_answer == final.content
    # Every model request carried the key; the presenter saw both answers.
    presentation = [r for r in llm.requests if "winning presenter" in r.system]
    assert presentation and "a2" in presentation[0].user_text and "Alpha answer" in presentation[0].user_text

    reopened = load_run(record.run_id, tmp_path / "runs")
    assert reopened.final_answer == final.content
    assert {a["agent"] for a in reopened.answers} == {"a1", "a2"}
    assert reopened.final_votes == {"a1": "a1", "a2": "a1"}
    assert any(c["tool"] == "execute_command" and "alpha-42" in c["result"] for c in reopened.tool_calls)
    assert reopened.usage["a1"]["input_tokens"] > 0
    replay = reopened.events()
    assert any(isinstance(e, ev.FinalAnswer) for e in replay)
    assert key not in Path(run.saved_to).read_text()


async def test_single_agent_runs_without_coordination(tmp_path: Path, key: str) -> None:
    def respond(request):
        assert "vote" not in request.tools and "new_answer" not in request.tools
        if request.turn == 0:
            return Reply(tool_calls=[("execute_command", {"command": "printf solo"})])
        return Reply(text=f"The command said {request.tool_results[0].split()[-1]}")

    with FakeLLM(respond, api_key=key) as llm:
        config = write_config(tmp_path, llm.base_url, [("solo", "Alpha")])
        run = Run.from_config(load_document(config), "say solo", options=RunOptions(runs_dir=tmp_path / "runs"))
        events = await collect(run)
    assert not any(isinstance(e, ev.VoteCast | ev.AnswerPosted) for e in events)
    final = next(e for e in events if isinstance(e, ev.FinalAnswer))
    assert final.content == "The command said solo"
    assert final.reason == "single agent"


async def test_missing_key_is_reported_before_anything_starts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FAKE_LLM_KEY", raising=False)
    with FakeLLM(lambda r: Reply(text="never")) as llm:
        config = write_config(tmp_path, llm.base_url, [("a1", "Alpha"), ("a2", "Beta")])
        with pytest.raises(AgentRunError) as err:
            Run.from_config(load_document(config), "task")
        assert llm.requests == []
    message = str(err.value)
    assert "agents[0].backend" in message and "agents[1].backend" in message and "FAKE_LLM_KEY" in message


async def test_unsupported_backend_type_is_refused_clearly(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("agent:\n  id: x\n  backend:\n    type: claude_code\n    model: m\n")
    with pytest.raises(AgentRunError, match=r"agent\.backend: .*claude_code.*use type: claude"):
        Run.from_config(load_document(config), "task")


async def test_backend_that_keeps_failing_stops_that_agent_and_the_other_finishes(tmp_path: Path, key: str) -> None:
    ok = coordinating(None)

    def respond(request):
        if persona(request) == "Beta":
            return Reply(status=500, error="model exploded", retry_after=0)
        return ok(request)

    with FakeLLM(respond, api_key=key) as llm:
        config = write_config(tmp_path, llm.base_url, [("a1", "Alpha"), ("a2", "Beta")])
        run = Run.from_config(load_document(config), "task",
                              options=RunOptions(runs_dir=tmp_path / "runs", retry=FAST_RETRY))
        events = await collect(run)
    errors = [e for e in events if isinstance(e, ev.AgentError) and e.agent == "a2"]
    assert errors and errors[0].fatal and "HTTP 500" in errors[0].message and "model exploded" in errors[0].message
    assert "gave up after 3 attempts" in errors[0].message
    assert sum(1 for r in llm.requests if persona(r) == "Beta") == 3
    notices = [e for e in events if isinstance(e, ev.Notice) and e.agent == "a2"]
    assert len(notices) == 2
    final = next(e for e in events if isinstance(e, ev.FinalAnswer))
    assert final.agent == "a1"
    assert (await run.wait()).status == "completed"


async def test_rate_limit_is_retried_then_succeeds(tmp_path: Path, key: str) -> None:
    seen = {"n": 0}

    def respond(request):
        seen["n"] += 1
        if seen["n"] <= 2:
            return Reply(status=429, error="slow down", retry_after=0)
        return Reply(text="fine")

    with FakeLLM(respond, api_key=key) as llm:
        config = write_config(tmp_path, llm.base_url, [("solo", "Alpha")])
        run = Run.from_config(load_document(config), "task",
                              options=RunOptions(runs_dir=tmp_path / "runs", retry=FAST_RETRY))
        events = await collect(run)
    assert [e.message.split(";")[0] for e in events if isinstance(e, ev.Notice)][:1] == [
        f"chatcompletion at {llm.base_url} answered HTTP 429: rate limited (slow down)"]
    assert next(e for e in events if isinstance(e, ev.FinalAnswer)).content == "fine"


async def test_wrong_key_is_not_retried_and_not_leaked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_LLM_KEY", "sk-wrong-secret")
    with FakeLLM(lambda r: Reply(text="x"), api_key="sk-right") as llm:
        config = write_config(tmp_path, llm.base_url, [("solo", "Alpha")])
        run = Run.from_config(load_document(config), "task", options=RunOptions(runs_dir=tmp_path / "runs"))
        events = await collect(run)
    error = next(e for e in events if isinstance(e, ev.AgentError))
    assert "HTTP 401" in error.message and "env:FAKE_LLM_KEY" in error.message
    assert "sk-wrong-secret" not in json.dumps([e.to_dict() for e in events])
    assert (await run.wait()).status == "failed"


async def test_command_timeout_is_reported_to_the_model_and_the_run_goes_on(tmp_path: Path, key: str) -> None:
    def respond(request):
        if request.turn == 0:
            return Reply(tool_calls=[("execute_command", {"command": "sleep 30; echo late", "timeout": 0.5})])
        return Reply(text="result: " + request.tool_results[0])

    with FakeLLM(respond, api_key=key) as llm:
        config = write_config(tmp_path, llm.base_url, [("solo", "Alpha")])
        run = Run.from_config(load_document(config), "task", options=RunOptions(runs_dir=tmp_path / "runs"))
        events = await collect(run)
    finished = next(e for e in events if isinstance(e, ev.ToolCallFinished))
    assert finished.status == "timeout" and finished.duration_s < 10
    assert "timed out after 0.5s" in next(e for e in events if isinstance(e, ev.FinalAnswer)).content


async def test_orchestrator_timeout_uses_the_best_available_answer(tmp_path: Path, key: str) -> None:
    def respond(request):
        if persona(request) == "Beta":
            return Reply(text="thinking...", delay_s=5)
        if request.answers():
            return Reply(text="still thinking", delay_s=5)
        return Reply(tool_calls=[("new_answer", {"content": "Alpha's quick answer"})])

    with FakeLLM(respond, api_key=key) as llm:
        config = write_config(tmp_path, llm.base_url, [("a1", "Alpha"), ("a2", "Beta")],
                              top="timeout_settings:\n  orchestrator_timeout_seconds: 1.5\n")
        run = Run.from_config(load_document(config), "task", options=RunOptions(runs_dir=tmp_path / "runs"))
        events = await collect(run)
    final = next(e for e in events if isinstance(e, ev.FinalAnswer))
    assert final.content == "Alpha's quick answer"
    assert final.reason.startswith("orchestrator timeout after 1.5s")


async def test_cancel_stops_the_run_and_saves_it(tmp_path: Path, key: str) -> None:
    def respond(request):
        return Reply(tool_calls=[("execute_command", {"command": "sleep 60"})])

    with FakeLLM(respond, api_key=key) as llm:
        config = write_config(tmp_path, llm.base_url, [("a1", "Alpha"), ("a2", "Beta")])
        run = Run.from_config(load_document(config), "task", options=RunOptions(runs_dir=tmp_path / "runs"))
        seen = []
        async for event in run.events():
            seen.append(event)
            if isinstance(event, ev.ToolCallStarted):
                run.cancel()
    record = await run.wait()
    assert record.status == "cancelled"
    assert isinstance(seen[-1], ev.RunFinished) and seen[-1].status == "cancelled"
    assert load_run(record.run_id, tmp_path / "runs").status == "cancelled"


async def test_a_claude_agent_and_an_openai_compatible_agent_coordinate(tmp_path: Path, key: str) -> None:
    responder = coordinating(lambda who: f"echo {who.lower()}")
    with FakeLLM(responder, api_key=key) as llm:
        config = write_config(tmp_path, llm.base_url, [("a1", "Alpha"), ("a2", "Beta")])
        text = config.read_text().replace("type: chatcompletion", "type: claude", 1)
        config.write_text(text)
        run = Run.from_config(load_document(config), "task", options=RunOptions(runs_dir=tmp_path / "runs"))
        events = await collect(run)
    protocols = {persona(r): r.protocol for r in llm.requests}
    assert protocols == {"Alpha": "anthropic", "Beta": "openai"}
    final = next(e for e in events if isinstance(e, ev.FinalAnswer))
    assert final.agent == "a1" and final.content.startswith("FINAL by Alpha")
    usage = (await run.wait()).usage
    assert usage["a1"]["input_tokens"] > 0 and usage["a2"]["input_tokens"] > 0
