from __future__ import annotations

import json
from pathlib import Path

import pytest

from massgen_tui.agents import events as ev
from massgen_tui.agents.errors import AgentRunError
from massgen_tui.agents.progress import ProgressPrinter
from massgen_tui.agents.run_store import RunRecord, list_runs, load_run, runs_dir, save_run


def sample_events() -> list[ev.RunEvent]:
    return [
        ev.RunStarted(run_id="r1", task="t", agents=["a1", "a2"]),
        ev.TextDelta(agent="a1", text="Hel"), ev.TextDelta(agent="a1", text="lo\nworld"),
        ev.TextDelta(agent="a2", text="other"),
        ev.ToolCallStarted(agent="a1", call_id="c1", tool="execute_command", arguments={"command": "ls"}),
        ev.CommandOutput(agent="a1", call_id="c1", text="a\n"), ev.CommandOutput(agent="a1", call_id="c1", text="b\n"),
        ev.ToolCallFinished(agent="a1", call_id="c1", tool="execute_command", status="ok", result="a\nb\n", duration_s=0.1),
        ev.UsageReported(agent="a1", input_tokens=10, output_tokens=5, cost_usd=0.5),
        ev.UsageReported(agent="a1", input_tokens=1, output_tokens=1),
        ev.AnswerPosted(agent="a1", label="agent1.1", content="A"),
        ev.VoteCast(agent="a2", voted_for="a1", reason="good"),
        ev.FinalAnswer(agent="a1", content="FINAL", votes={"a2": "a1"}, reason="votes"),
        ev.RunFinished(status="completed", final_answer="FINAL"),
    ]


def test_record_folds_events_and_survives_a_round_trip(tmp_path: Path) -> None:
    record = RunRecord("r1", "t")
    for event in sample_events():
        record.observe(event)
    assert [t["kind"] for t in record.transcript][:4] == ["run_started", "text", "text", "tool_call_start"]
    assert record.transcript[1]["text"] == "Hello\nworld"
    assert next(t for t in record.transcript if t["kind"] == "command_output")["text"] == "a\nb\n"
    assert record.tool_calls[0]["status"] == "ok" and record.tool_calls[0]["result"] == "a\nb\n"
    assert record.usage["a1"] == {"input_tokens": 11, "output_tokens": 6, "cost_usd": 0.5}
    assert record.final_answer == "FINAL" and record.final_votes == {"a2": "a1"} and record.status == "completed"

    path = save_run(record, tmp_path)
    assert path == tmp_path / "r1.json" and not list(tmp_path.glob(".*tmp"))
    again = load_run("r1", tmp_path)
    assert again == record
    assert load_run(path) == record
    replay = again.events()
    assert isinstance(replay[-1], ev.RunFinished) and isinstance(replay[1], ev.TextDelta)
    assert [s.run_id for s in list_runs(tmp_path)] == ["r1"]


def test_runs_live_under_the_user_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert runs_dir() == tmp_path / "massgen-tui" / "runs"


def test_loading_bad_runs_says_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(AgentRunError, match="no saved run 'nope'"):
        load_run("nope", tmp_path)
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(AgentRunError, match="cannot read the saved run"):
        load_run(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text(json.dumps({"hello": 1}))
    with pytest.raises(AgentRunError, match="not a saved massgen-tui run"):
        load_run(tmp_path / "other.json")
    assert list_runs(tmp_path) == []


def test_progress_lines_keep_agents_apart() -> None:
    out: list[str] = []
    printer = ProgressPrinter(out.append)
    for event in sample_events():
        printer(event)
    text = "".join(out)
    assert "[a1] Hello\n" in text and "[a1] world\n" in text and "[a2] other\n" in text
    assert '[a1] > execute_command {"command": "ls"}' in text
    assert "[a1] < execute_command ok (0.1s): a b" in text
    assert "[a2] vote for a1: good" in text and "[run] run completed" in text


def test_saved_runs_have_secrets_redacted(tmp_path: Path) -> None:
    record = RunRecord("r2", "deploy")
    record.observe(ev.ToolCallStarted(agent="a", call_id="c", tool="mcp__x__login",
                                      arguments={"user": "bob", "password": "hunter2"}))
    record.observe(ev.TextDelta(agent="a", text="use key sk-abcdefghijklmnopqrstuvwx please"))
    save_run(record, tmp_path)
    text = (tmp_path / "r2.json").read_text()
    assert "hunter2" not in text and "sk-abcdefghijklmnopqrstuvwx" not in text and "bob" in text
    assert record.tool_calls[0]["arguments"]["password"] == "hunter2"  # the live record is untouched
