"""Docker settings read from a config's backend mapping (plain keys; no config models imported).

Keys are MassGen's ``command_line_docker_*`` plus massgen-tui's own (see docs/docker.md). Every problem is
reported at once, before a container starts, each naming its key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from massgen_tui.docker.errors import DockerSettingsError
from massgen_tui.docker.sizes import parse_size

DEFAULT_IMAGE = "ghcr.io/massgen/mcp-runtime:latest"  # MassGen's default
NETWORK_MODES = ("none", "bridge", "host")
TEMPLATES = ("minimal", "python", "node", "datascience")
DEFAULT_PIDS_LIMIT = 512
DEFAULT_TIMEOUT_S = 120.0
DEFAULT_OUTPUT_LIMIT = 256 * 1024  # bytes kept per stream (head + tail)
MIN_MEMORY = 6 * 1024 * 1024  # the engine refuses less
P = "command_line_docker_"


@dataclass(frozen=True)
class ContextPath:
    """A host folder or file shown to the agent at the same path; read-only unless ``writable``."""

    path: Path
    writable: bool = False
    protected: tuple[Path, ...] = ()  # stay read-only even when the context path is writable


@dataclass(frozen=True)
class DockerSettings:
    image: str = DEFAULT_IMAGE
    image_explicit: bool = False
    dockerfile: Path | None = None
    template: str | None = None
    build_args: Mapping[str, str] = field(default_factory=dict)
    network_mode: str = "none"
    memory_limit: int | None = None  # bytes
    cpu_limit: float | None = None
    pids_limit: int = DEFAULT_PIDS_LIMIT
    disk_limit: int | None = None  # bytes: size of the /tmp tmpfs and the per-file size limit
    read_only_root: bool = False
    timeout_s: float = DEFAULT_TIMEOUT_S
    workspace: Path | None = None
    context_paths: tuple[ContextPath, ...] = ()
    allowed_commands: tuple[str, ...] = ()
    blocked_commands: tuple[str, ...] = ()
    run_as_root: bool = False  # command_line_docker_enable_sudo
    environment: Mapping[str, str] = field(default_factory=dict)
    output_limit: int = DEFAULT_OUTPUT_LIMIT
    execution_mode: str = "docker"
    warnings: tuple[str, ...] = ()

    @classmethod
    def from_backend(
        cls,
        backend: Mapping[str, Any],
        base_dir: Path | None = None,
        *,
        context_paths: Sequence[Any] | None = None,
        cwd_base: Path | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> DockerSettings:
        """Read and check the settings. ``base_dir`` is the config file's folder (Dockerfile paths);
        ``cwd`` and context paths are relative to ``cwd_base`` (the working directory, as MassGen does).
        ``context_paths`` are the orchestrator's; a backend-level ``context_paths`` list is added to them.
        Raises :class:`DockerSettingsError` listing every problem, each with its key."""
        reader = _Reader(backend, base_dir or Path.cwd(), cwd_base or Path.cwd(), environ or os.environ)
        return reader.read(context_paths)

    def uses_build(self) -> bool:
        return self.dockerfile is not None or self.template is not None


class _Reader:
    def __init__(self, backend: Mapping[str, Any], base_dir: Path, cwd_base: Path, environ: Mapping[str, str]):
        self.b = backend if isinstance(backend, Mapping) else {}
        self.base_dir = base_dir
        self.cwd_base = cwd_base
        self.environ = environ
        self.problems: list[tuple[str, str]] = []
        self.warnings: list[str] = []

    def problem(self, key: str, message: str) -> None:
        self.problems.append((key, message))

    def read(self, orchestrator_contexts: Sequence[Any] | None) -> DockerSettings:
        b = self.b
        values: dict[str, Any] = {}
        mode = b.get("command_line_execution_mode", "docker")
        if mode not in ("docker", "local", "srt"):
            self.problem("command_line_execution_mode", f"must be 'docker', 'local' or 'srt', got {mode!r}")
        values["execution_mode"] = str(mode)

        image = b.get(P + "image")
        if image is not None:
            if not isinstance(image, str) or not image.strip() or any(c.isspace() for c in image.strip()):
                self.problem(P + "image", f"must be an image name like 'python:3.12-slim', got {image!r}")
            else:
                values["image"] = image.strip()
                values["image_explicit"] = True
        dockerfile = b.get(P + "dockerfile")
        template = b.get(P + "template")
        if dockerfile is not None and template is not None:
            self.problem(P + "dockerfile", f"set either {P}dockerfile or {P}template, not both")
        if dockerfile is not None:
            if not isinstance(dockerfile, str) or not dockerfile.strip():
                self.problem(P + "dockerfile", f"must be a path to a Dockerfile, got {dockerfile!r}")
            else:
                path = Path(dockerfile).expanduser()
                path = path if path.is_absolute() else self.base_dir / path
                if path.is_dir():
                    path = path / "Dockerfile"
                if not path.is_file():
                    self.problem(P + "dockerfile", f"no Dockerfile at {path}")
                else:
                    values["dockerfile"] = path.resolve()
        if template is not None:
            if template not in TEMPLATES:
                self.problem(P + "template", f"unknown template {template!r}; templates: {', '.join(TEMPLATES)}")
            else:
                values["template"] = template
        if (dockerfile is not None or template is not None) and values.get("image_explicit"):
            self.problem(P + "image", f"set only one of {P}image, {P}dockerfile and {P}template")
        args = b.get(P + "build_args")
        if args is not None:
            if not isinstance(args, Mapping) or not all(isinstance(k, str) for k in args):
                self.problem(P + "build_args", "must be a map of names to string values")
            else:
                values["build_args"] = {str(k): str(v) for k, v in args.items()}

        network = b.get(P + "network_mode", "none")
        if network not in NETWORK_MODES:
            self.problem(P + "network_mode", f"must be one of {', '.join(NETWORK_MODES)}, got {network!r}")
        else:
            values["network_mode"] = network
        for key, name, minimum in ((P + "memory_limit", "memory_limit", MIN_MEMORY), (P + "disk_limit", "disk_limit", 1024 * 1024)):
            raw = b.get(key)
            if raw is None:
                continue
            try:
                size = parse_size(raw)
            except ValueError as exc:
                self.problem(key, str(exc))
                continue
            if size < minimum:
                self.problem(key, f"must be at least {minimum // (1024 * 1024)}m, got {raw!r}")
                continue
            values[name] = size
        cpus = b.get(P + "cpu_limit")
        if cpus is not None:
            if isinstance(cpus, bool) or not isinstance(cpus, int | float) or cpus <= 0:
                self.problem(P + "cpu_limit", f"must be a positive number of CPUs like 1.5, got {cpus!r}")
            else:
                host = os.cpu_count() or 1
                if cpus > host:
                    self.problem(P + "cpu_limit", f"{cpus} CPUs asked but this machine has {host}")
                else:
                    values["cpu_limit"] = float(cpus)
        pids = b.get(P + "pids_limit")
        if pids is not None:
            if isinstance(pids, bool) or not isinstance(pids, int) or pids <= 0:
                self.problem(P + "pids_limit", f"must be a whole number > 0, got {pids!r}")
            else:
                values["pids_limit"] = pids
        timeout = b.get(P + "timeout")
        if timeout is not None:
            if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
                self.problem(P + "timeout", f"must be a number of seconds > 0, got {timeout!r}")
            else:
                values["timeout_s"] = float(timeout)
        for key, name in ((P + "read_only_root", "read_only_root"), (P + "enable_sudo", "run_as_root")):
            raw = b.get(key)
            if raw is None:
                continue
            if not isinstance(raw, bool):
                self.problem(key, f"must be true or false, got {raw!r}")
            else:
                values[name] = raw

        for key, name in (("command_line_allowed_commands", "allowed_commands"),
                          ("command_line_blocked_commands", "blocked_commands")):
            raw = b.get(key)
            if raw is None:
                continue
            patterns = [raw] if isinstance(raw, str) else raw
            if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
                self.problem(key, "must be a list of regular expressions")
                continue
            good = []
            for index, pattern in enumerate(patterns):
                try:
                    re.compile(pattern)
                except re.error as exc:
                    self.problem(f"{key}[{index}]", f"invalid regular expression {pattern!r}: {exc}")
                else:
                    good.append(pattern)
            values[name] = tuple(good)

        values["environment"] = self.read_credentials()
        if b.get(P + "packages"):
            self.warnings.append(f"{P}packages is not applied by massgen-tui: bake packages into an image "
                                 f"({P}dockerfile or {P}template)")

        cwd = b.get("cwd")
        if cwd is not None:
            if not isinstance(cwd, str) or not cwd.strip():
                self.problem("cwd", f"must be a folder path, got {cwd!r}")
            else:
                path = Path(cwd).expanduser()
                values["workspace"] = (path if path.is_absolute() else self.cwd_base / path).resolve()
        contexts: list[ContextPath] = []
        for source, items in (("orchestrator.context_paths", orchestrator_contexts), ("context_paths", b.get("context_paths"))):
            if items is None:
                continue
            if not isinstance(items, list):
                self.problem(source, "must be a list of {path, permission} entries")
                continue
            for index, item in enumerate(items):
                context = self.read_context(f"{source}[{index}]", item)
                if context is not None:
                    contexts.append(context)
        values["context_paths"] = tuple(contexts)

        if self.problems:
            lines = [f"{key}: {message}" for key, message in self.problems]
            message = lines[0] if len(lines) == 1 else "invalid Docker settings:\n  " + "\n  ".join(lines)
            error = DockerSettingsError(message)
            error.key = self.problems[0][0]
            error.problems = list(self.problems)  # type: ignore[attr-defined]
            raise error
        values["warnings"] = tuple(self.warnings)
        return DockerSettings(**values)

    def read_credentials(self) -> dict[str, str]:
        creds = self.b.get(P + "credentials")
        if creds is None:
            return {}
        if not isinstance(creds, Mapping):
            self.problem(P + "credentials", "must be a map (env_vars: [NAMES])")
            return {}
        env: dict[str, str] = {}
        names = creds.get("env_vars") or []
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            self.problem(P + "credentials.env_vars", "must be a list of environment variable names")
            return {}
        for name in names:
            if name in self.environ:
                env[name] = self.environ[name]
            else:
                self.warnings.append(f"{P}credentials.env_vars: {name} is not set on the host; not passed")
        for unsupported in ("mount", "additional_mounts", "env_file", "pass_all_env"):
            if creds.get(unsupported):
                self.warnings.append(f"{P}credentials.{unsupported} is not supported by massgen-tui; ignored")
        return env

    def read_context(self, where: str, item: Any) -> ContextPath | None:
        if isinstance(item, str):
            item = {"path": item}
        if not isinstance(item, Mapping) or not isinstance(item.get("path"), str):
            self.problem(where, "must be a {path, permission} entry")
            return None
        permission = item.get("permission", "read")
        if permission not in ("read", "write"):
            self.problem(f"{where}.permission", f"must be 'read' or 'write', got {permission!r}")
            return None
        path = Path(item["path"]).expanduser()
        path = (path if path.is_absolute() else self.cwd_base / path).resolve()
        if not path.exists():
            self.problem(f"{where}.path", f"{path} does not exist")
            return None
        protected: list[Path] = []
        raw = item.get("protected_paths") or []
        if not isinstance(raw, list):
            self.problem(f"{where}.protected_paths", "must be a list of paths inside the context path")
            return None
        for index, entry in enumerate(raw):
            key = f"{where}.protected_paths[{index}]"
            if not isinstance(entry, str) or not entry.strip():
                self.problem(key, f"must be a path, got {entry!r}")
                continue
            target = Path(entry).expanduser()
            target = (target if target.is_absolute() else path / target).resolve()
            if target != path and path not in target.parents:
                self.problem(key, f"{entry!r} escapes the context path {path}")
                continue
            if not target.exists():
                self.problem(key, f"{target} does not exist, so it cannot be mounted read-only")
                continue
            protected.append(target)
        return ContextPath(path, permission == "write", tuple(protected))
