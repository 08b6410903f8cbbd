"""Both wire protocols against the localhost server: streaming, tool-call fragments, usage, errors
and retries (the server is a real HTTP server speaking the providers' streaming formats)."""

from __future__ import annotations

import pytest

from massgen_tui.agents.backends import Message, RetryPolicy, ToolSpec, make_backend
from massgen_tui.agents.backends.anthropic_messages import to_anthropic_messages
from massgen_tui.agents.backends.base import ToolCallRequest, parse_retry_after
from massgen_tui.agents.errors import AgentRunError
from massgen_tui.agents.providers import resolve_endpoint
from tests.support.fake_llm import FakeLLM, Reply

FAST = RetryPolicy(max_retries=2, base_delay_s=0.01, max_delay_s=0.02)
TOOLS = [ToolSpec("get", "get a thing", {"type": "object", "properties": {"id": {"type": "integer"}}})]


def backend_for(llm: FakeLLM, protocol: str, retry: RetryPolicy = FAST):
    btype = "claude" if protocol == "anthropic" else "chatcompletion"
    return make_backend(resolve_endpoint({"type": btype, "model": "m-1", "base_url": llm.base_url, "api_key": "k"}),
                        agent="a1", retry=retry)


@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
async def test_text_and_parallel_tool_calls_stream(protocol: str) -> None:
    reply = Reply(text="Looking up two things at once.", tool_calls=[("get", {"id": 1}), ("get", {"id": 22})],
                  input_tokens=123, output_tokens=45)
    with FakeLLM(lambda r: reply, api_key="k") as llm:
        backend = backend_for(llm, protocol)
        deltas: list[str] = []
        completion = await backend.complete([Message("system", "sys"), Message("user", "hi")], TOOLS,
                                            on_text=deltas.append)
        await backend.aclose()
    assert "".join(deltas) == completion.text == reply.text and len(deltas) > 1
    assert [(c.name, c.arguments) for c in completion.tool_calls] == [("get", {"id": 1}), ("get", {"id": 22})]
    assert all(c.id for c in completion.tool_calls) and len({c.id for c in completion.tool_calls}) == 2
    assert (completion.usage.input_tokens, completion.usage.output_tokens) == (123, 45)
    request = llm.requests[0]
    assert request.protocol == protocol and request.system == "sys" and request.tools == ["get"]
    assert request.model == "m-1"


@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
async def test_tool_results_go_back_in_the_protocols_shape(protocol: str) -> None:
    def respond(r):
        if r.turn == 0:
            return Reply(tool_calls=[("get", {"id": 1})])
        return Reply(text=f"got {r.tool_results}")

    with FakeLLM(respond, api_key="k") as llm:
        backend = backend_for(llm, protocol)
        messages = [Message("user", "go")]
        first = await backend.complete(messages, TOOLS)
        messages += [Message("assistant", first.text, first.tool_calls),
                     Message("tool", "thing one", tool_call_id=first.tool_calls[0].id)]
        second = await backend.complete(messages, TOOLS)
        await backend.aclose()
    assert second.text == "got ['thing one']"
    assert llm.requests[1].messages[-1]["tool_call_id"] == first.tool_calls[0].id


def test_anthropic_turns_alternate_with_tool_results_in_user_turns() -> None:
    calls = [ToolCallRequest("t1", "get", {"id": 1}), ToolCallRequest("t2", "get", {"id": 2})]
    system, turns = to_anthropic_messages([
        Message("system", "S"), Message("user", "U"), Message("assistant", "", calls),
        Message("tool", "r1", tool_call_id="t1"), Message("tool", "r2", tool_call_id="t2", is_error=True),
        Message("user", "more"),
    ])
    assert system == "S"
    assert [t["role"] for t in turns] == ["user", "assistant", "user"]
    assert [b["type"] for b in turns[2]["content"]] == ["tool_result", "tool_result", "text"]
    assert turns[2]["content"][1]["is_error"] is True


@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
async def test_a_stream_cut_before_any_text_is_retried(protocol: str) -> None:
    count = {"n": 0}

    def respond(r):
        count["n"] += 1
        return Reply(text="whole", cut_after_chunks=1 if count["n"] == 1 else None)

    with FakeLLM(respond, api_key="k") as llm:
        backend = backend_for(llm, protocol)
        notices: list[str] = []
        completion = await backend.complete([Message("user", "x")], [], on_notice=notices.append)
        await backend.aclose()
    assert completion.text == "whole" and count["n"] == 2 and len(notices) == 1


@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
async def test_a_stream_cut_after_text_is_not_replayed(protocol: str) -> None:
    cut = 3 if protocol == "openai" else 5  # after two text deltas in either protocol
    with FakeLLM(lambda r: Reply(text="a long answer that is cut", cut_after_chunks=cut), api_key="k") as llm:
        backend = backend_for(llm, protocol)
        with pytest.raises(AgentRunError, match=r"stream|connection"):
            await backend.complete([Message("user", "x")], [], on_text=lambda t: None)
        await backend.aclose()
    assert len(llm.requests) == 1


async def test_client_errors_are_not_retried_and_say_what_to_check() -> None:
    with FakeLLM(lambda r: Reply(status=404, error="model m-1 does not exist"), api_key="k") as llm:
        backend = backend_for(llm, "openai")
        with pytest.raises(AgentRunError) as err:
            await backend.complete([Message("user", "x")], [])
        await backend.aclose()
    assert len(llm.requests) == 1 and not err.value.retryable and err.value.status == 404
    assert "check backend.model ('m-1')" in str(err.value) and "does not exist" in str(err.value)


async def test_rate_limits_give_up_after_the_policy() -> None:
    with FakeLLM(lambda r: Reply(status=429, error="slow", retry_after=0), api_key="k") as llm:
        backend = backend_for(llm, "anthropic")
        with pytest.raises(AgentRunError, match=r"HTTP 429.*gave up after 3 attempts"):
            await backend.complete([Message("user", "x")], [])
        await backend.aclose()
    assert len(llm.requests) == 3


async def test_arguments_that_are_not_json_are_flagged_not_raised() -> None:
    def respond(r):
        return Reply(tool_calls=[("get", {"id": 1})])

    with FakeLLM(respond, api_key="k") as llm:
        backend = backend_for(llm, "openai")
        completion = await backend.complete([Message("user", "x")], TOOLS)
        await backend.aclose()
    assert completion.tool_calls[0].parse_error == ""
    from massgen_tui.agents.backends.base import parse_arguments

    assert parse_arguments('{"id": 1')[1].startswith("arguments are not valid JSON")
    assert parse_arguments("[1]")[1] == "arguments must be a JSON object"


def test_retry_policy_honours_retry_after_and_caps() -> None:
    policy = RetryPolicy(max_retries=3, base_delay_s=1.0, max_delay_s=5.0)
    assert policy.delay(0, 2.0) == 2.0 and policy.delay(0, 60.0) == 5.0
    assert 0.75 <= policy.delay(0, None) <= 1.25 and policy.delay(10, None) == 5.0
    assert parse_retry_after("3") == 3.0 and parse_retry_after(None) is None


@pytest.mark.parametrize(("btype", "field"), [("openai", "max_completion_tokens"), ("chatcompletion", "max_tokens"),
                                              ("claude", "max_tokens")])
async def test_output_limit_uses_each_apis_field(btype: str, field: str) -> None:
    with FakeLLM(lambda r: Reply(text="ok"), api_key="k") as llm:
        endpoint = resolve_endpoint({"type": btype, "model": "m", "base_url": llm.base_url, "api_key": "k",
                                     "max_tokens": 77, "temperature": 0.2})
        backend = make_backend(endpoint, retry=FAST)
        await backend.complete([Message("user", "x")], [])
        await backend.aclose()
    body = llm.requests[0].body
    assert body[field] == 77 and body["temperature"] == 0.2
    if btype == "openai":
        assert "max_tokens" not in body
