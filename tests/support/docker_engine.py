"""Session fixtures for tests that need the Docker engine: start it when none answers, build the test
images once per run (cached by content tag, so later runs reuse them).

Import the fixtures into a conftest.py: ``from tests.support.docker_engine import docker_client, busybox_image``.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.requirements import need

REPO = Path(__file__).resolve().parents[2]


def _engine_answers() -> bool:
    from massgen_tui.docker.engine import engine_answers

    return engine_answers()


@pytest.fixture(scope="session")
def docker_client() -> Iterator[Any]:
    """A Docker SDK client for a running engine (started with scripts/start-docker.sh when needed)."""
    if not _engine_answers():
        subprocess.run(["bash", str(REPO / "scripts" / "start-docker.sh")], check=False, timeout=300)
    need(_engine_answers(), "a Docker engine (scripts/start-docker.sh could not start one)")
    from massgen_tui.docker.engine import connect

    client = connect()
    yield client
    client.close()


@pytest.fixture(scope="session")
def busybox_image(docker_client: Any) -> str:
    """FROM scratch + Debian's static busybox: the fast image most docker tests use."""
    from massgen_tui.docker.errors import ImageError
    from massgen_tui.docker.offline_images import busybox_image as build

    try:
        return build(docker_client)
    except ImageError:
        subprocess.run(["bash", str(REPO / "scripts" / "build-base-image.sh"), "busybox", "--quiet"],
                       check=False, timeout=300, capture_output=True)
        try:
            return build(docker_client)
        except ImageError as exc:
            need(False, f"a static busybox to build the test image ({exc})")
            raise


def debian_base(client: Any, packages: tuple[str, ...]) -> str:
    """Debian minbase with ``packages`` (debootstrap + docker import), cached by a content tag: built once
    per machine, then reused by every run."""
    from massgen_tui.docker.errors import ImageError
    from massgen_tui.docker.offline_images import debian_image

    try:
        return debian_image(client, packages=packages)
    except ImageError:
        # the script installs debootstrap when it is missing, then builds the same (content-tagged) image
        subprocess.run(["bash", str(REPO / "scripts" / "build-base-image.sh"), "debian", "--packages",
                        ",".join(packages), "--quiet"], check=False, timeout=900, capture_output=True)
        try:
            return debian_image(client, packages=packages)
        except ImageError as exc:
            need(False, f"an offline Debian image with {', '.join(packages)} (debootstrap): {exc}")
            raise


@pytest.fixture(scope="session")
def python_base_image(docker_client: Any) -> str:
    """Debian minbase + python3 (~45 s the first time on a new machine)."""
    return debian_base(docker_client, ("python3",))


@pytest.fixture(scope="session")
def node_base_image(docker_client: Any) -> str:
    """Debian minbase + nodejs, the node template's offline base."""
    return debian_base(docker_client, ("nodejs",))


DATASCIENCE_PACKAGES = ("python3", "python3-numpy", "python3-pandas", "python3-matplotlib", "python3-scipy")


@pytest.fixture(scope="session")
def datascience_base_image(docker_client: Any) -> str:
    """Debian minbase + Python's numeric stack from Debian, the datascience template's offline base."""
    return debian_base(docker_client, DATASCIENCE_PACKAGES)
