"""Each migration on its own: small, idempotent, comment-keeping."""

from __future__ import annotations

from pathlib import Path

from massgen_tui.config import ConfigDocument, validate_text
from massgen_tui.config.migration import MIGRATIONS, migrate_document


def test_display_section_moves_to_ui() -> None:
    doc = ConfigDocument.from_text("agent: {id: a, backend: {type: openai}}\n# display settings\n"
                                   "display:\n  type: simple  # plain output\n  logging_enabled: true\n")
    report = migrate_document(doc)
    text = report.after
    again = ConfigDocument.from_text(text)
    assert again.get("ui.display_type") == "simple" and again.get("display") is None
    assert "# display settings" in text
    assert validate_text(text, environ={}).diagnostics == []


def test_ui_type_rename_keeps_its_comment_and_place() -> None:
    doc = ConfigDocument.from_text("agent: {id: a, backend: {type: openai}}\nui:\n  type: rich_terminal  # old\n"
                                   "  logging_enabled: true\n")
    report = migrate_document(doc)
    lines = report.after.splitlines()
    index = next(i for i, line in enumerate(lines) if "display_type: rich_terminal" in line)
    assert "# old" in lines[index] and lines[index + 1] == "  logging_enabled: true"


def test_security_level_sse_and_grok() -> None:
    doc = ConfigDocument.from_text(
        "agents:\n  - id: g\n    backend:\n      type: grok\n      extra_body:\n        search_parameters: {mode: auto}\n"
        "      mcp_servers:\n        - name: s\n          type: sse\n          url: https://h/sse\n"
        "          security: {level: high}\n")
    report = migrate_document(doc)
    again = ConfigDocument.from_text(report.after)
    assert again.get("agents[0].backend.enable_web_search") is True
    assert again.get("agents[0].backend.extra_body") is None
    assert again.get("agents[0].backend.mcp_servers[0].type") == "streamable-http"
    assert again.get("agents[0].backend.mcp_servers[0].security.level") == "strict"
    assert validate_text(report.after, environ={}).diagnostics == []


def test_migrations_are_idempotent_and_ordered() -> None:
    assert [m.to_version for m in MIGRATIONS] == sorted(m.to_version for m in MIGRATIONS)
    doc = ConfigDocument.from_text("agent: {id: a, backend: {type: openai}}\nui: {type: simple}\n")
    first = migrate_document(doc)
    second = migrate_document(ConfigDocument.from_text(first.after))
    assert first.changed and not second.changed


def test_every_corpus_config_migrates_cleanly(corpus_dir: Path) -> None:
    """Migrated corpus configs: still zero errors, no legacy warnings left, comments kept."""
    from tests.unit.config.test_document import _block_comments

    for path in sorted((corpus_dir / "massgen-configs").rglob("*.yaml")):
        text = path.read_text()
        report = migrate_document(ConfigDocument.from_text(text, path))
        after = validate_text(report.after, environ={})
        assert after.valid, (path, [d.format() for d in after.errors])
        leftover = {d.code for d in after.warnings} & {"legacy-key", "mcp-security-level", "deprecated", "mcp-sse"}
        assert not leftover, (path, leftover)
        assert ConfigDocument.from_text(report.after).get("config_version") == 2
        kept = report.after
        lost = [c for c in _block_comments(text) if c not in kept]
        # the Grok migration removes a search_parameters block: its own comments go with it
        assert not lost or "grok" in path.name, (path, lost)
