"""Runs whose agents use a real MCP server (the toolbox, over stdio) through the real safety gate,
with commands run locally (no Docker needed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from massgen_tui.agents import Run, RunOptions
from massgen_tui.agents import events as ev
from massgen_tui.config import load_document
from massgen_tui.safety import ApprovalDecision, ApprovalRequest
from tests.support.fake_llm import FakeLLM, FakeRequest, Reply
from tests.support.mcp_servers import read_record, toolbox_stdio

pytestmark = pytest.mark.mcp
KEY = "sk-mcp-test"


class CountingApprover:
    def __init__(self) -> None:
        self.requests: list[ApprovalRequest] = []

    async def request(self, req: ApprovalRequest) -> ApprovalDecision:
        self.requests.append(req)
        return ApprovalDecision.allow("once", "fine")


def single_agent_config(tmp_path: Path, base_url: str, server: dict[str, Any], *, btype: str = "chatcompletion",
                        safety: dict[str, Any] | None = None) -> Path:
    config = {"agent": {"id": "solo", "backend": {"type": btype, "model": "m", "base_url": base_url,
                                                  "api_key": KEY, "mcp_servers": [server]}}}
    if safety:
        config["safety"] = safety
    path = tmp_path / "solo.yaml"
    path.write_text(json.dumps(config))
    return path


def two_turns(first: tuple[str, dict[str, Any]]):
    def respond(request: FakeRequest) -> Reply:
        if request.turn == 0:
            return Reply(tool_calls=[first])
        return Reply(text="done: " + " | ".join(request.tool_results))
    return respond


async def run_collect(config: Path, tmp_path: Path, approver: Any = None,
                      tool_timeout_s: float | None = None) -> tuple[list[ev.RunEvent], Any]:
    run = Run.from_config(load_document(config), "task", approver=approver,
                          options=RunOptions(runs_dir=tmp_path / "runs", store_path=tmp_path / "store.db",
                                             tool_timeout_s=tool_timeout_s))
    events = [e async for e in run.events()]
    return events, await run.wait()


async def test_an_mcp_tool_that_times_out_is_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    record = tmp_path / "rec.jsonl"
    server = toolbox_stdio("toolbox", record)
    safety = {"rules": [{"server": "toolbox", "tool": "slow", "verdict": "reversible", "reason": "test"}]}
    with FakeLLM(two_turns(("mcp__toolbox__slow", {"seconds": 20})), api_key=KEY) as llm:
        events, record_ = await run_collect(single_agent_config(tmp_path, llm.base_url, server, safety=safety),
                                            tmp_path, tool_timeout_s=1.0)
    finished = next(e for e in events if isinstance(e, ev.ToolCallFinished))
    assert finished.status == "timeout" and finished.duration_s < 10, finished
    final = next(e for e in events if isinstance(e, ev.FinalAnswer))
    assert final.content.startswith("done: [timeout]")
    assert record_.status == "completed"
    assert [r["tool"] for r in read_record(record) if r["event"] == "call"] == ["slow"]


async def test_claude_backend_calls_a_read_only_tool_without_asking(tmp_path: Path) -> None:
    approver = CountingApprover()
    server = toolbox_stdio("toolbox")
    with FakeLLM(two_turns(("mcp__toolbox__echo", {"text": "ping"})), api_key=KEY) as llm:
        events, record = await run_collect(
            single_agent_config(tmp_path, llm.base_url, server, btype="claude"), tmp_path, approver)
    assert {r.protocol for r in llm.requests} == {"anthropic"}
    assert "mcp__toolbox__echo" in llm.requests[0].tools
    assert next(e for e in events if isinstance(e, ev.FinalAnswer)).content == "done: ping"
    assert approver.requests == [] and record.status == "completed"


async def test_safety_planning_mode_blocks_irreversible_calls_for_the_whole_run(tmp_path: Path) -> None:
    approver = CountingApprover()
    record = tmp_path / "rec.jsonl"
    server = toolbox_stdio("toolbox", record)
    with FakeLLM(two_turns(("mcp__toolbox__write_note", {"title": "t"})), api_key=KEY) as llm:
        events, _ = await run_collect(
            single_agent_config(tmp_path, llm.base_url, server, safety={"planning_mode": True}), tmp_path, approver)
    finished = next(e for e in events if isinstance(e, ev.ToolCallFinished))
    assert finished.status == "denied" and "planning mode" in finished.result
    assert approver.requests == [] and not [r for r in read_record(record) if r["tool"] == "write_note"]


async def test_an_mcp_server_that_fails_to_start_is_reported_and_the_agent_still_works(tmp_path: Path) -> None:
    server = toolbox_stdio("broken", fail_start=True)

    def respond(request: FakeRequest) -> Reply:
        return Reply(text=f"no tools: {request.tools}")

    with FakeLLM(respond, api_key=KEY) as llm:
        events, record = await run_collect(single_agent_config(tmp_path, llm.base_url, server), tmp_path)
    errors = [e for e in events if isinstance(e, ev.AgentError)]
    assert errors and "MCP server 'broken' is not available (failed)" in errors[0].message and not errors[0].fatal
    assert next(e for e in events if isinstance(e, ev.FinalAnswer)).content == "no tools: []"
    assert record.status == "completed"
