"""Where the project's shipped data folders (presets/, dockerfiles/) are found.

In a checkout they sit beside the package; ``pip install .`` copies them to
``<prefix>/share/massgen-tui/<name>`` (see ``[tool.setuptools.data-files]`` in pyproject.toml).
An environment variable overrides both.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def data_folder(name: str, env_var: str) -> Path:
    """``$env_var``, else ``<name>/`` of this checkout, else the installed copy."""
    override = os.environ.get(env_var)
    if override:
        return Path(override)
    checkout = Path(__file__).resolve().parent.parent / name
    if checkout.is_dir():
        return checkout
    for prefix in (sys.prefix, sys.base_prefix):
        installed = Path(prefix) / "share" / "massgen-tui" / name
        if installed.is_dir():
            return installed
    return checkout
