"""``massgen-tui run`` as scripts and people use it: a missing key stops it before any request, and
``--approvals prompt`` asks on the terminal (a real pty through util-linux ``script``), where the
answer decides whether the MCP server receives the call."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.agents.terminal import run_in_terminal
from tests.support.fake_llm import FakeLLM, FakeRequest, Reply
from tests.support.mcp_servers import read_record, toolbox_stdio
from tests.support.requirements import need

REPO = Path(__file__).resolve().parents[3]


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "massgen_tui", "run", *args], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=60, stdin=subprocess.DEVNULL)


def test_missing_key_exits_2_before_any_request(tmp_path: Path) -> None:
    with FakeLLM(lambda r: Reply(text="never")) as llm:
        config = tmp_path / "c.yaml"
        config.write_text(f"agents:\n  - id: a\n    backend: {{type: openai, model: gpt-4o, base_url: '{llm.base_url}'}}\n"
                          "  - id: b\n    backend: {type: codex, model: x}\n")
        env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
        proc = cli(str(config), "task", env=env)
        assert llm.requests == []
    assert proc.returncode == 2 and proc.stdout == ""
    assert "agents[0].backend: agent 'a': no API key: set the environment variable OPENAI_API_KEY" in proc.stderr
    assert "agents[1].backend: agent 'b': backend type 'codex'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unreadable_config_and_empty_task_exit_2(tmp_path: Path) -> None:
    proc = cli(str(tmp_path / "missing.yaml"), "task")
    assert proc.returncode == 2 and "file not found" in proc.stderr
    config = tmp_path / "c.yaml"
    config.write_text("agent: {id: a, backend: {type: vllm, model: m}}\n")
    proc = cli(str(config), "  ")
    assert proc.returncode == 2 and "the task is empty" in proc.stderr


@pytest.mark.mcp
@pytest.mark.parametrize(("answer", "happens"), [("y", True), ("n", False)])
def test_prompt_mode_asks_on_the_terminal(tmp_path: Path, answer: str, happens: bool) -> None:
    need(shutil.which("script") is not None, "util-linux `script` to give the command a terminal")
    record = tmp_path / "record.jsonl"

    def respond(request: FakeRequest) -> Reply:
        if request.turn == 0:
            return Reply(tool_calls=[("mcp__toolbox__delete_file", {"path": "x.txt"})])
        return Reply(text="done: " + " | ".join(request.tool_results))

    with FakeLLM(respond) as llm:
        config = tmp_path / "c.yaml"
        config.write_text(json.dumps({"agent": {"id": "solo", "backend": {
            "type": "chatcompletion", "model": "m", "base_url": llm.base_url,
            "mcp_servers": [toolbox_stdio("toolbox", record)]}}}))
        env = {**os.environ, "MASSGEN_TUI_STORE": str(tmp_path / "store.db")}
        returncode, text, answered = run_in_terminal(
            [sys.executable, "-m", "massgen_tui", "run", str(config), "delete x.txt", "--approvals", "prompt"],
            env, answer)
    assert answered, text
    assert returncode == 0, text
    assert "solo wants to call toolbox/delete_file" in text
    calls = [r for r in read_record(record) if r["tool"] == "delete_file"]
    if happens:
        assert calls and "done: deleted x.txt" in text
    else:
        assert calls == [] and "done: [denied]" in text


def test_interrupt_stops_the_run_kills_its_command_and_saves_it(tmp_path: Path) -> None:
    import signal

    marker = "sleep 7777.5"

    def respond(request: FakeRequest) -> Reply:
        return Reply(tool_calls=[("execute_command", {"command": marker})])

    with FakeLLM(respond) as llm:
        config = tmp_path / "c.yaml"
        config.write_text(json.dumps({"agent": {"id": "solo", "backend": {
            "type": "chatcompletion", "model": "m", "base_url": llm.base_url, "enable_mcp_command_line": True,
            "cwd": str(tmp_path / "ws")}}}))
        env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg")}
        proc = subprocess.Popen([sys.executable, "-m", "massgen_tui", "run", str(config), "task"], cwd=REPO, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert proc.stderr is not None
        for line in proc.stderr:  # wait until the command runs
            if "> execute_command" in line:
                break
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "interrupted" in err
    alive = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout.split()
    assert alive == []
    saved = list((tmp_path / "xdg").rglob("runs/*.json"))
    assert len(saved) == 1 and json.loads(saved[0].read_text())["status"] == "cancelled"
