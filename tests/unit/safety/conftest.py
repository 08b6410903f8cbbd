from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from massgen_tui.mcp.types import ToolCall, ToolInfo
from massgen_tui.safety import DecisionStore

IDENTITY = "python toolbox_server.py --record calls.jsonl"

READ_TOOL = ToolInfo.from_wire({"name": "read_notes", "description": "Read the notes",
                                "inputSchema": {"type": "object", "properties": {"path": {"type": "string"}}},
                                "annotations": {"readOnlyHint": True}}, server="notes")
DELETE_TOOL = ToolInfo.from_wire({"name": "delete_note", "description": "Delete a note permanently",
                                  "inputSchema": {"type": "object", "properties": {"path": {"type": "string"}}},
                                  "annotations": {"destructiveHint": True}}, server="notes")


def make_call(tool: ToolInfo, arguments: dict[str, Any] | None = None, *, identity: str = IDENTITY,
              call_id: str | None = None) -> ToolCall:
    import uuid

    return ToolCall(call_id=call_id or uuid.uuid4().hex, server=tool.server, tool=tool.name,
                    arguments=arguments or {}, server_identity=identity, agent="a1", tool_info=tool)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[DecisionStore]:
    s = await DecisionStore.open(tmp_path / "store.sqlite3")
    try:
        yield s
    finally:
        await s.close()
