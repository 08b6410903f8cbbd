"""One connection to the SQLite file: WAL, a busy timeout, versioned migrations, short write transactions.

Two massgen-tui processes can have the file open at once: WAL lets readers run beside a writer,
every write is a short ``BEGIN IMMEDIATE`` transaction (so a writer waits for the other's lock up to
the busy timeout instead of failing half-way), and migrations re-read the schema version inside
their transaction so two processes starting together migrate once.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from massgen_tui.store.errors import StoreError
from massgen_tui.store.migrations import MIGRATIONS, Migration
from massgen_tui.store.paths import default_store_path

DEFAULT_BUSY_TIMEOUT_S = 10.0


def _statements(sql: str) -> list[str]:
    """Split a script into complete statements (trigger bodies contain ';')."""
    out: list[str] = []
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                out.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        out.append(buffer.strip())
    return out


async def _set_wal(conn: Any, busy_timeout_s: float) -> str:
    """Switch to WAL and return the journal mode. Another process creating the same new file at the same
    moment makes SQLite answer "database is locked" at once, without its busy handler (a lock upgrade
    that could deadlock): retry for up to the busy timeout."""
    deadline = asyncio.get_running_loop().time() + busy_timeout_s
    delay = 0.01
    while True:
        try:
            rows = await conn.execute_fetchall("PRAGMA journal_mode = WAL")
            return str(next(iter(rows))[0]) if rows else ""
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if asyncio.get_running_loop().time() + delay > deadline:
                raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.2)


class Database:
    """An open store. Use ``async with await Database.open(path) as db`` or call :meth:`close`."""

    def __init__(self, conn: Any, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._write_lock = asyncio.Lock()
        self._closed = False
        self._watcher: sqlite3.Connection | None = None  # see data_version

    # ----------------------------------------------------------------------------------- opening
    @classmethod
    async def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        migrations: Sequence[Migration] = MIGRATIONS,
        busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
    ) -> Database:
        import aiosqlite

        target = Path(path).expanduser() if path is not None else default_store_path()
        try:
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise StoreError(f"cannot create the folder for the store {target.parent}: {exc.strerror or exc}") from exc
        created = not target.exists()
        try:
            conn = await aiosqlite.connect(str(target), timeout=busy_timeout_s, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the store {target}: {exc}") from exc
        conn.row_factory = aiosqlite.Row
        db = cls(conn, target)
        try:
            if created:
                try:
                    os.chmod(target, 0o600)  # the audit log holds call arguments
                except OSError:
                    pass
            await conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            mode = await _set_wal(conn, busy_timeout_s)
            if str(mode).lower() != "wal":
                raise StoreError(f"the store {target} cannot use write-ahead logging (journal mode {mode!r})")
            await conn.execute("PRAGMA synchronous = NORMAL")
            await conn.execute("PRAGMA foreign_keys = ON")
            await db._migrate(migrations)
        except sqlite3.DatabaseError as exc:
            await conn.close()
            raise StoreError(f"the store {target} is not a usable SQLite database: {exc}") from exc
        except BaseException:
            await conn.close()
            raise
        return db

    async def _migrate(self, migrations: Sequence[Migration]) -> None:
        latest = migrations[-1].version if migrations else 0
        current = await self.user_version()
        if current > latest:
            raise StoreError(
                f"the store {self.path} has schema version {current}, newer than this massgen-tui knows "
                f"({latest}): upgrade massgen-tui or point {self.path.name} elsewhere with $MASSGEN_TUI_STORE"
            )
        if current == latest:
            return
        async with self.transaction():
            current = await self.user_version()  # another process may have migrated meanwhile
            for migration in migrations:
                if migration.version <= current:
                    continue
                for statement in _statements(migration.sql):
                    await self._conn.execute(statement)
                await self._conn.execute(f"PRAGMA user_version = {int(migration.version)}")

    @property
    def closed(self) -> bool:
        return self._closed

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"the store {self.path} is closed")

    async def user_version(self) -> int:
        self._check_open()
        rows = await self._conn.execute_fetchall("PRAGMA user_version")
        return int(next(iter(rows))[0])

    # ----------------------------------------------------------------------------------- access
    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Any]:
        """A short write transaction (``BEGIN IMMEDIATE``); statements inside use the yielded connection."""
        self._check_open()
        async with self._write_lock:
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StoreError(f"the store {self.path} stayed locked by another process: {exc}") from exc
            try:
                yield self._conn
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            else:
                await self._conn.execute("COMMIT")

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one write statement in its own transaction; returns the last row id."""
        async with self.transaction() as conn:
            cursor = await conn.execute(sql, params)
            return int(cursor.lastrowid or 0)

    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self.transaction() as conn:
            await conn.executemany(sql, rows)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        self._check_open()
        return list(await self._conn.execute_fetchall(sql, params))

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        self._check_open()
        rows = await self._conn.execute_fetchall(sql, params)
        return next(iter(rows), None)

    def data_version(self) -> int:
        """A number that changes whenever anything is committed to the file, by this store or any other
        process: a cheap staleness check for caches.

        Read with ``PRAGMA data_version`` on a private synchronous connection, which sees every other
        connection's commits (the store's own included). It takes no lock and costs a few microseconds,
        so it runs on the caller's thread: no trip to the database thread per check."""
        self._check_open()
        if self._watcher is None:
            try:
                self._watcher = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
            except sqlite3.Error as exc:
                raise StoreError(f"cannot open the store {self.path} to watch it: {exc}") from exc
        return int(self._watcher.execute("PRAGMA data_version").fetchone()[0])

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            if self._watcher is not None:
                self._watcher.close()
            await self._conn.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
