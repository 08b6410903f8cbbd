"""The tools an agent's model can call: ``execute_command`` (in its container or locally) and the
agent's MCP tools (every call through the MCP client's hook chain, the safety gate included).

Both sit behind small protocols so the loop and coordination are tested with real local
executors and real MCP servers alike: :class:`CommandRunner` (run a shell command, stream its
output) and :class:`MCPToolSource` (list tools, call one — ``massgen_tui.mcp.ServerManager``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from massgen_tui.agents.backends.base import ToolSpec

ToolStatus = Literal["ok", "tool_error", "error", "denied", "timeout", "cancelled"]
OutputSink = Callable[[Literal["stdout", "stderr"], str], None]  # called on the event loop, must not block

MAX_RESULT_CHARS = 20_000


@dataclass
class ToolResult:
    status: ToolStatus
    text: str
    duration_s: float = 0.0


@dataclass
class CommandResult:
    exit_code: int | None
    stdout: str
    stderr: str
    reason: Literal["exited", "timeout", "oom", "container_died", "error"] = "exited"
    duration_s: float = 0.0
    detail: str = ""


class CommandRunner(Protocol):
    """Runs shell commands for one agent. ``where`` describes the place for messages and prompts."""

    where: str
    docker: bool

    async def run(self, command: str, *, timeout_s: float, on_output: OutputSink | None = None) -> CommandResult: ...

    async def aclose(self) -> None: ...


class MCPToolSource(Protocol):
    """What the loop needs from ``massgen_tui.mcp.ServerManager``."""

    def tools(self) -> list[Any]: ...  # list[ToolInfo]

    async def call_tool(self, server: str, tool: str, arguments: Mapping[str, Any],
                        timeout: float | None = None) -> Any: ...  # CallResult: .status .text .is_error


class AgentTool(Protocol):
    spec: ToolSpec

    async def call(self, arguments: Mapping[str, Any], on_output: OutputSink | None) -> ToolResult: ...


def clip(text: str, limit: int = MAX_RESULT_CHARS) -> str:
    if len(text) <= limit:
        return text
    head = limit * 2 // 3
    return text[:head] + f"\n... [{len(text) - limit} characters cut] ...\n" + text[-(limit - head):]


class LocalCommandRunner:
    """Runs commands with ``/bin/sh -c`` on this machine, in ``cwd``, in their own process group so
    a timeout or a cancel kills the whole tree."""

    docker = False

    def __init__(self, cwd: Path, env: Mapping[str, str] | None = None):
        self.cwd = cwd
        self.env = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"}
        self.where = f"a local shell in {cwd}"

    async def run(self, command: str, *, timeout_s: float, on_output: OutputSink | None = None) -> CommandResult:
        started = time.monotonic()
        self.cwd.mkdir(parents=True, exist_ok=True)
        spawn = asyncio.ensure_future(asyncio.create_subprocess_exec(
            "/bin/sh", "-c", command, cwd=self.cwd, env=self.env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, start_new_session=True))
        try:
            # Shielded: a cancel during the spawn would make asyncio wait for the child to exit.
            proc = await asyncio.shield(spawn)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                self._kill(await spawn)
            raise
        out: dict[str, list[str]] = {"stdout": [], "stderr": []}

        async def pump(stream: asyncio.StreamReader, name: Literal["stdout", "stderr"]) -> None:
            while chunk := await stream.read(4096):
                text = chunk.decode("utf-8", "replace")
                out[name].append(text)
                if on_output is not None:
                    on_output(name, text)

        assert proc.stdout is not None and proc.stderr is not None
        pumps = asyncio.gather(pump(proc.stdout, "stdout"), pump(proc.stderr, "stderr"))
        reason: Literal["exited", "timeout"] = "exited"
        try:
            await asyncio.wait_for(asyncio.shield(pumps), timeout_s)
            await proc.wait()
        except TimeoutError:
            reason = "timeout"
            self._kill(proc)
            await proc.wait()
            await self._drop(pumps)
        except asyncio.CancelledError:
            self._kill(proc)
            await self._drop(pumps)
            raise
        return CommandResult(None if reason == "timeout" else proc.returncode, "".join(out["stdout"]),
                             "".join(out["stderr"]), reason, time.monotonic() - started)

    @staticmethod
    async def _drop(pumps: asyncio.Future[Any]) -> None:
        pumps.cancel()
        with contextlib.suppress(BaseException):
            await pumps

    @staticmethod
    def _kill(proc: asyncio.subprocess.Process) -> None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    async def aclose(self) -> None:
        return None


EXECUTE_COMMAND = ToolSpec(
    name="execute_command",
    description="Run a shell command and get its exit code, stdout and stderr.",
    parameters={
        "type": "object",
        "properties": {
            "command": {"type": "string", "description": "The shell command to run"},
            "timeout": {"type": "number", "description": "Seconds before the command is killed (optional)"},
        },
        "required": ["command"],
    },
)


class ExecuteCommandTool:
    spec = EXECUTE_COMMAND

    def __init__(self, runner: CommandRunner, default_timeout_s: float = 120.0, max_timeout_s: float = 3600.0):
        self.runner = runner
        self.default_timeout_s = default_timeout_s
        self.max_timeout_s = max_timeout_s

    async def call(self, arguments: Mapping[str, Any], on_output: OutputSink | None) -> ToolResult:
        command = arguments.get("command")
        if not isinstance(command, str) or not command.strip():
            return ToolResult("tool_error", "execute_command needs a non-empty 'command' string")
        timeout = arguments.get("timeout")
        timeout_s = float(timeout) if isinstance(timeout, int | float) and timeout > 0 else self.default_timeout_s
        timeout_s = min(timeout_s, self.max_timeout_s)
        try:
            result = await self.runner.run(command, timeout_s=timeout_s, on_output=on_output)
        except Exception as exc:  # the executor's own domain error (DockerExecutionError, OSError)
            return ToolResult("error", f"command could not run in {self.runner.where}: {exc}")
        parts = []
        if result.reason == "timeout":
            status: ToolStatus = "timeout"
            parts.append(f"timed out after {timeout_s:g}s and was killed")
        elif result.reason in ("container_died", "oom", "error"):
            status = "error"
            what = {"container_died": "the container stopped while the command ran",
                    "oom": "the command was killed: out of memory",
                    "error": "the command failed to run"}[result.reason]
            parts.append(what + (f" ({result.detail})" if result.detail else ""))
        else:
            status = "ok" if result.exit_code == 0 else "tool_error"
            parts.append(f"exit code: {result.exit_code}")
        if result.stdout:
            parts.append("stdout:\n" + clip(result.stdout))
        if result.stderr:
            parts.append("stderr:\n" + clip(result.stderr, MAX_RESULT_CHARS // 2))
        return ToolResult(status, "\n".join(parts), result.duration_s)


def mcp_tool_name(server: str, tool: str) -> str:
    return f"mcp__{server}__{tool}"


class MCPTool:
    """One MCP tool as the model sees it (``mcp__server__tool``), called through the source's hooks."""

    def __init__(self, source: MCPToolSource, info: Any, timeout_s: float | None = None):
        self.source = source
        self.info = info
        self.timeout_s = timeout_s
        description = info.description or info.title or info.name
        self.spec = ToolSpec(mcp_tool_name(info.server, info.name), description,
                             dict(info.input_schema) or {"type": "object", "properties": {}})

    async def call(self, arguments: Mapping[str, Any], on_output: OutputSink | None) -> ToolResult:
        started = time.monotonic()
        try:
            result = await self.source.call_tool(self.info.server, self.info.name, dict(arguments),
                                                 timeout=self.timeout_s)
        except Exception as exc:  # MCPServerError and transport failures: the model is told, the run goes on
            return ToolResult("error", f"{self.spec.name} failed: {exc}", time.monotonic() - started)
        status = getattr(result, "status", "ok")
        text = getattr(result, "text", "") or ""
        if status == "ok" and getattr(result, "is_error", False):
            status = "tool_error"
        if status == "denied" and not text:
            text = "the call was denied"
        if status == "timeout" and not text:
            text = f"the call timed out after {self.timeout_s}s"
        return ToolResult(status, clip(text), time.monotonic() - started)
