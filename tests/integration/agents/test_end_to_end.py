"""The whole path: two agents on the fake OpenAI-compatible server, commands in real containers, an
irreversible tool of a real MCP server behind the real safety gate, votes, the final answer; and the
same through ``massgen-tui run``. The toolbox server records every call it really receives, so
"the approval decides whether it happens" is checked on the server side."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from massgen_tui.agents import Run, RunOptions, load_run
from massgen_tui.agents import events as ev
from massgen_tui.config import load_document
from massgen_tui.safety import ApprovalDecision, ApprovalRequest
from tests.integration.agents.scripts import is_presentation, persona
from tests.integration.agents.terminal import run_in_terminal
from tests.support.fake_llm import FakeLLM, FakeRequest, Reply
from tests.support.mcp_servers import read_record, toolbox_stdio

pytestmark = [pytest.mark.docker, pytest.mark.mcp]
REPO = Path(__file__).resolve().parents[3]
KEY = "sk-e2e-secret"


class ScriptedApprover:
    """Implements the safety Approver protocol: answers every request with the scripted action."""

    def __init__(self, action: str):
        self.action = action
        self.requests: list[ApprovalRequest] = []

    async def request(self, req: ApprovalRequest) -> ApprovalDecision:
        self.requests.append(req)
        if self.action == "allow":
            return ApprovalDecision.allow("once", "approved by the test")
        return ApprovalDecision.deny("refused by the test")


def responder(request: FakeRequest) -> Reply:
    """Alpha: a command, then tries delete_file (blocked in planning mode), answers. Beta: a command
    that writes a file in its workspace, answers. Both vote for Alpha. Alpha presents: calls
    delete_file again (now the gate asks) and reports what happened."""
    who = persona(request)
    results = request.tool_results
    if is_presentation(request):
        if request.turn == 0:
            return Reply(text="Carrying out the deferred action.",
                         tool_calls=[("mcp__toolbox__delete_file", {"path": "old-report.txt"})])
        return Reply(tool_calls=[("new_answer", {"content": f"FINAL by {who}; delete_file said: {results[-1]}"})])
    answers = request.answers()
    if not any(text.startswith(f"{who} answer") for text in answers.values()):
        if request.turn == 0:
            command = ("echo alpha-$((6*7)) in $(hostname)" if who == "Alpha"
                       else "echo beta-notes > notes.txt && ls && echo beta in $(hostname)")
            return Reply(text=f"{who} works.", tool_calls=[("execute_command", {"command": command})])
        if who == "Alpha" and request.turn == 1:
            return Reply(tool_calls=[("mcp__toolbox__delete_file", {"path": "old-report.txt"})])
        joined = " / ".join(r.replace("\n", " ") for r in results)
        return Reply(tool_calls=[("new_answer", {"content": f"{who} answer: {joined}"})])
    label = request.label_of("Alpha answer") or sorted(answers)[0]
    return Reply(tool_calls=[("vote", {"agent_id": label, "reason": "Alpha did the work"})])


def write_config(tmp_path: Path, base_url: str, image: str, record: Path) -> Path:
    def agent(agent_id: str, name: str, mcp: bool) -> dict[str, Any]:
        backend: dict[str, Any] = {
            "type": "openai", "model": "gpt-fake", "base_url": base_url,
            "enable_mcp_command_line": True, "command_line_execution_mode": "docker",
            "command_line_docker_image": image, "command_line_docker_network_mode": "none",
            "cwd": str(tmp_path / f"ws-{agent_id}"),
        }
        if mcp:
            backend["mcp_servers"] = [toolbox_stdio("toolbox", record)]
        return {"id": agent_id, "system_message": f"You are {name}.", "backend": backend}

    config = {
        "agents": [agent("a1", "Alpha", True), agent("a2", "Beta", False)],
        "timeout_settings": {"orchestrator_timeout_seconds": 120},
        "safety": {"defaults": {"reversible": "allow", "irreversible": "ask"}, "approval_timeout_seconds": 30},
    }
    path = tmp_path / "team.yaml"
    path.write_text(json.dumps(config, indent=1))  # JSON is YAML
    return path


@pytest.mark.parametrize("action", ["allow", "deny"])
async def test_two_agents_in_containers_with_a_gated_mcp_tool(
        action: str, tmp_path: Path, busybox_image: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    record = tmp_path / "toolbox-record.jsonl"
    approver = ScriptedApprover(action)
    with FakeLLM(responder, api_key=KEY) as llm:
        config = write_config(tmp_path, llm.base_url, busybox_image, record)
        run = Run.from_config(load_document(config), "Report 6*7 and clean up old-report.txt", approver=approver,
                              options=RunOptions(runs_dir=tmp_path / "runs", store_path=tmp_path / "store.db"))
        events = [event async for event in run.events()]
    result = await run.wait()
    assert result.status == "completed", result.error

    commands = {e.agent: e for e in events if isinstance(e, ev.ToolCallFinished) and e.tool == "execute_command"}
    assert commands["a1"].status == "ok" and "alpha-42 in" in commands["a1"].result
    assert socket.gethostname() not in commands["a1"].result  # it ran in the container, not here
    assert (tmp_path / "ws-a2" / "notes.txt").read_text() == "beta-notes\n"  # the workspace is mounted

    presenting = next(i for i, e in enumerate(events) if isinstance(e, ev.PhaseChanged) and e.phase == "presentation")
    deletes = [e for e in events if isinstance(e, ev.ToolCallFinished) and e.tool == "mcp__toolbox__delete_file"]
    during_coordination = [e for e in deletes if events.index(e) < presenting]
    assert during_coordination  # Alpha tried (more than once if a restart made it redo its round)
    assert all(e.status == "denied" and "planning mode" in e.result for e in during_coordination)
    deletes = [during_coordination[0], *[e for e in deletes if events.index(e) > presenting]]
    assert len(deletes) == 2
    assert len(approver.requests) == 1  # only the presenter's call was asked
    assert approver.requests[0].tool == "delete_file" and approver.requests[0].agent == "a1"
    calls_seen_by_server = [r for r in read_record(record) if r["tool"] == "delete_file"]
    if action == "allow":
        assert deletes[1].status == "ok"
        assert len(calls_seen_by_server) >= 1 and calls_seen_by_server[0]["arguments"] == {"path": "old-report.txt"}
    else:
        assert deletes[1].status == "denied" and "refused by the test" in deletes[1].result
        assert calls_seen_by_server == []

    votes = {e.agent: e.voted_for for e in events if isinstance(e, ev.VoteCast)}
    assert votes == {"a1": "a1", "a2": "a1"}
    final = next(e for e in events if isinstance(e, ev.FinalAnswer))
    assert final.agent == "a1" and final.content.startswith("FINAL by Alpha")
    assert isinstance(events[-1], ev.RunFinished) and events[-1].status == "completed"
    assert run.container_runtime is not None and run.container_runtime.containers() == []  # cleaned up
    saved = load_run(result.run_id, tmp_path / "runs")
    assert saved.final_answer == final.content
    assert [c["status"] for c in saved.tool_calls if c["tool"] == "mcp__toolbox__delete_file"][-1] == \
        ("ok" if action == "allow" else "denied")
    assert KEY not in Path(run.saved_to).read_text()


async def test_a_container_that_dies_is_reported_and_the_next_command_gets_a_new_one(
        tmp_path: Path, busybox_image: str, docker_client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)

    def respond(request: FakeRequest) -> Reply:
        if request.turn == 0:
            return Reply(tool_calls=[("execute_command", {"command": "sleep 20"})])
        if request.turn == 1:
            return Reply(tool_calls=[("execute_command", {"command": "echo back again"})])
        return Reply(text="results: " + " || ".join(request.tool_results))

    with FakeLLM(respond, api_key=KEY) as llm:
        config = tmp_path / "solo.yaml"
        config.write_text(json.dumps({"agent": {"id": "solo", "backend": {
            "type": "openai", "model": "m", "base_url": llm.base_url, "enable_mcp_command_line": True,
            "command_line_execution_mode": "docker", "command_line_docker_image": busybox_image,
            "cwd": str(tmp_path / "ws")}}}))
        run = Run.from_config(load_document(config), "task", options=RunOptions(runs_dir=tmp_path / "runs"))
        events = []
        async for event in run.events():
            events.append(event)
            if isinstance(event, ev.ToolCallStarted) and event.arguments["command"] == "sleep 20":
                await asyncio.sleep(0.7)
                box = run.container_runtime.container("solo")
                await asyncio.to_thread(docker_client.api.kill, box.container_id)
    finished = [e for e in events if isinstance(e, ev.ToolCallFinished)]
    assert finished[0].status == "error" and "container stopped" in finished[0].result
    assert finished[1].status == "ok" and "back again" in finished[1].result
    final = next(e for e in events if isinstance(e, ev.FinalAnswer))
    assert "container stopped" in final.content and "back again" in final.content


def test_headless_run_streams_progress_and_prints_the_final_answer(tmp_path: Path, busybox_image: str) -> None:
    record = tmp_path / "toolbox-record.jsonl"
    env = {**os.environ, "OPENAI_API_KEY": KEY, "MASSGEN_TUI_STORE": str(tmp_path / "store.db")}
    # A person at the terminal approves the presenter's irreversible call: the server receives it.
    with FakeLLM(responder, api_key=KEY) as llm:
        config = write_config(tmp_path, llm.base_url, busybox_image, record)
        code, shown, asked = run_in_terminal(
            [sys.executable, "-m", "massgen_tui", "run", str(config), "Report 6*7", "--approvals", "prompt"], env, "y")
    assert code == 0 and asked, shown
    assert "[a1] > execute_command" in shown and "alpha-42 in" in shown and "[a2] vote for a1" in shown
    assert "a1 wants to call toolbox/delete_file" in shown and "-> allow (once)" in shown
    assert "FINAL by Alpha; delete_file said: deleted old-report.txt" in shown
    assert [r["arguments"] for r in read_record(record) if r["tool"] == "delete_file"] == [{"path": "old-report.txt"}]
    assert KEY not in shown

    # Nobody to ask (--approvals deny): the call never reaches the server.
    record.unlink()
    with FakeLLM(responder, api_key=KEY) as llm:
        config = write_config(tmp_path, llm.base_url, busybox_image, record)
        proc = subprocess.run(
            [sys.executable, "-m", "massgen_tui", "run", str(config), "Report 6*7", "--approvals", "deny"],
            capture_output=True, text=True, env=env, cwd=REPO, timeout=150, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("FINAL by Alpha") and "denied" in proc.stdout
    assert "[a1]" in proc.stderr and "execute_command" in proc.stderr and "vote" in proc.stderr
    assert [r for r in read_record(record) if r["tool"] == "delete_file"] == []
    assert KEY not in proc.stderr + proc.stdout

    with FakeLLM(responder, api_key=KEY) as llm:
        config = write_config(tmp_path, llm.base_url, busybox_image, record)
        proc = subprocess.run(
            [sys.executable, "-m", "massgen_tui", "run", str(config), "Report 6*7", "--json"],
            capture_output=True, text=True, env=env, cwd=REPO, timeout=150, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    kinds = [line["kind"] for line in lines]
    assert kinds[0] == "run_started" and kinds[-1] == "run_finished"
    assert {"tool_call_start", "tool_call_end", "command_output", "answer", "vote", "final"} <= set(kinds)
    assert lines[-1]["status"] == "completed" and lines[-1]["final_answer"].startswith("FINAL by Alpha")


async def test_cancelling_a_docker_run_kills_the_command_and_removes_the_containers(
        tmp_path: Path, busybox_image: str, docker_client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)

    def respond(request: FakeRequest) -> Reply:
        return Reply(tool_calls=[("execute_command", {"command": "sleep 60"})])

    with FakeLLM(respond, api_key=KEY) as llm:
        config = write_config(tmp_path, llm.base_url, busybox_image, tmp_path / "rec.jsonl")
        run = Run.from_config(load_document(config), "task", options=RunOptions(runs_dir=tmp_path / "runs",
                                                                                 store_path=tmp_path / "s.db"))
        started = 0
        async for event in run.events():
            if isinstance(event, ev.ToolCallStarted):
                started += 1
                if started == 2:
                    await asyncio.sleep(0.5)
                    session = run.container_runtime.session.session_id
                    run.cancel()
    record = await run.wait()
    assert record.status == "cancelled"
    left = docker_client.api.containers(all=True, filters={"label": f"massgen-tui.session={session}"})
    assert left == []
