"""The one SQLite file of massgen-tui (aiosqlite, WAL, versioned schema, safe for two processes).

``aiosqlite`` is imported only when a database is opened.
"""

from massgen_tui.store.database import Database
from massgen_tui.store.errors import StoreError
from massgen_tui.store.migrations import LATEST_VERSION, MIGRATIONS, Migration
from massgen_tui.store.paths import STORE_ENV, default_store_path

__all__ = ["LATEST_VERSION", "MIGRATIONS", "STORE_ENV", "Database", "Migration", "StoreError", "default_store_path"]
