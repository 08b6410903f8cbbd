"""Every real MassGen config in the corpus validates with zero errors; warnings are the useful ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from massgen_tui.config import ConfigDocument, validate_file, validate_text

CWD_WITHOUT_ORCHESTRATOR = {
    "tools/filesystem/claude_code_flash2.5.yaml",
    "tools/filesystem/claude_code_flash2.5_gptoss.yaml",
    "tools/mcp/claude_code_discord_mcp_example.yaml",
    "tools/mcp/claude_code_simple_mcp.yaml",
    "tools/mcp/claude_code_twitter_mcp_example.yaml",
    "tools/mcp/gpt5mini_claude_code_discord_mcp_example.yaml",
}


def _configs(corpus_dir: Path) -> list[Path]:
    return sorted((corpus_dir / "massgen-configs").rglob("*.yaml"))


def test_corpus_has_118_configs(corpus_dir: Path) -> None:
    assert len(_configs(corpus_dir)) == 118


def test_every_corpus_config_has_zero_errors(corpus_dir: Path) -> None:
    failures = []
    for path in _configs(corpus_dir):
        result = validate_file(path, environ={})
        failures.extend(d.format(str(path)) for d in result.errors)
    assert not failures, "\n".join(failures)


def test_exactly_the_six_cwd_configs_warn(corpus_dir: Path) -> None:
    warned = set()
    for path in _configs(corpus_dir):
        result = validate_file(path, environ={})
        if result.by_code("cwd-without-orchestrator"):
            warned.add(str(path.relative_to(corpus_dir / "massgen-configs")))
    assert warned == CWD_WITHOUT_ORCHESTRATOR


def test_no_unknown_key_or_internal_warnings_on_corpus(corpus_dir: Path) -> None:
    noisy = []
    for path in _configs(corpus_dir):
        for d in validate_file(path, environ={}).diagnostics:
            if d.code in {"unknown-key", "internal", "type", "invalid"}:
                noisy.append(d.format(str(path)))
    assert not noisy, "\n".join(noisy)


def test_placeholders_warn_only_when_unset(corpus_dir: Path) -> None:
    path = corpus_dir / "massgen-configs" / "tools/mcp/claude_code_discord_mcp_example.yaml"
    unset = validate_file(path, environ={}).by_code("env-unset")
    assert {d.location for d in unset} >= {"agent.backend.mcp_servers.discord.args[3]"}
    names = {"DISCORD_BOT_TOKEN": "x", "NOTION_TOKEN_ONE": "y"}
    assert not validate_file(path, environ=names).by_code("env-unset")


@pytest.mark.parametrize("name", ["basic/single/single_agent.yaml", "tools/mcp/five_agents_weather_mcp_test.yaml"])
def test_every_diagnostic_line_is_inside_the_file(corpus_dir: Path, name: str) -> None:
    doc = ConfigDocument.from_text((corpus_dir / "massgen-configs" / name).read_text())
    doc.set_value("zzz_unknown", 1)
    doc.set_value("ui.display_type", "fancy")
    text = doc.to_text()
    result = validate_text(text, environ={})
    assert {d.code for d in result.diagnostics} >= {"unknown-key", "ui-display-type"}
    lines = text.splitlines()
    for d in result.diagnostics:
        assert d.line is not None and 1 <= d.line <= len(lines)
        assert d.location.split(".")[-1].split("[")[0] in lines[d.line - 1] or d.code == "env-unset"
