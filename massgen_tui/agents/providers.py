"""Which wire protocol and endpoint a MassGen backend ``type`` maps to, and where its key comes from.

Two protocols cover the supported types: OpenAI-compatible chat completions and Anthropic
messages. Types whose provider offers an OpenAI-compatible endpoint are mapped to it; types that
wrap a CLI or an SDK (claude_code, codex, gemini_cli, ...) are refused with a clear message.
Keys come from the config (``api_key``) or from the environment variable named by
``api_key_env`` or the type's default variable, never from anywhere else, and are never logged.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from massgen_tui.agents.errors import AgentRunError

Protocol = Literal["openai", "anthropic"]


@dataclass(frozen=True)
class Provider:
    protocol: Protocol
    base_url: str | None  # None: the config must give base_url
    api_key_env: str | None  # None: no key needed (local servers)
    key_required: bool = True


PROVIDERS: dict[str, Provider] = {
    "openai": Provider("openai", "https://api.openai.com/v1", "OPENAI_API_KEY"),
    "claude": Provider("anthropic", "https://api.anthropic.com", "ANTHROPIC_API_KEY"),
    "grok": Provider("openai", "https://api.x.ai/v1", "XAI_API_KEY"),
    "gemini": Provider("openai", "https://generativelanguage.googleapis.com/v1beta/openai", "GEMINI_API_KEY"),
    "zai": Provider("openai", "https://api.z.ai/api/paas/v4", "ZAI_API_KEY"),
    "cerebras": Provider("openai", "https://api.cerebras.ai/v1", "CEREBRAS_API_KEY"),
    "together": Provider("openai", "https://api.together.xyz/v1", "TOGETHER_API_KEY"),
    "fireworks": Provider("openai", "https://api.fireworks.ai/inference/v1", "FIREWORKS_API_KEY"),
    "groq": Provider("openai", "https://api.groq.com/openai/v1", "GROQ_API_KEY"),
    "openrouter": Provider("openai", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"),
    "moonshot": Provider("openai", "https://api.moonshot.cn/v1", "MOONSHOT_API_KEY"),
    "nvidia_nim": Provider("openai", "https://integrate.api.nvidia.com/v1", "NGC_API_KEY"),
    "nebius": Provider("openai", "https://api.studio.nebius.ai/v1", "NEBIUS_API_KEY"),
    "qwen": Provider("openai", "https://dashscope-intl.aliyuncs.com/compatible-mode/v1", "QWEN_API_KEY"),
    "poe": Provider("openai", "https://api.poe.com/v1", "POE_API_KEY"),
    "chatcompletion": Provider("openai", None, None, key_required=False),
    "lmstudio": Provider("openai", "http://localhost:1234/v1", None, key_required=False),
    "vllm": Provider("openai", "http://localhost:8000/v1", None, key_required=False),
    "sglang": Provider("openai", "http://localhost:30000/v1", None, key_required=False),
}

REFUSED: dict[str, str] = {
    "claude_code": "wraps the Claude Code SDK and its own tools; use type: claude (Anthropic messages API) instead",
    "codex": "wraps the Codex CLI; use type: openai instead",
    "gemini_cli": "wraps the Gemini CLI; use type: gemini (OpenAI-compatible endpoint) instead",
    "antigravity_cli": "wraps a CLI; use type: gemini instead",
    "copilot": "wraps the GitHub Copilot CLI, which has no chat-completions endpoint",
    "ag2": "runs AG2 agents in-process; not supported by massgen-tui runs",
    "azure_openai": "needs a deployment URL; use type: chatcompletion with base_url set to your deployment's /openai/v1 endpoint",
    "inference": "is a MassGen-internal backend; use type: chatcompletion with base_url",
    "uitars": "needs a custom endpoint; use type: chatcompletion with base_url",
}


@dataclass(frozen=True)
class Endpoint:
    """Everything a backend needs to talk to one model. ``api_key`` is never put in repr or logs."""

    type: str
    protocol: Protocol
    base_url: str
    model: str
    api_key: str | None = field(repr=False, default=None)
    api_key_source: str = ""  # "config", "env:NAME" or "" (for messages)
    temperature: float | None = None
    max_tokens: int | None = None
    extra_headers: Mapping[str, str] = field(default_factory=dict, repr=False)


def resolve_endpoint(backend: Mapping[str, Any], *, agent: str | None = None,
                     environ: Mapping[str, str] | None = None) -> Endpoint:
    """Map an agent's ``backend`` mapping to an :class:`Endpoint`, raising :class:`AgentRunError`
    with the config location when the type is unsupported or the key or model is missing."""
    env = os.environ if environ is None else environ
    where = f"agent {agent!r}" if agent else "backend"
    btype = str(backend.get("type") or "").strip()
    if not btype:
        raise AgentRunError(f"{where}: backend.type is missing (e.g. openai, claude, chatcompletion)", agent=agent)
    if btype in REFUSED:
        raise AgentRunError(f"{where}: backend type {btype!r} {REFUSED[btype]}", agent=agent)
    provider = PROVIDERS.get(btype)
    if provider is None:
        known = ", ".join(sorted(PROVIDERS))
        raise AgentRunError(f"{where}: unknown backend type {btype!r} (supported: {known})", agent=agent)
    base_url = backend.get("base_url") or provider.base_url
    if not base_url:
        raise AgentRunError(f"{where}: backend type {btype!r} needs backend.base_url "
                            "(the server's OpenAI-compatible /v1 URL)", agent=agent)
    model = backend.get("model")
    if not model:
        raise AgentRunError(f"{where}: backend.model is missing", agent=agent)

    api_key: str | None = None
    source = ""
    if isinstance(backend.get("api_key"), str) and backend["api_key"].strip():
        api_key, source = backend["api_key"].strip(), "config"
    else:
        var = backend.get("api_key_env") or provider.api_key_env
        if var:
            value = env.get(str(var), "").strip()
            if value:
                api_key, source = value, f"env:{var}"
            elif provider.key_required or backend.get("api_key_env"):
                raise AgentRunError(
                    f"{where}: no API key: set the environment variable {var} "
                    f"(or backend.api_key / backend.api_key_env in the config) before starting the run",
                    agent=agent)
    temperature = backend.get("temperature")
    max_tokens = backend.get("max_tokens")
    return Endpoint(
        type=btype, protocol=provider.protocol, base_url=str(base_url).rstrip("/"), model=str(model),
        api_key=api_key, api_key_source=source,
        temperature=float(temperature) if isinstance(temperature, int | float) else None,
        max_tokens=int(max_tokens) if isinstance(max_tokens, int) else None,
    )


def redact(text: str, endpoint: Endpoint | None) -> str:
    """Remove the endpoint's key from a text (error bodies sometimes echo it back)."""
    if endpoint is not None and endpoint.api_key and endpoint.api_key in text:
        text = text.replace(endpoint.api_key, "***")
    return text
