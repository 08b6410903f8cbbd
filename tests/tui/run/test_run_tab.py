"""The Run tab driven by keys against the fake LLM server (real HTTP streaming, real local shell)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, RichLog

from massgen_tui.tui.screens.run import RunView
from tests.tui.run.conftest import team_config


def panel_text(view: RunView, agent: str) -> str:
    log = view.panels[agent].query_one(RichLog)
    return "\n".join(strip.text for strip in log.lines)


async def type_task(pilot: Pilot, text: str) -> None:
    pilot.app.query_one("#run-task", Input).focus()
    await pilot.press(*text)


async def wait_until(pilot: Pilot, condition, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out waiting for the run tab"
        await pilot.pause(0.05)


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
