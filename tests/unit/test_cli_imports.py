"""The headless CLI must not pay for the UI or the I/O libraries it does not use."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("textual", "docker", "mcp", "aiosqlite", "httpx")


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {line.split(".")[0] for line in out.splitlines()}


def test_parser_build_imports_nothing_heavy() -> None:
    loaded = _modules_after("from massgen_tui.cli import build_parser; build_parser()")
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_version_flag() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "massgen_tui", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert result.stdout.startswith("massgen-tui ")


def test_unknown_option_is_usage_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "massgen_tui", "--no-such-flag"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
