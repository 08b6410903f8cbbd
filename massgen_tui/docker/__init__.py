"""Docker code execution: containers per agent, images, limits, exec with real timeouts, monitoring.

Importing this package does not import the Docker SDK; the runtime, images and monitoring modules do.

    from massgen_tui.docker import ContainerRuntime, DockerSettings
    settings = DockerSettings.from_backend(backend_mapping, base_dir=config_folder)
    async with ContainerRuntime(config_path=str(path)) as runtime:
        result = await runtime.exec("agent_a", "ls -la", settings=settings, timeout=30)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from massgen_tui.docker.errors import (
    CommandRejectedError,
    DockerExecutionError,
    DockerSettingsError,
    DockerUnavailableError,
    ImageError,
)
from massgen_tui.docker.output import OutputChunk
from massgen_tui.docker.results import ExecResult
from massgen_tui.docker.settings import ContextPath, DockerSettings

if TYPE_CHECKING:
    from massgen_tui.docker.inventory import ContainerInfo
    from massgen_tui.docker.monitoring import ContainerStats, EngineEvent
    from massgen_tui.docker.runtime import AgentContainer, ContainerRuntime, ExecActivity
    from massgen_tui.docker.sessions import SessionIdentity

_LAZY = {
    "ContainerRuntime": "massgen_tui.docker.runtime",
    "AgentContainer": "massgen_tui.docker.runtime",
    "ExecActivity": "massgen_tui.docker.runtime",
    "ContainerStats": "massgen_tui.docker.monitoring",
    "EngineEvent": "massgen_tui.docker.monitoring",
    "stats_stream": "massgen_tui.docker.monitoring",
    "logs_stream": "massgen_tui.docker.monitoring",
    "engine_events": "massgen_tui.docker.monitoring",
    "connect": "massgen_tui.docker.engine",
    "ContainerInfo": "massgen_tui.docker.inventory",
    "list_containers": "massgen_tui.docker.inventory",
    "sweep_dead_sessions": "massgen_tui.docker.sessions",
    "SessionIdentity": "massgen_tui.docker.sessions",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = [
    "AgentContainer",
    "CommandRejectedError",
    "ContainerInfo",
    "ContainerRuntime",
    "ContainerStats",
    "ContextPath",
    "DockerExecutionError",
    "DockerSettings",
    "DockerSettingsError",
    "DockerUnavailableError",
    "EngineEvent",
    "ExecActivity",
    "ExecResult",
    "ImageError",
    "OutputChunk",
    "SessionIdentity",
    "connect",
    "engine_events",
    "list_containers",
    "logs_stream",
    "stats_stream",
    "sweep_dead_sessions",
]
