"""Where the store lives: ``$MASSGEN_TUI_STORE``, else the platform's user data directory.

On Linux that is ``$XDG_DATA_HOME/massgen-tui/massgen-tui.sqlite3`` (``~/.local/share/...`` when
``XDG_DATA_HOME`` is unset); ``platformdirs`` reads ``XDG_DATA_HOME`` at call time.
"""

from __future__ import annotations

import os
from pathlib import Path

STORE_ENV = "MASSGEN_TUI_STORE"
STORE_FILENAME = "massgen-tui.sqlite3"


def default_store_path() -> Path:
    override = os.environ.get(STORE_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("massgen-tui", appauthor=False)) / STORE_FILENAME
