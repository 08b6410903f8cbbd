"""Anthropic messages API, streamed (message_start, content_block_*, message_delta, message_stop)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from massgen_tui.agents.backends.base import (
    Completion,
    Message,
    StreamingBackend,
    TextSink,
    ToolCallRequest,
    ToolSpec,
    Usage,
    _StreamError,
    iter_sse,
    parse_arguments,
)

if TYPE_CHECKING:
    import httpx

ANTHROPIC_VERSION = "2023-06-01"
DEFAULT_MAX_TOKENS = 8192


def default_max_tokens(model: str) -> int:
    """The API requires max_tokens; Claude 3 (not 3.5/3.7) models allow at most 4096 output tokens."""
    name = model.lower()
    if name.startswith("claude-3-") and not name.startswith(("claude-3-5", "claude-3-7")):
        return 4096
    return DEFAULT_MAX_TOKENS


def to_anthropic_messages(messages: list[Message]) -> tuple[str, list[dict[str, Any]]]:
    """The system text and the alternating user/assistant turns (tool results go in user turns)."""
    system = "\n\n".join(m.content for m in messages if m.role == "system")
    out: list[dict[str, Any]] = []

    def append(role: str, blocks: list[dict[str, Any]]) -> None:
        if out and out[-1]["role"] == role:
            out[-1]["content"].extend(blocks)
        else:
            out.append({"role": role, "content": blocks})

    for m in messages:
        if m.role == "system":
            continue
        if m.role == "tool":
            block: dict[str, Any] = {"type": "tool_result", "tool_use_id": m.tool_call_id, "content": m.content}
            if m.is_error:
                block["is_error"] = True
            append("user", [block])
        elif m.role == "assistant":
            blocks: list[dict[str, Any]] = []
            if m.content:
                blocks.append({"type": "text", "text": m.content})
            blocks.extend({"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments} for c in m.tool_calls)
            append("assistant", blocks or [{"type": "text", "text": "(no content)"}])
        else:
            append("user", [{"type": "text", "text": m.content}])
    return system, out


class AnthropicBackend(StreamingBackend):
    def _request(self, messages: list[Message], tools: list[ToolSpec]) -> tuple[str, dict[str, str], dict[str, Any]]:
        ep = self.endpoint
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream",
                   "anthropic-version": ANTHROPIC_VERSION, **ep.extra_headers}
        if ep.api_key:
            headers["x-api-key"] = ep.api_key
        system, turns = to_anthropic_messages(messages)
        body: dict[str, Any] = {"model": ep.model, "max_tokens": ep.max_tokens or default_max_tokens(ep.model),
                                "messages": turns, "stream": True}
        if system:
            body["system"] = system
        if tools:
            body["tools"] = [{"name": t.name, "description": t.description,
                              "input_schema": dict(t.parameters) or {"type": "object", "properties": {}}} for t in tools]
        if ep.temperature is not None:
            body["temperature"] = ep.temperature
        base = ep.base_url[:-3] if ep.base_url.endswith("/v1") else ep.base_url
        return f"{base}/v1/messages", headers, body

    async def _read_stream(self, response: httpx.Response, on_text: TextSink | None) -> Completion:
        text_parts: list[str] = []
        blocks: dict[int, dict[str, str]] = {}
        usage = Usage()
        stop_reason = ""
        stopped = False
        async for event, data in iter_sse(response):
            try:
                payload = json.loads(data)
            except json.JSONDecodeError as exc:
                raise _StreamError(f"unreadable event: {data[:120]!r}", retryable=True) from exc
            kind = payload.get("type") or event
            if kind == "message_start":
                u = (payload.get("message") or {}).get("usage") or {}
                usage.input_tokens = int(u.get("input_tokens") or 0) + int(u.get("cache_read_input_tokens") or 0)
                usage.output_tokens = int(u.get("output_tokens") or 0)
            elif kind == "content_block_start":
                block = payload.get("content_block") or {}
                index = int(payload.get("index", len(blocks)))
                if block.get("type") == "tool_use":
                    blocks[index] = {"id": block.get("id", ""), "name": block.get("name", ""), "json": ""}
                elif block.get("type") == "text" and block.get("text"):
                    text_parts.append(block["text"])
                    if on_text is not None:
                        await on_text(block["text"])
            elif kind == "content_block_delta":
                delta = payload.get("delta") or {}
                if delta.get("type") == "text_delta" and delta.get("text"):
                    text_parts.append(delta["text"])
                    if on_text is not None:
                        await on_text(delta["text"])
                elif delta.get("type") == "input_json_delta":
                    index = int(payload.get("index", -1))
                    if index in blocks:
                        blocks[index]["json"] += delta.get("partial_json", "")
            elif kind == "message_delta":
                stop_reason = (payload.get("delta") or {}).get("stop_reason") or stop_reason
                u = payload.get("usage") or {}
                if u.get("output_tokens") is not None:
                    usage.output_tokens = int(u["output_tokens"])
                if u.get("input_tokens"):
                    usage.input_tokens = int(u["input_tokens"])
            elif kind == "message_stop":
                stopped = True
                break
            elif kind == "error":
                err = payload.get("error") or {}
                etype = err.get("type", "error")
                raise _StreamError(f"{etype}: {err.get('message', '')}",
                                   retryable=etype in {"overloaded_error", "api_error", "rate_limit_error"})
        if not stopped:
            raise _StreamError("the stream ended before message_stop", retryable=True)
        calls = []
        for index in sorted(blocks):
            b = blocks[index]
            args, problem = parse_arguments(b["json"] or "{}")
            calls.append(ToolCallRequest(id=b["id"], name=b["name"], arguments=args, raw_arguments=b["json"],
                                         parse_error=problem))
        return Completion("".join(text_parts), calls, usage, stop_reason)
