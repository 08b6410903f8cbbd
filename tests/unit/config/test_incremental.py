"""The incremental validator re-parses only the block that changed and answers like a full parse."""

from __future__ import annotations

from pathlib import Path

from massgen_tui.config import IncrementalValidator, validate_text


def test_one_edit_reparses_one_block(corpus_dir: Path) -> None:
    text = (corpus_dir / "massgen-configs" / "tools/mcp/five_agents_weather_mcp_test.yaml").read_text()
    validator = IncrementalValidator(environ={})
    first = validator.validate(text)
    parsed_once = validator.block_parses
    assert validator.full_parses == 0 and parsed_once >= 6  # five agents + ui (+ orchestrator ...)
    edited = text.replace('model: "gpt-4o-mini"', 'model: "gpt-5"', 1)
    assert validator.validate(edited).diagnostics == validate_text(edited, environ={}).diagnostics
    assert validator.block_parses == parsed_once + 1
    assert first.diagnostics == validate_text(text, environ={}).diagnostics


def test_inserted_line_shifts_positions_of_later_blocks(corpus_dir: Path) -> None:
    text = (corpus_dir / "massgen-configs" / "tools/mcp/five_agents_weather_mcp_test.yaml").read_text()
    validator = IncrementalValidator(environ={})
    validator.validate(text)
    broken = text.replace('display_type: "rich_terminal"', 'display_type: "rich"')
    shifted = broken.replace('agents:\n', 'agents:\n  # a new comment line\n', 1)
    result = validator.validate(shifted)
    assert result.diagnostics == validate_text(shifted, environ={}).diagnostics
    [diagnostic] = result.by_code("ui-display-type")
    assert 'display_type: "rich"' in shifted.splitlines()[diagnostic.line - 1]


def test_syntax_error_then_fix(corpus_dir: Path) -> None:
    text = (corpus_dir / "massgen-configs" / "basic/multi/three_agents_default.yaml").read_text()
    validator = IncrementalValidator(environ={})
    broken = text.replace("backend:", "backend: [", 1)
    assert validator.validate(broken).by_code("yaml-syntax")
    assert validator.validate(text).valid
