"""The config subcommands through the real CLI entry point (exit codes, output shapes, files)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from massgen_tui.cli import main
from massgen_tui.config import load_document, validate_file

GOOD = "basic/single/single_agent.yaml"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_valid_file_exits_0(corpus_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "validate", str(corpus_dir / "massgen-configs" / GOOD))
    assert code == 0 and "valid" in out


def test_validate_text_format_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("agent:\n  id: a\n  backend:\n    type: opnai\n    model: gpt-4o\n")
    code, out, _ = _run(capsys, "validate", str(config))
    assert code == 1
    assert out.strip() == (f"{config}:4:5: error: agent.backend.type: 'opnai' is not a valid type "
                           "(did you mean 'openai'?)")


def test_validate_json_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("agent:\n  id: a\n  backend:\n    type: openai\n    temprature: 1\n")
    code, out, _ = _run(capsys, "validate", "--json", str(config))
    assert code == 0  # a warning only
    payload = json.loads(out)
    assert payload["valid"] is True
    [entry] = payload["files"]
    assert entry["file"] == str(config) and entry["valid"] is True
    assert (entry["error_count"], entry["warning_count"]) == (0, 1)
    [warning] = entry["warnings"]
    assert {k: warning[k] for k in ("location", "line", "column", "suggestion")} == {
        "location": "agent.backend.temprature", "line": 5, "column": 5, "suggestion": "did you mean 'temperature'?"}
    assert warning["message"]


def test_strict_makes_warnings_fail(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("agent:\n  id: a\n  backend: {type: openai, temprature: 1}\n")
    assert _run(capsys, "validate", "--strict", str(config))[0] == 1
    code, out, _ = _run(capsys, "validate", "--strict", "--json", str(config))
    assert code == 1 and json.loads(out)["valid"] is False


def test_unreadable_file_exits_2_and_syntax_error_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "validate", str(tmp_path / "missing.yaml"))
    assert code == 2 and "file not found" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text("agent: [\n")
    code, out, _ = _run(capsys, "validate", str(bad))
    assert code == 1 and out.startswith(f"{bad}:2:")
    assert _run(capsys, "validate")[0] == 2  # usage error: no file


def test_validate_subprocess_imports_no_heavy_modules(corpus_dir: Path) -> None:
    code = ("import sys; from massgen_tui.cli import main; rc = main(['validate', sys.argv[1]]);"
            "heavy = {m.split('.')[0] for m in sys.modules} & {'textual', 'docker', 'mcp', 'aiosqlite', 'httpx'};"
            "print(sorted(heavy)); sys.exit(rc)")
    result = subprocess.run([sys.executable, "-c", code, str(corpus_dir / "massgen-configs" / GOOD)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("[]")


def test_migrate_dry_run_then_write_keeps_comments(corpus_dir: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    source = corpus_dir / "massgen-configs" / "tools/filesystem/fs_permissions_test.yaml"
    config = tmp_path / "team.yaml"
    config.write_text(source.read_text())
    before = config.read_text()
    assert "type:" in before.split("ui:")[1]
    code, out, _ = _run(capsys, "migrate", str(config))
    assert code == 0 and "+config_version: 2" in out and "-  type:" in out
    assert config.read_text() == before  # dry run writes nothing
    code, _, err = _run(capsys, "migrate", "--write", str(config))
    assert code == 0 and "wrote" in err
    after = load_document(config)
    assert after.get("config_version") == 2 and after.get("ui.display_type") == "rich_terminal"
    assert after.get("ui.type") is None
    assert [line for line in before.splitlines() if line.startswith("#")] == \
           [line for line in after.text.splitlines() if line.startswith("#")]
    assert not validate_file(config, environ={}).by_code("legacy-key")
    code, out, _ = _run(capsys, "migrate", str(config))
    assert code == 0 and "nothing to change" in out


def test_export_redacts_secrets_unless_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(
        "agent:\n  id: a\n  backend:\n    type: chatcompletion\n    base_url: http://h/v1\n    model: m\n"
        "    api_key: sk-secret-123\n    mcp_servers:\n      - name: api\n        type: streamable-http\n"
        "        url: https://h/mcp\n        headers: {Authorization: Bearer tok-456, X-Trace: yes}\n"
        "      - name: gh\n        command: npx\n        env: {GITHUB_TOKEN: ghp_789, PLAIN: ok, REF: '${GITHUB_TOKEN}'}\n")
    for fmt in ("yaml", "json", "toml"):
        code, out, _ = _run(capsys, "export", "--format", fmt, str(config))
        assert code == 0
        for secret in ("sk-secret-123", "tok-456", "ghp_789"):
            assert secret not in out, (fmt, secret)
        assert "***REDACTED***" in out and "ok" in out and "${GITHUB_TOKEN}" in out
    code, out, _ = _run(capsys, "export", "--format", "json", "--include-secrets", str(config))
    data = json.loads(out)
    assert data["agent"]["backend"]["api_key"] == "sk-secret-123"


def test_schema_is_json_schema_with_our_keys(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "schema")
    schema = json.loads(out)
    assert code == 0 and schema["$schema"].startswith("https://json-schema.org/")
    backend = schema["$defs"]["Backend"]["properties"]
    assert "command_line_docker_pids_limit" in backend and "enum" in json.dumps(backend["type"])
    assert "safety" in schema["properties"]


def test_presets_init_and_overwrite_refusal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "presets")
    names = {line.split()[0] for line in out.splitlines()}
    assert {"single", "multi", "coding_docker", "research_mcp", "local_openai_compatible"} <= names
    target = tmp_path / "new.yaml"
    for name in sorted(names):
        code, _, err = _run(capsys, "init", "--preset", name, "-o", str(target), "--force")
        assert code == 0, err
        result = validate_file(target, environ={})
        assert result.valid and not result.warnings, [d.format() for d in result.diagnostics]
    code, _, err = _run(capsys, "init", "--preset", "single", "-o", str(target))
    assert code == 2 and "--force" in err
    code, _, err = _run(capsys, "init", "--preset", "singel", "-o", str(tmp_path / "o.yaml"))
    assert code == 2 and "did you mean 'single'" in err
