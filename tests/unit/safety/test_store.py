"""The SQLite file: location, WAL, schema version, migrations, clear errors."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from massgen_tui.store import LATEST_VERSION, Database, Migration, StoreError, default_store_path


def test_default_path_honours_xdg_data_home_and_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MASSGEN_TUI_STORE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_store_path() == tmp_path / "data" / "massgen-tui" / "massgen-tui.sqlite3"
    monkeypatch.setenv("MASSGEN_TUI_STORE", str(tmp_path / "elsewhere.db"))
    assert default_store_path() == tmp_path / "elsewhere.db"


async def test_open_creates_wal_versioned_private_file(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "store.sqlite3"
    async with await Database.open(path) as db:
        assert await db.user_version() == LATEST_VERSION
        mode = await db.fetchone("PRAGMA journal_mode")
        assert mode is not None and mode[0] == "wal"
        busy = await db.fetchone("PRAGMA busy_timeout")
        assert busy is not None and busy[0] >= 1000
    assert path.stat().st_mode & 0o777 == 0o600
    async with await Database.open(path) as db:  # reopening migrates nothing
        assert await db.user_version() == LATEST_VERSION


async def test_default_location_is_used_when_no_path_given(tmp_path: Path) -> None:
    async with await Database.open() as db:  # conftest points XDG_DATA_HOME at a temp dir
        assert db.path == default_store_path() and db.path.exists()


async def test_new_migrations_apply_in_order(tmp_path: Path) -> None:
    from massgen_tui.store import MIGRATIONS

    path = tmp_path / "s.db"
    async with await Database.open(path):
        pass
    extra = (*MIGRATIONS, Migration(LATEST_VERSION + 1, "test column", "CREATE TABLE extra (x INTEGER);"))
    async with await Database.open(path, migrations=extra) as db:
        assert await db.user_version() == LATEST_VERSION + 1
        await db.execute("INSERT INTO extra VALUES (1)")
    with pytest.raises(StoreError, match="newer than this massgen-tui knows"):
        await Database.open(path)


async def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable SQLite database"):
        await Database.open(path)


async def test_failed_transaction_rolls_back(tmp_path: Path) -> None:
    async with await Database.open(tmp_path / "s.db") as db:
        with pytest.raises(sqlite3.IntegrityError):
            async with db.transaction() as conn:
                await conn.execute("INSERT INTO llm_classifications VALUES ('h','m','reversible',1,'',0)")
                await conn.execute("INSERT INTO llm_classifications VALUES ('h','m','reversible',1,'',0)")
        assert await db.fetchall("SELECT * FROM llm_classifications") == []


async def test_audit_entries_survive_a_locked_store(tmp_path: Path) -> None:
    from massgen_tui.safety import AuditEntry, DecisionStore

    path = tmp_path / "s.db"
    store = DecisionStore(await Database.open(path, busy_timeout_s=0.2))
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        store.record(AuditEntry(event="decision", call_id="c1", action="deny", decider="policy"))
        with pytest.raises(StoreError, match="locked"):
            await store.flush()
        other.execute("COMMIT")
        await store.flush()  # nothing was dropped
        assert [e.call_id for e in await store.audit()] == ["c1"]
    finally:
        other.close()
        await store.close()


async def test_audit_entries_recorded_together_are_written_in_one_transaction(tmp_path: Path) -> None:
    from massgen_tui.safety import AuditEntry, DecisionStore
    from massgen_tui.safety.decision_store import AUDIT_BATCH_WINDOW_S

    store = DecisionStore(await Database.open(tmp_path / "s.db"))
    writes: list[int] = []
    write = store.db.execute_many

    async def counting(sql: str, rows: object) -> None:
        rows = list(rows)  # type: ignore[call-overload]
        writes.append(len(rows))
        await write(sql, rows)

    store.db.execute_many = counting  # type: ignore[method-assign]
    try:
        for n in range(20):  # a burst of calls: each records as the gate does, with the loop turning between
            store.record(AuditEntry(event="decision", call_id=f"c{n}", action="allow", decider="policy"))
            await asyncio.sleep(0)
        await asyncio.sleep(AUDIT_BATCH_WINDOW_S * 4)
        assert writes == [20]  # on disk without a flush, in one transaction
        other = sqlite3.connect(tmp_path / "s.db")
        try:
            assert other.execute("SELECT count(*) FROM audit").fetchone()[0] == 20
        finally:
            other.close()
    finally:
        await store.close()
