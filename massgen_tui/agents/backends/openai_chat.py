"""OpenAI-compatible chat completions, streamed (SSE ``data:`` chunks, ``data: [DONE]``)."""

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


def to_openai_messages(messages: list[Message]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for m in messages:
        if m.role == "tool":
            out.append({"role": "tool", "tool_call_id": m.tool_call_id, "content": m.content})
        elif m.role == "assistant" and m.tool_calls:
            out.append({
                "role": "assistant",
                "content": m.content or None,
                "tool_calls": [
                    {"id": c.id, "type": "function",
                     "function": {"name": c.name, "arguments": c.raw_arguments or json.dumps(c.arguments)}}
                    for c in m.tool_calls
                ],
            })
        else:
            out.append({"role": m.role, "content": m.content})
    return out


def to_openai_tools(tools: list[ToolSpec]) -> list[dict[str, Any]]:
    return [{"type": "function", "function": {"name": t.name, "description": t.description,
                                              "parameters": dict(t.parameters) or {"type": "object", "properties": {}}}}
            for t in tools]


class OpenAIChatBackend(StreamingBackend):
    def _request(self, messages: list[Message], tools: list[ToolSpec]) -> tuple[str, dict[str, str], dict[str, Any]]:
        ep = self.endpoint
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream", **ep.extra_headers}
        if ep.api_key:
            headers["Authorization"] = f"Bearer {ep.api_key}"
        body: dict[str, Any] = {
            "model": ep.model,
            "messages": to_openai_messages(messages),
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if tools:
            body["tools"] = to_openai_tools(tools)
        if ep.temperature is not None:
            body["temperature"] = ep.temperature
        if ep.max_tokens is not None:
            # OpenAI's own API wants max_completion_tokens (reasoning models refuse max_tokens);
            # compatible servers know max_tokens.
            body["max_completion_tokens" if ep.type == "openai" else "max_tokens"] = ep.max_tokens
        return f"{ep.base_url}/chat/completions", headers, body

    async def _read_stream(self, response: httpx.Response, on_text: TextSink | None) -> Completion:
        text_parts: list[str] = []
        calls: dict[int, dict[str, str]] = {}
        usage = Usage()
        finish = ""
        done = False
        async for _event, data in iter_sse(response):
            if data.strip() == "[DONE]":
                done = True
                break
            try:
                chunk = json.loads(data)
            except json.JSONDecodeError as exc:
                raise _StreamError(f"unreadable chunk: {data[:120]!r}", retryable=True) from exc
            if isinstance(chunk.get("error"), dict | str):
                err = chunk["error"]
                raise _StreamError(err.get("message", str(err)) if isinstance(err, dict) else err, retryable=True)
            if isinstance(chunk.get("usage"), dict):
                u = chunk["usage"]
                usage = Usage(int(u.get("prompt_tokens") or 0), int(u.get("completion_tokens") or 0))
            for choice in chunk.get("choices") or []:
                delta = choice.get("delta") or {}
                content = delta.get("content")
                if content:
                    text_parts.append(content)
                    if on_text is not None:
                        await on_text(content)
                for tc in delta.get("tool_calls") or []:
                    index = int(tc.get("index", len(calls)))
                    slot = calls.setdefault(index, {"id": "", "name": "", "arguments": ""})
                    if tc.get("id"):
                        slot["id"] = tc["id"]
                    fn = tc.get("function") or {}
                    if fn.get("name"):
                        slot["name"] += fn["name"]
                    if fn.get("arguments"):
                        slot["arguments"] += fn["arguments"]
                if choice.get("finish_reason"):
                    finish = choice["finish_reason"]
        if not done and not finish:
            raise _StreamError("the stream ended before the answer was complete", retryable=True)
        tool_calls = []
        for index in sorted(calls):
            slot = calls[index]
            args, problem = parse_arguments(slot["arguments"])
            tool_calls.append(ToolCallRequest(id=slot["id"] or f"call_{index}", name=slot["name"], arguments=args,
                                              raw_arguments=slot["arguments"], parse_error=problem))
        return Completion("".join(text_parts), tool_calls, usage, finish)
