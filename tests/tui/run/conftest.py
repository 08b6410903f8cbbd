"""Fixtures for the Run tab tests: a fake LLM server on localhost, a config pointing at it (commands
run by a local shell), a small host app holding the Run tab, isolated user data and settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.app import App, ComposeResult

from massgen_tui.agents import RunOptions
from massgen_tui.config import load_document
from massgen_tui.tui.run_controller import ContainerRuntimeReady
from massgen_tui.tui.screens.run import RunView
from tests.integration.agents.scripts import coordinating
from tests.support.fake_llm import FakeLLM

APP_SHEET = Path(__file__).resolve().parents[3] / "massgen_tui" / "data" / "styles" / "app.tcss"
KEY = "sk-run-tab-test"


@pytest.fixture
def run_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FAKE_LLM_KEY", KEY)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("MASSGEN_TUI_SETTINGS", str(tmp_path / "settings.toml"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path


@pytest.fixture
def llm() -> Iterator[FakeLLM]:
    with FakeLLM(coordinating(lambda who: f"printf '\\033[32m{who.lower()}\\033[0m-%s\\n' $((6*7))"),
                 api_key=KEY) as server:
        yield server


class RunHost(App[None]):
    """The Run tab on its own, styled like the app (the app's sheet plus the Run tab's own)."""

    CSS_PATH = str(APP_SHEET)

    def __init__(self, view: RunView):
        super().__init__()
        self.view = view
        self.announced: list[object] = []

    def on_container_runtime_ready(self, message: ContainerRuntimeReady) -> None:
        self.announced.append(message.runtime)

    def compose(self) -> ComposeResult:
        yield self.view


@pytest.fixture
def make_host(run_env: Path) -> Callable[..., RunHost]:
    def make(config_text: str, *, frozen_times: bool = True, approver: Callable[[], object] | None = None) -> RunHost:
        path = run_env / "team.yaml"
        path.write_text(config_text, encoding="utf-8")
        view = RunView(config=lambda: load_document(path),
                       options=lambda: RunOptions(runs_dir=run_env / "runs", max_turns=8,
                                                  store_path=run_env / "store.db"),
                       runs_dir=run_env / "runs", frozen_times=frozen_times, approver=approver)
        app = RunHost(view)
        app.animation_level = "none"
        return app

    return make
