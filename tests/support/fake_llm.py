"""A localhost LLM server speaking the real streaming wire protocols, with scripted answers.

OpenAI-compatible chat completions (``POST /v1/chat/completions``, SSE ``data:`` chunks with
``delta.content`` / ``delta.tool_calls`` fragments, ``finish_reason``, a usage chunk and
``data: [DONE]``) and Anthropic messages (``POST /v1/messages``: message_start,
content_block_start/delta/stop with text_delta and input_json_delta, message_delta with usage,
message_stop). Each request is parsed into a :class:`FakeRequest` and handed to a responder
function the test writes, which returns a :class:`Reply` — so answers depend only on what the
client sent (agent system message, answers it sees, tool results so far) and tests stay
deterministic whatever the scheduling.

The server checks the key (``Authorization: Bearer`` or ``x-api-key``) when given one, can answer
with HTTP errors (429 with Retry-After, 500...), delay, or cut the stream mid-way.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class FakeRequest:
    protocol: str  # "openai" | "anthropic"
    model: str
    system: str
    messages: list[dict[str, Any]]  # normalized: role user|assistant|tool, content, tool_calls, tool_call_id
    tools: list[str]
    body: dict[str, Any]
    headers: dict[str, str]

    @property
    def turn(self) -> int:
        """Assistant messages since the last user text message: 0 on the first call of a round."""
        count = 0
        for m in reversed(self.messages):
            if m["role"] == "user":
                break
            if m["role"] == "assistant":
                count += 1
        return count

    @property
    def user_text(self) -> str:
        for m in reversed(self.messages):
            if m["role"] == "user":
                return m["content"]
        return ""

    @property
    def tool_results(self) -> list[str]:
        """Tool results since the last user text message, in order."""
        out: list[str] = []
        for m in reversed(self.messages):
            if m["role"] == "user":
                break
            if m["role"] == "tool":
                out.append(m["content"])
        return list(reversed(out))

    def answers(self) -> dict[str, str]:
        """The ``<agentN> ... <end of agentN>`` answers shown in the user message (label -> text)."""
        found = re.findall(r"<(agent\d+(?:\.\d+)?)> (.*?) <end of \1>", self.user_text, re.S)
        return {label.split(".")[0]: text for label, text in found}

    def label_of(self, needle: str) -> str | None:
        for label, text in self.answers().items():
            if needle in text:
                return label
        return None


@dataclass
class Reply:
    text: str = ""
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    status: int = 200
    error: str = ""  # body message for an HTTP error
    retry_after: float | None = None
    delay_s: float = 0.0  # before the first byte
    chunk_delay_s: float = 0.0
    cut_after_chunks: int | None = None  # drop the connection after this many SSE events
    input_tokens: int = 11
    output_tokens: int = 7


Responder = Callable[[FakeRequest], Reply]


def _normalize_openai(body: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    system_parts: list[str] = []
    out: list[dict[str, Any]] = []
    for m in body.get("messages", []):
        role = m.get("role")
        content = m.get("content") or ""
        if isinstance(content, list):
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        if role == "system":
            system_parts.append(content)
        elif role == "tool":
            out.append({"role": "tool", "content": content, "tool_call_id": m.get("tool_call_id")})
        elif role == "assistant":
            calls = [{"id": c["id"], "name": c["function"]["name"], "arguments": json.loads(c["function"]["arguments"] or "{}")}
                     for c in m.get("tool_calls") or []]
            out.append({"role": "assistant", "content": content, "tool_calls": calls})
        else:
            out.append({"role": "user", "content": content})
    return "\n\n".join(system_parts), out


def _normalize_anthropic(body: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    system = body.get("system") or ""
    if isinstance(system, list):
        system = "".join(b.get("text", "") for b in system)
    out: list[dict[str, Any]] = []
    for m in body.get("messages", []):
        content = m.get("content")
        if isinstance(content, str):
            out.append({"role": m["role"], "content": content, "tool_calls": []})
            continue
        if m["role"] == "assistant":
            text = "".join(b.get("text", "") for b in content if b.get("type") == "text")
            calls = [{"id": b["id"], "name": b["name"], "arguments": b.get("input") or {}}
                     for b in content if b.get("type") == "tool_use"]
            out.append({"role": "assistant", "content": text, "tool_calls": calls})
        else:
            texts = []
            for b in content:
                if b.get("type") == "tool_result":
                    c = b.get("content")
                    if isinstance(c, list):
                        c = "".join(x.get("text", "") for x in c)
                    out.append({"role": "tool", "content": c or "", "tool_call_id": b.get("tool_use_id")})
                elif b.get("type") == "text":
                    texts.append(b.get("text", ""))
            if texts:
                out.append({"role": "user", "content": "".join(texts), "tool_calls": []})
    return system, out


def _pieces(text: str, size: int = 12) -> list[str]:
    return [text[i:i + size] for i in range(0, len(text), size)] if text else []


class FakeLLM:
    """``with FakeLLM(responder) as llm: llm.base_url`` -> ``http://127.0.0.1:PORT/v1``."""

    def __init__(self, responder: Responder, *, api_key: str | None = None):
        self.responder = responder
        self.api_key = api_key
        self.requests: list[FakeRequest] = []
        self.server_time_s = 0.0  # total time spent inside responses (delays included)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._port = 0

    @property
    def base_url(self) -> str:
        assert self._port, "start the server first"
        return f"http://127.0.0.1:{self._port}/v1"

    def __enter__(self) -> FakeLLM:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                # Small SSE writes must not wait for the client's delayed ACK (Nagle), as on real servers.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def handle(self) -> None:
                try:
                    super().handle()
                except (ConnectionResetError, BrokenPipeError):  # the client closed a kept-alive connection
                    pass

            def do_POST(self) -> None:
                started = time.monotonic()
                try:
                    fake._handle(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                finally:
                    with fake._lock:
                        fake.server_time_s += time.monotonic() - started

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # -- request handling -------------------------------------------------------------------
    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = json.loads(h.rfile.read(length) or b"{}")
        headers = {k.lower(): v for k, v in h.headers.items()}
        if h.path.endswith("/chat/completions"):
            protocol = "openai"
            system, messages = _normalize_openai(body)
            tools = [t["function"]["name"] for t in body.get("tools") or []]
            presented = headers.get("authorization", "").removeprefix("Bearer ").strip()
        elif h.path.endswith("/messages"):
            protocol = "anthropic"
            system, messages = _normalize_anthropic(body)
            tools = [t["name"] for t in body.get("tools") or []]
            presented = headers.get("x-api-key", "")
        else:
            self._json(h, 404, {"error": {"message": f"no route {h.path}"}})
            return
        if self.api_key is not None and presented != self.api_key:
            self._json(h, 401, {"error": {"type": "authentication_error", "message": "invalid api key"}})
            return
        request = FakeRequest(protocol, body.get("model", ""), system, messages, tools, body, headers)
        with self._lock:
            self.requests.append(request)
        reply = self.responder(request)
        if reply.delay_s:
            time.sleep(reply.delay_s)
        if reply.status != 200:
            extra = {"Retry-After": str(reply.retry_after)} if reply.retry_after is not None else {}
            self._json(h, reply.status, {"error": {"type": "api_error", "message": reply.error or "scripted error"}}, extra)
            return
        events = self._openai_events(reply, request) if protocol == "openai" else self._anthropic_events(reply, request)
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.send_header("Cache-Control", "no-cache")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        for n, event in enumerate(events):
            if reply.cut_after_chunks is not None and n >= reply.cut_after_chunks:
                h.wfile.flush()
                h.close_connection = True
                h.connection.shutdown(2)
                return
            data = event.encode()
            h.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            h.wfile.flush()
            if reply.chunk_delay_s:
                time.sleep(reply.chunk_delay_s)
        h.wfile.write(b"0\r\n\r\n")
        h.wfile.flush()

    def _json(self, h: BaseHTTPRequestHandler, status: int, payload: dict[str, Any], extra: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)

    @staticmethod
    def _openai_events(reply: Reply, request: FakeRequest) -> list[str]:
        cid = f"chatcmpl-{uuid.uuid4().hex[:12]}"
        created = int(time.time())

        def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
            payload = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": request.model,
                       "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
            return f"data: {json.dumps(payload)}\n\n"

        events = [chunk({"role": "assistant", "content": ""})]
        events += [chunk({"content": piece}) for piece in _pieces(reply.text)]
        for index, (name, args) in enumerate(reply.tool_calls):
            call_id = f"call_{uuid.uuid4().hex[:10]}"
            events.append(chunk({"tool_calls": [{"index": index, "id": call_id, "type": "function",
                                                 "function": {"name": name, "arguments": ""}}]}))
            for piece in _pieces(json.dumps(args), 9):
                events.append(chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]}))
        events.append(chunk({}, "tool_calls" if reply.tool_calls else "stop"))
        if (request.body.get("stream_options") or {}).get("include_usage"):
            usage = {"prompt_tokens": reply.input_tokens, "completion_tokens": reply.output_tokens,
                     "total_tokens": reply.input_tokens + reply.output_tokens}
            events.append("data: " + json.dumps({"id": cid, "object": "chat.completion.chunk", "created": created,
                                                 "model": request.model, "choices": [], "usage": usage}) + "\n\n")
        events.append("data: [DONE]\n\n")
        return events

    @staticmethod
    def _anthropic_events(reply: Reply, request: FakeRequest) -> list[str]:
        def ev(name: str, payload: dict[str, Any]) -> str:
            return f"event: {name}\ndata: {json.dumps(payload)}\n\n"

        mid = f"msg_{uuid.uuid4().hex[:16]}"
        events = [ev("message_start", {"type": "message_start", "message": {
            "id": mid, "type": "message", "role": "assistant", "content": [], "model": request.model,
            "stop_reason": None, "stop_sequence": None,
            "usage": {"input_tokens": reply.input_tokens, "output_tokens": 1}}})]
        index = 0
        if reply.text:
            events.append(ev("content_block_start", {"type": "content_block_start", "index": index,
                                                     "content_block": {"type": "text", "text": ""}}))
            events.append(ev("ping", {"type": "ping"}))
            events += [ev("content_block_delta", {"type": "content_block_delta", "index": index,
                                                  "delta": {"type": "text_delta", "text": piece}})
                       for piece in _pieces(reply.text)]
            events.append(ev("content_block_stop", {"type": "content_block_stop", "index": index}))
            index += 1
        for name, args in reply.tool_calls:
            events.append(ev("content_block_start", {"type": "content_block_start", "index": index, "content_block": {
                "type": "tool_use", "id": f"toolu_{uuid.uuid4().hex[:12]}", "name": name, "input": {}}}))
            events += [ev("content_block_delta", {"type": "content_block_delta", "index": index,
                                                  "delta": {"type": "input_json_delta", "partial_json": piece}})
                       for piece in _pieces(json.dumps(args), 9)]
            events.append(ev("content_block_stop", {"type": "content_block_stop", "index": index}))
            index += 1
        events.append(ev("message_delta", {"type": "message_delta",
                                           "delta": {"stop_reason": "tool_use" if reply.tool_calls else "end_turn",
                                                     "stop_sequence": None},
                                           "usage": {"output_tokens": reply.output_tokens}}))
        events.append(ev("message_stop", {"type": "message_stop"}))
        return events


def team_config(base_url: str, agents: list[tuple[str, str]], *, extra_backend: str = "", top: str = "") -> str:
    """A config whose agents talk to the fake server (``api_key_env: FAKE_LLM_KEY``) and run commands locally.

    ``agents`` are (id, name) pairs; ``extra_backend`` lines go into every backend; ``top`` is appended.
    """
    lines = ["agents:"]
    for agent_id, name in agents:
        lines += [
            f"  - id: {agent_id}",
            f"    system_message: You are {name}.",
            "    backend:",
            "      type: chatcompletion",
            "      model: fake-model",
            f"      base_url: {base_url}",
            "      api_key_env: FAKE_LLM_KEY",
            "      enable_mcp_command_line: true",
            "      command_line_execution_mode: local",
        ]
        lines += [f"      {line}" for line in extra_backend.splitlines() if line.strip()]
    return "\n".join(lines) + "\n" + top
