from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
if not CORPUS.exists():  # CI clones main with shared/ beside it; allow an override for other layouts
    CORPUS = Path(os.environ.get("MASSGEN_TUI_CORPUS", str(CORPUS)))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    from tests.support.requirements import need

    need(CORPUS.exists(), f"the shared corpus at {CORPUS}")
    return CORPUS


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test's store, drafts and settings out of the real user's directories."""
    base = tmp_path_factory.mktemp("xdg")
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        path = base / var.lower()
        path.mkdir()
        monkeypatch.setenv(var, str(path))
