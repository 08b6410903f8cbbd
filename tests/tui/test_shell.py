"""The shell around the studio: settings (remapped keys, theme), NO_COLOR, command palette, default
config or wizard at launch, the wizard writing a file, the check screen (real MCP server, cancel)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from textual.widgets import Input, RichLog

from massgen_tui.tui.keymap import load_settings
from massgen_tui.tui.launch import launch, resolve_config
from massgen_tui.tui.screens.check import CheckScreen
from massgen_tui.tui.screens.dialogs import DiffModal
from tests.support.requirements import need

GIT_SERVER = Path(__file__).resolve().parents[2] / ".cache" / "mcp-servers" / "git" / "bin" / "mcp-server-git"


async def test_settings_remap_a_key_and_pick_the_theme(make_app, config_dir: Path) -> None:
    (config_dir / "settings.toml").write_text('theme = "light"\n[keys]\n"config.save" = "f9"\n"no.such" = "x"\n')
    settings = load_settings()
    assert settings.keys == {"config.save": "f9"}
    assert any("'no.such' is not a binding id" in p for p in settings.problems)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "textual-light"
        await pilot.press("a", "ctrl+s")  # the old key no longer saves
        await pilot.pause()
        assert not isinstance(app.screen, DiffModal)
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, DiffModal)


async def test_no_color_is_respected(make_app, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    assert app.no_color
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert any(type(f).__name__ in ("NoColor", "Monochrome") for f in app._filters)


async def test_command_palette_runs_namespaced_commands(make_app) -> None:
    from textual.command import CommandPalette

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("ctrl+p")  # the same key closes it: no Escape needed
        await pilot.pause()
        assert not isinstance(app.screen, CommandPalette)
        await pilot.press("ctrl+p", *"config: save")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, DiffModal)


async def test_theme_toggle_and_top_tabs_by_keys(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        before = app.theme
        await pilot.press("ctrl+t")
        assert app.theme != before
        for key, tab in (("f3", "containers"), ("f4", "safety"), ("f5", "run"), ("f2", "config")):
            await pilot.press(key)
            assert app.query_one("#main").active == tab


def test_default_config_or_wizard(tmp_path: Path) -> None:
    assert resolve_config(None, tmp_path) == (tmp_path / "massgen.yaml", True)
    (tmp_path / "massgen.yaml").write_text("agents: []\n")
    assert resolve_config(None, tmp_path) == (tmp_path / "massgen.yaml", False)
    assert resolve_config("other.yaml", tmp_path) == (Path("other.yaml"), False)


def test_launch_on_a_directory_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert launch(str(tmp_path)) == 2
    assert "is a directory, not a config file" in capsys.readouterr().err


async def test_wizard_writes_a_valid_config(make_app, config_dir: Path) -> None:
    from massgen_tui.config import validate_file

    app = make_app(text=None, wizard=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # preset: blank
        await pilot.press("backspace", "2", "enter")  # two agents
        await pilot.press("ctrl+n")  # keep the backends offered
        await pilot.press("ctrl+n")  # tools: none
        await pilot.press("enter", "down", "enter")  # Docker: yes
        await pilot.press("ctrl+n")
        await pilot.press("ctrl+n")  # safety defaults
        await pilot.pause()
        assert "command_line_execution_mode: docker" in app.screen.query_one("#wizard-preview").text
        await pilot.press("ctrl+s")
        await pilot.pause()
    written = (config_dir / "massgen.yaml").read_text()
    assert written.count("- id: agent_") == 2
    assert "irreversible: ask" in written
    assert validate_file(config_dir / "massgen.yaml").valid
    assert app.session.path == config_dir / "massgen.yaml" and not app.session.dirty


async def test_mcp_server_add_and_secrets_masked(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+g", "enter", "down", "enter")  # MCP servers of agent a2
        await pilot.pause()
        secret = app.query_one(".secret-form").widgets["env.GIT_TOKEN"]
        assert isinstance(secret, Input) and secret.password and secret.value == "supersecret-value"
        assert "supersecret" not in "".join(s.text for s in app.screen._compositor.render_strips()[0])
        await pilot.press("tab")  # picker -> server list
        assert app.focused.id == "server-list", app.focused
        await pilot.press("a")  # add a server
        await pilot.pause()
        assert list(app.session.get("agents[1].backend.mcp_servers")) == ["git", "server_2"]


CHECK_CONFIG = """\
agents:
  - id: tools
    backend:
      type: claude
      model: claude-sonnet-4-20250514
      mcp_servers:
        git:
          type: stdio
          command: {git}
          args: [--repository, {repo}]
"""


async def test_check_starts_real_mcp_server(make_app, config_dir: Path) -> None:
    need(GIT_SERVER.exists(), f"the published git MCP server at {GIT_SERVER} (scripts/setup-test-env.sh)")
    repo = Path(__file__).resolve().parents[2]
    app = make_app(CHECK_CONFIG.format(git=GIT_SERVER, repo=repo))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+r")
        screen = app.screen
        assert isinstance(screen, CheckScreen)
        for _ in range(300):
            await pilot.pause(0.1)
            if screen.worker is not None and screen.worker.is_finished:
                break
        lines = [line.text for line in screen.query_one(RichLog).lines]
        text = "\n".join(lines)
        assert "✗ tools api key: ANTHROPIC_API_KEY is not set" in text
        assert "✓ tools mcp git: started" in text and "git_status" in text
        await pilot.press("q")
        assert not isinstance(app.screen, CheckScreen)


async def test_check_can_be_cancelled(make_app) -> None:
    hang = f"{sys.executable} -c 'import time; time.sleep(60)'"
    config = CHECK_CONFIG.format(git=hang.split()[0], repo=".").replace(
        "args: [--repository, .]", "args: ['-c', 'import time; time.sleep(60)']")
    app = make_app(config)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+r")
        await pilot.pause(0.5)
        screen = app.screen
        assert screen.worker is not None and screen.worker.is_running  # waiting for the server
        await pilot.press("c")
        for _ in range(50):
            await pilot.pause(0.1)
            if screen.worker.is_finished:
                break
        await pilot.pause(0.2)
        assert screen.worker.is_cancelled
        assert "cancelled" in "\n".join(line.text for line in screen.query_one(RichLog).lines)


def test_heavy_modules_not_imported_for_the_first_frame(config_dir: Path) -> None:
    import subprocess

    (config_dir / "massgen.yaml").write_text("agents:\n  - id: a\n    backend: {type: openai, model: gpt-4o}\n")
    script = (
        "import asyncio, sys\n"
        "from massgen_tui.tui.launch import build_app\n"
        "async def main():\n"
        "    app = build_app('massgen.yaml', blink=False)\n"
        "    async with app.run_test(size=(80, 24)) as pilot:\n"
        "        await pilot.pause()\n"
        "        assert app.first_frame_at is not None\n"
        "    heavy = sorted(m for m in ('docker', 'mcp', 'aiosqlite') if m in sys.modules)\n"
        "    print('HEAVY', heavy)\n"
        "asyncio.run(main())\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=config_dir, capture_output=True, text=True, timeout=60)
    assert "HEAVY []" in out.stdout, out.stdout + out.stderr


ODD_DOCUMENTS = {
    "syntax_error": "agents:\n  - id: a\n    backend: {type: openai\n",
    "list_root": "- a\n- b\n",
    "agents_is_a_map": "agents:\n  x: 1\n",
    "single_agent_form": "agent:\n  id: solo\n  backend:\n    type: openai\n    model: gpt-4o\n",
    "empty": "",
}


@pytest.mark.parametrize("name", list(ODD_DOCUMENTS))
async def test_odd_documents_never_crash(make_app, name: str) -> None:
    app = make_app(ODD_DOCUMENTS[name])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        keys = ["a", "c", "K", "x", "ctrl+g", "tab", "a", *["ctrl+g"] * 5, "ctrl+e", "enter", "ctrl+r", "q",
                "ctrl+s", "n"]
        for key in keys:
            await pilot.press(key)
        await pilot.pause()
        assert app.is_running  # an unhandled exception would have stopped the app
        assert app.diagnostics or name in ("single_agent_form", "empty")
    if name == "single_agent_form":  # adding an agent turned `agent:` into an `agents:` list
        assert [e.id for e in app.session.doc.agent_entries()] == ["solo", "agent_2"]
    if name == "agents_is_a_map":  # refused with a message, text untouched
        assert app.session.text == ODD_DOCUMENTS[name]
