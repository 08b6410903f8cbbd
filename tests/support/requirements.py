"""What a test may do when something it needs is missing.

Locally a missing tool skips the test with a reason. Under ``CI=true`` it fails instead: a skip in
CI hides a regression. Tests set up what they need themselves (start dockerd, install servers)
before they call :func:`need`.
"""

from __future__ import annotations

import os

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def need(condition: bool, what: str) -> None:
    """Skip (locally) or fail (in CI) when ``condition`` is false."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"required for this test and missing under CI=true: {what}", pytrace=False)
    pytest.skip(f"missing: {what}")
