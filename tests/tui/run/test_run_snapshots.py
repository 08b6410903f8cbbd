"""Snapshots of the Run tab at 80x24 and 120x40: idle, a config problem before start, the saved-runs
picker and a reopened run (replayed from a fixed transcript, times hidden, so every frame is the same).

Regenerate after an intended change with ``pytest tests/tui/run/test_run_snapshots.py --snapshot-update``
and look at the SVGs in ``__snapshots__/`` before committing them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.fake_llm import team_config

SIZES = [(80, 24), (120, 40)]
UNREACHABLE = "http://127.0.0.1:9/v1"  # no model is called in any of these
SAVED = Path(__file__).parent / "data" / "saved_run.json"


@pytest.fixture
def saved_runs(run_env: Path) -> Path:
    runs = run_env / "runs"
    runs.mkdir()
    shutil.copy(SAVED, runs / "20260101-120000-fixed0.json")
    return runs


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_idle(snap_compare, make_host, size: tuple[int, int]) -> None:
    app = make_host(team_config(UNREACHABLE, [("a1", "Alpha"), ("a2", "Beta")]))
    assert snap_compare(app, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_config_problem(snap_compare, make_host, monkeypatch, size: tuple[int, int]) -> None:
    monkeypatch.delenv("FAKE_LLM_KEY")
    app = make_host(team_config(UNREACHABLE, [("a1", "Alpha"), ("a2", "Beta")]))
    assert snap_compare(app, press=[*"do it", "enter"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_saved_runs_picker(snap_compare, make_host, saved_runs: Path, size: tuple[int, int]) -> None:
    app = make_host(team_config(UNREACHABLE, [("a1", "Alpha"), ("a2", "Beta")]))
    assert snap_compare(app, press=["ctrl+l"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_reopened_run(snap_compare, make_host, saved_runs: Path, size: tuple[int, int]) -> None:
    app = make_host(team_config(UNREACHABLE, [("a1", "Alpha"), ("a2", "Beta")]))
    assert snap_compare(app, press=["ctrl+l", "enter"], terminal_size=size)
