"""Properties that must hold for any stored decisions and any arguments (hypothesis)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from massgen_tui.safety import Decision, resolve
from massgen_tui.safety.redaction import REDACTED, redact

ID = "srv"
WS = Path("/w/p")

decisions = st.builds(
    Decision,
    id=st.integers(1, 10_000),
    kind=st.just("permission"),
    scope=st.sampled_from(["session", "workspace", "user"]),
    server_identity=st.sampled_from([ID, "other"]),
    tool=st.sampled_from(["t", "t*", "*", "u"]),
    action=st.sampled_from(["allow", "deny"]),
    scope_key=st.sampled_from(["S1", "S2", "/w", "/w/p", "/x", ""]),
    arg_pattern=st.sampled_from([{}, {"path": "/w/*"}, {"path": "/etc/*"}]),
    definition_hash=st.sampled_from(["", "h", "old"]),
    created_at=st.floats(0, 100),
    revoked_at=st.sampled_from([None, None, 5.0]),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(decisions, max_size=8), st.sampled_from(["/w/a", "/etc/passwd"]))
def test_a_matching_current_deny_always_wins(ds: list[Decision], path: str) -> None:
    r = resolve(ds, server_identity=ID, tool="t", arguments={"path": path}, definition_hash="h",
                session_id="S1", workspace=WS)
    fresh_denies = [d for d in r.considered if d.action == "deny" and d.definition_hash in ("", "h")]
    if fresh_denies:
        assert r.outcome == "deny"
    if r.outcome == "allow":
        assert r.rule is not None and r.rule.action == "allow" and not fresh_denies
        # a stale deny is asked again; only an allow given later for the current definition answers it
        assert all(r.rule.created_at > d.created_at for d in r.stale if d.action == "deny")
    for d in r.considered:  # only this server's, active, applicable decisions are considered
        assert d.server_identity == ID and d.revoked_at is None


secret_keys = st.sampled_from(["api_key", "API-KEY", "token", "password", "Authorization", "client_secret",
                               "access_token", "private_key"])


@given(st.dictionaries(secret_keys, st.text(min_size=1, max_size=30).filter(lambda s: s not in ("",)), min_size=1),
       st.text(max_size=20))
def test_secret_keys_are_always_redacted(secrets: dict[str, str], other: str) -> None:
    out = redact({**secrets, "nested": [{"inner": secrets}], "plain": other})
    for key in secrets:
        assert out[key] == REDACTED
        assert out["nested"][0]["inner"][key] == REDACTED
