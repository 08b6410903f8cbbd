"""``massgen-tui safety ...`` end to end (in-process main(), real store file, real toolbox MCP server)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from massgen_tui.cli import main
from tests.support.mcp_servers import TOOLBOX

pytestmark = pytest.mark.timeout(90)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_classify_a_tool_file_in_both_shapes(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             corpus_dir: Path) -> None:
    code, out, _ = run(capsys, "safety", "classify", "--tools", str(corpus_dir / "mcp-tools" / "server-memory.json"),
                       "--json")
    assert code == 0
    tools = json.loads(out)["tools"]
    assert {t["name"]: t["verdict"] for t in tools}["delete_entities"] == "irreversible"
    assert set(tools[0]) == {"server", "name", "verdict", "confidence", "reasons", "signals", "recommendation"}
    assert tools[0]["server"] == "server-memory"
    wire = tmp_path / "list.json"
    wire.write_text(json.dumps({"jsonrpc": "2.0", "id": 1, "result": {"tools": [
        {"name": "send_email", "description": "Send an email", "inputSchema": {"type": "object"}}]}}))
    code, out, _ = run(capsys, "safety", "classify", "--tools", str(wire), "--server", "mail")
    assert code == 0 and "irreversible" in out and "mail/send_email" in out


def test_classify_bad_input_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    code, _, err = run(capsys, "safety", "classify", "--tools", str(bad))
    assert code == 2 and f"{bad}:1:2: not JSON" in err and "Traceback" not in err
    code, _, err = run(capsys, "safety", "classify", "--tools", str(tmp_path / "missing.json"))
    assert code == 2 and "cannot read" in err


@pytest.mark.mcp
def test_classify_a_config_and_store_decisions_for_its_servers(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "cfg.yaml"
    config.write_text(
        "agents:\n"
        "  - id: a1\n"
        "    backend:\n"
        "      type: openai\n"
        "      model: gpt-4o\n"
        "      mcp_servers:\n"
        f"        - {{name: tb, type: stdio, command: {sys.executable}, args: [{TOOLBOX}]}}\n"
        "safety:\n"
        "  rules:\n"
        "    - {server: tb, tool: write_note, verdict: reversible, reason: notes are versioned}\n"
    )
    store = tmp_path / "store.sqlite3"
    code, out, err = run(capsys, "safety", "--store", str(store), "classify", "--config", str(config), "--json")
    assert code == 0, err
    verdicts = {t["name"]: t["verdict"] for t in json.loads(out)["tools"]}
    assert verdicts["echo"] == "reversible" and verdicts["delete_file"] == "irreversible"
    assert verdicts["write_note"] == "reversible"  # the config's override rule
    code, out, err = run(capsys, "safety", "--store", str(store), "decisions", "deny", "--config", str(config),
                         "--server", "tb", "--tool", "delete_*", "--scope", "workspace", "--workspace", str(tmp_path))
    assert code == 0, err
    code, out, _ = run(capsys, "safety", "--store", str(store), "decisions", "list", "--json")
    [decision] = json.loads(out)["decisions"]
    assert decision["server_identity"] == f"{sys.executable} {TOOLBOX}" and decision["scope_key"] == str(tmp_path)
    code, out, _ = run(capsys, "safety", "--store", str(store), "decisions", "revoke", str(decision["id"]))
    assert code == 0 and "revoked" in out
    code, _, err = run(capsys, "safety", "--store", str(store), "decisions", "allow", "--config", str(config),
                       "--server", "nope", "--tool", "x")
    assert code == 2 and "no MCP server named 'nope'" in err


def test_audit_since(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import asyncio

    from massgen_tui.commands.safety import parse_since
    from massgen_tui.safety import AuditEntry, DecisionStore

    async def seed() -> None:
        async with await DecisionStore.open(tmp_path / "s.db") as store:
            store.record(AuditEntry(event="decision", call_id="old", tool="t", action="deny", decider="policy",
                                    ts=1000.0))
            store.record(AuditEntry(event="decision", call_id="new", tool="t", action="allow", decider="human",
                                    arguments={"token": "abc"}))

    asyncio.run(seed())
    code, out, _ = run(capsys, "safety", "--store", str(tmp_path / "s.db"), "audit", "--since", "1h", "--json")
    entries = json.loads(out)["entries"]
    assert code == 0 and [e["call_id"] for e in entries] == ["new"] and entries[0]["arguments"]["token"] == "[redacted]"
    code, out, _ = run(capsys, "safety", "--store", str(tmp_path / "s.db"), "audit")
    assert code == 0 and "by policy" in out and "by human" in out
    assert parse_since("2h", now=10_000.0) == 10_000.0 - 7200
    with pytest.raises(ValueError, match="use an age"):
        parse_since("last week")


@pytest.mark.mcp
def test_classify_a_config_with_an_llm(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.unit.safety.llm_server import LLMServer

    def cautious(tools: list[dict]) -> str:  # a model that distrusts everything
        return json.dumps({"tools": [{"name": t["name"], "verdict": "irreversible", "confidence": 0.95,
                                      "reason": "cautious model"} for t in tools]})

    monkeypatch.setenv("TEST_LLM_KEY", "test-key")
    with LLMServer(cautious) as server:
        config = tmp_path / "cfg.yaml"
        config.write_text(
            "agents:\n"
            "  - id: a1\n"
            "    backend:\n"
            "      type: openai\n"
            "      model: gpt-4o\n"
            "      mcp_servers:\n"
            f"        - {{name: tb, type: stdio, command: {sys.executable}, args: [{TOOLBOX}]}}\n"
            "safety:\n"
            "  llm: {type: chatcompletion, model: m, base_url: '" + server.base + "/v1', api_key_env: TEST_LLM_KEY}\n"
        )
        store = str(tmp_path / "s.db")
        code, out, err = run(capsys, "safety", "--store", store, "classify", "--config", str(config), "--json")
        assert code == 0, err
        echo = next(t for t in json.loads(out)["tools"] if t["name"] == "echo")
        assert echo["verdict"] == "irreversible" and "llm:irreversible" in echo["signals"]
        assert len(server.requests) == 1  # all tools of the server in one request
        code, out, _ = run(capsys, "safety", "--store", store, "classify", "--config", str(config), "--json",
                           "--no-llm")
        assert next(t for t in json.loads(out)["tools"] if t["name"] == "echo")["verdict"] == "reversible"
        server.status = 500
        other_store = str(tmp_path / "other.db")  # no cached answers there
        code, out, err = run(capsys, "safety", "--store", other_store, "classify", "--config", str(config))
        assert code == 0 and "LLM classification unavailable" in err and "rules alone" in err
