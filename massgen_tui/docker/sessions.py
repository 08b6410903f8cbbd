"""Who owns a container: the session identity written into its labels, and the sweep of dead ones.

A session is the life of one massgen-tui process. Its containers carry the owner's PID, the PID's start
time (so a reused PID is not mistaken for the owner) and the kernel boot id (so PIDs from before a reboot
mean nothing). ``atexit`` does not run on SIGKILL, so every start sweeps what dead sessions left.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field
from typing import Any

LABEL_PREFIX = "massgen-tui"
SESSION = f"{LABEL_PREFIX}.session"
AGENT = f"{LABEL_PREFIX}.agent"
CONFIG = f"{LABEL_PREFIX}.config"
PID = f"{LABEL_PREFIX}.pid"
PID_START = f"{LABEL_PREFIX}.pid-start"
BOOT_ID = f"{LABEL_PREFIX}.boot-id"
HOST = f"{LABEL_PREFIX}.host"


def boot_id() -> str:
    try:
        with open("/proc/sys/kernel/random/boot_id") as handle:
            return handle.read().strip()
    except OSError:
        return ""


def process_start_time(pid: int) -> str:
    """The start time of ``pid`` in clock ticks since boot (field 22 of /proc/PID/stat), "" if unknown."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            data = handle.read()
    except OSError:
        return ""
    # comm may hold spaces and parentheses: fields start after the last ')'
    rest = data[data.rfind(")") + 2:].split()
    return rest[19] if len(rest) > 19 else ""


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class SessionIdentity:
    session_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    pid: int = field(default_factory=os.getpid)
    pid_start: str = ""
    boot_id: str = field(default_factory=boot_id)
    host: str = field(default_factory=socket.gethostname)

    def __post_init__(self) -> None:
        if not self.pid_start:
            object.__setattr__(self, "pid_start", process_start_time(self.pid))

    def labels(self, agent_id: str, config_path: str = "") -> dict[str, str]:
        return {SESSION: self.session_id, AGENT: agent_id, CONFIG: config_path, PID: str(self.pid),
                PID_START: self.pid_start, BOOT_ID: self.boot_id, HOST: self.host}


def session_is_dead(labels: dict[str, str], *, current_boot: str | None = None,
                    current_host: str | None = None) -> bool:
    """True when the session that labelled a container is surely gone.

    Containers from another host sharing the engine are never judged (False): their PIDs mean nothing here.
    """
    host = current_host if current_host is not None else socket.gethostname()
    if labels.get(HOST) and labels.get(HOST) != host:
        return False
    boot = current_boot if current_boot is not None else boot_id()
    if labels.get(BOOT_ID) and boot and labels[BOOT_ID] != boot:
        return True
    try:
        pid = int(labels.get(PID, ""))
    except ValueError:
        return True  # no owner recorded: nothing will ever clean it up
    if not pid_alive(pid):
        return True
    started = labels.get(PID_START, "")
    return bool(started) and process_start_time(pid) not in ("", started)


@dataclass(frozen=True)
class SweptContainer:
    id: str
    name: str
    session: str
    agent: str


def sweep_dead_sessions(client: Any, *, everything: bool = False, keep_session: str | None = None) -> list[SweptContainer]:
    """Remove containers of dead sessions (all of ours with ``everything``, except ``keep_session``).

    Blocking (Docker SDK); call it in a thread from async code.
    """
    from docker.errors import APIError, NotFound

    removed: list[SweptContainer] = []
    for info in client.api.containers(all=True, filters={"label": SESSION}):
        labels = info.get("Labels") or {}
        if keep_session and labels.get(SESSION) == keep_session:
            continue
        if not everything and not session_is_dead(labels):
            continue
        name = (info.get("Names") or ["?"])[0].lstrip("/")
        try:
            client.api.remove_container(info["Id"], force=True, v=True)
        except NotFound:
            continue
        except APIError as exc:
            if "already in progress" in str(exc):
                continue
            raise
        removed.append(SweptContainer(info["Id"], name, labels.get(SESSION, ""), labels.get(AGENT, "")))
    return removed
