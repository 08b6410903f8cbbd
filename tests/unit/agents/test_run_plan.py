"""read_plan: what the config says about coordination reaches the run plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from massgen_tui.agents import AgentRunError, read_plan
from massgen_tui.config import load_document

CONFIG = """\
agents:
  - id: a1
    backend: {type: openai, model: gpt-4o-mini}
  - id: a2
    backend: {type: openai, model: gpt-4o-mini}
"""
ENV = {"OPENAI_API_KEY": "sk-test"}


def _plan(tmp_path: Path, extra: str = ""):
    path = tmp_path / "massgen.yaml"
    path.write_text(CONFIG + extra)
    return read_plan(load_document(path), environ=ENV)


def test_planning_mode_is_on_during_coordination_when_the_config_is_silent(tmp_path: Path) -> None:
    assert _plan(tmp_path).coordination.planning_mode is True


@pytest.mark.parametrize("value", [True, False])
def test_planning_mode_follows_enable_planning_mode(tmp_path: Path, value: bool) -> None:
    extra = f"orchestrator:\n  coordination:\n    enable_planning_mode: {str(value).lower()}\n"
    assert _plan(tmp_path, extra).coordination.planning_mode is value


def test_enable_planning_mode_of_the_wrong_type_stops_the_run_with_its_location(tmp_path: Path) -> None:
    extra = "orchestrator:\n  coordination:\n    enable_planning_mode: sometimes\n"
    with pytest.raises(AgentRunError, match=r"orchestrator\.coordination\.enable_planning_mode: must be true or false"):
        _plan(tmp_path, extra)
