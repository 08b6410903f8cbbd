"""The config check ("dry run"): API keys, MCP servers, Docker images and paths, without running agents.

Plain async code (no Textual): :func:`run_checks` yields one :class:`CheckResult` at a time so the
screen can show progress and cancel between (and inside) steps. Blocking Docker calls run in threads.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from massgen_tui.config import ConfigDocument
from massgen_tui.tui import config_access as core

Outcome = Literal["ok", "fail", "warn", "skip"]
MCP_START_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class CheckResult:
    agent: str  # "" for the whole config
    what: str  # "api key", "mcp git", "docker image", "path"
    outcome: Outcome
    detail: str


def count_steps(doc: ConfigDocument) -> int:
    steps = 1  # orchestrator paths
    for entry in doc.agent_entries():
        steps += 3  # key, docker, paths
        servers = entry.backend.get("mcp_servers")
        steps += len(servers) if isinstance(servers, (list, Mapping)) else 0
    return steps


async def run_checks(doc: ConfigDocument, environ: Mapping[str, str] | None = None) -> AsyncIterator[CheckResult]:
    env = environ if environ is not None else os.environ
    base = doc.path.parent if doc.path else Path.cwd()
    for entry in doc.agent_entries():
        backend = entry.backend
        yield _api_key(entry.id, str(backend.get("type", "")), env)
        async for result in _mcp(entry.id, backend):
            yield result
        yield await _docker(entry.id, backend, base)
        yield _agent_paths(entry.id, backend, base)
    yield _context_paths(doc, base)


def _api_key(agent: str, backend_type: str, env: Mapping[str, str]) -> CheckResult:
    names = core.api_key_env_names(backend_type)
    if not names:
        return CheckResult(agent, "api key", "ok", f"backend {backend_type or '?'} needs no API key variable")
    missing = [n for n in names if not env.get(n)]
    if missing:
        return CheckResult(agent, "api key", "fail", f"{', '.join(missing)} is not set")
    return CheckResult(agent, "api key", "ok", f"{', '.join(names)} is set")


async def _mcp(agent: str, backend: Mapping[str, Any]) -> AsyncIterator[CheckResult]:
    if not backend.get("mcp_servers"):
        return
    try:
        from massgen_tui.mcp import MCPServerError, MCPServerSpec, ServerManager
    except ImportError as exc:
        yield CheckResult(agent, "mcp", "skip", f"not checked: the MCP client is not available ({exc})")
        return
    try:
        specs = MCPServerSpec.from_backend(core_plain(backend))
    except MCPServerError as exc:
        yield CheckResult(agent, "mcp", "fail", str(exc))
        return
    manager = ServerManager(specs, agent=agent)
    try:
        await asyncio.wait_for(manager.start(), MCP_START_TIMEOUT_S)
    except TimeoutError:
        pass
    except BaseException:
        # cancelled by the user (or failed): answer now and let the servers shut down in the background;
        # closing a stdio server that ignores its stdin can take many seconds
        task = asyncio.ensure_future(manager.aclose())
        _closing.add(task)
        task.add_done_callback(_closing.discard)
        raise
    try:
        states = manager.status()
        for spec in specs:
            state = states.get(spec.name)
            if state is not None and state.ready:
                tools = manager.tools(spec.name)
                names = ", ".join(t.name for t in tools[:6]) + (" ..." if len(tools) > 6 else "")
                yield CheckResult(agent, f"mcp {spec.name}", "ok", f"started, {len(tools)} tools: {names}")
            else:
                reason = state.reason if state is not None and state.reason else f"not ready after {MCP_START_TIMEOUT_S:.0f}s"
                yield CheckResult(agent, f"mcp {spec.name}", "fail", reason)
    finally:
        await manager.aclose()


_closing: set[asyncio.Future[None]] = set()


def core_plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): core_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [core_plain(v) for v in value]
    return value


async def _docker(agent: str, backend: Mapping[str, Any], base: Path) -> CheckResult:
    mode = backend.get("command_line_execution_mode")
    if mode != "docker":
        return CheckResult(agent, "docker", "ok", f"not used (execution mode: {mode or 'not set'})")
    try:
        from massgen_tui.docker import DockerExecutionError, DockerSettings
    except ImportError as exc:
        return CheckResult(agent, "docker", "skip", f"not checked: the Docker part is not available ({exc})")
    try:
        settings = DockerSettings.from_backend(core_plain(backend), base_dir=base)
    except DockerExecutionError as exc:
        return CheckResult(agent, "docker", "fail", str(exc))
    def probe() -> CheckResult:
        from massgen_tui.docker.engine import connect
        from massgen_tui.docker.images import image_exists, resolve_image

        try:
            client = connect(timeout=10)
        except DockerExecutionError as exc:
            return CheckResult(agent, "docker image", "fail", str(exc))
        try:
            if settings.dockerfile is not None or settings.template is not None:
                # builds are cached by content: a config already built answers at once
                source = settings.dockerfile or f"template {settings.template!r}"
                tag = resolve_image(client, settings)
                return CheckResult(agent, "docker image", "ok", f"{tag} built from {source}")
            if image_exists(client, settings.image):
                return CheckResult(agent, "docker image", "ok", f"{settings.image} exists")
            return CheckResult(agent, "docker image", "fail", f"{settings.image} is not in the local engine")
        except DockerExecutionError as exc:
            return CheckResult(agent, "docker image", "fail", str(exc))
        finally:
            client.close()

    return await asyncio.to_thread(probe)


def _agent_paths(agent: str, backend: Mapping[str, Any], base: Path) -> CheckResult:
    cwd = backend.get("cwd")
    if not cwd:
        return CheckResult(agent, "paths", "ok", "no workspace (cwd) set")
    path = Path(str(cwd)) if Path(str(cwd)).is_absolute() else base / str(cwd)
    if path.is_dir():
        return CheckResult(agent, "paths", "ok", f"workspace {cwd} exists")
    if path.exists():
        return CheckResult(agent, "paths", "fail", f"workspace {cwd} exists but is not a directory")
    return CheckResult(agent, "paths", "warn", f"workspace {cwd} does not exist yet (created at run)")


def _context_paths(doc: ConfigDocument, base: Path) -> CheckResult:
    paths = core.get_value(doc.data, "orchestrator.context_paths")
    if not isinstance(paths, list) or not paths:
        return CheckResult("", "context paths", "ok", "none configured")
    missing = []
    for item in paths:
        raw = item.get("path") if isinstance(item, Mapping) else item
        if raw is None:
            continue
        path = Path(str(raw)) if Path(str(raw)).is_absolute() else base / str(raw)
        if not path.exists():
            missing.append(str(raw))
    if missing:
        return CheckResult("", "context paths", "fail", "missing: " + ", ".join(missing))
    return CheckResult("", "context paths", "ok", f"{len(paths)} path(s) exist")
