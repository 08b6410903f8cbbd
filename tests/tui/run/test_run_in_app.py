"""The Run tab inside the whole app: reached by f5, driven by keys, the config as edited in the app."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from massgen_tui.tui.screens.run import RunView
from tests.support.fake_llm import team_config
from tests.tui.run.test_run_tab import panel_text, wait_until


async def test_run_from_the_app_by_keys(make_app, run_env: Path, llm) -> None:  # type: ignore[no-untyped-def]
    app = make_app(team_config(llm.base_url, [("a1", "Alpha"), ("a2", "Beta")]))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: bool(app.query("#run-task")))  # the tab and its children mounted
        await pilot.press("f5")
        await pilot.pause()
        view = app.query_one(RunView)
        assert app.focused is app.query_one("#run-task", Input)  # showing the tab puts the cursor in the task
        await pilot.press(*"compute 6*7", "enter")
        await wait_until(pilot, lambda: view.controller is not None and view.controller.finished
                         and view.state.status != "running")
        assert view.state.status == "completed" and view.state.final_answer.startswith("FINAL by Alpha")
        assert "alpha-42" in panel_text(view, "a1")
        saved = list((run_env / "data" / "massgen-tui" / "runs").glob("*.json"))  # the user data dir
        assert len(saved) == 1
        # The saved run is listed and reopens read-only.
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert app.screen.query_one("#run-picker-list").option_count == 1
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert view.replay is not None and view.replay.run_id == saved[0].stem
        # Run keys are listed on the help screen with their ids.
        await pilot.press("f5", "f1")
        await pilot.pause()
        tables = {getattr(w.content, "title", None): w.content for w in app.screen.query("Static")}
        assert "Run tab" in tables
        ids = list(tables["Run tab"].columns[2].cells)
        assert ids == ["run.start", "run.cancel", "run.saved", "run.zoom"]


async def test_palette_starts_a_run(make_app, run_env: Path, llm) -> None:  # type: ignore[no-untyped-def]
    app = make_app(team_config(llm.base_url, [("a1", "Alpha"), ("a2", "Beta")]))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: bool(app.query("#run-task")))  # the tab and its children mounted
        view = app.query_one(RunView)
        view.query_one("#run-task", Input).value = "say hello"
        await pilot.press("ctrl+p", *"run: start")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: view.controller is not None and view.controller.finished)
        assert app.query_one("#main").active == "run"
        assert view.state.final_answer is not None
