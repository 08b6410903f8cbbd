"""Snapshots of every screen at 80x24 and 120x40 (pytest-textual-snapshot; no clock, no blink).

Regenerate after an intended change with ``pytest tests/tui/test_snapshots.py --snapshot-update`` and
look at the SVGs in ``__snapshots__/`` before committing them.
"""

from __future__ import annotations

import pytest

SIZES = [(80, 24), (120, 40)]

BROKEN = """\
agents:
  - id: coder
    backend:
      type: claud
      model: claude-sonnet-4-20250514
      command_line_execution_mode: docker
      command_line_docker_memory_limit: lots
"""

NO_SERVERS = """\
agents:
  - id: writer
    backend:
      type: openai
      model: gpt-4o
      cwd: missing_workspace
"""

SCREENS = {
    "agents": [],
    "mcp": ["ctrl+g", "enter", "down", "enter"],  # section, then pick agent a2 in the picker
    "execution": ["ctrl+g", "ctrl+g"],
    "safety_section": ["ctrl+g", "ctrl+g", "ctrl+g"],
    "orchestrator": ["ctrl+g", "ctrl+g", "ctrl+g", "ctrl+g"],
    "yaml": ["ctrl+y"],
    "help": ["f1"],
    "run_tab": ["f5"],
    "save_diff": ["a", "ctrl+s"],
    "quit_dialog": ["a", "ctrl+q"],
    "light_theme": ["ctrl+t"],
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare, make_app, screen: str, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(), press=SCREENS[screen], terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_problems_marked(snap_compare, make_app, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(BROKEN), press=["enter", "tab"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_check_screen(snap_compare, make_app, size: tuple[int, int]) -> None:
    async def wait_for_checks(pilot) -> None:
        await pilot.press("ctrl+r")
        for _ in range(50):
            await pilot.pause(0.05)
            if "done" in str(pilot.app.screen.query_one("#check-keys").render()):
                break
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(make_app(NO_SERVERS), run_before=wait_for_checks, terminal_size=size)


WIZARD_STEPS = {
    "preset": [],
    "backends": ["down", "down", "down", "enter", "enter"],  # preset "multi", keep its 3 agents
    "preview": ["enter", "backspace", "2", "enter", "ctrl+n", "ctrl+n", "ctrl+n", "ctrl+n"],
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("step", list(WIZARD_STEPS))
def test_wizard(snap_compare, make_app, step: str, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(text=None, wizard=True), press=WIZARD_STEPS[step], terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_recover_draft_dialog(snap_compare, make_app, config_dir, monkeypatch, size: tuple[int, int]) -> None:
    import time

    from massgen_tui.tui.session import DraftStore

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    app = make_app()
    store = DraftStore(config_dir / "drafts")
    store.save(app.session.path, app.session.text.replace("id: a2", "id: recovered"))
    draft = store.load(app.session.path)
    payload = draft.file.read_text().replace(str(draft.saved_at), "1767225600.0")  # 2026-01-01 00:00 UTC
    draft.file.write_text(payload)
    try:
        assert snap_compare(app, terminal_size=size)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
