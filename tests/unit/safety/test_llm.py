"""The LLM classifier against a localhost server speaking the real OpenAI and Anthropic wire protocols."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from massgen_tui.config.safety import SafetyLLMSettings, SafetySettings
from massgen_tui.mcp.types import ToolInfo
from massgen_tui.safety import DecisionStore, SafetyError, SafetyGate, classify_tool
from massgen_tui.safety.llm import LLMClassifier, LLMEndpoint, endpoint_from_settings
from tests.unit.safety.conftest import make_call
from tests.unit.safety.llm_server import LLMServer, keyword_judge

TOOLS = [
    ToolInfo.from_wire({"name": "widget_a", "description": "Frobnicates the widget",
                        "annotations": {"readOnlyHint": False, "destructiveHint": False}}, server="w"),
    ToolInfo.from_wire({"name": "widget_b", "description": "Counts widgets", "annotations": {"readOnlyHint": True}},
                       server="w"),
    ToolInfo.from_wire({"name": "widget_c", "description": "Polishes the widget"}, server="w"),
]


def endpoint(server: LLMServer, protocol: str, **kw: object) -> LLMEndpoint:
    base = server.base + ("/v1" if protocol == "openai" else "")
    return LLMEndpoint(protocol, "test-model", base, "test-key", **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
async def test_one_request_per_server_and_cached_by_definition(protocol: str, tmp_path: Path) -> None:
    with LLMServer(keyword_judge) as server:
        async with await DecisionStore.open(tmp_path / "s.db") as store:
            classifier = LLMClassifier(endpoint(server, protocol), store)
            result = await classifier.classify(TOOLS)
            assert result.error is None and result.requested == 3
            assert len(server.requests) == 1 and server.requests[0]["protocol"] == protocol
            verdicts = {t.name: result.answers[t.definition_hash].verdict for t in TOOLS}
            assert verdicts == {"widget_a": "irreversible", "widget_b": "reversible", "widget_c": "reversible"}
            # the LLM's verdict is a signal that tips the rules
            llm = result.answers[TOOLS[0].definition_hash]
            assert classify_tool(TOOLS[0]).verdict == "reversible"
            assert classify_tool(TOOLS[0], llm=llm).verdict == "irreversible"
            # a new classifier (another run) finds the answers in the store: no new request
            again = await LLMClassifier(endpoint(server, protocol), store).classify(TOOLS)
            assert again.requested == 0 and len(again.answers) == 3 and len(server.requests) == 1
            # a changed definition is asked again
            changed = ToolInfo.from_wire({"name": "widget_b", "description": "Counts and frobnicates widgets"},
                                         server="w")
            third = await LLMClassifier(endpoint(server, protocol), store).classify([changed])
            assert third.requested == 1 and third.answers[changed.definition_hash].verdict == "irreversible"


@pytest.mark.parametrize("status", [500, 401])
async def test_failure_falls_back_to_the_rules(status: int) -> None:
    with LLMServer(keyword_judge, status=status if status != 401 else 200,
                   api_key="right" if status == 401 else "test-key") as server:
        classifier = LLMClassifier(endpoint(server, "openai"))
        result = await classifier.classify(TOOLS)
        assert result.answers == {} and result.error and f"HTTP {status}" in result.error
        assert "test-key" not in result.error
        assert classifier.last_error == result.error


async def test_timeout_and_unparsable_answers_fall_back() -> None:
    with LLMServer(keyword_judge) as server:
        server.hold.clear()
        slow = LLMClassifier(endpoint(server, "anthropic", timeout_s=0.3))
        result = await slow.classify(TOOLS)
        assert result.error and "unavailable" in result.error
        server.hold.set()
    with LLMServer(lambda tools: "I think they are all fine.") as server:
        result = await LLMClassifier(endpoint(server, "openai")).classify(TOOLS)
        assert result.error and "JSON" in result.error


async def test_gate_never_waits_for_the_model(tmp_path: Path) -> None:
    with LLMServer(keyword_judge) as server:
        server.hold.clear()  # the model is "thinking" until we release it
        classifier = LLMClassifier(endpoint(server, "openai"))
        async with await DecisionStore.open(tmp_path / "s.db") as store:
            gate = SafetyGate(SafetySettings(), store, None, tmp_path, llm=classifier)
            first = await gate.before_call(make_call(TOOLS[0]))
            assert first.action == "allow"  # the rules decided; the request is still held by the server
            assert classifier.cached(TOOLS[0].definition_hash) is None
            server.hold.set()
            while classifier.cached(TOOLS[0].definition_hash) is None:
                await asyncio.sleep(0.02)
            second = await gate.before_call(make_call(TOOLS[0]))
            assert second.action == "deny"  # now the model's verdict tips it to irreversible: fail closed
            assert any(s.source == "llm" for s in list(gate.last_verdicts.values())[-1].classification.signals)


def test_endpoint_from_settings() -> None:
    config = {"agents": [{"id": "judge", "backend": {"type": "claude", "model": "claude-haiku-4-5"}},
                         {"id": "local", "backend": {"type": "lmstudio", "model": "qwen"}}]}
    ep = endpoint_from_settings(SafetyLLMSettings(agent="judge"), config, {"ANTHROPIC_API_KEY": "sekrit-key"})
    assert (ep.protocol, ep.model, ep.api_key, ep.url) == (
        "anthropic", "claude-haiku-4-5", "sekrit-key", "https://api.anthropic.com/v1/messages")
    assert "sekrit" not in repr(ep)
    ep = endpoint_from_settings(SafetyLLMSettings(agent="local"), config, {})
    assert ep.protocol == "openai" and ep.url == "http://localhost:1234/v1/chat/completions"
    ep = endpoint_from_settings(SafetyLLMSettings(type="chatcompletion", model="m", base_url="http://h:1/v1",
                                                  api_key_env="MY_KEY"), None, {"MY_KEY": "s"})
    assert ep.api_key == "s" and ep.url == "http://h:1/v1/chat/completions"
    with pytest.raises(SafetyError, match="no agent 'nobody'"):
        endpoint_from_settings(SafetyLLMSettings(agent="nobody"), config, {})
    with pytest.raises(SafetyError, match="needs either"):
        endpoint_from_settings(SafetyLLMSettings(), None, {})
    with pytest.raises(SafetyError, match="no base_url"):
        endpoint_from_settings(SafetyLLMSettings(type="chatcompletion", model="m"), None, {})


async def test_prepare_classifies_a_whole_server_in_one_background_request(tmp_path: Path) -> None:
    with LLMServer(keyword_judge) as server:
        classifier = LLMClassifier(endpoint(server, "anthropic"))
        async with await DecisionStore.open(tmp_path / "s.db") as store:
            gate = SafetyGate(SafetySettings(), store, None, tmp_path, llm=classifier)
            gate.prepare(TOOLS)
            while any(classifier.cached(t.definition_hash) is None for t in TOOLS):
                await asyncio.sleep(0.02)
            assert len(server.requests) == 1  # one request for the three tools
            review = await gate.review(TOOLS, {"w": "widget-server --stdio"})
            assert [c.verdict for c in review] == ["irreversible", "reversible", "reversible"]
            await store.add(kind="classification", scope="user", server_identity="widget-server --stdio",
                            tool="widget_a", verdict="reversible", reason="our widgets regrow")
            review = await gate.review(TOOLS, {"w": "widget-server --stdio"})
            assert review[0].verdict == "reversible" and review[0].overridden_by


async def test_gate_builds_its_classifier_from_settings(tmp_path: Path) -> None:
    with LLMServer(keyword_judge) as server:
        settings = SafetySettings(llm=SafetyLLMSettings(agent="judge"))
        config = {"agents": [{"id": "judge", "backend": {"type": "chatcompletion", "model": "m",
                                                         "base_url": server.base + "/v1", "api_key": "test-key"}}]}
        gate = SafetyGate(settings, None, None, tmp_path, config=config)
        assert gate.llm is not None and gate.llm_error is None
        gate.prepare(TOOLS)
        while gate.llm.cached(TOOLS[0].definition_hash) is None:
            await asyncio.sleep(0.02)
        assert (await gate.before_call(make_call(TOOLS[0]))).action == "deny"  # the model's caution counts
    broken = SafetyGate(SafetySettings(llm=SafetyLLMSettings(agent="nobody")), None, None, tmp_path, config=config)
    assert broken.llm is None and broken.llm_error and "nobody" in broken.llm_error
    assert (await broken.before_call(make_call(TOOLS[1]))).action == "allow"  # rules alone
