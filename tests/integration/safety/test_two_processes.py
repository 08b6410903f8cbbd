"""Two real processes sharing one store file: concurrent writes, and a deny made in one applies in the other."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from massgen_tui.config.safety import SafetySettings
from massgen_tui.safety import DecisionStore, SafetyGate
from tests.unit.safety.conftest import IDENTITY, READ_TOOL, make_call

pytestmark = pytest.mark.timeout(120)

WRITER = textwrap.dedent("""
    import asyncio, sys
    from massgen_tui.safety import AuditEntry, DecisionStore

    async def main(path, tag, n):
        store = await DecisionStore.open(path)
        for i in range(n):
            await store.add(kind="permission", scope="user", server_identity=f"srv-{tag}", tool=f"t{i}",
                            action="allow")
            store.record(AuditEntry(event="decision", call_id=f"{tag}-{i}", tool=f"t{i}", action="allow"))
            if i % 5 == 0:
                await store.flush()
            await store.for_server(f"srv-{tag}")
        await store.close()
        print("done", tag)

    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
""")


def test_two_processes_write_the_same_store_concurrently(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), tag, "60"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for tag in ("a", "b")
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=90)
        assert proc.returncode == 0, err
        assert out.startswith("done")

    async def check() -> None:
        async with await DecisionStore.open(path) as store:
            decisions = await store.list()
            assert len(decisions) == 120
            assert {d.server_identity for d in decisions} == {"srv-a", "srv-b"}
            assert len(await store.audit(limit=None)) == 120

    import asyncio

    asyncio.run(check())


async def test_a_deny_added_by_another_process_applies_at_once(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    async with await DecisionStore.open(path) as store:
        gate = SafetyGate(SafetySettings(), store, None, tmp_path)
        assert (await gate.before_call(make_call(READ_TOOL))).action == "allow"  # fills the cache
        code = textwrap.dedent(f"""
            import asyncio
            from massgen_tui.safety import DecisionStore
            async def main():
                async with await DecisionStore.open({str(path)!r}) as s:
                    await s.add(kind="permission", scope="user", server_identity={IDENTITY!r},
                                tool="read_notes", action="deny", reason="from the other window")
            asyncio.run(main())
        """)
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        decision = await gate.before_call(make_call(READ_TOOL))
        assert decision.action == "deny" and decision.decided_by == "stored-rule"
        assert "from the other window" in decision.reason
