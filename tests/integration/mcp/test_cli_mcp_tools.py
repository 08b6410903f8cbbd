"""``massgen-tui mcp tools`` end to end: a real config, real server processes, the documented JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.mcp_servers import TOOLBOX

pytestmark = [pytest.mark.mcp, pytest.mark.timeout(90)]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "massgen_tui", "mcp", "tools", *args], capture_output=True, text=True, timeout=80)


def write_config(tmp_path: Path) -> Path:
    config = tmp_path / "massgen.yaml"
    config.write_text(
        f"""# two agents, one broken server
agents:
  - id: coder
    backend:
      type: openai
      model: gpt-4o
      exclude_tools: [mcp__toolbox__crash]
      mcp_servers:
        - name: toolbox
          type: stdio
          command: {sys.executable}
          args: ["{TOOLBOX}"]
        - name: broken
          type: stdio
          command: {sys.executable}
          args: ["{TOOLBOX}", "--fail-start"]
  - id: reviewer
    backend:
      type: openai
      model: gpt-4o
      mcp_servers:
        tools2:
          command: {sys.executable}
          args: ["{TOOLBOX}"]
          allowed_tools: [echo]
"""
    )
    return config


def test_json_lists_every_server_of_every_agent(tmp_path: Path) -> None:
    result = run(str(write_config(tmp_path)), "--json")
    assert result.returncode == 1, result.stderr  # one server failed
    servers = {(s["agent"], s["name"]): s for s in json.loads(result.stdout)["servers"]}
    assert set(servers) == {("coder", "toolbox"), ("coder", "broken"), ("reviewer", "tools2")}
    toolbox = servers[("coder", "toolbox")]
    assert toolbox["status"] == "ready" and toolbox["error"] is None
    tools = {t["name"]: t for t in toolbox["tools"]}
    assert "crash" not in tools and toolbox["hidden_tools"] == ["crash"]
    echo = tools["echo"]
    assert set(echo) >= {"name", "prefixed_name", "description", "annotations", "input_schema"}
    assert echo["prefixed_name"] == "mcp__toolbox__echo"
    assert echo["annotations"]["readOnlyHint"] is True
    assert echo["input_schema"]["properties"]["text"]["type"] == "string"
    broken = servers[("coder", "broken")]
    assert broken["status"] == "failed" and "missing license key" in broken["error"] and broken["tools"] == []
    assert [t["name"] for t in servers[("reviewer", "tools2")]["tools"]] == ["echo"]


def test_text_output_for_one_agent(tmp_path: Path) -> None:
    result = run(str(write_config(tmp_path)), "--agent", "reviewer")
    assert result.returncode == 0, result.stderr
    assert "reviewer/tools2 (stdio): ready, 1 tools" in result.stdout
    assert "mcp__tools2__echo - Echo  [read-only, not destructive, idempotent, not open-world]" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, (), "file not found"),
        ("agents: [{id: a, backend: {type: openai}}]\n", ("--agent", "zz"), "no agent with id 'zz'"),
        ("agents: [{id: a, backend: {mcp_servers: [{name: x, type: telepathy, command: y}]}}]\n", (), "agents[0].backend.mcp_servers[0]"),
    ],
)
def test_bad_input_is_a_clear_message_and_exit_2(tmp_path: Path, content: str | None, args: tuple[str, ...], message: str) -> None:
    path = tmp_path / "c.yaml"
    if content is not None:
        path.write_text(content)
    result = run(str(path), *args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
