"""The safety tables of the store: decisions, classification overrides, the audit log, the LLM cache.

Reads for the gate are cached in memory and revalidated with ``PRAGMA data_version`` (which changes
when anything is committed, here or in another process), so a deny added from another window takes
effect on the next call.
Audit entries are queued and written in batches by a background task (at most
``AUDIT_BATCH_WINDOW_S`` after they are recorded); :meth:`flush` and :meth:`close` write what is
pending, and a deny is flushed before the agent hears about it.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from massgen_tui.safety.classification import LLMVerdict, Verdict
from massgen_tui.safety.decisions import Action, Decision, DecisionKind, StoredScope
from massgen_tui.safety.errors import SafetyError
from massgen_tui.safety.redaction import redact
from massgen_tui.store import Database

AUDIT_BATCH_WINDOW_S = 0.025  # how long a queued audit entry waits for others (denies are flushed at once)

_DECISION_COLUMNS = (
    "id, kind, action, verdict, scope, scope_key, server_identity, server_name, tool, arg_pattern, "
    "definition_hash, reason, created_by, created_at, revoked_at"
)


@dataclass(frozen=True)
class AuditEntry:
    """One line of the append-only audit log: a decision about a call, or the call's result."""

    event: str  # "decision" | "result"
    call_id: str
    server: str = ""
    server_identity: str = ""
    tool: str = ""
    arguments: Mapping[str, Any] = field(default_factory=dict)  # already redacted
    verdict: str = ""
    confidence: float | None = None
    action: str = ""  # allow | deny (decision) ; empty for results
    decider: str = ""  # human | stored-rule | policy | timeout
    rule_id: int | None = None
    reason: str = ""
    result: str = ""  # ok | tool_error | error | denied | timeout | cancelled
    error: str = ""
    duration_s: float | None = None
    session_id: str = ""
    agent: str = ""
    workspace: str = ""
    ts: float = 0.0
    id: int = 0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["arguments"] = dict(self.arguments)
        return data


def _decision_from_row(row: Any) -> Decision:
    pattern = json.loads(row["arg_pattern"]) if row["arg_pattern"] else {}
    return Decision(
        id=row["id"], kind=row["kind"], scope=row["scope"], server_identity=row["server_identity"],
        tool=row["tool"], action=row["action"], verdict=row["verdict"], scope_key=row["scope_key"],
        server_name=row["server_name"], arg_pattern=pattern, definition_hash=row["definition_hash"],
        reason=row["reason"], created_by=row["created_by"], created_at=row["created_at"],
        revoked_at=row["revoked_at"],
    )


class DecisionStore:
    """Decisions, overrides, audit and LLM cache on one :class:`massgen_tui.store.Database`."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._cache: dict[str, list[Decision]] = {}
        self._cache_version: int | None = None
        self._pending: list[AuditEntry] = []
        self._flusher: asyncio.Task[None] | None = None
        self._flush_lock = asyncio.Lock()
        self.last_error: str | None = None

    @classmethod
    async def open(cls, path: str | os.PathLike[str] | None = None) -> DecisionStore:
        return cls(await Database.open(path))

    @property
    def path(self) -> Path:
        return self.db.path

    async def close(self) -> None:
        """Write what is queued, then close. Raises StoreError if queued entries cannot be written."""
        if self.db.closed:
            return
        try:
            await self.flush()
        finally:
            await self.db.close()

    async def __aenter__(self) -> DecisionStore:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ---------------------------------------------------------------------------- decisions
    async def add(
        self,
        *,
        kind: DecisionKind,
        scope: StoredScope,
        server_identity: str,
        tool: str,
        action: Action | None = None,
        verdict: Verdict | None = None,
        scope_key: str = "",
        server_name: str = "",
        arg_pattern: Mapping[str, str] | None = None,
        definition_hash: str = "",
        reason: str = "",
        created_by: str = "human",
    ) -> Decision:
        if scope not in ("session", "workspace", "user"):
            raise SafetyError(f"scope must be session, workspace or user to be stored, not {scope!r}")
        if not server_identity:
            raise SafetyError("a decision needs the server's identity (its command and args, or its URL)")
        if not tool:
            raise SafetyError("a decision needs a tool name (or a glob such as '*')")
        if kind == "permission" and action not in ("allow", "deny"):
            raise SafetyError(f"a permission decision is allow or deny, not {action!r}")
        if kind == "classification" and verdict not in ("reversible", "irreversible"):
            raise SafetyError(f"a classification override is reversible or irreversible, not {verdict!r}")
        if scope == "workspace":
            if not scope_key:
                raise SafetyError("a workspace decision needs the workspace directory")
            scope_key = str(Path(scope_key).expanduser().resolve())
        if scope == "session" and not scope_key:
            raise SafetyError("a session decision needs the session id")
        if scope == "user":
            scope_key = ""
        now = time.time()
        pattern_json = json.dumps(dict(arg_pattern), sort_keys=True) if arg_pattern else ""
        new_id = await self.db.execute(
            "INSERT INTO decisions (kind, action, verdict, scope, scope_key, server_identity, server_name, tool, "
            "arg_pattern, definition_hash, reason, created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (kind, action if kind == "permission" else None, verdict if kind == "classification" else None, scope,
             scope_key, server_identity, server_name, tool, pattern_json, definition_hash, reason, created_by, now),
        )
        self._cache.clear()
        return Decision(new_id, kind, scope, server_identity, tool, action if kind == "permission" else None,
                        verdict if kind == "classification" else None, scope_key, server_name, dict(arg_pattern or {}),
                        definition_hash, reason, created_by, now)

    async def revoke(self, decision_id: int) -> Decision | None:
        """Mark a decision revoked (kept for the record). Returns it, or None if no active one has that id."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE decisions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (time.time(), decision_id)
            )
            changed = cursor.rowcount
        self._cache.clear()
        if not changed:
            return None
        row = await self.db.fetchone(f"SELECT {_DECISION_COLUMNS} FROM decisions WHERE id = ?", (decision_id,))
        return _decision_from_row(row) if row else None

    async def end_session(self, session_id: str) -> int:
        """Revoke the session-scope decisions of a finished session; returns how many."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE decisions SET revoked_at = ? WHERE scope = 'session' AND scope_key = ? AND revoked_at IS NULL",
                (time.time(), session_id),
            )
            count = cursor.rowcount
        self._cache.clear()
        return int(count)

    async def list(
        self, *, include_revoked: bool = False, server_identity: str | None = None, kind: DecisionKind | None = None
    ) -> list[Decision]:
        where, params = [], []
        if not include_revoked:
            where.append("revoked_at IS NULL")
        if server_identity is not None:
            where.append("server_identity = ?")
            params.append(server_identity)
        if kind is not None:
            where.append("kind = ?")
            params.append(kind)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        rows = await self.db.fetchall(f"SELECT {_DECISION_COLUMNS} FROM decisions{clause} ORDER BY id", params)
        return [_decision_from_row(r) for r in rows]

    async def for_server(self, server_identity: str) -> list[Decision]:
        """Active decisions of one server, cached until this or another process changes the table."""
        version = self.db.data_version()  # our own commits change it too (audit batches): a re-read then
        if version != self._cache_version:
            self._cache.clear()
            self._cache_version = version
        cached = self._cache.get(server_identity)
        if cached is None:
            cached = self._cache[server_identity] = await self.list(server_identity=server_identity)
        return cached

    # -------------------------------------------------------------------------------- audit
    def record(self, entry: AuditEntry) -> None:
        """Queue an audit entry; a background task writes the queue in one transaction."""
        if not entry.ts:
            entry = AuditEntry(**{**asdict(entry), "ts": time.time()})
        self._pending.append(entry)
        if self._flusher is None or self._flusher.done():
            try:
                self._flusher = asyncio.get_running_loop().create_task(self._background_flush())
            except RuntimeError:  # no loop: the next flush() writes it
                self._flusher = None

    async def _background_flush(self) -> None:
        try:
            # entries recorded meanwhile join this batch: one transaction for many calls, not two per call
            # (a transaction is three trips to the database thread; per call they cost ~0.6 ms here)
            await asyncio.sleep(AUDIT_BATCH_WINDOW_S)
            await self.flush()
        except Exception as exc:  # kept queued; the next flush retries, close() raises
            self.last_error = f"audit log not written yet: {exc}"

    async def flush(self) -> None:
        """Write queued audit entries. On failure they stay queued (nothing is dropped) and it raises."""
        async with self._flush_lock:
            while self._pending:
                batch, self._pending = self._pending, []
                try:
                    await self._write_audit(batch)
                except BaseException:
                    self._pending[:0] = batch
                    raise
            self.last_error = None

    async def _write_audit(self, batch: list[AuditEntry]) -> None:
        if not batch:
            return
        await self.db.execute_many(
            "INSERT INTO audit (ts, event, call_id, session_id, agent, workspace, server, server_identity, "
            "tool, arguments, verdict, confidence, action, decider, rule_id, reason, result, error, "
            "duration_s) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (e.ts, e.event, e.call_id, e.session_id, e.agent, e.workspace, e.server, e.server_identity,
                 e.tool, json.dumps(redact(dict(e.arguments)), sort_keys=True, default=str), e.verdict,
                 e.confidence, e.action, e.decider, e.rule_id, e.reason, e.result, e.error, e.duration_s)
                for e in batch
            ],
        )


    async def audit(
        self, *, since: float | None = None, call_id: str | None = None, limit: int | None = 1000
    ) -> list[AuditEntry]:
        await self.flush()
        where, params = [], []
        if since is not None:
            where.append("ts >= ?")
            params.append(since)
        if call_id is not None:
            where.append("call_id = ?")
            params.append(call_id)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        tail = f" LIMIT {int(limit)}" if limit else ""
        rows = await self.db.fetchall(f"SELECT * FROM audit{clause} ORDER BY id{tail}", params)
        return [
            AuditEntry(
                event=r["event"], call_id=r["call_id"], server=r["server"], server_identity=r["server_identity"],
                tool=r["tool"], arguments=json.loads(r["arguments"] or "{}"), verdict=r["verdict"],
                confidence=r["confidence"], action=r["action"], decider=r["decider"], rule_id=r["rule_id"],
                reason=r["reason"], result=r["result"], error=r["error"], duration_s=r["duration_s"],
                session_id=r["session_id"], agent=r["agent"], workspace=r["workspace"], ts=r["ts"], id=r["id"],
            )
            for r in rows
        ]

    # ---------------------------------------------------------------------------- LLM cache
    async def cached_llm(self, hashes: Iterable[str], model: str) -> dict[str, LLMVerdict]:
        keys = list(dict.fromkeys(hashes))
        if not keys:
            return {}
        marks = ",".join("?" for _ in keys)
        rows = await self.db.fetchall(
            f"SELECT definition_hash, verdict, confidence, reason FROM llm_classifications "
            f"WHERE model = ? AND definition_hash IN ({marks})",
            [model, *keys],
        )
        return {r["definition_hash"]: LLMVerdict(r["verdict"], r["confidence"], r["reason"], model) for r in rows}

    async def cache_llm(self, answers: Mapping[str, LLMVerdict], model: str) -> None:
        now = time.time()
        await self.db.execute_many(
            "INSERT OR REPLACE INTO llm_classifications (definition_hash, model, verdict, confidence, reason, "
            "created_at) VALUES (?,?,?,?,?,?)",
            [(h, model, v.verdict, v.confidence, v.reason, now) for h, v in answers.items()],
        )
