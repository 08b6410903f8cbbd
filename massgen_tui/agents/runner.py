"""A run of a config's agents on one task: checks before anything starts (backend types, API keys,
MCP and Docker settings), then builds each agent (backend, command runner, MCP servers behind the
planning hook and the safety gate), coordinates them, streams events, and saves the run.

    run = Run.from_config(doc, "the task", approver=my_approver)
    run.start()
    async for event in run.events():
        ...
    record = await run.wait()

``Run.cancel()`` stops it from the UI: running model streams, commands and tool calls are
cancelled, resources are released and the run is saved with status ``cancelled``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from massgen_tui.agents import events as ev
from massgen_tui.agents.backends.base import ChatBackend, RetryPolicy, make_backend
from massgen_tui.agents.coordination import (
    AgentRuntime,
    CoordinationResult,
    CoordinationSettings,
    Coordinator,
)
from massgen_tui.agents.errors import AgentRunError
from massgen_tui.agents.loop import LoopLimits
from massgen_tui.agents.providers import Endpoint, resolve_endpoint
from massgen_tui.agents.run_store import RunRecord, new_run_id, now_iso, runs_dir, save_run
from massgen_tui.agents.tools import AgentTool, CommandRunner, ExecuteCommandTool, LocalCommandRunner, MCPTool

DEFAULT_ORCHESTRATOR_TIMEOUT_S = 1800.0
DEFAULT_COMMAND_TIMEOUT_S = 120.0


@dataclass
class AgentPlan:
    """One agent as read from the config, checked before the run starts."""

    id: str
    backend: Mapping[str, Any]
    endpoint: Endpoint
    system_message: str | None
    command_mode: Literal["docker", "local"] | None  # None: no execute_command tool
    command_timeout_s: float
    mcp_specs: list[Any] = field(default_factory=list)  # list[MCPServerSpec]
    docker_settings: Any = None  # DockerSettings when command_mode == "docker"
    cwd: Path | None = None  # backend.cwd resolved against the working directory

    def workspace(self, run: Run) -> Path:
        """The agent's working folder: ``backend.cwd`` when set, else one under the run's folder."""
        if self.docker_settings is not None and self.docker_settings.workspace is not None:
            return Path(self.docker_settings.workspace)
        return self.cwd or run.workspace_root / self.id


@dataclass
class RunPlan:
    agents: list[AgentPlan]
    coordination: CoordinationSettings
    safety: Any  # SafetySettings
    config_path: Path | None
    base_dir: Path


@dataclass
class RunOptions:
    max_turns: int = 25
    round_timeout_s: float | None = None
    tool_timeout_s: float | None = None  # MCP calls; None: the server spec's own timeout
    retry: RetryPolicy | None = None
    runs_dir: Path | None = None  # where the run is saved (default: the user data dir)
    cwd_base: Path | None = None  # relative backend.cwd paths (default: the working directory)
    orchestrator_timeout_s: float | None = None  # overrides the config's
    save: bool = True
    store_path: Path | None = None  # the safety decision store (default: the user's store)


class AgentResources:
    """What one agent holds during a run; closed in reverse order at the end."""

    def __init__(self) -> None:
        self.closers: list[Callable[[], Awaitable[None]]] = []

    async def aclose(self) -> None:
        for close in reversed(self.closers):
            with contextlib.suppress(Exception):
                await close()
        self.closers.clear()


CommandRunnerFactory = Callable[[AgentPlan, "Run"], Awaitable[CommandRunner]]
HookFactory = Callable[[AgentPlan, "Run"], Awaitable[list[Any]]]  # CallHooks for the agent's MCP calls


def read_plan(doc: Any, *, environ: Mapping[str, str] | None = None, options: RunOptions | None = None) -> RunPlan:
    """Check everything that can be checked before a run starts and collect every problem at once."""
    from pydantic import ValidationError

    from massgen_tui.config.safety import SafetySettings

    options = options or RunOptions()
    data = doc.data if isinstance(doc.data, Mapping) else {}
    problems: list[str] = []
    entries = doc.agent_entries()
    if not entries:
        problems.append("the config defines no agents (use `agents:` or `agent:`)")
    plans: list[AgentPlan] = []
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            problems.append(f"{entry.location}: two agents have the id {entry.id!r}")
        seen.add(entry.id)
        backend = entry.backend
        try:
            endpoint = resolve_endpoint(backend, agent=entry.id, environ=environ)
        except AgentRunError as exc:
            problems.append(f"{entry.location}.backend: {exc.detail}")
            continue
        command_mode: Literal["docker", "local"] | None = None
        if backend.get("enable_mcp_command_line"):
            mode = str(backend.get("command_line_execution_mode") or "local")
            if mode not in ("docker", "local"):
                problems.append(f"{entry.location}.backend.command_line_execution_mode: "
                                f"{mode!r} is not docker or local")
            else:
                command_mode = mode  # type: ignore[assignment]
        timeout = backend.get("command_line_docker_timeout", DEFAULT_COMMAND_TIMEOUT_S)
        if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
            problems.append(f"{entry.location}.backend.command_line_docker_timeout: must be a positive number")
            timeout = DEFAULT_COMMAND_TIMEOUT_S
        specs: list[Any] = []
        if backend.get("mcp_servers"):
            from massgen_tui.mcp import MCPServerError, MCPServerSpec

            try:
                specs = MCPServerSpec.from_backend(backend)
            except MCPServerError as exc:
                problems.append(f"{entry.location}.backend.mcp_servers: {exc}")
        settings = None
        if command_mode == "docker":
            from massgen_tui.docker import DockerSettings, DockerSettingsError

            base = Path(doc.path).parent if getattr(doc, "path", None) else Path.cwd()
            try:
                settings = DockerSettings.from_backend(backend, base_dir=base, cwd_base=options.cwd_base)
            except DockerSettingsError as exc:
                problems.append(f"{entry.location}.backend.{exc.detail}" if not exc.key
                                else f"{entry.location}.backend.{exc.key}: {exc.detail}")
        cwd = None
        if isinstance(backend.get("cwd"), str) and backend["cwd"].strip():
            cwd = Path(backend["cwd"]).expanduser()
            if not cwd.is_absolute():
                cwd = (options.cwd_base or Path.cwd()) / cwd
        system = entry.data.get("system_message") or backend.get("system_message")
        plans.append(AgentPlan(entry.id, backend, endpoint, str(system) if system else None, command_mode,
                               float(timeout), specs, settings, cwd))
    try:
        safety = SafetySettings.model_validate(data.get("safety") or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        problems.append(f"safety.{where}: {first['msg']}")
        safety = SafetySettings()
    coordination = CoordinationSettings(timeout_s=_orchestrator_timeout(data, problems))
    orch = data.get("orchestrator")
    if isinstance(orch, Mapping) and orch.get("max_new_answers_per_agent") is not None:
        cap = orch["max_new_answers_per_agent"]
        if isinstance(cap, int) and not isinstance(cap, bool) and cap > 0:
            coordination.max_new_answers_per_agent = cap
        else:
            problems.append("orchestrator.max_new_answers_per_agent: must be a positive integer")
    coord = orch.get("coordination") if isinstance(orch, Mapping) else None
    if isinstance(coord, Mapping) and coord.get("enable_planning_mode") is not None:
        planning = coord["enable_planning_mode"]
        if isinstance(planning, bool):
            coordination.planning_mode = planning
        else:
            problems.append("orchestrator.coordination.enable_planning_mode: must be true or false")
    if options.orchestrator_timeout_s is not None:
        coordination.timeout_s = options.orchestrator_timeout_s
    if problems:
        where = f"{doc.path}: " if getattr(doc, "path", None) else ""
        raise AgentRunError(f"{where}cannot start the run:\n  - " + "\n  - ".join(problems))
    path = Path(doc.path) if getattr(doc, "path", None) else None
    return RunPlan(plans, coordination, safety, path, path.parent if path else Path.cwd())


def _orchestrator_timeout(data: Mapping[str, Any], problems: list[str]) -> float:
    candidates = []
    ts = data.get("timeout_settings")
    if isinstance(ts, Mapping) and "orchestrator_timeout_seconds" in ts:
        candidates.append(("timeout_settings.orchestrator_timeout_seconds", ts["orchestrator_timeout_seconds"]))
    orch = data.get("orchestrator")
    if isinstance(orch, Mapping) and isinstance(orch.get("timeout"), Mapping) \
            and "orchestrator_timeout_seconds" in orch["timeout"]:
        candidates.append(("orchestrator.timeout.orchestrator_timeout_seconds",
                           orch["timeout"]["orchestrator_timeout_seconds"]))
    for where, value in candidates:
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            return float(value)
        problems.append(f"{where}: must be a positive number of seconds, got {value!r}")
    return DEFAULT_ORCHESTRATOR_TIMEOUT_S


class Run:
    def __init__(self, plan: RunPlan, task: str, *, approver: Any = None, options: RunOptions | None = None,
                 command_runner_factory: CommandRunnerFactory | None = None,
                 hook_factory: HookFactory | None = None):
        if not task.strip():
            raise AgentRunError("the task is empty")
        self.plan = plan
        self.task = task
        self.approver = approver
        self.options = options or RunOptions()
        self.run_id = new_run_id()
        self.record = RunRecord(self.run_id, task, str(plan.config_path or ""), now_iso(), status="running",
                                agents=[{"id": a.id, "type": a.endpoint.type, "model": a.endpoint.model}
                                        for a in plan.agents])
        self.saved_to: Path | None = None
        self._command_runner_factory = command_runner_factory or default_command_runner
        self._hook_factory = hook_factory or default_hooks
        self._queue: asyncio.Queue[ev.RunEvent | None] = asyncio.Queue()
        self._listeners: list[Callable[[ev.RunEvent], None]] = []
        self._task: asyncio.Task[RunRecord] | None = None
        self._t0 = time.monotonic()
        self._gates: list[Any] = []  # hooks with set_planning_mode (the safety gates)
        self._shared_closers: list[Callable[[], Awaitable[None]]] = []
        self._docker_runtime: Any = None
        self._decision_store: Any = None
        self._shared_lock = asyncio.Lock()
        self.stats: dict[str, Any] = {}
        self._cancel_requested = False

    @classmethod
    def from_config(cls, doc: Any, task: str, *, environ: Mapping[str, str] | None = None,
                    options: RunOptions | None = None, **kwargs: Any) -> Run:
        """Check the config (raises :class:`AgentRunError` listing every problem) and make a run."""
        return cls(read_plan(doc, environ=environ, options=options), task, options=options, **kwargs)

    # -- public -----------------------------------------------------------------------------------
    @property
    def workspace_root(self) -> Path:
        return (self.options.runs_dir or runs_dir()) / self.run_id / "workspaces"

    def add_listener(self, listener: Callable[[ev.RunEvent], None]) -> None:
        self._listeners.append(listener)

    def start(self) -> asyncio.Task[RunRecord]:
        if self._task is None:
            self._t0 = time.monotonic()
            self._task = asyncio.create_task(self._main(), name=f"run-{self.run_id}")
        return self._task

    async def events(self) -> AsyncIterator[ev.RunEvent]:
        """Every event of the run, from the start, ending after :class:`RunFinished` (one consumer)."""
        self.start()
        while True:
            event = await self._queue.get()
            if event is None:
                return
            yield event

    def cancel(self) -> None:
        self._cancel_requested = True
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def wait(self) -> RunRecord:
        task = self.start()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(task)
        return self.record

    async def run(self) -> RunRecord:
        self.start()
        async for _ in self.events():
            pass
        return await self.wait()

    # -- internals --------------------------------------------------------------------------------
    def emit(self, event: ev.RunEvent) -> None:
        event.at = round(time.monotonic() - self._t0, 4)
        self.record.observe(event)
        for listener in self._listeners:
            listener(event)
        self._queue.put_nowait(event)

    def _set_planning(self, on: bool) -> None:
        always = bool(getattr(self.plan.safety, "planning_mode", False))
        for gate in self._gates:
            gate.set_planning_mode(on or always)

    @property
    def gates(self) -> list[Any]:
        """The safety gates of this run's agents (their ``last_verdicts`` say who decided what)."""
        return list(self._gates)

    @property
    def container_runtime(self) -> Any:
        """The run's :class:`massgen_tui.docker.ContainerRuntime` once a Docker agent started, else None
        (the containers pane watches it)."""
        return self._docker_runtime

    async def docker_runtime(self) -> Any:
        async with self._shared_lock:
            if self._docker_runtime is None:
                from massgen_tui.docker import ContainerRuntime, DockerExecutionError

                runtime = ContainerRuntime(config_path=str(self.plan.config_path or ""))
                try:
                    await runtime.start()
                except DockerExecutionError as exc:
                    await runtime.aclose()
                    raise AgentRunError(f"Docker is needed by this config and is not usable: {exc.detail}") from exc
                self._docker_runtime = runtime
                self._shared_closers.append(runtime.aclose)
            return self._docker_runtime

    async def decision_store(self) -> Any:
        async with self._shared_lock:
            if self._decision_store is None:
                from massgen_tui.agents.safety_glue import open_decision_store

                self._decision_store = await open_decision_store(self.options.store_path)
                self._shared_closers.append(self._decision_store.close)
            return self._decision_store

    async def _main(self) -> RunRecord:
        resources: dict[str, AgentResources] = {}
        status: Literal["completed", "failed", "cancelled", "timeout"] = "failed"
        error = ""
        try:
            self.emit(ev.RunStarted(run_id=self.run_id, task=self.task, agents=[a.id for a in self.plan.agents],
                                    coordination=len(self.plan.agents) > 1))
            for agent in self.plan.agents:
                resources[agent.id] = AgentResources()
            # Containers and MCP servers of all agents start in parallel.
            built = await asyncio.gather(*(self._build_agent(a, resources[a.id]) for a in self.plan.agents),
                                         return_exceptions=True)
            for item in built:
                if isinstance(item, BaseException):
                    raise item
            runtimes = [item for item in built if isinstance(item, AgentRuntime)]
            self.stats = {r.id: r.stats for r in runtimes}  # live: usage, model/tool time, turns
            result = await Coordinator(runtimes, self.task, self.emit, self.plan.coordination,
                                       planning=self._set_planning).run()
            status, error = self._finish(result)
        except asyncio.CancelledError:
            status, error = "cancelled", "cancelled by the user"
            self.emit(ev.Notice(message="run cancelled"))
        except AgentRunError as exc:
            status, error = "failed", str(exc)
            self.emit(ev.AgentError(agent=exc.agent, message=exc.detail, fatal=True))
        except Exception as exc:  # keep the UI alive and the run saved whatever broke
            status, error = "failed", f"{type(exc).__name__}: {exc}"
            self.emit(ev.AgentError(message=error, fatal=True))
        finally:
            await asyncio.shield(self._close(resources))
        self.emit(ev.PhaseChanged(phase="done"))
        finished = ev.RunFinished(status=status, final_answer=self.record.final_answer, error=error)
        if self.options.save:
            self.record.status = status
            self.record.error = error
            self.record.finished_at = now_iso()
            try:
                self.saved_to = save_run(self.record, self.options.runs_dir)
                finished.saved_to = str(self.saved_to)
            except OSError as exc:
                self.emit(ev.Notice(message=f"could not save the run: {exc}"))
        self.emit(finished)
        if self.saved_to is not None:
            with contextlib.suppress(OSError):
                save_run(self.record, self.options.runs_dir)
        self._queue.put_nowait(None)
        return self.record

    def _finish(self, result: CoordinationResult) -> tuple[Literal["completed", "failed", "cancelled", "timeout"], str]:
        if result.final_answer is not None:
            self.emit(ev.FinalAnswer(agent=result.winner, content=result.final_answer,
                                     votes={voter: v["agent_id"] for voter, v in result.votes.items()},
                                     reason=result.reason))
        return result.status, result.error

    async def _close(self, resources: dict[str, AgentResources]) -> None:
        await asyncio.gather(*(r.aclose() for r in resources.values()), return_exceptions=True)
        for close in reversed(self._shared_closers):
            with contextlib.suppress(Exception):
                await close()
        self._shared_closers.clear()

    async def _build_agent(self, agent: AgentPlan, res: AgentResources) -> AgentRuntime:
        backend: ChatBackend = make_backend(agent.endpoint, agent=agent.id, retry=self.options.retry)
        res.closers.append(backend.aclose)
        tools: list[AgentTool] = []
        where = None
        if agent.command_mode is not None:
            runner = await self._command_runner_factory(agent, self)
            res.closers.append(runner.aclose)
            tools.append(ExecuteCommandTool(runner, agent.command_timeout_s))
            where = runner.where
        if agent.mcp_specs:
            from massgen_tui.mcp import ServerManager

            hooks = await self._hook_factory(agent, self)
            self._gates += [h for h in hooks if hasattr(h, "set_planning_mode")]
            manager = ServerManager(agent.mcp_specs, hooks=hooks, agent=agent.id)
            await manager.start()
            res.closers.append(manager.aclose)
            for name, state in manager.status().items():
                if not state.ready:
                    self.emit(ev.AgentError(agent=agent.id, message=f"MCP server {name!r} is not available "
                                            f"({state.status}): {state.reason or 'no reason given'}"))
            tools += [MCPTool(manager, info, self.options.tool_timeout_s) for info in manager.tools()]
        limits = LoopLimits(max_turns=self.options.max_turns, round_timeout_s=self.options.round_timeout_s)
        return AgentRuntime(agent.id, backend, tools, agent.system_message, where, limits)


async def default_command_runner(agent: AgentPlan, run: Run) -> CommandRunner:
    if agent.command_mode == "docker":
        from massgen_tui.agents.docker_runner import docker_command_runner

        return await docker_command_runner(agent, run)
    return LocalCommandRunner(agent.workspace(run))


async def default_hooks(agent: AgentPlan, run: Run) -> list[Any]:
    """The safety gate for this agent's MCP calls. There is no run without it: calls to MCP tools
    would otherwise reach the servers unchecked."""
    from massgen_tui.agents.safety_glue import safety_gate

    return [await safety_gate(agent, run)]
