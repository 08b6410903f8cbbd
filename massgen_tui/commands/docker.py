"""Docker subcommands: ``exec CONFIG --agent ID -- CMD...`` and ``docker ps|build|clean``.

Only the standard library is imported here; handlers import massgen_tui.docker (and so the SDK) when run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

TOOL_ERROR_EXIT = 125  # as `docker run`: the engine or our setup failed, not the command
REJECTED_EXIT = 126


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "exec", help="run a command in an agent's container (exit status is the command's)",
        description="Run one command in the Docker container of an agent of CONFIG, the way agents run them. "
                    "One argument after -- is a shell command line (sh -c); several are run as they are. "
                    "Exits with the command's status, 124 when it timed out, 137 when it was killed "
                    "(out of memory, container died), 125 when the container could not be set up.")
    p.add_argument("config", metavar="CONFIG")
    p.add_argument("--agent", required=True, metavar="ID", help="agent id in the config")
    p.add_argument("--timeout", type=float, metavar="SECONDS",
                   help="kill the command after this long (default: command_line_docker_timeout or 120)")
    p.add_argument("command", nargs="*", metavar="CMD", help="after --: the command")
    p.set_defaults(handler=run_exec)
    p.__class__ = _CommandAfterDashes  # CONFIG --agent ID -- CMD...: everything after -- is the command

    docker = subparsers.add_parser("docker", help="massgen-tui's containers and images: ps, build, clean",
                                   description="Manage massgen-tui's containers and images.")
    sub = docker.add_subparsers(dest="docker_command", metavar="ACTION")
    docker.set_defaults(handler=lambda args: (docker.print_help(), 2)[1])

    p = sub.add_parser("ps", help="list massgen-tui containers with session, agent, state, CPU and memory")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--no-stats", action="store_true", help="skip CPU and memory (faster)")
    p.set_defaults(handler=run_ps)

    p = sub.add_parser("build", help="build an image from a template or a Dockerfile",
                       description="Build an image from a template (minimal, python, node, datascience) or a "
                                   "Dockerfile; progress goes to stderr, the image tag to stdout. Cached by content.")
    p.add_argument("source", metavar="TEMPLATE|DOCKERFILE")
    p.add_argument("--base", metavar="IMAGE", help="base image (build argument BASE_IMAGE)")
    p.add_argument("--tag", metavar="TAG", help="also tag the image as TAG")
    p.add_argument("--build-arg", action="append", default=[], metavar="NAME=VALUE", help="a build argument")
    p.set_defaults(handler=run_build)

    p = sub.add_parser("clean", help="remove containers left by massgen-tui sessions that are gone")
    p.add_argument("--all", action="store_true", help="remove every massgen-tui container, live sessions' too")
    p.set_defaults(handler=run_clean)


class _CommandAfterDashes(argparse.ArgumentParser):
    """Takes every argument after the first ``--`` as the command, whatever options came before it."""

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        args = list(sys.argv[1:] if args is None else args)
        tail: list[str] | None = None
        if "--" in args:
            index = args.index("--")
            args, tail = args[:index], args[index + 1:]
        parsed, extras = super().parse_known_args(args, namespace)
        if tail is not None:
            parsed.command = [*(getattr(parsed, "command", None) or []), *tail]
        return parsed, extras


def _err(message: str) -> None:
    print(f"massgen-tui: {message}", file=sys.stderr)


def run_exec(args: argparse.Namespace) -> int:
    import asyncio

    from massgen_tui.config import ConfigError, load_document
    from massgen_tui.docker import DockerExecutionError, DockerSettings
    from massgen_tui.docker.errors import CommandRejectedError, DockerSettingsError

    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        _err("exec: no command given (usage: massgen-tui exec CONFIG --agent ID -- CMD...)")
        return 2
    path = Path(args.config)
    try:
        document = load_document(path)
        entry = document.agent(args.agent)
        orchestrator = document.data.get("orchestrator") if isinstance(document.data, dict) else None
        contexts = orchestrator.get("context_paths") if isinstance(orchestrator, dict) else None
        settings = DockerSettings.from_backend(entry.backend, base_dir=path.resolve().parent,
                                               context_paths=contexts)
    except ConfigError as exc:
        _err(str(exc))
        return 2
    except DockerSettingsError as exc:
        _err(f"{path}: agent {args.agent}: {exc}")
        return 2
    for warning in settings.warnings:
        _err(f"warning: {warning}")
    try:
        return asyncio.run(_exec(path, args.agent, settings, command[0] if len(command) == 1 else command,
                                 args.timeout))
    except asyncio.CancelledError:
        _err("terminated; the command was killed and its container removed")
        return 143
    except CommandRejectedError as exc:
        _err(str(exc))
        return REJECTED_EXIT
    except DockerExecutionError as exc:
        _err(str(exc))
        return TOOL_ERROR_EXIT


async def _exec(path: Path, agent: str, settings: Any, command: str | list[str], timeout: float | None) -> int:
    import asyncio
    import contextlib
    import shlex
    import signal

    from massgen_tui.docker import ContainerRuntime, OutputChunk
    from massgen_tui.docker.command_filters import check_command

    text = command if isinstance(command, str) else shlex.join(command)
    check_command(text, settings.allowed_commands, settings.blocked_commands)  # refuse before starting anything

    def show(chunk: OutputChunk) -> None:
        stream = sys.stdout if chunk.stream == "stdout" else sys.stderr
        stream.write(chunk.text)
        stream.flush()

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    if task is not None:  # SIGTERM: kill the command and remove the container, like Ctrl-C
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGTERM, task.cancel)
    async with ContainerRuntime(config_path=str(path.resolve())) as runtime:
        for swept in runtime.swept:
            _err(f"removed {swept.name}, left by a session that is gone")
        await runtime.ensure_container(agent, settings, progress=progress)
        result = await runtime.exec(agent, command, timeout=timeout, on_output=show)
    if result.reason != "exited":
        _err(f"{text!r}: {result.summary()}")
    return result.cli_exit_code


def _client() -> Any:
    from massgen_tui.docker.engine import connect

    return connect()


def run_ps(args: argparse.Namespace) -> int:
    from massgen_tui.docker import DockerExecutionError
    from massgen_tui.docker.inventory import list_containers
    from massgen_tui.docker.sizes import format_size

    try:
        rows = list_containers(_client(), with_stats=not args.no_stats)
    except DockerExecutionError as exc:
        _err(str(exc))
        return TOOL_ERROR_EXIT
    if args.json:
        print(json.dumps({"containers": [row.to_json() for row in rows]}, indent=2))
        return 0
    if not rows:
        print("no massgen-tui containers")
        return 0
    header = ("NAME", "SESSION", "AGENT", "STATE", "OWNER", "CPU %", "MEMORY")
    table = [header]
    for row in rows:
        memory = "-" if row.memory_bytes is None else (
            f"{format_size(row.memory_bytes)} / {format_size(row.memory_limit or 0)}")
        table.append((row.name, row.session, row.agent, row.state, "alive" if row.owner_alive else "gone",
                      "-" if row.cpu_percent is None else f"{row.cpu_percent:.1f}", memory))
    widths = [max(len(str(line[i])) for line in table) for i in range(len(header))]
    for line in table:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
    return 0


def run_build(args: argparse.Namespace) -> int:
    from massgen_tui.docker import DockerExecutionError
    from massgen_tui.docker.images import build_image, template_dockerfile
    from massgen_tui.docker.settings import TEMPLATES

    build_args: dict[str, str] = {}
    for item in args.build_arg:
        name, sep, value = item.partition("=")
        if not sep or not name:
            _err(f"--build-arg {item!r}: expected NAME=VALUE")
            return 2
        build_args[name] = value
    if args.base:
        build_args["BASE_IMAGE"] = args.base
    source = Path(args.source)
    try:
        if args.source in TEMPLATES and not source.exists():
            dockerfile = template_dockerfile(args.source)
        else:
            dockerfile = source / "Dockerfile" if source.is_dir() else source
            if not dockerfile.is_file():
                _err(f"{args.source}: not a template ({', '.join(TEMPLATES)}) nor a Dockerfile")
                return 2
        client = _client()
        tag = build_image(client, dockerfile, build_args=build_args, tag=args.tag,
                          progress=lambda line: print(line, file=sys.stderr, flush=True))
    except DockerExecutionError as exc:
        _err(exc.detail if exc.key else str(exc))
        return 1
    print(tag)
    return 0


def run_clean(args: argparse.Namespace) -> int:
    from massgen_tui.docker import DockerExecutionError
    from massgen_tui.docker.sessions import sweep_dead_sessions

    try:
        removed = sweep_dead_sessions(_client(), everything=args.all)
    except DockerExecutionError as exc:
        _err(str(exc))
        return TOOL_ERROR_EXIT
    for item in removed:
        print(f"removed {item.name} (session {item.session}, agent {item.agent})")
    if not removed:
        print("nothing to remove")
    return 0
