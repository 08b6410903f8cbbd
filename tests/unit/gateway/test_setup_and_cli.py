"""From a config to a gateway plan, and the CLI's answers to bad input (no traceback, exit 2)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from massgen_tui.cli import main
from massgen_tui.gateway import GatewayError
from massgen_tui.gateway.setup import plan_gateway, safety_settings


def config(path: Path, agents: list[dict[str, Any]], **top: Any) -> Path:
    path.write_text(json.dumps({"agents": agents, **top}))
    return path


def agent(agent_id: str, *servers: dict[str, Any]) -> dict[str, Any]:
    return {"id": agent_id, "backend": {"type": "openai", "model": "m", "mcp_servers": list(servers)}}


FS = {"name": "fs", "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"]}
GIT = {"name": "git", "command": "uvx", "args": ["mcp-server-git"]}


def test_one_agent_or_all_merged_by_name(tmp_path: Path) -> None:
    path = config(tmp_path / "c.yaml", [agent("a", FS), agent("b", FS, GIT), agent("c")])
    plan = plan_gateway(path)
    assert [s.name for s in plan.specs] == ["fs", "git"] and plan.agents == ("a", "b") and plan.agent == "gateway"
    only = plan_gateway(path, "a")
    assert [s.name for s in only.specs] == ["fs"] and only.agent == "a"


def test_conflicting_servers_of_the_same_name_need_an_agent(tmp_path: Path) -> None:
    other = {**FS, "args": ["-y", "@modelcontextprotocol/server-filesystem", "/home"]}
    path = config(tmp_path / "c.yaml", [agent("a", FS), agent("b", other)])
    with pytest.raises(GatewayError, match=r"agents 'a' and 'b' both have an MCP server named 'fs'.*--agent"):
        plan_gateway(path)
    assert [s.args[-1] for s in plan_gateway(path, "b").specs] == ["/home"]


def test_problems_name_file_and_place(tmp_path: Path) -> None:
    with pytest.raises(GatewayError, match="no agent with id 'zz'"):
        plan_gateway(config(tmp_path / "a.yaml", [agent("a", FS)]), "zz")
    with pytest.raises(GatewayError, match="has no mcp_servers"):
        plan_gateway(config(tmp_path / "b.yaml", [agent("a")]))
    with pytest.raises(GatewayError, match=r"agents\[0\]\.backend\.mcp_servers\[0\]: stdio MCP server 'x' needs a 'command'"):
        plan_gateway(config(tmp_path / "c.yaml", [agent("a", {"name": "x", "type": "stdio"})]))
    bad_safety = plan_gateway(config(tmp_path / "d.yaml", [agent("a", FS)], safety={"defaults": {"irreversible": "maybe"}}))
    with pytest.raises(GatewayError, match=r"d\.yaml: safety\.defaults\.irreversible"):
        safety_settings(bad_safety)
    with pytest.raises(GatewayError):
        plan_gateway(tmp_path / "missing.yaml")


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["gateway", *argv])
    return code, capsys.readouterr().err


def test_cli_usage_errors_exit_2_with_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = config(tmp_path / "c.yaml", [agent("a", FS)])
    code, err = run_cli(capsys, str(tmp_path / "missing.yaml"), "--stdio")
    assert code == 2 and "missing.yaml" in err and "Traceback" not in err
    code, err = run_cli(capsys, str(good), "--agent", "nobody", "--stdio")
    assert code == 2 and "no agent with id 'nobody'" in err
    code, err = run_cli(capsys, str(good), "--listen", "0.0.0.0:8000")
    assert code == 2 and "refusing to listen on 0.0.0.0" in err
    code, err = run_cli(capsys, str(good), "--listen", "nonsense")
    assert code == 2 and "expected HOST:PORT" in err
    code, _ = run_cli(capsys, str(good), "--stdio", "--listen", "127.0.0.1:1")
    assert code == 2  # argparse: the two modes exclude each other
    bad = config(tmp_path / "bad.yaml", [agent("a", FS)], safety={"planning_mode": "sometimes"})
    code, err = run_cli(capsys, str(bad), "--stdio")
    assert code == 2 and "safety.planning_mode" in err


def test_importing_the_gateway_loads_no_sdk_server_or_database() -> None:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", "import massgen_tui.gateway, sys; print('\\n'.join(sys.modules))"],
        capture_output=True, text=True, check=True,
    ).stdout
    loaded = {line.split(".")[0] for line in out.splitlines()}
    assert not loaded & {"mcp", "mcp_types", "uvicorn", "starlette", "aiosqlite", "textual"}
