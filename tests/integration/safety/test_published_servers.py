"""The gate in front of the published filesystem server: argument-dependent decisions on real files.

Headless (nobody to ask): reversible calls go through, irreversible ones are denied and the files
prove the server never acted on them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from massgen_tui.config.safety import SafetySettings
from massgen_tui.mcp import MCPServerSpec, ServerManager
from massgen_tui.safety import DecisionStore, SafetyGate
from tests.support.mcp_servers import ensure_published_servers
from tests.support.requirements import need

pytestmark = [pytest.mark.mcp, pytest.mark.timeout(120)]


async def test_filesystem_server_behind_the_gate(tmp_path: Path) -> None:
    _, filesystem = ensure_published_servers()
    need(filesystem.exists(), f"mcp-server-filesystem at {filesystem} (scripts/setup-test-env.sh installs it)")
    root = (tmp_path / "ws").resolve()
    root.mkdir()
    (root / "keep.txt").write_text("precious\n")
    specs = MCPServerSpec.from_backend({"mcp_servers": [{"name": "fs", "command": str(filesystem), "args": [str(root)]}]})
    async with await DecisionStore.open(tmp_path / "store.sqlite3") as store:
        gate = SafetySettings()
        headless = SafetyGate(gate, store, None, root)
        async with ServerManager(specs, hooks=[headless], agent="a1") as manager:
            # a new file: nothing is overwritten -> reversible -> allowed
            new = await manager.call_tool("fs", "write_file", {"path": str(root / "new.txt"), "content": "hello"})
            assert new.status == "ok", new.reason or new.error
            assert (root / "new.txt").read_text() == "hello"
            # the same tool on an existing file overwrites it -> irreversible -> denied, file untouched
            over = await manager.call_tool("fs", "write_file", {"path": str(root / "keep.txt"), "content": "gone"})
            assert over.status == "denied" and "exists" in over.reason
            assert (root / "keep.txt").read_text() == "precious\n"
            # edit_file: a dry run is allowed, the real edit is not
            edit = {"path": str(root / "keep.txt"), "edits": [{"oldText": "precious", "newText": "lost"}]}
            dry = await manager.call_tool("fs", "edit_file", {**edit, "dryRun": True})
            assert dry.status == "ok" and "lost" in dry.text
            real = await manager.call_tool("fs", "edit_file", edit)
            assert real.status == "denied"
            assert (root / "keep.txt").read_text() == "precious\n"
            # reads and a move that refuses to overwrite are reversible
            assert (await manager.call_tool("fs", "read_text_file", {"path": str(root / "keep.txt")})).status == "ok"
            moved = await manager.call_tool("fs", "move_file", {"source": str(root / "new.txt"),
                                                                "destination": str(root / "moved.txt")})
            assert moved.status == "ok" and (root / "moved.txt").exists()
        decisions = [(e.tool, e.action, e.verdict) for e in await store.audit() if e.event == "decision"]
        assert decisions == [
            ("write_file", "allow", "reversible"),
            ("write_file", "deny", "irreversible"),
            ("edit_file", "allow", "reversible"),
            ("edit_file", "deny", "irreversible"),
            ("read_text_file", "allow", "reversible"),
            ("move_file", "allow", "reversible"),
        ]
