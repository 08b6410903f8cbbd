"""What a container sees of the host: bind mounts planned from the settings, with the refusals.

Paths are mounted at their host path (as MassGen does), so paths an agent reads in a command's output
are the same inside and outside the container. The Docker socket and system folders are never mounted.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from massgen_tui.docker.errors import DockerSettingsError
from massgen_tui.docker.settings import DockerSettings

# Host folders never mounted (nor any of their parents, which would expose them).
SYSTEM_PATHS = tuple(Path(p) for p in ("/proc", "/sys", "/dev", "/boot", "/etc", "/run", "/var/run", "/bin",
                                       "/sbin", "/lib", "/lib64", "/usr", "/var/lib/docker"))
SOCKET_NAMES = ("docker.sock", "containerd.sock", "podman.sock", "dockershim.sock")


@dataclass(frozen=True)
class MountSpec:
    source: Path
    target: str
    read_only: bool
    reason: str  # "workspace", "context", "protected"


def docker_socket_paths(environ: dict[str, str] | None = None) -> list[Path]:
    """The engine's socket paths we know of (DOCKER_HOST and the usual places), resolved."""
    env = environ if environ is not None else dict(os.environ)
    paths = [Path("/var/run/docker.sock"), Path("/run/docker.sock"), Path("/run/containerd/containerd.sock")]
    host = env.get("DOCKER_HOST", "")
    if host.startswith("unix://"):
        paths.append(Path(urlparse(host).path))
    xdg = env.get("XDG_RUNTIME_DIR")
    if xdg:
        paths.append(Path(xdg) / "docker.sock")
    resolved = []
    for path in paths:
        try:
            resolved.append(path.resolve())
        except OSError:
            resolved.append(path)
    return resolved


def check_mount_source(source: Path, key: str, sockets: list[Path]) -> None:
    """Refuse a mount that would expose the Docker socket or a system folder."""
    resolved = source.resolve()
    if resolved == Path("/"):
        raise DockerSettingsError("refusing to mount the whole host filesystem (/)", key=key)
    if resolved.name in SOCKET_NAMES:
        raise DockerSettingsError(f"refusing to mount {resolved}: it is a container engine socket", key=key)
    try:
        if stat.S_ISSOCK(resolved.stat().st_mode):
            raise DockerSettingsError(f"refusing to mount the socket {resolved}", key=key)
    except FileNotFoundError:
        pass
    for sock in sockets:
        if resolved == sock or resolved in sock.parents:
            raise DockerSettingsError(f"refusing to mount {resolved}: it contains the Docker socket {sock}", key=key)
    for system in SYSTEM_PATHS:
        if resolved == system or system in resolved.parents or resolved in system.parents:
            raise DockerSettingsError(f"refusing to mount {resolved}: it is or holds the system folder {system}",
                                      key=key)


def plan_mounts(settings: DockerSettings, *, environ: dict[str, str] | None = None) -> list[MountSpec]:
    """Bind mounts for the settings, parents before children. Creates the workspace folder if missing."""
    sockets = docker_socket_paths(environ)
    mounts: list[MountSpec] = []
    if settings.workspace is not None:
        settings.workspace.mkdir(parents=True, exist_ok=True)
        check_mount_source(settings.workspace, "cwd", sockets)
        mounts.append(MountSpec(settings.workspace, str(settings.workspace), False, "workspace"))
    for index, context in enumerate(settings.context_paths):
        key = f"context_paths[{index}].path"
        check_mount_source(context.path, key, sockets)
        inside_workspace = settings.workspace is not None and (
            context.path == settings.workspace or settings.workspace in context.path.parents)
        # a writable context inside the workspace is already visible read-write through it
        if not (inside_workspace and context.writable):
            mounts.append(MountSpec(context.path, str(context.path), not context.writable, "context"))
        for protected in context.protected:
            mounts.append(MountSpec(protected, str(protected), True, "protected"))
    # Workspace inside a read-only context path: the workspace mount must come after it (deeper path).
    mounts.sort(key=lambda m: len(Path(m.target).parts))
    return mounts


def run_as(settings: DockerSettings) -> tuple[int, int]:
    """The uid:gid commands run as: the workspace owner (so created files belong to them), else ours."""
    if settings.run_as_root:
        return 0, 0
    if settings.workspace is not None and settings.workspace.exists():
        info = settings.workspace.stat()
        return info.st_uid, info.st_gid
    return os.getuid(), os.getgid()
