"""``massgen-tui [CONFIG]``: pick the config to open, then run the app. Returns the exit status."""

from __future__ import annotations

import sys
from pathlib import Path

DEFAULT_NAMES = ("massgen.yaml", "massgen.yml")


def resolve_config(config_path: str | None, cwd: Path | None = None) -> tuple[Path, bool]:
    """(path to open, start the wizard?). With no CONFIG: ./massgen.yaml if present, else the wizard."""
    cwd = cwd or Path.cwd()
    if config_path:
        return Path(config_path), False
    for name in DEFAULT_NAMES:
        candidate = cwd / name
        if candidate.is_file():
            return candidate, False
    return cwd / DEFAULT_NAMES[0], True


def build_app(config_path: str | None, *, blink: bool = True):  # type: ignore[no-untyped-def]
    from massgen_tui.config import ConfigError
    from massgen_tui.tui.app import MassGenApp
    from massgen_tui.tui.keymap import load_settings
    from massgen_tui.tui.session import ConfigSession

    path, wizard = resolve_config(config_path)
    if path.is_dir():
        raise ConfigError("is a directory, not a config file", path=str(path))
    try:
        session = ConfigSession.open(path) if not wizard else ConfigSession(path, "", saved_text="")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path=str(path)) from exc
    return MassGenApp(session, settings=load_settings(), start_wizard=wizard, blink=blink)


def launch(config_path: str | None) -> int:
    from massgen_tui.config import ConfigError

    try:
        app = build_app(config_path)
    except ConfigError as exc:
        print(f"massgen-tui: {exc}", file=sys.stderr)
        return 2
    result = app.run()
    return int(result or 0)
