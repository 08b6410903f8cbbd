"""Connecting to the Docker engine, and saying plainly when none answers."""

from __future__ import annotations

import os
from typing import Any

from massgen_tui.docker.errors import DockerUnavailableError


def engine_address() -> str:
    return os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"


def unavailable_message(reason: object, *, execution_mode: str = "docker") -> str:
    lines = [
        f"No Docker engine answers at {engine_address()} ({reason}).",
        "Start it (e.g. `sudo systemctl start docker`, or `bash scripts/start-docker.sh` in a checkout), "
        "and check that your user may use it (`docker info`).",
    ]
    if execution_mode == "local":
        lines.append("This agent's config already runs commands locally (command_line_execution_mode: local).")
    else:
        lines.append("Commands are not run on the host instead. To run them locally without isolation, set "
                     "command_line_execution_mode: local for this agent.")
    return " ".join(lines)


def connect(*, timeout: float = 60, execution_mode: str = "docker") -> Any:
    """A ``docker.DockerClient`` that answered a ping; :class:`DockerUnavailableError` otherwise."""
    import docker
    from docker.errors import DockerException

    try:
        client = docker.from_env(timeout=int(timeout))
        client.ping()
    except DockerException as exc:
        raise DockerUnavailableError(unavailable_message(_short(exc), execution_mode=execution_mode)) from exc
    except OSError as exc:
        raise DockerUnavailableError(unavailable_message(exc, execution_mode=execution_mode)) from exc
    return client


def engine_answers() -> bool:
    try:
        connect(timeout=5).close()
    except DockerUnavailableError:
        return False
    return True


def _short(exc: BaseException) -> str:
    text = str(exc)
    if "FileNotFoundError" in text or "No such file" in text:
        return "the socket does not exist"
    if "Permission denied" in text:
        return "permission denied on the socket"
    if "Connection refused" in text:
        return "connection refused"
    return text.splitlines()[0][:200] if text else type(exc).__name__
