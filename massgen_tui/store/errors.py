"""The store's one exception type."""

from __future__ import annotations


class StoreError(Exception):
    """The SQLite store cannot be opened, migrated or written; the message says which file and why."""
