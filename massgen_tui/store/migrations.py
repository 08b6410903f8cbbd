"""The schema, as an ordered list of migrations. ``PRAGMA user_version`` is the applied version.

Never edit a migration that has shipped: append a new one. Each runs in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "safety decisions, classification overrides, audit log, LLM classification cache",
        """
        CREATE TABLE decisions (
            id               INTEGER PRIMARY KEY AUTOINCREMENT,
            kind             TEXT NOT NULL CHECK (kind IN ('permission', 'classification')),
            action           TEXT CHECK (action IN ('allow', 'deny')),
            verdict          TEXT CHECK (verdict IN ('reversible', 'irreversible')),
            scope            TEXT NOT NULL CHECK (scope IN ('session', 'workspace', 'user')),
            scope_key        TEXT NOT NULL DEFAULT '',
            server_identity  TEXT NOT NULL,
            server_name      TEXT NOT NULL DEFAULT '',
            tool             TEXT NOT NULL,
            arg_pattern      TEXT NOT NULL DEFAULT '',
            definition_hash  TEXT NOT NULL DEFAULT '',
            reason           TEXT NOT NULL DEFAULT '',
            created_by       TEXT NOT NULL DEFAULT 'human',
            created_at       REAL NOT NULL,
            revoked_at       REAL,
            CHECK ((kind = 'permission' AND action IS NOT NULL) OR (kind = 'classification' AND verdict IS NOT NULL))
        );
        CREATE INDEX decisions_by_server ON decisions (server_identity, revoked_at);

        CREATE TABLE audit (
            id               INTEGER PRIMARY KEY AUTOINCREMENT,
            ts               REAL NOT NULL,
            event            TEXT NOT NULL CHECK (event IN ('decision', 'result')),
            call_id          TEXT NOT NULL,
            session_id       TEXT NOT NULL DEFAULT '',
            agent            TEXT NOT NULL DEFAULT '',
            workspace        TEXT NOT NULL DEFAULT '',
            server           TEXT NOT NULL DEFAULT '',
            server_identity  TEXT NOT NULL DEFAULT '',
            tool             TEXT NOT NULL DEFAULT '',
            arguments        TEXT NOT NULL DEFAULT '{}',
            verdict          TEXT NOT NULL DEFAULT '',
            confidence       REAL,
            action           TEXT NOT NULL DEFAULT '',
            decider          TEXT NOT NULL DEFAULT '',
            rule_id          INTEGER,
            reason           TEXT NOT NULL DEFAULT '',
            result           TEXT NOT NULL DEFAULT '',
            error            TEXT NOT NULL DEFAULT '',
            duration_s       REAL
        );
        CREATE INDEX audit_by_time ON audit (ts);
        CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

        CREATE TABLE llm_classifications (
            definition_hash  TEXT NOT NULL,
            model            TEXT NOT NULL,
            verdict          TEXT NOT NULL CHECK (verdict IN ('reversible', 'irreversible')),
            confidence       REAL NOT NULL,
            reason           TEXT NOT NULL DEFAULT '',
            created_at       REAL NOT NULL,
            PRIMARY KEY (definition_hash, model)
        );
        """,
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version
