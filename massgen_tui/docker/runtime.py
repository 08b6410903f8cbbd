"""Containers per agent for one session, and commands run in them.

``ContainerRuntime`` owns one long-lived container per agent, created on first use and reused for every
command, removed by :meth:`ContainerRuntime.aclose`. At start it sweeps containers that dead sessions left.
The Docker SDK blocks: every engine call runs in the runtime's own thread pool, and output is handed to
the event loop with ``call_soon_threadsafe`` (never blocking the reader).

A timeout kills the command's whole process tree inside the container: every process of an exec carries
a marker in its environment (children inherit it, even when they detach or are re-parented to init), and
on timeout all processes with that marker are stopped and killed, from the host when its /proc shows them
(a local engine) and from inside the container as well.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import signal
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from massgen_tui.docker.command_filters import check_command
from massgen_tui.docker.containers import build_spec, create_and_start
from massgen_tui.docker.engine import connect
from massgen_tui.docker.errors import DockerExecutionError
from massgen_tui.docker.images import Progress, resolve_image
from massgen_tui.docker.output import CappedOutput, OutputChunk, StreamDecoder
from massgen_tui.docker.results import KILLED_EXIT, TIMEOUT_EXIT, ExecResult
from massgen_tui.docker.sessions import SESSION, SessionIdentity, SweptContainer, sweep_dead_sessions
from massgen_tui.docker.settings import DockerSettings

MARKER_ENV = "MASSGEN_TUI_EXEC"
OOM_GRACE_S = 0.3  # how long to wait for the engine's oom event after a command died of SIGKILL
OutputHandler = Callable[[OutputChunk], None]

# Runs inside the container as the command's user: stop, then kill, every process carrying the marker.
_KILL_SCRIPT = (
    'm="$0"; n=0; while [ "$n" -lt 50 ]; do found=; '
    'for p in /proc/[0-9]*; do '
    'if grep -qa "' + MARKER_ENV + '=$m" "$p/environ" 2>/dev/null; then '
    'kill -STOP "${p#/proc/}" 2>/dev/null; kill -KILL "${p#/proc/}" 2>/dev/null; found=1; fi; done; '
    '[ -z "$found" ] && exit 0; n=$((n+1)); done; exit 1'
)


@dataclass
class AgentContainer:
    """An agent's live container."""

    agent_id: str
    container_id: str
    name: str
    image: str
    user: str
    workdir: str
    settings: DockerSettings
    created_s: float = field(default_factory=time.time)
    dead: bool = False


class ContainerRuntime:
    """One session's containers. Use ``async with ContainerRuntime(...) as runtime`` or start/aclose."""

    def __init__(self, *, session: SessionIdentity | None = None, config_path: str = "", client: Any = None,
                 sweep_on_start: bool = True, max_threads: int = 32):
        self.session = session or SessionIdentity()
        self.config_path = config_path
        self._client = client
        self._sweep_on_start = sweep_on_start
        self._max_threads = max_threads
        self._pool = ThreadPoolExecutor(max_workers=max_threads, thread_name_prefix="massgen-tui-docker")
        self._containers: dict[str, AgentContainer] = {}
        self._settings: dict[str, DockerSettings] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._oom: dict[str, list[float]] = {}  # container id -> monotonic times of oom events
        self._died: set[str] = set()
        self._events_lock = threading.Lock()
        self._events_stream: Any = None
        self._events_thread: threading.Thread | None = None
        self._started = False
        self._subscribers: set[asyncio.Queue[ExecActivity | None]] = set()
        self.swept: list[SweptContainer] = []

    # -- life -------------------------------------------------------------------------------------

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = connect()
        return self._client

    async def _call(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, lambda: function(*args, **kwargs))

    async def start(self) -> list[SweptContainer]:
        """Connect, sweep dead sessions' containers and watch engine events. Idempotent."""
        if self._started:
            return []
        await self._call(lambda: self.client)
        if self._sweep_on_start:
            self.swept = await self._call(sweep_dead_sessions, self.client, keep_session=self.session.session_id)
        self._start_event_watch()
        self._started = True
        return self.swept

    async def __aenter__(self) -> ContainerRuntime:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop and remove every container of this session."""
        containers = list(self._containers.values())
        self._containers.clear()
        await asyncio.gather(*(self._call(self._remove, c.container_id) for c in containers),
                             return_exceptions=True)
        # containers created but not recorded (crash between create and record) carry our session label
        with contextlib.suppress(Exception):
            await self._call(self._remove_session_leftovers)
        self._stop_event_watch()
        self._publish(None)  # ends activity() streams
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = ThreadPoolExecutor(max_workers=self._max_threads, thread_name_prefix="massgen-tui-docker")
        self._started = False  # usable again: start() sweeps and watches anew

    def _remove(self, container_id: str) -> None:
        from docker.errors import NotFound

        with contextlib.suppress(NotFound):
            self.client.api.remove_container(container_id, force=True, v=True)

    def _remove_session_leftovers(self) -> None:
        for info in self.client.api.containers(all=True, filters={"label": f"{SESSION}={self.session.session_id}"}):
            self._remove(info["Id"])

    # -- engine events (oom, die) -----------------------------------------------------------------

    def _start_event_watch(self) -> None:
        if self._events_thread is not None:
            return
        ready = threading.Event()
        stopping = threading.Event()
        self._events_stopping = stopping

        def watch() -> None:
            while not stopping.is_set():  # the stream ends when the engine restarts: watch again
                try:
                    stream = self.client.events(decode=True, filters={
                        "type": "container", "label": f"{SESSION}={self.session.session_id}"})
                except Exception:
                    ready.set()
                    stopping.wait(1)
                    continue
                self._events_stream = stream
                ready.set()
                try:
                    for event in stream:
                        self._record_event(event)
                except Exception:
                    pass
                stopping.wait(0.5)

        self._events_thread = threading.Thread(target=watch, name="massgen-tui-docker-events", daemon=True)
        self._events_thread.start()
        ready.wait(10)

    def _record_event(self, event: Mapping[str, Any]) -> None:
        action = event.get("Action") or event.get("status") or ""
        actor = (event.get("Actor") or {}).get("ID") or event.get("id") or ""
        with self._events_lock:
            if action == "oom":
                self._oom.setdefault(actor, []).append(time.monotonic())
            elif action in ("die", "destroy"):
                self._died.add(actor)

    def _stop_event_watch(self) -> None:
        stopping = getattr(self, "_events_stopping", None)
        if stopping is not None:
            stopping.set()
        stream, self._events_stream = self._events_stream, None
        if stream is not None:
            with contextlib.suppress(Exception):
                stream.close()
        self._events_thread = None

    def _oom_since(self, container_id: str, since: float) -> bool:
        with self._events_lock:
            return any(t >= since for t in self._oom.get(container_id, ()))

    # -- containers -------------------------------------------------------------------------------

    def configure(self, agent_id: str, settings: DockerSettings) -> None:
        """Set (or change, for the next container) an agent's settings."""
        self._settings[agent_id] = settings

    def container(self, agent_id: str) -> AgentContainer | None:
        return self._containers.get(agent_id)

    def containers(self) -> list[AgentContainer]:
        return list(self._containers.values())

    async def ensure_container(self, agent_id: str, settings: DockerSettings | None = None,
                               progress: Progress | None = None) -> AgentContainer:
        """The agent's running container, created (image built if needed) on first use."""
        if settings is not None:
            self._settings[agent_id] = settings
        settings = self._settings.get(agent_id)
        if settings is None:
            raise DockerExecutionError(f"no Docker settings given for agent {agent_id!r}")
        await self.start()
        lock = self._locks.setdefault(agent_id, asyncio.Lock())
        async with lock:
            current = self._containers.get(agent_id)
            if (current is not None and not current.dead and current.container_id not in self._died
                    and current.settings == settings):
                return current  # settings changed: a new container below
            if current is not None:
                self._containers.pop(agent_id, None)
                await self._call(self._remove, current.container_id)
            loop = asyncio.get_running_loop()
            threadsafe_progress = (lambda line: loop.call_soon_threadsafe(progress, line)) if progress else None
            created = await self._call(self._create, agent_id, settings, threadsafe_progress)
            self._containers[agent_id] = created
            return created

    def _create(self, agent_id: str, settings: DockerSettings, progress: Progress | None) -> AgentContainer:
        from docker.errors import APIError

        image = resolve_image(self.client, settings, progress)
        spec = build_spec(settings, image, self.session, agent_id, self.config_path)
        try:
            container_id = create_and_start(self.client, spec)
        except APIError as exc:
            raise DockerExecutionError(_create_failure(agent_id, image, exc)) from exc
        return AgentContainer(agent_id, container_id, spec.name, image, spec.user, spec.workdir, settings)

    async def stop_agent(self, agent_id: str) -> None:
        current = self._containers.pop(agent_id, None)
        if current is not None:
            await self._call(self._remove, current.container_id)

    # -- exec -------------------------------------------------------------------------------------

    async def exec(self, agent_id: str, command: str | Sequence[str], *, timeout: float | None = None,
                   on_output: OutputHandler | None = None, workdir: str | None = None,
                   env: Mapping[str, str] | None = None, settings: DockerSettings | None = None) -> ExecResult:
        """Run ``command`` (a shell string, or an argv list) in the agent's container.

        ``on_output`` receives :class:`OutputChunk` s on the event loop as they arrive. The result keeps at
        most ``settings.output_limit`` bytes per stream (head and tail). Raises
        :class:`CommandRejectedError` when the allow/block patterns refuse the command.
        """
        if settings is not None:
            self._settings[agent_id] = settings
        known = self._settings.get(agent_id)
        if known is None:
            raise DockerExecutionError(f"no Docker settings given for agent {agent_id!r}")
        text = command if isinstance(command, str) else shlex.join(command)
        check_command(text, known.allowed_commands, known.blocked_commands)
        argv = ["/bin/sh", "-c", command] if isinstance(command, str) else list(command)
        box = await self.ensure_container(agent_id)
        limit = timeout if timeout is not None else box.settings.timeout_s
        return await self._exec_in(box, argv, text, limit, on_output, workdir, env)

    async def stream_exec(self, agent_id: str, command: str | Sequence[str], **options: Any
                          ) -> AsyncIterator[OutputChunk | ExecResult]:
        """The output chunks as they arrive, then the :class:`ExecResult`."""
        queue: asyncio.Queue[OutputChunk | ExecResult | BaseException] = asyncio.Queue()

        async def run() -> None:
            try:
                queue.put_nowait(await self.exec(agent_id, command, on_output=queue.put_nowait, **options))
            except BaseException as exc:
                queue.put_nowait(exc)

        task = asyncio.create_task(run())
        try:
            while True:
                item = await queue.get()
                if isinstance(item, BaseException):
                    raise item
                yield item
                if isinstance(item, ExecResult):
                    return
        finally:
            if not task.done():
                task.cancel()

    async def _exec_in(self, box: AgentContainer, argv: list[str], text: str, timeout: float,
                       on_output: OutputHandler | None, workdir: str | None,
                       env: Mapping[str, str] | None) -> ExecResult:
        loop = asyncio.get_running_loop()
        marker = uuid.uuid4().hex
        environment = dict(env or {})
        environment[MARKER_ENV] = marker
        stdout = CappedOutput(box.settings.output_limit)
        stderr = CappedOutput(box.settings.output_limit)
        emit: Callable[[OutputChunk], None] | None = None
        watched = bool(self._subscribers)
        if watched:
            self._publish(ExecActivity(box.agent_id, "start", text, exec_id=marker))
        if on_output is not None or watched:

            def deliver(chunk: OutputChunk) -> None:
                if on_output is not None:
                    on_output(chunk)
                if watched:
                    self._publish(ExecActivity(box.agent_id, "output", text, chunk=chunk, exec_id=marker))

            def emit(chunk: OutputChunk) -> None:
                with contextlib.suppress(RuntimeError):  # the loop closed under us: nobody listens
                    loop.call_soon_threadsafe(deliver, chunk)

        started = time.monotonic()
        future = loop.run_in_executor(self._pool, self._run_exec, box, argv, environment, workdir,
                                      stdout, stderr, emit)
        timed_out = False
        try:
            outcome = await asyncio.wait_for(asyncio.shield(future), timeout)
        except TimeoutError:
            timed_out = True
            await self._call(self._kill_marked, box, marker)
            try:
                outcome = await asyncio.wait_for(asyncio.shield(future), 10)
            except TimeoutError:
                outcome = _ExecOutcome(None, None)
        except asyncio.CancelledError:
            await asyncio.shield(self._call(self._kill_marked, box, marker))
            raise
        duration = time.monotonic() - started
        reason = "exited"
        code = outcome.exit_code
        if timed_out:
            reason, code = "timeout", TIMEOUT_EXIT
        elif outcome.error is not None or code is None:
            if await self._call(self._container_running, box):
                if outcome.error is not None:
                    raise DockerExecutionError(f"running the command in {box.name} failed: {outcome.error}")
                code = code if code is not None else KILLED_EXIT
            else:
                reason, code = "container_died", KILLED_EXIT
                box.dead = True
        elif code == KILLED_EXIT:
            # the engine's oom event names the container, not the process: only a command that died of
            # SIGKILL is taken as the one killed, so another command of the same container that failed
            # at the same time keeps its own status
            if not self._oom_since(box.container_id, started):
                await asyncio.sleep(OOM_GRACE_S)  # the oom event can trail the exec's end
            if self._oom_since(box.container_id, started):
                reason = "oom"
            elif not await self._call(self._container_running, box):
                reason = "container_died"
                box.dead = True
        result = ExecResult(
            exit_code=code, stdout=stdout.text(), stderr=stderr.text(), duration_s=duration, reason=reason,
            command=text, stdout_bytes=stdout.total, stderr_bytes=stderr.total, stdout_cut=stdout.cut,
            stderr_cut=stderr.cut, container=box.name)
        if watched or self._subscribers:
            self._publish(ExecActivity(box.agent_id, "end", text, result=result, exec_id=marker))
        return result

    # -- activity, for the UI ---------------------------------------------------------------------

    def _publish(self, item: ExecActivity | None) -> None:
        for queue in list(self._subscribers):
            queue.put_nowait(item)

    async def activity(self) -> AsyncIterator[ExecActivity]:
        """Every command of every agent of this session as it runs: start, output chunks, end (with the
        result). Ends when the runtime closes."""
        queue: asyncio.Queue[ExecActivity | None] = asyncio.Queue()
        self._subscribers.add(queue)
        try:
            while True:
                item = await queue.get()
                if item is None:
                    return
                yield item
        finally:
            self._subscribers.discard(queue)

    def _run_exec(self, box: AgentContainer, argv: list[str], environment: dict[str, str], workdir: str | None,
                  stdout: CappedOutput, stderr: CappedOutput, emit: Callable[[OutputChunk], None] | None
                  ) -> _ExecOutcome:
        from docker.errors import APIError, NotFound

        api = self.client.api
        decoder = StreamDecoder() if emit is not None else None
        try:
            exec_id = api.exec_create(box.container_id, argv, stdout=True, stderr=True, user=box.user,
                                      environment=environment, workdir=workdir)["Id"]
            for out, err in api.exec_start(exec_id, stream=True, demux=True):
                if out:
                    stdout.add(out)
                    if decoder is not None and emit is not None:
                        emit(OutputChunk("stdout", decoder.decode("stdout", out)))
                if err:
                    stderr.add(err)
                    if decoder is not None and emit is not None:
                        emit(OutputChunk("stderr", decoder.decode("stderr", err)))
            return _ExecOutcome(api.exec_inspect(exec_id).get("ExitCode"), None)
        except (NotFound, APIError) as exc:
            return _ExecOutcome(None, str(getattr(exc, "explanation", None) or exc))

    def _container_running(self, box: AgentContainer) -> bool:
        from docker.errors import NotFound

        try:
            state = self.client.api.inspect_container(box.container_id)["State"]
        except NotFound:
            return False
        return bool(state.get("Running")) and not state.get("Restarting")

    def _kill_marked(self, box: AgentContainer, marker: str) -> None:
        """Kill every process of one exec: from the host when it can see them, then from inside."""
        needle = f"{MARKER_ENV}={marker}".encode()
        for _ in range(50):
            if not self._kill_marked_from_host(box, needle):
                break
        with contextlib.suppress(Exception):
            self.client.api.exec_start(self.client.api.exec_create(
                box.container_id, ["/bin/sh", "-c", _KILL_SCRIPT, marker], user=box.user)["Id"])

    def _kill_marked_from_host(self, box: AgentContainer, needle: bytes) -> bool:
        """True when some marked process was found (and signalled) through the host's /proc."""
        try:
            top = self.client.api.top(box.container_id, ps_args="-eo pid")
        except Exception:
            return False
        column = (top.get("Titles") or ["PID"]).index("PID") if "PID" in (top.get("Titles") or []) else 0
        pids = []
        for row in top.get("Processes") or []:
            try:
                pid = int(row[column])
            except (ValueError, IndexError):
                continue
            try:
                with open(f"/proc/{pid}/environ", "rb") as handle:
                    if needle in handle.read():
                        pids.append(pid)
            except OSError:
                continue
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for pid in pids:
                with contextlib.suppress(OSError):
                    os.kill(pid, sig)
        return bool(pids)


@dataclass(frozen=True)
class ExecActivity:
    """One step of a command, for watchers (the UI): ``start``, ``output`` (with ``chunk``), ``end``
    (with ``result``). ``exec_id`` tells concurrent commands of one agent apart."""

    agent_id: str
    kind: Literal["start", "output", "end"]
    command: str
    chunk: OutputChunk | None = None
    result: ExecResult | None = None
    exec_id: str = ""


@dataclass(frozen=True)
class _ExecOutcome:
    exit_code: int | None
    error: str | None


def _create_failure(agent_id: str, image: str, exc: Any) -> str:
    detail = str(getattr(exc, "explanation", None) or exc)
    if "Range of CPUs" in detail:
        hint = " (command_line_docker_cpu_limit is over what the engine offers)"
    elif "Minimum memory limit" in detail:
        hint = " (command_line_docker_memory_limit is too small)"
    elif "executable file not found" in detail or "no such file or directory" in detail:
        hint = f" (the image {image} needs /bin/sh)"
    else:
        hint = ""
    return f"could not start the container for agent {agent_id!r} from image {image}: {detail}{hint}"
