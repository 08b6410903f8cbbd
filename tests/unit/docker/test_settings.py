from __future__ import annotations

from pathlib import Path

import pytest

from massgen_tui.docker import DockerSettings, DockerSettingsError
from massgen_tui.docker.settings import DEFAULT_IMAGE


def test_defaults_are_safe() -> None:
    settings = DockerSettings.from_backend({})
    assert settings.image == DEFAULT_IMAGE and settings.network_mode == "none"
    assert settings.pids_limit == 512 and settings.timeout_s == 120 and not settings.read_only_root
    assert settings.memory_limit is None and settings.workspace is None


def test_reads_massgen_and_own_keys(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    settings = DockerSettings.from_backend({
        "cwd": "ws", "command_line_docker_dockerfile": "Dockerfile", "command_line_docker_memory_limit": "1.5g",
        "command_line_docker_cpu_limit": 1, "command_line_docker_network_mode": "bridge",
        "command_line_docker_pids_limit": 64, "command_line_docker_disk_limit": "512m",
        "command_line_docker_read_only_root": True, "command_line_docker_timeout": 30,
        "command_line_docker_build_args": {"A": 1}, "command_line_allowed_commands": "^ls",
    }, base_dir=tmp_path, cwd_base=tmp_path)
    assert settings.dockerfile == (tmp_path / "Dockerfile").resolve()
    assert settings.workspace == (tmp_path / "ws").resolve()
    assert settings.memory_limit == int(1.5 * 1024**3) and settings.disk_limit == 512 * 1024**2
    assert settings.cpu_limit == 1.0 and settings.pids_limit == 64 and settings.timeout_s == 30
    assert settings.build_args == {"A": "1"} and settings.allowed_commands == ("^ls",)


def test_every_problem_is_reported_with_its_key() -> None:
    with pytest.raises(DockerSettingsError) as caught:
        DockerSettings.from_backend({
            "command_line_docker_network_mode": "wide", "command_line_docker_memory_limit": "lots",
            "command_line_docker_cpu_limit": -1, "command_line_docker_pids_limit": 0,
            "command_line_docker_template": "rust", "command_line_blocked_commands": ["(unclosed"],
            "command_line_docker_read_only_root": "yes", "command_line_docker_timeout": 0,
        })
    text = str(caught.value)
    for key in ("command_line_docker_network_mode", "command_line_docker_memory_limit",
                "command_line_docker_cpu_limit", "command_line_docker_pids_limit", "command_line_docker_template",
                "command_line_blocked_commands[0]", "command_line_docker_read_only_root", "command_line_docker_timeout"):
        assert f"{key}:" in text, key
    assert caught.value.key == "command_line_docker_template"  # the first problem found


def test_memory_below_the_engine_minimum_and_cpus_over_the_host() -> None:
    with pytest.raises(DockerSettingsError, match="memory_limit: must be at least 6m"):
        DockerSettings.from_backend({"command_line_docker_memory_limit": "1m"})
    with pytest.raises(DockerSettingsError, match=r"cpu_limit: .* CPUs asked but this machine has"):
        DockerSettings.from_backend({"command_line_docker_cpu_limit": 4096})


def test_image_and_build_are_exclusive(tmp_path: Path) -> None:
    with pytest.raises(DockerSettingsError, match="set only one of"):
        DockerSettings.from_backend({"command_line_docker_image": "x", "command_line_docker_template": "python"})
    with pytest.raises(DockerSettingsError, match="no Dockerfile at"):
        DockerSettings.from_backend({"command_line_docker_dockerfile": "nope/Dockerfile"}, base_dir=tmp_path)


def test_context_paths_and_protected_paths(tmp_path: Path) -> None:
    (tmp_path / "ctx").mkdir()
    (tmp_path / "ctx" / "keep.txt").write_text("x")
    settings = DockerSettings.from_backend({"context_paths": [{"path": "ctx"}]}, cwd_base=tmp_path, context_paths=[
        {"path": str(tmp_path / "ctx"), "permission": "write", "protected_paths": ["keep.txt"]}])
    first, second = settings.context_paths
    assert first.writable and first.protected == ((tmp_path / "ctx" / "keep.txt").resolve(),)
    assert not second.writable
    with pytest.raises(DockerSettingsError, match=r"orchestrator.context_paths\[0\].path: .* does not exist"):
        DockerSettings.from_backend({}, context_paths=[{"path": str(tmp_path / "missing")}])
    with pytest.raises(DockerSettingsError, match="permission: must be 'read' or 'write'"):
        DockerSettings.from_backend({}, context_paths=[{"path": str(tmp_path), "permission": "all"}])


def test_credentials_env_vars_pass_only_named_host_variables() -> None:
    settings = DockerSettings.from_backend({"command_line_docker_credentials": {"env_vars": ["TOKEN", "UNSET"]}},
                                           environ={"TOKEN": "t", "OTHER": "o"})
    assert settings.environment == {"TOKEN": "t"}
    assert any("UNSET is not set" in w for w in settings.warnings)
