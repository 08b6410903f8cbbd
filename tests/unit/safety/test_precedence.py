"""Every precedence case of stored decisions (see massgen_tui.safety.decisions.PRECEDENCE)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from massgen_tui.safety import PRECEDENCE, Decision, DecisionStore, SafetyError, resolve

ID = "npx -y @modelcontextprotocol/server-filesystem /work"
WS = Path("/work/project")
HASH = "h1"
_next = iter(range(1, 1000))


def d(action: str, scope: str, *, key: str = "", tool: str = "write_file", pattern: dict[str, str] | None = None,
      identity: str = ID, h: str = "", revoked: bool = False, created: float = 0.0) -> Decision:
    if scope == "session" and not key:
        key = "S1"
    if scope == "workspace" and not key:
        key = str(WS)
    return Decision(id=next(_next), kind="permission", scope=scope, server_identity=identity, tool=tool,  # type: ignore[arg-type]
                    action=action, scope_key=key, arg_pattern=pattern or {}, definition_hash=h,  # type: ignore[arg-type]
                    created_at=created, revoked_at=1.0 if revoked else None)


def run(decisions: list[Decision], args: dict[str, Any] | None = None, *, workspace: Path = WS,
        session: str = "S1", tool: str = "write_file", identity: str = ID) -> Any:
    return resolve(decisions, server_identity=identity, tool=tool, arguments=args or {"path": "/work/project/a"},
                   definition_hash=HASH, session_id=session, workspace=workspace)


def test_no_decision() -> None:
    assert run([]).outcome == "none"


@pytest.mark.parametrize("deny_scope", ["session", "workspace", "user"])
@pytest.mark.parametrize("allow_scope", ["session", "workspace", "user"])
def test_a_deny_at_any_scope_wins(deny_scope: str, allow_scope: str) -> None:
    deny = d("deny", deny_scope)
    r = run([d("allow", allow_scope), deny])
    assert r.outcome == "deny" and r.rule == deny


def test_most_specific_allow_decides() -> None:
    user, ws, sess = d("allow", "user"), d("allow", "workspace"), d("allow", "session")
    assert run([user, ws, sess]).rule == sess
    assert run([user, ws]).rule == ws
    assert run([user]).rule == user


def test_deeper_workspace_is_more_specific() -> None:
    outer, inner = d("allow", "workspace", key="/work"), d("allow", "workspace", key="/work/project")
    assert run([outer, inner]).rule == inner
    assert run([outer]).rule == outer  # applies below its directory


def test_workspace_decision_does_not_apply_elsewhere() -> None:
    assert run([d("deny", "workspace")], workspace=Path("/elsewhere")).outcome == "none"
    assert run([d("deny", "workspace", key="/work/project")], workspace=Path("/work/projectX")).outcome == "none"


def test_session_decision_only_in_its_session() -> None:
    assert run([d("allow", "session", key="S1")], session="S2").outcome == "none"


def test_argument_pattern_narrows_and_is_more_specific() -> None:
    deny_etc = d("deny", "user", pattern={"path": "/etc/*"})
    assert run([deny_etc], {"path": "/etc/passwd"}).outcome == "deny"
    assert run([deny_etc], {"path": "/work/a"}).outcome == "none"
    assert run([deny_etc], {}).outcome == "none"  # the argument is missing: the pattern does not match
    plain, narrow = d("allow", "user"), d("allow", "user", pattern={"path": "/work/*"})
    assert run([plain, narrow], {"path": "/work/a"}).rule == narrow
    assert run([plain, narrow], {"path": "/tmp/a"}).rule == plain


def test_exact_tool_beats_glob_and_glob_matches() -> None:
    glob, exact = d("allow", "user", tool="write_*"), d("allow", "user", tool="write_file")
    assert run([glob, exact]).rule == exact
    assert run([glob]).rule == glob
    assert run([d("deny", "user", tool="*")]).outcome == "deny"


def test_newer_beats_older_at_equal_specificity() -> None:
    old, new = d("allow", "user", created=1.0), d("allow", "user", created=2.0)
    assert run([old, new]).rule == new


def test_revoked_and_other_servers_are_ignored() -> None:
    assert run([d("deny", "user", revoked=True)]).outcome == "none"
    # same tool name, different server command: not the same server
    assert run([d("deny", "user", identity="npx other-server")]).outcome == "none"


def test_stale_definitions_ask_again() -> None:
    assert run([d("allow", "user", h="old")]).outcome == "ask"
    assert run([d("allow", "user", h=HASH)]).outcome == "allow"
    assert run([d("deny", "user", h="old"), d("allow", "session")]).outcome == "ask"
    assert run([d("deny", "user", h="old"), d("deny", "session")]).outcome == "deny"
    # the answer to the re-ask: an allow for the current definition given after the old deny
    assert run([d("deny", "user", h="old", created=1.0), d("allow", "user", h=HASH, created=2.0)]).outcome == "allow"
    assert run([d("deny", "user", h="old", created=3.0), d("allow", "user", h=HASH, created=2.0)]).outcome == "ask"


def test_precedence_is_written_down() -> None:
    text = " ".join(PRECEDENCE)
    assert "deny at any scope wins" in text and "most specific" in text


async def test_store_validates_and_revokes(tmp_path: Path) -> None:
    async with await DecisionStore.open(tmp_path / "s.db") as store:
        with pytest.raises(SafetyError, match="workspace directory"):
            await store.add(kind="permission", scope="workspace", server_identity=ID, tool="x", action="allow")
        with pytest.raises(SafetyError, match="allow or deny"):
            await store.add(kind="permission", scope="user", server_identity=ID, tool="x", action="maybe")  # type: ignore[arg-type]
        added = await store.add(kind="permission", scope="workspace", scope_key=str(tmp_path), server_identity=ID,
                                tool="x", action="deny", arg_pattern={"path": "*.env"})
        assert (await store.for_server(ID))[0].arg_pattern == {"path": "*.env"}
        revoked = await store.revoke(added.id)
        assert revoked is not None and revoked.revoked_at is not None
        assert await store.for_server(ID) == []
        assert await store.revoke(added.id) is None
        assert len(await store.list(include_revoked=True)) == 1
