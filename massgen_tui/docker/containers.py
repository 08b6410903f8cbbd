"""The container an agent's commands run in: how it is created (limits, mounts, user) and removed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from massgen_tui.docker.mounts import MountSpec, plan_mounts, run_as
from massgen_tui.docker.sessions import SessionIdentity
from massgen_tui.docker.settings import DockerSettings

HOME = "/home/massgen"
# A shell's needs when it runs as root (enable_sudo); a non-root user gets no capabilities at all.
SHELL_CAPABILITIES = ("CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID")
KEEPALIVE = ["/bin/sh", "-c", "sleep infinity 2>/dev/null || while :; do sleep 86400; done"]
DEFAULT_HOME_SIZE = 256 * 1024 * 1024


@dataclass(frozen=True)
class ContainerSpec:
    """Everything the engine is told when the container is created."""

    name: str
    image: str
    user: str
    workdir: str
    labels: dict[str, str]
    environment: dict[str, str]
    mounts: tuple[MountSpec, ...]
    host_config: dict[str, Any] = field(default_factory=dict)


def container_name(session: SessionIdentity, agent_id: str) -> str:
    safe = re.sub(r"[^a-zA-Z0-9_.-]+", "-", agent_id).strip("-.") or "agent"
    return f"massgen-tui-{session.session_id}-{safe}"[:120]


def build_spec(settings: DockerSettings, image: str, session: SessionIdentity, agent_id: str,
               config_path: str = "") -> ContainerSpec:
    mounts = tuple(plan_mounts(settings))
    uid, gid = run_as(settings)
    environment = {"HOME": HOME, "USER": "massgen" if uid else "root", "PYTHONUNBUFFERED": "1",
                   "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
    environment.update(settings.environment)
    home_size = settings.disk_limit or DEFAULT_HOME_SIZE
    tmpfs = {HOME: f"size={home_size},uid={uid},gid={gid},mode=0700"}
    if settings.disk_limit is not None or settings.read_only_root:
        tmp_size = settings.disk_limit or DEFAULT_HOME_SIZE
        tmpfs["/tmp"] = f"size={tmp_size},mode=1777"
    host_config: dict[str, Any] = {
        "network_mode": settings.network_mode,
        "pids_limit": settings.pids_limit,
        "cap_drop": ["ALL"],
        "cap_add": list(SHELL_CAPABILITIES) if uid == 0 else [],
        "security_opt": ["no-new-privileges"],
        "init": True,
        "read_only": settings.read_only_root,
        "tmpfs": tmpfs,
    }
    if settings.memory_limit is not None:
        host_config["mem_limit"] = settings.memory_limit
        host_config["memswap_limit"] = settings.memory_limit  # no swap: over the limit means the OOM killer
    if settings.cpu_limit is not None:
        host_config["nano_cpus"] = int(settings.cpu_limit * 1e9)
    if settings.disk_limit is not None:
        host_config["ulimits"] = [{"Name": "fsize", "Soft": settings.disk_limit, "Hard": settings.disk_limit}]
    workdir = str(settings.workspace) if settings.workspace is not None else HOME
    return ContainerSpec(
        name=container_name(session, agent_id), image=image, user=f"{uid}:{gid}", workdir=workdir,
        labels=session.labels(agent_id, config_path), environment=environment, mounts=mounts,
        host_config=host_config)


def create_and_start(client: Any, spec: ContainerSpec) -> str:
    """Create and start the container; returns its id. Blocking."""
    from docker.types import Mount, Ulimit

    api = client.api
    options = dict(spec.host_config)
    if "ulimits" in options:
        options["ulimits"] = [Ulimit(name=u["Name"], soft=u["Soft"], hard=u["Hard"]) for u in options["ulimits"]]
    host_config = api.create_host_config(
        mounts=[Mount(m.target, str(m.source), type="bind", read_only=m.read_only) for m in spec.mounts],
        **options)
    created = api.create_container(
        spec.image, command=KEEPALIVE, name=spec.name, user=spec.user, working_dir=spec.workdir,
        environment=spec.environment, labels=spec.labels, host_config=host_config, detach=True)
    container_id = created["Id"]
    try:
        api.start(container_id)
    except Exception:
        api.remove_container(container_id, force=True)
        raise
    return container_id
