from __future__ import annotations

import pytest

from massgen_tui.agents.errors import AgentRunError
from massgen_tui.agents.providers import PROVIDERS, REFUSED, redact, resolve_endpoint


@pytest.mark.parametrize("btype", sorted(PROVIDERS))
def test_every_supported_type_resolves_with_its_key_variable(btype: str) -> None:
    provider = PROVIDERS[btype]
    env = {provider.api_key_env: "sk-123"} if provider.api_key_env else {}
    backend = {"type": btype, "model": "m"}
    if provider.base_url is None:
        backend["base_url"] = "http://127.0.0.1:9/v1/"
    endpoint = resolve_endpoint(backend, environ=env)
    assert endpoint.protocol == ("anthropic" if btype == "claude" else "openai")
    assert not endpoint.base_url.endswith("/")
    if provider.api_key_env:
        assert endpoint.api_key == "sk-123" and endpoint.api_key_source == f"env:{provider.api_key_env}"


@pytest.mark.parametrize("btype", sorted(REFUSED))
def test_unsupported_types_are_refused_with_an_alternative(btype: str) -> None:
    with pytest.raises(AgentRunError, match=f"'{btype}'") as err:
        resolve_endpoint({"type": btype, "model": "m"}, agent="a1", environ={})
    assert err.value.agent == "a1" and ("use type" in str(err.value) or "not supported" in str(err.value)
                                        or "no chat-completions" in str(err.value))


def test_missing_key_names_the_variable() -> None:
    with pytest.raises(AgentRunError, match="set the environment variable OPENAI_API_KEY"):
        resolve_endpoint({"type": "openai", "model": "gpt-4o"}, environ={})


def test_custom_key_variable_must_be_set_even_for_local_servers() -> None:
    with pytest.raises(AgentRunError, match="MY_KEY"):
        resolve_endpoint({"type": "vllm", "model": "m", "api_key_env": "MY_KEY"}, environ={})
    assert resolve_endpoint({"type": "vllm", "model": "m"}, environ={}).api_key is None


def test_key_from_config_wins_and_is_not_in_repr() -> None:
    endpoint = resolve_endpoint({"type": "openai", "model": "m", "api_key": "sk-config"},
                                environ={"OPENAI_API_KEY": "sk-env"})
    assert endpoint.api_key == "sk-config" and endpoint.api_key_source == "config"
    assert "sk-config" not in repr(endpoint)
    assert redact("bad key sk-config here", endpoint) == "bad key *** here"


@pytest.mark.parametrize(("backend", "needle"), [
    ({}, "backend.type is missing"),
    ({"type": "nope", "model": "m"}, "unknown backend type 'nope' (supported: "),
    ({"type": "openai"}, "backend.model is missing"),
    ({"type": "chatcompletion", "model": "m"}, "needs backend.base_url"),
])
def test_bad_backends_say_what_is_wrong(backend: dict, needle: str) -> None:
    with pytest.raises(AgentRunError) as err:
        resolve_endpoint(backend, environ={"OPENAI_API_KEY": "k"})
    assert needle in str(err.value)


def test_grok_defaults_to_xai() -> None:
    endpoint = resolve_endpoint({"type": "grok", "model": "grok-4"}, environ={"XAI_API_KEY": "x"})
    assert endpoint.base_url == "https://api.x.ai/v1"
