"""A localhost stand-in for a paid LLM API: OpenAI chat completions and Anthropic messages (non-streaming).

It checks what a real API checks (path, key header, anthropic-version, model, messages) and answers
in the real response shapes. The "model" is a function of the tool list it was sent.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Judge = Callable[[list[dict[str, Any]]], str]  # tool list -> the text the model answers


class LLMServer:
    def __init__(self, judge: Judge, *, api_key: str = "test-key", status: int = 200) -> None:
        self.judge = judge
        self.api_key = api_key
        self.status = status
        self.requests: list[dict[str, Any]] = []
        self.hold = threading.Event()
        self.hold.set()  # clear() to make responses wait until set() again
        self._server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> LLMServer:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                outer._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.hold.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _send(self, h: BaseHTTPRequestHandler, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        h.send_response(status)
        h.send_header("content-type", "application/json")
        h.send_header("content-length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        body = json.loads(h.rfile.read(int(h.headers.get("content-length") or 0)) or b"{}")
        self.hold.wait(30)
        if h.path == "/v1/chat/completions":
            protocol = "openai"
            if h.headers.get("authorization") != f"Bearer {self.api_key}":
                return self._send(h, 401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}})
            user = next(m["content"] for m in body["messages"] if m["role"] == "user")
            assert body["messages"][0]["role"] == "system"
        elif h.path == "/v1/messages":
            protocol = "anthropic"
            if h.headers.get("x-api-key") != self.api_key:
                return self._send(h, 401, {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}})
            if not h.headers.get("anthropic-version") or "max_tokens" not in body or not body.get("system"):
                return self._send(h, 400, {"type": "error", "error": {"type": "invalid_request_error", "message": "bad request"}})
            user = body["messages"][0]["content"]
        else:
            return self._send(h, 404, {"error": {"message": f"Unknown path {h.path}"}})
        self.requests.append({"protocol": protocol, "body": body})
        if self.status != 200:
            return self._send(h, self.status, {"error": {"message": "The server had an error", "type": "server_error"}})
        tools = json.loads(user.split("\n", 2)[2])
        text = self.judge(tools)
        if protocol == "openai":
            return self._send(h, 200, {
                "id": "chatcmpl-1", "object": "chat.completion", "created": int(time.time()), "model": body["model"],
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}})
        return self._send(h, 200, {
            "id": "msg_1", "type": "message", "role": "assistant", "model": body["model"],
            "content": [{"type": "text", "text": text}], "stop_reason": "end_turn", "stop_sequence": None,
            "usage": {"input_tokens": 10, "output_tokens": 10}})


def keyword_judge(tools: list[dict[str, Any]]) -> str:
    """A 'model' that calls a tool irreversible when its description mentions frobnication."""
    out = []
    for t in tools:
        bad = "frobnicat" in t.get("description", "").lower()
        out.append({"name": t["name"], "verdict": "irreversible" if bad else "reversible",
                    "confidence": 0.9, "reason": "frobnication destroys widgets" if bad else "harmless"})
    return "```json\n" + json.dumps({"tools": out}) + "\n```"
