"""Fixtures for the TUI tests: a config in a temp dir, fixed environment, no cursor blink."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from massgen_tui.config.backends import BACKENDS

SAMPLE = """\
# team config: comments must survive every edit
agents:
  - id: a1   # the first agent
    backend:
      type: openai
      model: gpt-4o
      cwd: ws1
  - id: a2
    backend:
      type: claude
      model: claude-sonnet-4-20250514
      command_line_execution_mode: docker
      command_line_docker_image: massgen-tui-test:latest
      mcp_servers:
        git:
          type: stdio
          command: mcp-server-git
          env:
            GIT_TOKEN: supersecret-value
orchestrator:
  snapshot_storage: snapshots
  agent_temporary_workspace: temp_workspaces
ui:
  display_type: rich_terminal
  logging_enabled: true
"""


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for info in BACKENDS.values():
        if info.api_key_env:
            monkeypatch.delenv(info.api_key_env, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-shown")
    monkeypatch.setenv("MASSGEN_TUI_SETTINGS", str(tmp_path / "settings.toml"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path


@pytest.fixture
def make_app(config_dir: Path) -> Callable[..., object]:
    from massgen_tui.tui.app import MassGenApp
    from massgen_tui.tui.keymap import load_settings
    from massgen_tui.tui.session import ConfigSession, DraftStore

    def make(text: str | None = SAMPLE, name: str = "massgen.yaml", wizard: bool = False) -> MassGenApp:
        path = config_dir / name
        if text is not None:
            path.write_text(text, encoding="utf-8")
        session = ConfigSession(path, "", saved_text="") if wizard else ConfigSession.open(path)
        app = MassGenApp(session, settings=load_settings(), drafts=DraftStore(config_dir / "drafts"),
                         start_wizard=wizard, blink=False)
        app.animation_level = "none"  # tab underlines must not be caught mid-slide by a snapshot
        return app

    return make
