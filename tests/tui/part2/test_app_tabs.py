"""Part 2's tabs inside the real app (MassGenApp): they start only when shown, settle, and snapshot
deterministically (the engine address points nowhere, so the pane says so instead of listing whatever
containers happen to exist; the sample config's git server is not installed, so the Safety tab says so)."""

from __future__ import annotations

from typing import Any

import pytest

SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def no_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")


async def _mounted(pilot: Any) -> None:
    """The tabs are mounted after the first frame (and the studio takes focus then): wait for both."""
    for _ in range(100):
        await pilot.pause(0.05)
        app = pilot.app
        if app.first_frame_at is not None and app.query("#containers-pane") and app.query("#safety-review"):
            break
    await pilot.pause(0.1)


async def _settle_containers(pilot: Any) -> None:
    await _mounted(pilot)
    await pilot.press("f3")
    for _ in range(200):
        await pilot.pause(0.05)
        panes = pilot.app.query("#containers-pane")
        if panes and panes.first().polls >= 1:
            break
    pilot.app.clear_notifications()
    await pilot.pause(0.1)


async def _settle_safety(pilot: Any) -> None:
    await _mounted(pilot)
    await pilot.press("f4")
    for _ in range(400):
        await pilot.pause(0.05)
        reviews = pilot.app.query("#safety-review")
        if reviews and reviews.first().loaded:
            break
    pilot.app.clear_notifications()
    await pilot.pause(0.1)


@pytest.mark.timeout(90)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_containers_tab(snap_compare: Any, make_app: Any, no_engine: None, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(), run_before=_settle_containers, terminal_size=size)


@pytest.mark.timeout(90)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_safety_tab(snap_compare: Any, make_app: Any, no_engine: None, size: tuple[int, int],
                    monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # a fresh decision store
    assert snap_compare(make_app(), run_before=_settle_safety, terminal_size=size)


async def test_tabs_do_no_work_until_shown_and_the_app_has_one_approver(make_app: Any, no_engine: None) -> None:
    from massgen_tui.tui.screens.approval import TuiApprover

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _mounted(pilot)
        pane = app.query_one("#containers-pane")
        review = app.query_one("#safety-review")
        assert not pane.started and pane.polls == 0 and not review.loading and not review.loaded
        assert isinstance(app.approver, TuiApprover) and app.approver is app.approver
        await pilot.press("f3")
        for _ in range(100):
            await pilot.pause(0.05)
            if pane.polls:
                break
        assert pane.started and pane.engine_down and "nonexistent" in pane.engine_down
        assert app.focused is not None and app.focused.id == "container-table"
        await pilot.press("f2")  # hidden again: no more polls
        polls = pane.polls
        await pilot.pause(1.5)
        assert pane.covered() and pane.polls <= polls + 1, (pane.covered(), app.query_one("#main").active)
