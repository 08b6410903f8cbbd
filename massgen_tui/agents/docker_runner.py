"""``execute_command`` in the agent's Docker container, through ``massgen_tui.docker``'s runtime (the
same code path as ``massgen-tui exec``): one long-lived container per agent, real timeouts that
kill inside the container, out-of-memory and dead-container detection, and a new container on the
next command after one died."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from massgen_tui.agents.tools import CommandResult, OutputSink

if TYPE_CHECKING:
    from massgen_tui.agents.runner import AgentPlan, Run
    from massgen_tui.docker import ContainerRuntime, DockerSettings


class DockerCommandRunner:
    docker = True

    def __init__(self, runtime: ContainerRuntime, agent_id: str, settings: DockerSettings):
        self.runtime = runtime
        self.agent_id = agent_id
        self.settings = settings
        self.where = f"in the agent's Docker container, image {settings.image}"

    async def run(self, command: str, *, timeout_s: float, on_output: OutputSink | None = None) -> CommandResult:
        from massgen_tui.docker import CommandRejectedError, DockerExecutionError, OutputChunk

        def handler(chunk: OutputChunk) -> None:
            if on_output is not None:
                on_output(chunk.stream, chunk.text)

        try:
            result = await self.runtime.exec(self.agent_id, command, timeout=timeout_s, on_output=handler,
                                             settings=self.settings)
        except CommandRejectedError as exc:
            return CommandResult(None, "", "", "error", 0.0, f"refused by the command filters: {exc.detail}")
        except DockerExecutionError as exc:
            return CommandResult(None, "", "", "error", 0.0, exc.detail)
        detail = ""
        if result.truncated:
            detail = f"output cut: {result.stdout_cut + result.stderr_cut} bytes dropped from the middle"
        exit_code = result.exit_code if result.reason == "exited" else None
        return CommandResult(exit_code, result.stdout, result.stderr, result.reason, result.duration_s, detail)

    async def aclose(self) -> None:
        await self.runtime.stop_agent(self.agent_id)


def docker_settings(backend: Any, run_plan_base: Any, cwd_base: Any) -> DockerSettings:
    """Read and check the agent's Docker settings (raises ``DockerSettingsError`` listing problems)."""
    from massgen_tui.docker import DockerSettings

    return DockerSettings.from_backend(backend, base_dir=run_plan_base, cwd_base=cwd_base)


async def docker_command_runner(agent: AgentPlan, run: Run) -> DockerCommandRunner:
    from massgen_tui.agents.errors import AgentRunError
    from massgen_tui.docker import DockerExecutionError

    runtime = await run.docker_runtime()
    settings = agent.docker_settings
    assert settings is not None
    try:
        await runtime.ensure_container(agent.id, settings)
    except DockerExecutionError as exc:
        raise AgentRunError(f"cannot start the Docker container: {exc.detail}", agent=agent.id) from exc
    return DockerCommandRunner(runtime, agent.id, settings)
