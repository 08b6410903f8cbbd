"""An optional LLM classifier: all tools of a server in one request, a JSON answer, cached by definition.

Speaks OpenAI-compatible chat completions (``POST {base_url}/chat/completions``) and Anthropic
messages (``POST {base_url}/v1/messages``). The endpoint comes from ``safety.llm``: either an agent
of the config (its backend's type, model, base URL and key) or ``type``/``model``/``base_url``/
``api_key_env`` given directly.

It never blocks a call: the gate asks :meth:`LLMClassifier.cached` (memory only) and, on a miss,
:meth:`LLMClassifier.schedule` starts a background request whose answer is used from the next call
on. When a request fails, the rules alone decide and :attr:`LLMClassifier.last_error` says why.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from massgen_tui.config.safety import SafetyLLMSettings
from massgen_tui.mcp.types import ToolInfo
from massgen_tui.safety.classification import LLMVerdict
from massgen_tui.safety.errors import SafetyError

Protocol = Literal["openai", "anthropic"]
_ANTHROPIC_TYPES = {"claude", "anthropic", "claude_code"}
_ANTHROPIC_VERSION = "2023-06-01"

SYSTEM_PROMPT = """You classify the tools of an MCP server for a safety gate that may ask a human before a call.
A tool is "irreversible" when a call can destroy or overwrite data, send anything outside this machine
(messages, emails, posts, uploads, HTTP requests to a URL the caller chooses), spend money, run arbitrary
code or commands, act on a live web page (click, type, submit), or otherwise cannot be undone by the agent.
It is "reversible" when it only reads, searches or computes, only adds something new locally, or only
changes view or session state. When unsure, answer irreversible with a lower confidence.
Answer with JSON only, no prose, exactly:
{"tools": [{"name": "<tool name>", "verdict": "reversible" | "irreversible", "confidence": <0..1>,
"reason": "<one short sentence>"}]}
with one entry for every tool you were given."""


@dataclass(frozen=True)
class LLMEndpoint:
    protocol: Protocol
    model: str
    base_url: str
    api_key: str = field(default="", repr=False)
    timeout_s: float = 30.0

    @property
    def label(self) -> str:
        """The cache key part that names the model (answers of another model are not reused)."""
        return f"{self.protocol}:{self.model}@{self.base_url}"

    @property
    def url(self) -> str:
        base = self.base_url.rstrip("/")
        if self.protocol == "openai":
            return base if base.endswith("/chat/completions") else f"{base}/chat/completions"
        if base.endswith("/messages"):
            return base
        return f"{base}/messages" if base.endswith("/v1") else f"{base}/v1/messages"


def _find_agent(config: Mapping[str, Any], agent_id: str) -> Mapping[str, Any]:
    agents: list[Any] = []
    if isinstance(config.get("agents"), list):
        agents = list(config["agents"])
    elif isinstance(config.get("agent"), Mapping):
        agents = [config["agent"]]
    for agent in agents:
        if isinstance(agent, Mapping) and str(agent.get("id")) == agent_id:
            backend = agent.get("backend")
            if isinstance(backend, Mapping):
                return backend
            raise SafetyError(f"safety.llm.agent: agent {agent_id!r} has no backend mapping")
    known = [str(a.get("id")) for a in agents if isinstance(a, Mapping)]
    raise SafetyError(f"safety.llm.agent: no agent {agent_id!r} in the config (agents: {', '.join(known) or 'none'})")


def endpoint_from_settings(
    llm: SafetyLLMSettings,
    config: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> LLMEndpoint:
    """Build the endpoint from ``safety.llm`` (and the config's agents); :class:`SafetyError` says what is missing."""
    from massgen_tui.config.backends import backend_info

    env = os.environ if environ is None else environ
    backend: Mapping[str, Any] = _find_agent(config or {}, llm.agent) if llm.agent else {}
    kind = llm.type or str(backend.get("type") or "")
    if not kind:
        raise SafetyError("safety.llm needs either 'agent' (an agent id of this config) or 'type'")
    info = backend_info(kind)
    protocol: Protocol
    if kind in _ANTHROPIC_TYPES:
        protocol = "anthropic"
    elif kind in {"openai", "chatcompletion", "azure_openai", "grok"} or (info is not None and info.openai_compatible):
        protocol = "openai"
    else:
        raise SafetyError(
            f"safety.llm: backend type {kind!r} cannot classify tools; use an OpenAI-compatible type "
            "(openai, chatcompletion, lmstudio, vllm, ...) or claude"
        )
    model = llm.model or str(backend.get("model") or "") or (info.default_model if info else None) or ""
    if not model:
        raise SafetyError(f"safety.llm: no model for backend type {kind!r}; set safety.llm.model")
    base_url = llm.base_url or str(backend.get("base_url") or "") or (info.base_url if info else None) or ""
    if not base_url:
        raise SafetyError(f"safety.llm: no base_url for backend type {kind!r}; set safety.llm.base_url")
    key_env = llm.api_key_env or (info.api_key_env if info else None)
    api_key = str(backend.get("api_key") or "") or (env.get(key_env, "") if key_env else "")
    return LLMEndpoint(protocol, model, base_url, api_key, float(llm.timeout_seconds))


def build_request(endpoint: LLMEndpoint, server: str, tools: Sequence[ToolInfo]) -> tuple[dict[str, str], dict[str, Any]]:
    listing = json.dumps([t.to_wire() for t in tools], ensure_ascii=False, sort_keys=True)
    user = f"MCP server: {server or '(unnamed)'}\nTools (MCP tools/list form):\n{listing}"
    if endpoint.protocol == "openai":
        headers = {"content-type": "application/json"}
        if endpoint.api_key:
            headers["authorization"] = f"Bearer {endpoint.api_key}"
        body = {
            "model": endpoint.model,
            "temperature": 0,
            "response_format": {"type": "json_object"},
            "messages": [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}],
        }
        return headers, body
    headers = {"content-type": "application/json", "anthropic-version": _ANTHROPIC_VERSION}
    if endpoint.api_key:
        headers["x-api-key"] = endpoint.api_key
    body = {
        "model": endpoint.model,
        "max_tokens": 4096,
        "temperature": 0,
        "system": SYSTEM_PROMPT,
        "messages": [{"role": "user", "content": user}],
    }
    return headers, body


def response_text(protocol: Protocol, payload: Mapping[str, Any]) -> str:
    if protocol == "openai":
        try:
            return str(payload["choices"][0]["message"]["content"] or "")
        except (KeyError, IndexError, TypeError) as exc:
            raise SafetyError(f"the chat-completions answer has no choices[0].message.content ({exc})") from exc
    blocks = payload.get("content")
    if not isinstance(blocks, list):
        raise SafetyError("the messages answer has no content list")
    return "".join(str(b.get("text", "")) for b in blocks if isinstance(b, Mapping) and b.get("type") == "text")


def parse_answer(text: str, tools: Sequence[ToolInfo], model: str) -> dict[str, LLMVerdict]:
    """The JSON answer, keyed by tool name; unknown names and malformed entries are dropped."""
    cleaned = re.sub(r"^```(?:json)?\s*|\s*```$", "", text.strip())
    start, end = cleaned.find("{"), cleaned.rfind("}")
    if start < 0 or end < start:
        raise SafetyError(f"the model did not answer with JSON: {text[:120]!r}")
    try:
        data = json.loads(cleaned[start : end + 1])
    except json.JSONDecodeError as exc:
        raise SafetyError(f"the model's JSON does not parse ({exc.msg} at {exc.pos})") from exc
    entries = data.get("tools") if isinstance(data, Mapping) else None
    if not isinstance(entries, list):
        raise SafetyError("the model's JSON has no 'tools' list")
    names = {t.name for t in tools}
    out: dict[str, LLMVerdict] = {}
    for entry in entries:
        if not isinstance(entry, Mapping) or entry.get("name") not in names:
            continue
        verdict = entry.get("verdict")
        if verdict not in ("reversible", "irreversible"):
            continue
        try:
            confidence = max(0.0, min(1.0, float(entry.get("confidence", 0.5))))
        except (TypeError, ValueError):
            confidence = 0.5
        out[str(entry["name"])] = LLMVerdict(verdict, confidence, str(entry.get("reason") or "")[:300], model)
    return out


@dataclass
class LLMResult:
    answers: dict[str, LLMVerdict]  # by definition hash
    requested: int = 0  # tools sent to the model (the rest came from the cache)
    error: str | None = None  # why the model could not be used; the rules decide for those tools


class LLMClassifier:
    """Classifies tools with a model; answers are cached in memory and in the store by definition hash."""

    def __init__(self, endpoint: LLMEndpoint, store: Any | None = None) -> None:
        self.endpoint = endpoint
        self.store = store  # a DecisionStore, optional
        self.last_error: str | None = None
        self._memory: dict[str, LLMVerdict] = {}
        self._inflight: dict[str, asyncio.Task[LLMResult]] = {}
        self._failed: set[str] = set()

    def cached(self, definition_hash: str) -> LLMVerdict | None:
        return self._memory.get(definition_hash)

    def schedule(self, tools: Sequence[ToolInfo]) -> asyncio.Task[LLMResult] | None:
        """Classify in the background (one request per server); never awaits anything."""
        todo = [t for t in tools if t.definition_hash not in self._memory and t.definition_hash not in self._inflight
                and t.definition_hash not in self._failed]
        if not todo:
            return None
        try:
            task = asyncio.get_running_loop().create_task(self.classify(todo))
        except RuntimeError:
            return None
        for tool in todo:
            self._inflight[tool.definition_hash] = task

        def done(t: asyncio.Task[LLMResult]) -> None:
            for tool in todo:
                self._inflight.pop(tool.definition_hash, None)
            if not t.cancelled() and t.exception() is None and t.result().error:
                self._failed.update(tool.definition_hash for tool in todo if tool.definition_hash not in self._memory)

        task.add_done_callback(done)
        return task

    async def classify(self, tools: Sequence[ToolInfo]) -> LLMResult:
        """Answers for ``tools`` (cache first, then one request per server). Never raises for model failures."""
        answers: dict[str, LLMVerdict] = {h: v for t in tools if (v := self._memory.get(h := t.definition_hash))}
        missing = [t for t in tools if t.definition_hash not in answers]
        if missing and self.store is not None:
            stored = await self.store.cached_llm([t.definition_hash for t in missing], self.endpoint.label)
            answers.update(stored)
            self._memory.update(stored)
            missing = [t for t in missing if t.definition_hash not in answers]
        result = LLMResult(answers)
        by_server: dict[str, list[ToolInfo]] = {}
        for tool in missing:
            by_server.setdefault(tool.server, []).append(tool)
        for server, group in by_server.items():
            result.requested += len(group)
            try:
                fresh = await self._request(server, group)
            except Exception as exc:  # network, HTTP status, bad JSON: fall back to the rules
                result.error = self.last_error = f"LLM classification unavailable ({self.endpoint.model}): {exc}"
                continue
            by_hash = {t.definition_hash: fresh[t.name] for t in group if t.name in fresh}
            answers.update(by_hash)
            self._memory.update(by_hash)
            if self.store is not None and by_hash:
                await self.store.cache_llm(by_hash, self.endpoint.label)
            unanswered = [t.name for t in group if t.name not in fresh]
            if unanswered:
                result.error = self.last_error = f"the model gave no verdict for: {', '.join(unanswered)}"
        return result

    async def _request(self, server: str, tools: Sequence[ToolInfo]) -> dict[str, LLMVerdict]:
        import httpx

        headers, body = build_request(self.endpoint, server, tools)
        async with httpx.AsyncClient(timeout=self.endpoint.timeout_s) as client:
            response = await client.post(self.endpoint.url, headers=headers, json=body)
        if response.status_code != 200:
            detail = response.text[:200].replace(self.endpoint.api_key or "\0", "[redacted]")
            raise SafetyError(f"HTTP {response.status_code} from {self.endpoint.url}: {detail}")
        try:
            payload = response.json()
        except ValueError as exc:
            raise SafetyError(f"{self.endpoint.url} did not answer with JSON") from exc
        return parse_answer(response_text(self.endpoint.protocol, payload), tools, self.endpoint.model)
