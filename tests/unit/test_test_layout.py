"""Every test folder is a package: a folder named like a library (docker, mcp) would otherwise be
put on sys.path by pytest and shadow that library in a full run."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent


def test_every_test_folder_is_a_package() -> None:
    missing = [
        str(folder.relative_to(TESTS))
        for folder in [TESTS, *TESTS.rglob("*")]
        if folder.is_dir()
        and folder.name not in {"__pycache__", "__snapshots__"}
        and "__snapshots__" not in folder.parts
        and any(folder.glob("*.py"))
        and not (folder / "__init__.py").exists()
    ]
    assert not missing, f"add __init__.py to: {missing}"
