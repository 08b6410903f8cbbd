"""Commands: separate streams, capped output, streaming, allow/block patterns, argv form."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from massgen_tui.docker import CommandRejectedError, ContainerRuntime, ExecResult, OutputChunk

pytestmark = pytest.mark.docker


async def test_stdout_and_stderr_are_separate_and_status_kept(runtime: ContainerRuntime, settings_for: Any) -> None:
    result = await runtime.exec("a", "echo out; echo err >&2; exit 7", settings=settings_for())
    assert (result.stdout, result.stderr, result.exit_code, result.reason) == ("out\n", "err\n", 7, "exited")
    assert result.cli_exit_code == 7 and not result.ok


async def test_output_is_capped_head_and_tail_with_the_cut_said(runtime: ContainerRuntime, settings_for: Any) -> None:
    settings = settings_for()
    from dataclasses import replace

    result = await runtime.exec("a", "seq 1 100000", settings=replace(settings, output_limit=2000))
    assert result.stdout.startswith("1\n2\n3\n")
    assert result.stdout.endswith("99999\n100000\n")
    assert result.truncated and result.stdout_cut == result.stdout_bytes - 2000
    assert result.stdout_bytes == len("\n".join(str(i) for i in range(1, 100001))) + 1
    assert f"[... {result.stdout_cut} bytes of output cut" in result.stdout


async def test_output_streams_while_the_command_runs(runtime: ContainerRuntime, settings_for: Any) -> None:
    seen: list[tuple[float, OutputChunk]] = []
    started = time.monotonic()
    result = await runtime.exec("a", "echo first; sleep 1; echo second >&2", settings=settings_for(),
                                on_output=lambda chunk: seen.append((time.monotonic() - started, chunk)))
    assert [c.text for _, c in seen] == ["first\n", "second\n"]
    assert [c.stream for _, c in seen] == ["stdout", "stderr"]
    assert seen[0][0] < result.duration_s - 0.5, "the first line arrived only at the end"


async def test_stream_exec_yields_chunks_then_the_result(runtime: ContainerRuntime, settings_for: Any) -> None:
    items = [item async for item in runtime.stream_exec("a", "echo a; echo b", settings=settings_for())]
    assert isinstance(items[-1], ExecResult) and items[-1].stdout == "a\nb\n"
    assert "".join(i.text for i in items[:-1] if isinstance(i, OutputChunk)) == "a\nb\n"


async def test_allowed_and_blocked_patterns(runtime: ContainerRuntime, settings_for: Any, tmp_path: Any) -> None:
    settings = settings_for(command_line_allowed_commands=[r"echo\b", r"ls\b", r"rm\b"],
                            command_line_blocked_commands=[r"rm\s+-rf"])
    assert (await runtime.exec("a", "echo fine", settings=settings)).ok
    with pytest.raises(CommandRejectedError, match="allowed list"):
        await runtime.exec("a", "cat /etc/passwd")
    (tmp_path / "workspace" / "keep").write_text("x")
    with pytest.raises(CommandRejectedError, match="blocked pattern"):
        await runtime.exec("a", "rm -rf keep")
    assert (tmp_path / "workspace" / "keep").exists()


async def test_argv_commands_and_environment(runtime: ContainerRuntime, settings_for: Any) -> None:
    result = await runtime.exec("a", ["sh", "-c", 'echo "$0 $GREETING"', "it's"], env={"GREETING": "hello"},
                                settings=settings_for())
    assert result.stdout == "it's hello\n"
    assert result.command == "sh -c 'echo \"$0 $GREETING\"' 'it'\"'\"'s'"


async def test_default_timeout_from_the_config(runtime: ContainerRuntime, settings_for: Any) -> None:
    result = await runtime.exec("a", "sleep 30", settings=settings_for(command_line_docker_timeout=1))
    assert result.reason == "timeout" and result.duration_s < 3


async def test_agents_run_concurrently(runtime: ContainerRuntime, settings_for: Any) -> None:
    settings = settings_for()
    await asyncio.gather(*(runtime.ensure_container(a, settings) for a in ("a", "b")))
    started = time.monotonic()
    results = await asyncio.gather(runtime.exec("a", "sleep 1; echo a"), runtime.exec("b", "sleep 1; echo b"))
    assert [r.stdout for r in results] == ["a\n", "b\n"]
    assert time.monotonic() - started < 1.9


async def test_activity_stream_shows_every_command_to_watchers(runtime: ContainerRuntime, settings_for: Any) -> None:
    from massgen_tui.docker import ExecActivity

    seen: list[ExecActivity] = []

    async def watch() -> None:
        async for item in runtime.activity():
            seen.append(item)

    watcher = asyncio.create_task(watch())
    await asyncio.sleep(0)
    result = await runtime.exec("a", "echo one; echo two >&2; exit 4", settings=settings_for())
    await asyncio.sleep(0.05)
    watcher.cancel()
    kinds = [item.kind for item in seen]
    assert kinds[0] == "start" and kinds[-1] == "end" and set(kinds[1:-1]) == {"output"}
    assert "".join(i.chunk.text for i in seen if i.chunk and i.chunk.stream == "stdout") == "one\n"
    assert seen[-1].result == result and all(i.agent_id == "a" and i.exec_id == seen[0].exec_id for i in seen)
