"""The Run tab driven by keys against the fake LLM server (real HTTP streaming, real local shell)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, RichLog

from massgen_tui.tui.screens.run import RunView
from tests.support.fake_llm import team_config
from tests.support.pilot import until


def panel_text(view: RunView, agent: str) -> str:
    log = view.panels[agent].query_one(RichLog)
    return "\n".join(strip.text for strip in log.lines)


async def type_task(pilot: Pilot, text: str) -> None:
    pilot.app.query_one("#run-task", Input).focus()
    await pilot.press(*text)


async def wait_until(pilot: Pilot, condition, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    await until(pilot, condition, timeout, what="run tab")


async def test_two_agents_stream_vote_and_present(make_host, llm, run_env: Path) -> None:
    app = make_host(team_config(llm.base_url, [("a1", "Alpha"), ("a2", "Beta")]))
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one(RunView)
        await type_task(pilot, "compute 6*7")
        await pilot.press("enter")
        await wait_until(pilot, lambda: view.controller is not None and view.controller.finished
                         and view.state.status != "running")
        await pilot.pause(0.1)
        state = view.state
        assert state.status == "completed", state.error
        assert set(view.panels) == {"a1", "a2"}
        a1, a2 = panel_text(view, "a1"), panel_text(view, "a2")
        assert "alpha-42" in a1 and "beta-42" in a2  # command output, ANSI colour rendered not raw
        assert "\x1b" not in a1 and "│ alpha-42" in a1
        line = next(strip for strip in view.panels["a1"].query_one(RichLog).lines if "│ alpha" in strip.text)
        colours = {seg.text: seg.style.color if seg.style else None for seg in line}
        assert colours.get("alpha") is not None and colours.get("alpha") != colours.get("-42")  # green, then reset
        assert "Alpha runs a command." in a1
        assert "voted for a1" in a1 and "voted for a1" in a2
        assert "answer agent1.1" in a1
        assert state.agents["a1"].voted_for == "a1" and state.agents["a2"].voted_for == "a1"
        assert state.presenter == "a1" and state.final_answer.startswith("FINAL by Alpha")
        final = str(app.query_one("#run-final-text").render())
        assert "FINAL by Alpha" in final
        cost = str(app.query_one("#run-cost").render())
        assert "completed" in cost and "tokens" in cost and "in /" in cost
        assert state.input_tokens > 0 and state.output_tokens > 0
        # Batched: far fewer UI updates than events.
        assert view.controller.batches_posted < view.controller.events_seen
        assert list((run_env / "runs").glob("*.json"))


async def test_config_problem_shown_and_nothing_starts(make_host, llm, run_env: Path, monkeypatch) -> None:
    monkeypatch.delenv("FAKE_LLM_KEY")
    text = team_config(llm.base_url, [("a1", "Alpha"), ("a2", "Beta")])
    app = make_host(text.replace("type: chatcompletion", "type: claude_code", 1))
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(RunView)
        await type_task(pilot, "anything")
        await pilot.press("ctrl+o")
        await pilot.pause(0.1)
        problems = str(app.query_one("#run-problems").render())
        assert "agents[0].backend" in problems and "claude_code" in problems
        assert "agents[1].backend" in problems and "FAKE_LLM_KEY" in problems
        assert view.controller is None and not view.panels
    assert llm.requests == []
    assert not (run_env / "runs").exists()


async def test_empty_task_is_refused(make_host, llm) -> None:
    app = make_host(team_config(llm.base_url, [("a1", "Alpha")]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert "type the task" in str(app.query_one("#run-problems").render())
        assert app.focused is app.query_one("#run-task")
    assert llm.requests == []


async def test_cancel_by_key_stops_the_commands_and_saves_cancelled(make_host, run_env: Path) -> None:
    import json

    from tests.integration.agents.scripts import coordinating
    from tests.support.fake_llm import FakeLLM
    from tests.tui.run.conftest import KEY

    with FakeLLM(coordinating(lambda who: "sleep 30"), api_key=KEY) as server:
        app = make_host(team_config(server.base_url, [("a1", "Alpha"), ("a2", "Beta")]))
        async with app.run_test(size=(80, 24)) as pilot:
            view = app.query_one(RunView)
            await type_task(pilot, "wait a long time")
            await pilot.press("enter")
            await wait_until(pilot, lambda: all(a.status == "tool" for a in view.state.agents.values())
                             and len(view.state.agents) == 2)
            assert "sleep 30" in panel_text(view, "a1")
            started = asyncio.get_running_loop().time()
            await pilot.press("ctrl+c")
            await wait_until(pilot, lambda: view.controller.finished and view.state.status == "cancelled", 15)
            assert asyncio.get_running_loop().time() - started < 10  # the sleeps were killed, not waited for
            await pilot.pause(0.1)
            assert "cancelled" in str(app.query_one("#run-cost").render())
            assert not view.running
            # ctrl+c without a run is no longer the cancel key (the binding steps aside).
            assert view.check_action("cancel_run", ()) is False
    saved = list((run_env / "runs").glob("*.json"))
    assert len(saved) == 1 and json.loads(saved[0].read_text())["status"] == "cancelled"


async def test_reopen_a_saved_run_by_keys(make_host, llm, run_env: Path) -> None:
    import shutil

    runs = run_env / "runs"
    runs.mkdir()
    shutil.copy(Path(__file__).parent / "data" / "saved_run.json", runs / "20260101-120000-fixed0.json")
    (runs / "broken.json").write_text("{not json")  # skipped by the list, not fatal
    app = make_host(team_config(llm.base_url, [("a1", "Alpha"), ("a2", "Beta")]))
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(RunView)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert app.screen.query_one("#run-picker-list").option_count == 1
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert view.replay is not None and view.controller is None
        assert app.query_one("#run-task", Input).value == "compute 6*7 and report it"
        assert "read-only" in str(app.query_one("#run-cost").render())
        assert "beta-42" in panel_text(view, "a2") and "voted for a1" in panel_text(view, "a2")
        assert view.state.final_answer.startswith("FINAL by Alpha: 6*7 = 42.")
        assert view.state.agents["a1"].votes_received == 2
        # The picker closes with q as well as escape, choosing nothing.
        await pilot.press("ctrl+l")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert app.screen is app.screen_stack[0]
    assert llm.requests == []  # a replay calls no model


def gated_config(base_url: str, record: Path) -> str:
    import json

    from tests.support.mcp_servers import toolbox_stdio

    return json.dumps({"agent": {"id": "solo", "backend": {
        "type": "chatcompletion", "model": "fake-model", "base_url": base_url, "api_key_env": "FAKE_LLM_KEY",
        "mcp_servers": [toolbox_stdio("toolbox", record)]}},
        "safety": {"defaults": {"reversible": "allow", "irreversible": "ask"}, "approval_timeout_seconds": 60}})


def write_note_then_report(request):  # type: ignore[no-untyped-def]
    from tests.support.fake_llm import Reply

    if request.turn == 0:
        return Reply(text="Writing the note.", tool_calls=[("mcp__toolbox__write_note", {"title": "report"})])
    return Reply(text="done: " + " | ".join(request.tool_results))


@pytest.mark.parametrize("key", ["a", "d"])
async def test_a_gated_tool_waits_for_the_person_in_the_run_tab(key: str, make_host, run_env: Path) -> None:
    """With a bare ApprovalQueue as approver the tab lists the request and answers it (a / d)."""
    from massgen_tui.safety import ApprovalQueue
    from tests.support.fake_llm import FakeLLM
    from tests.support.mcp_servers import read_record
    from tests.tui.run.conftest import KEY

    record = run_env / "toolbox.jsonl"
    with FakeLLM(write_note_then_report, api_key=KEY) as server:
        app = make_host(gated_config(server.base_url, record), approver=ApprovalQueue)
        async with app.run_test(size=(80, 24)) as pilot:
            view = app.query_one(RunView)
            await type_task(pilot, "write the report note")
            await pilot.press("enter")
            approvals = app.query_one("#run-approvals")
            await wait_until(pilot, lambda: approvals.display and approvals.option_count == 1)
            assert app.focused is approvals  # keys go to the list at once
            assert read_record(record) == [] or all(r["tool"] != "write_note" for r in read_record(record))
            await pilot.press(key)
            await wait_until(pilot, lambda: view.controller.finished and view.state.status == "completed")
            assert not approvals.display
            text = panel_text(view, "solo")
            assert "⚙ toolbox/write_note" in text and ("✓ ok" if key == "a" else "⊘ denied") in text
    written = [r for r in read_record(record) if r["tool"] == "write_note"]
    assert bool(written) == (key == "a")  # the person's answer decided whether the server saw the call


@pytest.mark.parametrize("key", ["y", "n"])
async def test_a_gated_tool_asks_in_the_approval_dialog_by_default(key: str, make_host, run_env: Path) -> None:
    """The default approver is the app's approval dialog (TuiApprover): it pops up over the Run tab."""
    from massgen_tui.tui.screens.approval import ApprovalScreen
    from tests.support.fake_llm import FakeLLM
    from tests.support.mcp_servers import read_record
    from tests.tui.run.conftest import KEY

    record = run_env / "toolbox.jsonl"
    with FakeLLM(write_note_then_report, api_key=KEY) as server:
        app = make_host(gated_config(server.base_url, record))
        async with app.run_test(size=(80, 24)) as pilot:
            view = app.query_one(RunView)
            await type_task(pilot, "write the report note")
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, ApprovalScreen))
            assert not app.screen.query("#run-approvals")  # the tab's own list stays out of it
            await pilot.press(key)
            await wait_until(pilot, lambda: view.controller.finished and view.state.status == "completed")
            text = panel_text(view, "solo")
            assert ("✓ ok" if key == "y" else "⊘ denied") in text
    written = [r for r in read_record(record) if r["tool"] == "write_note"]
    assert bool(written) == (key == "y")


async def test_an_agent_whose_backend_fails_is_shown_stopped_and_the_other_finishes(make_host, run_env: Path) -> None:
    from tests.integration.agents.scripts import coordinating, persona
    from tests.support.fake_llm import FakeLLM, Reply
    from tests.tui.run.conftest import KEY

    normal = coordinating(None)

    def respond(request):  # type: ignore[no-untyped-def]
        if persona(request) == "Beta":
            return Reply(status=401, error="invalid api key for this project")
        return normal(request)

    with FakeLLM(respond, api_key=KEY) as server:
        app = make_host(team_config(server.base_url, [("a1", "Alpha"), ("a2", "Beta")]))
        async with app.run_test(size=(80, 24)) as pilot:
            view = app.query_one(RunView)
            await type_task(pilot, "try it")
            await pilot.press("enter")
            await wait_until(pilot, lambda: view.controller is not None and view.controller.finished
                             and view.state.status != "running")
            await pilot.pause(0.1)
            assert view.panels["a2"].status == "stopped" and view.panels["a2"].has_class("-stopped")
            assert "error (agent stopped)" in panel_text(view, "a2") and "401" in panel_text(view, "a2")
            assert view.state.final_answer is not None and view.state.presenter == "a1"
            assert view.state.agents["a2"].status == "stopped" and view.state.agents["a1"].status == "done"


async def test_quitting_during_a_run_cancels_it_and_keeps_it_saved(make_host, run_env: Path) -> None:
    import json
    import random
    import subprocess

    from tests.integration.agents.scripts import coordinating
    from tests.support.fake_llm import FakeLLM
    from tests.tui.run.conftest import KEY

    marker = f"sleep 31.{random.randrange(10**6, 10**7)}"  # unique, so only this test's commands are looked for
    with FakeLLM(coordinating(lambda who: marker.replace("sleep", "exec sleep")), api_key=KEY) as server:
        app = make_host(team_config(server.base_url, [("a1", "Alpha"), ("a2", "Beta")]))
        async with app.run_test(size=(80, 24)) as pilot:
            view = app.query_one(RunView)
            await type_task(pilot, "wait")
            await pilot.press("enter")
            await wait_until(pilot, lambda: len(view.state.agents) == 2
                             and all(a.status == "tool" for a in view.state.agents.values()))
            app.exit()
    saved = list((run_env / "runs").glob("*.json"))
    assert [json.loads(p.read_text())["status"] for p in saved] == ["cancelled"]
    left = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout.strip()
    assert left == ""  # the commands were killed, not left behind


async def test_z_zooms_the_focused_panel_and_z_restores(make_host, run_env: Path) -> None:
    import shutil

    runs = run_env / "runs"
    runs.mkdir()
    shutil.copy(Path(__file__).parent / "data" / "saved_run.json", runs / "20260101-120000-fixed0.json")
    app = make_host(team_config("http://127.0.0.1:9/v1", [("a1", "Alpha"), ("a2", "Beta")]))
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(RunView)
        await pilot.press("ctrl+l", "enter")
        await pilot.pause()
        assert app.focused is view.panels["a1"].log_widget  # a reopened run takes the focus
        await pilot.press("tab")
        assert app.focused is view.panels["a2"].log_widget
        await pilot.press("z")
        await pilot.pause()
        assert app.screen.maximized is view.panels["a2"]
        assert view.panels["a2"].outer_size.width >= 78  # the whole width, not half of it
        await pilot.press("z")
        await pilot.pause()
        assert app.screen.maximized is None
        view.focus_task()
        await pilot.press("z")  # typing in the task field: a letter, not a zoom
        assert app.screen.maximized is None and app.query_one("#run-task", Input).value.endswith("z")


async def test_a_yaml_syntax_error_is_shown_with_its_line(make_host, run_env: Path) -> None:
    app = make_host("agents:\n  - id: a1\n    backend: {type: openai\n")
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(RunView)
        await type_task(pilot, "anything")
        await pilot.press("enter")
        await pilot.pause()
        problems = str(app.query_one("#run-problems").render())
        assert "cannot be read" in problems and "team.yaml:4:1" in problems and "YAML syntax error" in problems
        assert view.controller is None
