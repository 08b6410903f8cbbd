"""The conversation as the agent loop keeps it, independent of any provider, and the backend
interface both protocols implement (with retries on rate limits and transient failures)."""

from __future__ import annotations

import asyncio
import email.utils
import json
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from massgen_tui.agents.errors import AgentRunError

if TYPE_CHECKING:
    import httpx

    from massgen_tui.agents.providers import Endpoint


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    parameters: Mapping[str, Any]


@dataclass
class ToolCallRequest:
    id: str
    name: str
    arguments: dict[str, Any]
    raw_arguments: str = ""
    parse_error: str = ""  # the model sent arguments that are not a JSON object


@dataclass
class Message:
    role: Literal["system", "user", "assistant", "tool"]
    content: str = ""
    tool_calls: list[ToolCallRequest] = field(default_factory=list)
    tool_call_id: str | None = None
    is_error: bool = False

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"role": self.role, "content": self.content}
        if self.tool_calls:
            out["tool_calls"] = [{"id": c.id, "name": c.name, "arguments": c.arguments} for c in self.tool_calls]
        if self.tool_call_id:
            out["tool_call_id"] = self.tool_call_id
        if self.is_error:
            out["is_error"] = True
        return out


@dataclass
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0

    def add(self, other: Usage) -> None:
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens


@dataclass
class Completion:
    text: str
    tool_calls: list[ToolCallRequest]
    usage: Usage
    finish_reason: str = ""
    model_time_s: float = 0.0  # from request sent to the last byte, retries included


TextSink = Callable[[str], Awaitable[None] | None]
NoticeSink = Callable[[str], Awaitable[None] | None]


@dataclass(frozen=True)
class RetryPolicy:
    """Retries on 408/409/429/5xx and dropped connections, with exponential backoff and jitter.
    A ``Retry-After`` header is honoured up to ``max_delay_s``."""

    max_retries: int = 4
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_delay_s)
        return min(self.base_delay_s * (2 ** attempt) * (0.75 + random.random() / 2), self.max_delay_s)


RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504, 529})


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return None if parsed is None else max(parsed.timestamp() - time.time(), 0.0)


def parse_arguments(raw: str) -> tuple[dict[str, Any], str]:
    if not raw.strip():
        return {}, ""
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        return {}, f"arguments are not valid JSON ({exc.msg} at char {exc.pos})"
    if not isinstance(value, dict):
        return {}, "arguments must be a JSON object"
    return value, ""


class ChatBackend(Protocol):
    endpoint: Endpoint

    async def complete(self, messages: list[Message], tools: list[ToolSpec], *,
                       on_text: TextSink | None = None, on_notice: NoticeSink | None = None) -> Completion: ...

    async def aclose(self) -> None: ...


async def _emit(sink: Callable[[str], Awaitable[None] | None] | None, text: str) -> None:
    if sink is None:
        return
    result = sink(text)
    if asyncio.iscoroutine(result):
        await result


class StreamingBackend:
    """Shared plumbing: one httpx client, the retry loop, error messages without the key."""

    def __init__(self, endpoint: Endpoint, *, agent: str | None = None, retry: RetryPolicy | None = None,
                 timeout_s: float = 300.0, client: httpx.AsyncClient | None = None):
        import httpx

        self.endpoint = endpoint
        self.agent = agent
        self.retry = retry or RetryPolicy()
        self._client = client or httpx.AsyncClient(timeout=httpx.Timeout(timeout_s, connect=15.0))

    async def aclose(self) -> None:
        await self._client.aclose()

    # Subclasses implement these two.
    def _request(self, messages: list[Message], tools: list[ToolSpec]) -> tuple[str, dict[str, str], dict[str, Any]]:
        raise NotImplementedError

    async def _read_stream(self, response: httpx.Response, on_text: TextSink | None) -> Completion:
        raise NotImplementedError

    async def complete(self, messages: list[Message], tools: list[ToolSpec], *,
                       on_text: TextSink | None = None, on_notice: NoticeSink | None = None) -> Completion:
        import httpx

        from massgen_tui.agents.providers import redact

        url, headers, body = self._request(messages, tools)
        started = time.monotonic()
        attempt = 0
        while True:
            emitted = False

            async def sink(text: str) -> None:
                nonlocal emitted
                emitted = True
                await _emit(on_text, text)

            try:
                async with self._client.stream("POST", url, headers=headers, json=body) as response:
                    if response.status_code >= 400:
                        raw = (await response.aread()).decode("utf-8", "replace")
                        message = redact(_error_message(raw), self.endpoint)
                        retry_after = parse_retry_after(response.headers.get("retry-after"))
                        raise _HTTPFailure(response.status_code, message, retry_after)
                    completion = await self._read_stream(response, sink)
                    completion.model_time_s = time.monotonic() - started
                    return completion
            except _HTTPFailure as failure:
                retryable = failure.status in RETRYABLE_STATUS
                error = AgentRunError(self._describe_status(failure.status, failure.message),
                                      agent=self.agent, retryable=retryable, status=failure.status)
                retry_after = failure.retry_after
            except _StreamError as failure:
                error = AgentRunError(f"{self._who()} stream error: {redact(failure.message, self.endpoint)}",
                                      agent=self.agent, retryable=failure.retryable)
                retry_after = None
            except (httpx.TransportError, httpx.DecodingError) as exc:
                error = AgentRunError(f"{self._who()} connection failed ({type(exc).__name__}: "
                                      f"{redact(str(exc), self.endpoint) or 'no detail'})",
                                      agent=self.agent, retryable=True)
                retry_after = None
            if not error.retryable or emitted or attempt >= self.retry.max_retries:
                if error.retryable and attempt:
                    raise AgentRunError(f"{error.detail} (gave up after {attempt + 1} attempts)",
                                        agent=self.agent, retryable=True, status=error.status) from None
                raise error
            delay = self.retry.delay(attempt, retry_after)
            attempt += 1
            await _emit(on_notice, f"{error.detail}; retry {attempt}/{self.retry.max_retries} in {delay:.1f}s")
            await asyncio.sleep(delay)

    def _who(self) -> str:
        return f"{self.endpoint.type} at {self.endpoint.base_url}"

    def _describe_status(self, status: int, message: str) -> str:
        hint = {
            401: "the API key was rejected: check the key's variable " + (self.endpoint.api_key_source or "(none set)"),
            403: "access denied for this key or model",
            404: f"not found: check backend.model ({self.endpoint.model!r}) and backend.base_url",
            429: "rate limited",
        }.get(status, "")
        text = f"{self._who()} answered HTTP {status}"
        if hint:
            text += f": {hint}"
        if message:
            text += f" ({message[:300]})"
        return text


class _HTTPFailure(Exception):
    def __init__(self, status: int, message: str, retry_after: float | None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


class _StreamError(Exception):
    def __init__(self, message: str, retryable: bool):
        super().__init__(message)
        self.message = message
        self.retryable = retryable


def _error_message(raw: str) -> str:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        return raw.strip()[:300]
    if isinstance(data, dict):
        err = data.get("error", data)
        if isinstance(err, dict) and isinstance(err.get("message"), str):
            return err["message"]
        if isinstance(err, str):
            return err
    return raw.strip()[:300]


async def iter_sse(response: httpx.Response):
    """Yield ``(event, data)`` pairs of a server-sent-events body."""
    event = ""
    data_lines: list[str] = []
    async for line in response.aiter_lines():
        if line == "":
            if data_lines:
                yield event, "\n".join(data_lines)
            event, data_lines = "", []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "event":
            event = value
        elif name == "data":
            data_lines.append(value)
    if data_lines:
        yield event, "\n".join(data_lines)


def make_backend(endpoint: Endpoint, *, agent: str | None = None, retry: RetryPolicy | None = None,
                 timeout_s: float = 300.0) -> ChatBackend:
    if endpoint.protocol == "anthropic":
        from massgen_tui.agents.backends.anthropic_messages import AnthropicBackend

        return AnthropicBackend(endpoint, agent=agent, retry=retry, timeout_s=timeout_s)
    from massgen_tui.agents.backends.openai_chat import OpenAIChatBackend

    return OpenAIChatBackend(endpoint, agent=agent, retry=retry, timeout_s=timeout_s)
