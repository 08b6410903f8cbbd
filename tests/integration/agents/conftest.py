from __future__ import annotations

from tests.support.docker_engine import busybox_image, docker_client

__all__ = ["busybox_image", "docker_client"]
