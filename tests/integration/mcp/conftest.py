from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.mcp_servers import HttpToolbox

pytestmark = pytest.mark.mcp


@pytest.fixture
def record(tmp_path: Path) -> Path:
    """The file a toolbox server appends every call it receives to."""
    return tmp_path / "calls.jsonl"


@pytest.fixture
def http_toolbox(tmp_path: Path) -> Iterator[HttpToolbox]:
    server = HttpToolbox(tmp_path / "http-calls.jsonl").start()
    try:
        yield server
    finally:
        server.stop()
