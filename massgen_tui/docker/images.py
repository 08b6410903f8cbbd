"""Images for agent containers: a named image, or one built from a Dockerfile or a template.

Builds are cached by content: the tag holds a hash of the build context, the Dockerfile, the build
arguments and the base image's id, so an unchanged build is not run again. Blocking (Docker SDK): call
these in a thread from async code. Progress lines go to a ``progress`` callback as they arrive.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from massgen_tui.docker.errors import ImageError
from massgen_tui.docker.settings import TEMPLATES, DockerSettings
from massgen_tui.resources import data_folder

Progress = Callable[[str], None]
SKIP_DIRS = {".git", "__pycache__", "node_modules", ".venv", ".mypy_cache", ".pytest_cache"}
MAX_CONTEXT_FILES = 5000
BUILD_LABEL = "massgen-tui.build"


def templates_dir() -> Path:
    """``$MASSGEN_TUI_DOCKERFILES``, else dockerfiles/ of this checkout, else the installed copy."""
    return data_folder("dockerfiles", "MASSGEN_TUI_DOCKERFILES")


def template_dockerfile(name: str) -> Path:
    if name not in TEMPLATES:
        raise ImageError(f"unknown template {name!r}; templates: {', '.join(TEMPLATES)}",
                         key="command_line_docker_template")
    path = templates_dir() / name / "Dockerfile"
    if not path.is_file():
        raise ImageError(f"template {name!r} has no Dockerfile at {path}", key="command_line_docker_template")
    return path


def image_exists(client: Any, name: str) -> bool:
    from docker.errors import ImageNotFound, NotFound

    try:
        client.api.inspect_image(name)
    except (ImageNotFound, NotFound):
        return False
    return True


def ensure_named_image(client: Any, name: str, progress: Progress | None = None, *, pull: bool = True) -> str:
    """The image if present locally, else pulled; :class:`ImageError` saying what to do when neither works."""
    from docker.errors import DockerException

    if image_exists(client, name):
        return name
    hint = ("Build one with `massgen-tui docker build TEMPLATE` (templates: " + ", ".join(TEMPLATES)
            + ") or set command_line_docker_image to an image listed by `docker images`.")
    if not pull:
        raise ImageError(f"image {name!r} is not present locally. {hint}", key="command_line_docker_image")
    if progress:
        progress(f"pulling {name}")
    try:
        repository, _, tag = name.rpartition(":") if ":" in name.split("/")[-1] else (name, "", "latest")
        for event in client.api.pull(repository, tag=tag or "latest", stream=True, decode=True):
            if progress and event.get("status"):
                progress(" ".join(str(event[k]) for k in ("id", "status", "progress") if event.get(k)))
            if event.get("error"):
                raise ImageError(f"image {name!r} is not present locally and pulling it failed: "
                                 f"{event['error']}. {hint}", key="command_line_docker_image")
    except DockerException as exc:
        raise ImageError(f"image {name!r} is not present locally and pulling it failed: "
                         f"{_api_message(exc)}. {hint}", key="command_line_docker_image") from exc
    if not image_exists(client, name):
        raise ImageError(f"image {name!r} could not be found or pulled. {hint}", key="command_line_docker_image")
    return name


def context_hash(context: Path, dockerfile: Path, build_args: Mapping[str, str], base_id: str = "") -> str:
    digest = hashlib.sha256()
    digest.update(dockerfile.read_bytes())
    for key in sorted(build_args):
        digest.update(f"\0arg {key}={build_args[key]}".encode())
    digest.update(f"\0base {base_id}".encode())
    count = 0
    for root, dirs, files in os.walk(context):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            path = Path(root) / name
            count += 1
            if count > MAX_CONTEXT_FILES:
                raise ImageError(f"the build context {context} holds more than {MAX_CONTEXT_FILES} files; put the "
                                 "Dockerfile in a folder holding only what the image needs",
                                 key="command_line_docker_dockerfile")
            digest.update(f"\0file {path.relative_to(context)}\0".encode())
            try:
                digest.update(path.read_bytes())
            except OSError:
                digest.update(b"\0unreadable")
    return digest.hexdigest()[:16]


def _base_image_id(client: Any, dockerfile: Path, build_args: Mapping[str, str]) -> str:
    """The local id of the image the Dockerfile starts FROM (after build-arg substitution), if present."""
    text = dockerfile.read_text(errors="replace")
    defaults = dict(re.findall(r"^\s*ARG\s+(\w+)=(\S+)", text, re.MULTILINE | re.IGNORECASE))
    defaults.update(build_args)
    ids = []
    for match in re.finditer(r"^\s*FROM\s+(?:--\S+\s+)?(\S+)", text, re.MULTILINE | re.IGNORECASE):
        ref = re.sub(r"\$\{?(\w+)\}?", lambda m: defaults.get(m.group(1), ""), match.group(1))
        if ref == "scratch" or not ref:
            continue
        try:
            ids.append(client.api.inspect_image(ref)["Id"])
        except Exception:
            ids.append(ref)
    return ",".join(ids)


def build_image(client: Any, dockerfile: Path, *, build_args: Mapping[str, str] | None = None,
                tag: str | None = None, progress: Progress | None = None, key: str = "command_line_docker_dockerfile",
                context: Path | None = None) -> str:
    """Build (or reuse, when the content tag exists) an image from ``dockerfile``; returns its tag."""
    from docker.errors import DockerException

    args = dict(build_args or {})
    dockerfile = dockerfile.resolve()
    if not dockerfile.is_file():
        raise ImageError(f"no Dockerfile at {dockerfile}", key=key)
    context = (context or dockerfile.parent).resolve()
    content = context_hash(context, dockerfile, args, _base_image_id(client, dockerfile, args))
    name = re.sub(r"[^a-z0-9_.-]+", "-", (dockerfile.parent.name if dockerfile.name == "Dockerfile"
                                           else dockerfile.stem).lower()).strip("-.") or "image"
    content_tag = f"massgen-tui/{name}:{content}"
    if image_exists(client, content_tag):
        if progress:
            progress(f"using cached image {content_tag}")
        if tag and tag != content_tag:
            repository, _, version = tag.rpartition(":") if ":" in tag.split("/")[-1] else (tag, "", "latest")
            client.api.tag(content_tag, repository, version or "latest")
        return tag or content_tag
    if progress:
        progress(f"building {dockerfile} as {content_tag}")
    tail: list[str] = []
    try:
        stream = client.api.build(path=str(context), dockerfile=str(dockerfile.relative_to(context))
                                  if context in dockerfile.parents else str(dockerfile),
                                  tag=content_tag, buildargs=args, rm=True, forcerm=True, decode=True,
                                  labels={BUILD_LABEL: content})
        for event in stream:
            if "stream" in event:
                for line in str(event["stream"]).splitlines():
                    if line.strip():
                        tail.append(line)
                        del tail[:-20]
                        if progress:
                            progress(line)
            elif "status" in event and progress:
                progress(str(event["status"]))
            if "error" in event or "errorDetail" in event:
                message = (event.get("errorDetail") or {}).get("message") or event.get("error")
                raise ImageError(_build_failure(dockerfile, str(message).strip(), tail), key=key)
    except DockerException as exc:
        raise ImageError(_build_failure(dockerfile, _api_message(exc), tail), key=key) from exc
    if tag and tag != content_tag:
        repository, _, version = tag.rpartition(":") if ":" in tag.split("/")[-1] else (tag, "", "latest")
        client.api.tag(content_tag, repository, version or "latest")
    return tag or content_tag


def _build_failure(dockerfile: Path, message: str, tail: list[str]) -> str:
    text = f"building the image from {dockerfile} failed: {message}"
    if tail:
        text += "\nlast build output:\n  " + "\n  ".join(tail[-10:])
    return text


def _api_message(exc: BaseException) -> str:
    explanation = getattr(exc, "explanation", None)
    if explanation:
        return str(explanation.decode() if isinstance(explanation, bytes) else explanation)
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def resolve_image(client: Any, settings: DockerSettings, progress: Progress | None = None) -> str:
    """The image an agent's container runs, building it if the settings ask for a build."""
    if settings.dockerfile is not None:
        return build_image(client, settings.dockerfile, build_args=settings.build_args, progress=progress)
    if settings.template is not None:
        return build_image(client, template_dockerfile(settings.template), build_args=settings.build_args,
                           progress=progress, key="command_line_docker_template")
    return ensure_named_image(client, settings.image, progress)
