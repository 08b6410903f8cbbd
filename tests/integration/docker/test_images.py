"""Images: named, Dockerfile, template; clear errors; builds cached by content; offline bases."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from massgen_tui.docker import ContainerRuntime, DockerSettings, ImageError
from massgen_tui.docker.images import build_image, resolve_image, template_dockerfile

pytestmark = pytest.mark.docker


async def test_missing_image_gives_a_clear_error(runtime: ContainerRuntime, tmp_path: Path) -> None:
    settings = DockerSettings.from_backend({"command_line_docker_image": "massgen-tui-test/does-not-exist:1",
                                            "cwd": str(tmp_path)})
    with pytest.raises(ImageError) as caught:
        await runtime.exec("a", "true", settings=settings)
    message = str(caught.value)
    assert message.startswith("command_line_docker_image: image 'massgen-tui-test/does-not-exist:1' is not present")
    assert "massgen-tui docker build" in message and "Traceback" not in message


def test_broken_dockerfile_gives_a_clear_error(docker_client: Any, busybox_image: str, tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(f"FROM {busybox_image}\nRUN echo step-one\nRUN exit 3\n")
    lines: list[str] = []
    with pytest.raises(ImageError) as caught:
        build_image(docker_client, tmp_path / "Dockerfile", progress=lines.append)
    message = str(caught.value)
    assert "building the image from" in message and "returned a non-zero code: 3" in message
    assert "step-one" in message  # the last build output is shown
    assert any("step-one" in line for line in lines)

    (tmp_path / "Dockerfile").write_text("FORM scratch\n")
    with pytest.raises(ImageError, match=r"(?i)unknown instruction: FORM"):
        build_image(docker_client, tmp_path / "Dockerfile")


def test_dockerfile_build_streams_progress_and_is_cached_by_content(docker_client: Any, busybox_image: str,
                                                                    tmp_path: Path) -> None:
    (tmp_path / "hello.txt").write_text("hello\n")
    (tmp_path / "Dockerfile").write_text(f"FROM {busybox_image}\nCOPY hello.txt /hello.txt\nRUN echo built-{time.time()}\n")
    lines: list[str] = []
    tag = build_image(docker_client, tmp_path / "Dockerfile", progress=lines.append)
    assert any(line.startswith("Step 2/") and "COPY hello.txt" in line for line in lines)
    assert any(line.startswith("built-") for line in lines)
    again: list[str] = []
    assert build_image(docker_client, tmp_path / "Dockerfile", progress=again.append) == tag
    assert again == [f"using cached image {tag}"]
    (tmp_path / "hello.txt").write_text("changed\n")
    changed = build_image(docker_client, tmp_path / "Dockerfile")
    assert changed != tag
    for built in (tag, changed):
        docker_client.api.remove_image(built, force=True)


async def test_config_dockerfile_relative_to_the_config_folder(runtime: ContainerRuntime, busybox_image: str,
                                                               tmp_path: Path) -> None:
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "Dockerfile").write_text(f"FROM {busybox_image}\nRUN echo from-dockerfile > /marker\n")
    settings = DockerSettings.from_backend({"command_line_docker_dockerfile": "img/Dockerfile",
                                            "cwd": str(tmp_path / "ws")}, base_dir=tmp_path)
    progress: list[str] = []
    await runtime.ensure_container("a", settings, progress=progress.append)
    result = await runtime.exec("a", "cat /marker")
    assert result.stdout == "from-dockerfile\n" and progress


def test_minimal_template_builds_offline_on_busybox(docker_client: Any, busybox_image: str) -> None:
    settings = DockerSettings.from_backend({"command_line_docker_template": "minimal",
                                            "command_line_docker_build_args": {"BASE_IMAGE": busybox_image}})
    tag = resolve_image(docker_client, settings)
    assert tag.startswith("massgen-tui/minimal:")
    out = docker_client.containers.run(tag, ["sh", "-c", "echo $PYTHONUNBUFFERED"], remove=True)
    assert out == b"1\n"


def test_every_template_takes_the_base_image_as_a_build_argument() -> None:
    for name in ("minimal", "python", "node", "datascience"):
        text = template_dockerfile(name).read_text()
        assert "ARG BASE_IMAGE=" in text and "FROM ${BASE_IMAGE}" in text


@pytest.mark.slow
@pytest.mark.parametrize(("template", "base", "command", "stdout", "written"), [
    ("python", "python_base_image",
     "python3 -c 'import sys; print(sys.version_info[0]); open(\"o.txt\",\"w\").write(\"x\")'", "3\n", "x"),
    ("node", "node_base_image",
     "node -e 'require(\"fs\").writeFileSync(\"o.txt\", String(6 * 7))'; cat o.txt", "42", "42"),
])
async def test_template_on_its_offline_debian_base(runtime: ContainerRuntime, request: pytest.FixtureRequest,
                                                   tmp_path: Path, template: str, base: str, command: str,
                                                   stdout: str, written: str) -> None:
    settings = DockerSettings.from_backend({"command_line_docker_template": template,
                                            "command_line_docker_build_args": {"BASE_IMAGE": request.getfixturevalue(base)},
                                            "cwd": str(tmp_path / "ws")})
    result = await runtime.exec("a", command, settings=settings)
    assert result.ok, result.stderr
    assert result.stdout == stdout and (tmp_path / "ws" / "o.txt").read_text() == written


@pytest.mark.slow
async def test_datascience_template_on_the_offline_debian_base(runtime: ContainerRuntime,
                                                               datascience_base_image: str, tmp_path: Path) -> None:
    # offline: the numeric stack comes from Debian's packages in the base, nothing from pip
    settings = DockerSettings.from_backend({
        "command_line_docker_template": "datascience", "cwd": str(tmp_path / "ws"),
        "command_line_docker_build_args": {"BASE_IMAGE": datascience_base_image, "PIP_PACKAGES": ""}})
    script = ("import numpy, pandas, scipy.stats, matplotlib.pyplot as plt; "
              "frame = pandas.DataFrame({'x': numpy.arange(4)}); plt.plot(frame.x); plt.savefig('plot.png'); "
              "print(int(frame.x.sum()), round(float(scipy.stats.norm.cdf(0)), 2))")
    result = await runtime.exec("a", f'python3 -c "{script}"', settings=settings, timeout=120)
    assert result.ok, result.stderr
    assert result.stdout.split() == ["6", "0.5"]
    assert (tmp_path / "ws" / "plot.png").read_bytes()[:4] == b"\x89PNG"
