from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from massgen_tui.docker import ContainerRuntime, DockerSettings
from tests.support.docker_engine import (
    busybox_image,
    datascience_base_image,
    docker_client,
    node_base_image,
    python_base_image,
)

__all__ = ["busybox_image", "datascience_base_image", "docker_client", "node_base_image", "python_base_image"]

pytestmark = pytest.mark.docker


@pytest.fixture
def settings_for(busybox_image: str, tmp_path: Path) -> Callable[..., DockerSettings]:
    """DockerSettings from backend keys, on the busybox image, with a fresh workspace unless given."""

    def make(*, context_paths: list[Any] | None = None, **backend: Any) -> DockerSettings:
        backend.setdefault("command_line_docker_image", busybox_image)
        backend.setdefault("cwd", str(tmp_path / "workspace"))
        return DockerSettings.from_backend(backend, base_dir=tmp_path, context_paths=context_paths)

    return make


@pytest.fixture
async def runtime(docker_client: Any) -> AsyncIterator[ContainerRuntime]:
    async with ContainerRuntime(client=docker_client, config_path="tests") as rt:
        yield rt
