"""What the container sees of the host: workspace, context paths, protected paths, ownership."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from massgen_tui.docker import ContainerRuntime, DockerSettingsError
from tests.support.requirements import need

pytestmark = pytest.mark.docker


async def test_workspace_files_belong_to_the_host_owner(runtime: ContainerRuntime, settings_for: Any,
                                                        tmp_path: Path) -> None:
    need(os.geteuid() == 0, "root, to give a folder to another uid (chown 1234:1234)")
    workspace = tmp_path / "ws"
    workspace.mkdir()
    os.chown(workspace, 1234, 1234)
    result = await runtime.exec("a", "pwd; id -u; echo $HOME; mkdir sub && echo hi > sub/made.txt && echo ok",
                                settings=settings_for(cwd=str(workspace)))
    assert result.ok, result.stderr
    pwd, uid, home, ok = result.stdout.split()
    assert pwd == str(workspace) and uid == "1234" and home == "/home/massgen" and ok == "ok"
    made = workspace / "sub" / "made.txt"
    assert made.read_text() == "hi\n"
    assert (made.stat().st_uid, made.stat().st_gid) == (1234, 1234)
    assert ((workspace / "sub").stat().st_uid, (workspace / "sub").stat().st_gid) == (1234, 1234)


async def test_read_only_context_path_cannot_be_written(runtime: ContainerRuntime, settings_for: Any,
                                                        tmp_path: Path) -> None:
    context = tmp_path / "docs"
    context.mkdir()
    (context / "readme.txt").write_text("original\n")
    settings = settings_for(context_paths=[{"path": str(context), "permission": "read"}])
    result = await runtime.exec(
        "a", f"cat {context}/readme.txt; echo changed > {context}/readme.txt; echo w=$?; touch {context}/new; echo t=$?",
        settings=settings)
    assert result.stdout.startswith("original\n")
    assert "w=0" not in result.stdout and "t=0" not in result.stdout
    assert "Read-only file system" in result.stderr
    assert (context / "readme.txt").read_text() == "original\n"
    assert not (context / "new").exists()


async def test_writable_context_keeps_protected_paths_read_only(runtime: ContainerRuntime, settings_for: Any,
                                                                tmp_path: Path) -> None:
    context = tmp_path / "site"
    context.mkdir()
    (context / "index.html").write_text("<h1>keep</h1>\n")
    (context / "styles.css").write_text("a{}\n")
    settings = settings_for(context_paths=[{"path": str(context), "permission": "write",
                                            "protected_paths": ["index.html"]}])
    result = await runtime.exec(
        "a", f"echo 'b{{}}' > {context}/styles.css; echo s=$?; echo x > {context}/index.html; echo i=$?",
        settings=settings)
    assert "s=0" in result.stdout and "i=0" not in result.stdout
    assert (context / "styles.css").read_text() == "b{}\n"
    assert (context / "index.html").read_text() == "<h1>keep</h1>\n"


def test_docker_socket_and_system_folders_are_refused(settings_for: Any, tmp_path: Path) -> None:
    from massgen_tui.docker.mounts import plan_mounts

    for dangerous in ("/var/run", "/run", "/", "/etc"):
        settings = settings_for(context_paths=[{"path": dangerous, "permission": "read"}])
        with pytest.raises(DockerSettingsError) as caught:
            plan_mounts(settings)
        assert "refusing to mount" in str(caught.value)
        assert "context_paths[0].path" in str(caught.value)
    if Path("/var/run/docker.sock").exists():
        settings = settings_for(context_paths=[{"path": "/var/run/docker.sock"}])
        with pytest.raises(DockerSettingsError, match="socket"):
            plan_mounts(settings)


async def test_refused_mount_stops_before_any_container(runtime: ContainerRuntime, settings_for: Any,
                                                        docker_client: Any) -> None:
    from massgen_tui.docker.sessions import SESSION

    settings = settings_for(cwd="/var/run")
    with pytest.raises(DockerSettingsError, match="cwd: refusing to mount"):
        await runtime.exec("a", "true", settings=settings)
    assert not docker_client.api.containers(all=True, filters={"label": f"{SESSION}={runtime.session.session_id}"})


def test_protected_path_escaping_its_context_is_refused(settings_for: Any, tmp_path: Path) -> None:
    context = tmp_path / "ctx"
    context.mkdir()
    (tmp_path / "secret").write_text("x")
    with pytest.raises(DockerSettingsError, match=r"protected_paths\[0\]: '../secret' escapes"):
        settings_for(context_paths=[{"path": str(context), "permission": "write", "protected_paths": ["../secret"]}])
