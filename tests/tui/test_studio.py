"""The config studio driven by keys only: add/clone/remove/reorder agents, break a field, see the
problem, jump to it, fix it, save with a diff, recover a draft, quit with unsaved changes."""

from __future__ import annotations

import re
from pathlib import Path

from textual.widgets import Input, TextArea

from massgen_tui.tui.screens.dialogs import ConfirmModal, DiffModal, QuitModal
from massgen_tui.tui.widgets.problems import ProblemsPanel


def agent_ids(app) -> list[str]:
    return [e.id for e in app.session.doc.agent_entries()]


async def test_add_clone_remove_reorder_agents(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.focused.id == "agent-list"
        await pilot.press("a")
        await pilot.pause()
        assert agent_ids(app) == ["a1", "a2", "agent_3"]
        assert "agent_3" in app.query_one("#yaml-editor", TextArea).text
        assert "# the first agent" in app.session.text
        await pilot.press("c")  # clone the selected (new) agent
        await pilot.pause()
        assert agent_ids(app) == ["a1", "a2", "agent_3", "agent_3_copy"]
        await pilot.press("K")  # move the clone up
        await pilot.pause()
        assert agent_ids(app) == ["a1", "a2", "agent_3_copy", "agent_3"]
        await pilot.press("x")  # remove the clone
        await pilot.pause()
        assert agent_ids(app) == ["a1", "a2", "agent_3"]
        assert app.session.dirty
        assert "# team config: comments must survive every edit" in app.session.text


async def test_break_field_see_problem_jump_fix_save(make_app, config_dir: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        problems = app.query_one(ProblemsPanel)
        assert not [d for d in problems.diagnostics if d.severity == "error"]
        await pilot.press("enter")  # from the agent list into the agent's form: Id
        assert isinstance(app.focused, Input) and app.focused.value == "a1"
        await pilot.press("ctrl+u", "a", "2")  # duplicate id
        await pilot.pause(0.3)
        errors = [d for d in problems.diagnostics if d.severity == "error"]
        assert [d.code for d in errors] == ["duplicate-agent-id"], errors
        assert re.search(r'id: "?a2"?   # the first agent', app.session.text)  # written through, comment kept
        # the form marks the field of the agent the problem is on after jumping
        await pilot.press("ctrl+e")
        assert app.focused is problems
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.focused, Input) and app.focused.value == "a2"
        assert app.focused.has_class("-invalid")
        assert app.query_one("#agents-pane").selected == 1  # the second agent holds the duplicate
        await pilot.press("ctrl+u", *"reviewer")
        await pilot.pause(0.3)
        assert not [d for d in problems.diagnostics if d.severity == "error"]
        assert not app.focused.has_class("-invalid")
        # save: the diff first, then the atomic write
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DiffModal)
        assert "-  - id: a2\n" in app.screen.diff and re.search(r'\+  - id: "?reviewer"?\n', app.screen.diff)
        await pilot.press("y")
        await pilot.pause()
        on_disk = (config_dir / "massgen.yaml").read_text()
        assert re.search(r'- id: "?reviewer"?\n', on_disk) and re.search(r'id: "?a2"?   # the first agent', on_disk)
        assert "# team config: comments must survive every edit" in on_disk
        assert not app.session.dirty


async def test_jump_to_yaml_line(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+y")  # the YAML editor
        editor = app.query_one("#yaml-editor", TextArea)
        assert app.focused is editor
        # give a1 a broken memory limit by typing a line after line 7 ("      cwd: ws1")
        editor.cursor_location = (6, len(editor.document.get_line(6)))
        await pilot.press("enter", *"      command_line_docker_memory_limit: lots")
        await pilot.pause(0.3)
        problems = app.query_one(ProblemsPanel)
        codes = [d.code for d in problems.diagnostics]
        assert "docker-memory" in codes, problems.diagnostics
        await pilot.press("ctrl+e")
        index = codes.index("docker-memory")
        problems.highlighted = index
        await pilot.press("y")  # to the YAML line
        await pilot.pause()
        assert app.focused is editor
        assert editor.cursor_location[0] == 7
        await pilot.press("ctrl+e")  # now choose the field instead: Execution section, memory input
        assert problems.highlighted == index
        await pilot.press("enter")
        await pilot.pause()
        assert app.studio.section == "execution"
        assert isinstance(app.focused, Input) and app.focused.value == "lots"


async def test_recover_draft_after_crash(make_app, config_dir: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause(1.3)  # the draft is written a second after the last change
        assert (config_dir / "drafts").exists() and list((config_dir / "drafts").iterdir())
    # the app ended without saving (as if the SSH connection dropped); the file is unchanged
    assert "agent_3" not in (config_dir / "massgen.yaml").read_text()
    again = make_app(text=None)
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(again.screen, ConfirmModal)
        await pilot.press("y")
        await pilot.pause()
        assert agent_ids(again) == ["a1", "a2", "agent_3"]
        assert again.session.dirty


async def test_quit_asks_when_unsaved(make_app, config_dir: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("a", "ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, QuitModal)
        await pilot.press("c")  # cancel: still running, still dirty
        await pilot.pause()
        assert not isinstance(app.screen, QuitModal) and app.session.dirty
        await pilot.press("ctrl+q", "s")  # save and quit: diff first
        await pilot.pause()
        assert isinstance(app.screen, DiffModal)
        await pilot.press("y")
        await pilot.pause()
    assert "agent_3" in (config_dir / "massgen.yaml").read_text()
    assert app.return_value == 0
