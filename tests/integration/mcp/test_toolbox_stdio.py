"""The client against the project's own toolbox server over stdio (a real subprocess)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from massgen_tui.mcp import (
    CallEnded,
    CallFailed,
    CallOutcome,
    CallProgress,
    CallStarted,
    HookDecision,
    MCPServerError,
    MCPServerSpec,
    ReconnectPolicy,
    ServerManager,
    ServerStatusChanged,
    ToolCall,
)
from tests.support.mcp_servers import pid_alive, read_record, toolbox_stdio

pytestmark = [pytest.mark.mcp, pytest.mark.timeout(60)]


def specs(*servers: dict, **backend: object) -> list[MCPServerSpec]:
    return MCPServerSpec.from_backend({"mcp_servers": list(servers), **backend})


class Recorder:
    """A hook that records what it saw and optionally denies or rewrites."""

    def __init__(self, name: str = "recorder", deny: set[str] | None = None, rewrite: dict | None = None) -> None:
        self.name = name
        self.deny = deny or set()
        self.rewrite = rewrite
        self.before: list[ToolCall] = []
        self.after: list[tuple[ToolCall, CallOutcome]] = []

    async def before_call(self, call: ToolCall) -> HookDecision | None:
        self.before.append(call)
        if call.tool in self.deny:
            return HookDecision.deny(f"{call.tool} is not allowed here", decided_by="test-policy")
        if self.rewrite is not None and call.tool == self.rewrite["tool"]:
            return HookDecision.allow("rewritten", arguments=self.rewrite["arguments"], decided_by="rewriter")
        return None

    async def after_call(self, call: ToolCall, outcome: CallOutcome) -> None:
        self.after.append((call, outcome))


async def test_lists_tools_with_annotations_and_applies_filters(record: Path) -> None:
    servers = specs(
        toolbox_stdio("tb", record, exclude_tools=["crash"]),
        exclude_tools=["mcp__tb__fail"],
        allowed_tools=None,
    )
    async with ServerManager(servers) as manager:
        assert manager.status()["tb"].status == "ready"
        names = [t.name for t in manager.tools()]
        assert "echo" in names and "delete_file" in names
        assert "crash" not in names and "fail" not in names
        assert {t.name for t in manager.all_tools()} >= {"crash", "fail"}
        echo = manager.find_tool("mcp__tb__echo")
        assert echo is not None and echo.server == "tb" and echo.title == "Echo"
        assert echo.annotations.read_only_hint is True and echo.annotations.destructive_hint is False
        delete = manager.find_tool("delete_file", server="tb")
        assert delete is not None and delete.annotations.effective("destructive_hint") is True
        slow = manager.find_tool("mcp__tb__slow")
        assert slow is not None and slow.annotations.destructive_hint is None  # unset stays unset
        assert manager.find_tool("mcp__tb__crash") is None
        assert "seconds" in slow.input_schema["properties"]

        hidden = await manager.call_tool("tb", "crash", {})
        assert hidden.status == "denied" and "exclude_tools" in hidden.reason
        await asyncio.sleep(0.2)
    assert [r["tool"] for r in read_record(record)] == []  # the hidden tool never reached the server


async def test_call_result_tool_error_and_allowed_tools(record: Path) -> None:
    async with ServerManager(specs(toolbox_stdio("tb", record, allowed_tools=["mcp__tb__add", "fail"]))) as manager:
        assert sorted(t.name for t in manager.tools()) == ["add", "fail"]
        result = await manager.call_prefixed("mcp__tb__add", {"a": 2, "b": 40})
        assert result.status == "ok" and result.text == "42" and result.content[0]["type"] == "text"
        failed = await manager.call_tool("tb", "fail", {"message": "disk full"})
        assert failed.status == "tool_error" and "disk full" in failed.error and failed.is_error
    assert [(r["tool"], r["arguments"]) for r in read_record(record)] == [
        ("add", {"a": 2, "b": 40}),
        ("fail", {"message": "disk full"}),
    ]


async def test_timeout_cancels_on_the_server_and_session_stays_usable(record: Path) -> None:
    async with ServerManager(specs(toolbox_stdio("tb", record))) as manager:
        events = manager.events()
        result = await manager.call_tool("tb", "slow", {"seconds": 5, "steps": 10}, timeout=0.8)
        assert result.status == "timeout" and "0.8" in result.error
        assert 0.7 < result.duration_s < 3
        again = await manager.call_tool("tb", "echo", {"text": "still here"})
        assert again.text == "still here"
        for _ in range(50):  # the server records the cancellation asynchronously
            if any(r["event"] == "cancelled" for r in read_record(record)):
                break
            await asyncio.sleep(0.05)
        events.close()
        seen = [e async for e in events]
    assert [r["event"] for r in read_record(record) if r["tool"] == "slow"] == ["call", "cancelled"]
    progress = [e for e in seen if isinstance(e, CallProgress)]
    assert progress and progress[0].total == 10 and progress[0].message == "step 1 of 10"
    failed = [e for e in seen if isinstance(e, CallFailed)]
    assert [f.status for f in failed] == ["timeout"]


async def test_cancel_by_call_id_tells_the_server(record: Path) -> None:
    hook = Recorder()
    async with ServerManager(specs(toolbox_stdio("tb", record)), hooks=[hook]) as manager:
        progress: list[float] = []
        task = asyncio.create_task(
            manager.call_tool("tb", "slow", {"seconds": 5}, call_id="job-1", on_progress=lambda p, t, m: progress.append(p))
        )
        while not progress:
            await asyncio.sleep(0.02)
        assert manager.cancel("job-1")
        result = await task
        assert result.status == "cancelled"
        assert not manager.cancel("job-1")
        for _ in range(50):
            if any(r["event"] == "cancelled" for r in read_record(record)):
                break
            await asyncio.sleep(0.05)
    assert [r["event"] for r in read_record(record)] == ["call", "cancelled"]
    assert [o.status for _, o in hook.after] == ["cancelled"]


async def test_caller_cancellation_propagates_and_after_hooks_see_it(record: Path) -> None:
    hook = Recorder()
    async with ServerManager(specs(toolbox_stdio("tb", record)), hooks=[hook]) as manager:
        task = asyncio.create_task(manager.call_tool("tb", "slow", {"seconds": 5}))
        await asyncio.sleep(0.5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert [o.status for _, o in hook.after] == ["cancelled"]
        assert (await manager.call_tool("tb", "echo", {"text": "ok"})).text == "ok"


async def test_denying_hook_keeps_the_call_from_the_server(record: Path) -> None:
    first, second = Recorder("first", deny={"delete_file"}), Recorder("second")
    async with ServerManager(specs(toolbox_stdio("tb", record)), hooks=[first, second], agent="a1") as manager:
        events = manager.events()
        denied = await manager.call_tool("tb", "delete_file", {"path": "/etc/passwd"})
        allowed = await manager.call_tool("tb", "write_note", {"title": "t"})
        events.close()
        seen = [e async for e in events]
    assert denied.status == "denied" and denied.reason == "delete_file is not allowed here"
    assert denied.decided_by == "test-policy"
    assert allowed.status == "ok"
    # Proof from the server's side: only the allowed call ever arrived.
    assert [r["tool"] for r in read_record(record)] == ["write_note"]
    # The second hook never saw the denied call before it, but both saw its outcome.
    assert [c.tool for c in first.before] == ["delete_file", "write_note"]
    assert [c.tool for c in second.before] == ["write_note"]
    assert [(c.tool, o.status) for c, o in second.after] == [("delete_file", "denied"), ("write_note", "ok")]
    call = first.before[0]
    assert call.agent == "a1" and call.prefixed_name == "mcp__tb__delete_file"
    assert call.tool_info is not None and call.tool_info.annotations.destructive_hint is True
    assert "toolbox_server.py" in call.server_identity
    ended = [e for e in seen if isinstance(e, CallEnded)]
    assert [(e.tool, e.status, e.decided_by) for e in ended] == [("delete_file", "denied", "test-policy"), ("write_note", "ok", "")]
    assert sum(isinstance(e, CallStarted) for e in seen) == 2


async def test_rewriting_hook_changes_what_the_server_gets_and_each_call_passes_once(record: Path) -> None:
    rewriter = Recorder("rewriter", rewrite={"tool": "echo", "arguments": {"text": "[redacted]"}})
    counter = Recorder("counter")
    async with ServerManager(specs(toolbox_stdio("tb", record)), hooks=[rewriter]) as manager:
        manager.add_hook(counter)
        result = await manager.call_tool("tb", "echo", {"text": "password=hunter2"})
        for i in range(3):
            await manager.call_tool("tb", "add", {"a": i, "b": 1})
    assert result.text == "[redacted]" and dict(result.arguments) == {"text": "[redacted]"}
    assert result.decided_by == "rewriter"
    assert read_record(record)[0]["arguments"] == {"text": "[redacted]"}
    assert dict(counter.before[0].arguments) == {"text": "[redacted]"}
    assert len(counter.before) == len(counter.after) == len(rewriter.before) == len(rewriter.after) == 4
    assert len({c.call_id for c in counter.before}) == 4


async def test_argument_size_limit_denies_before_the_server(record: Path) -> None:
    hook = Recorder()
    async with ServerManager(specs(toolbox_stdio("tb", record)), hooks=[hook], max_argument_bytes=1000) as manager:
        result = await manager.call_tool("tb", "echo", {"text": "x" * 5000})
        small = await manager.call_tool("tb", "echo", {"text": "x" * 10})
    assert result.status == "denied" and result.decided_by == "size-limit" and "over the limit of 1000" in result.reason
    assert small.status == "ok"
    assert [r["arguments"]["text"] for r in read_record(record)] == ["x" * 10]
    assert [o.status for _, o in hook.after] == ["denied", "ok"]


async def test_server_that_never_starts_is_reported_and_others_work(record: Path, tmp_path: Path) -> None:
    servers = specs(
        toolbox_stdio("good", record),
        toolbox_stdio("license", fail_start=True),
        {"name": "missing", "command": "definitely-not-an-mcp-server"},
        {"name": "nokey", "command": "python3", "env": {"TOKEN": "${MASSGEN_TUI_TEST_UNSET_TOKEN}"}},
        {"name": "nodir", "command": "python3", "cwd": str(tmp_path / "gone")},
        {"name": "mute", "command": sys.executable, "args": ["-c", "import sys; sys.stdin.read()"], "timeout": 1},
    )
    async with ServerManager(servers) as manager:
        status = manager.status()
        assert status["good"].status == "ready"
        assert status["license"].status == "failed"
        assert "missing license key TOOLBOX_LICENSE" in status["license"].reason
        assert "missing license key" in manager.stderr("license")
        assert status["missing"].status == "failed" and "'definitely-not-an-mcp-server' was not found" in status["missing"].reason
        assert status["nokey"].status == "failed"
        assert "MASSGEN_TUI_TEST_UNSET_TOKEN is not set" in status["nokey"].reason and "'nokey'" in status["nokey"].reason
        assert status["nodir"].status == "failed" and "does not exist" in status["nodir"].reason
        assert status["mute"].status == "failed" and "no answer to initialize" in status["mute"].reason
        assert [t.server for t in manager.tools()] == ["good"] * len(manager.tools())
        assert (await manager.call_tool("good", "echo", {"text": "fine"})).text == "fine"
        failed = await manager.call_tool("license", "echo", {"text": "x"})
        assert failed.status == "error" and "license" in failed.error and "failed" in failed.error
        with pytest.raises(MCPServerError, match="no MCP server named 'nope'"):
            await manager.call_tool("nope", "echo", {})


async def test_crash_mid_session_reconnects_to_a_new_process(record: Path) -> None:
    policy = ReconnectPolicy(initial_delay_s=0.1, jitter=0)
    async with ServerManager(specs(toolbox_stdio("tb", record)), policy=policy) as manager:
        events = manager.events()
        before = int((await manager.call_tool("tb", "whoami")).text)
        crashed = await manager.call_tool("tb", "crash", {"code": 7})
        assert crashed.status == "error" and "closed during the call" in crashed.error
        # A call made while reconnecting waits for the new session instead of failing.
        after = await manager.call_tool("tb", "whoami", timeout=20)
        assert after.status == "ok"
        assert int(after.text) != before
        assert not pid_alive(before)
        assert manager.status()["tb"].status == "ready"
        assert "crashing with exit code 7" in manager.stderr("tb")
        events.close()
        statuses = [e.state.status for e in [e async for e in events] if isinstance(e, ServerStatusChanged)]
    assert statuses[0] == "reconnecting" and statuses[-1] == "ready"


async def test_circuit_opens_after_repeated_failures_and_manual_reconnect_closes_it(
    record: Path, tmp_path: Path
) -> None:
    flag = tmp_path / "broken"
    policy = ReconnectPolicy(initial_delay_s=0.05, max_failures=2, cooldown_s=600, jitter=0)
    async with ServerManager(specs(toolbox_stdio("tb", record, fail_start_if=flag)), policy=policy) as manager:
        assert manager.status()["tb"].ready
        flag.touch()
        await manager.call_tool("tb", "crash", {})
        for _ in range(200):
            if manager.status()["tb"].circuit_open:
                break
            await asyncio.sleep(0.05)
        state = manager.status()["tb"]
        assert state.status == "failed" and state.circuit_open and "gave up after 2 failures" in state.reason
        assert "missing license key" in state.reason
        flag.unlink()
        state = await manager.reconnect("tb", wait_s=20)
        assert state.status == "ready" and not state.circuit_open
        assert (await manager.call_tool("tb", "echo", {"text": "back"})).text == "back"


async def test_clean_shutdown_leaves_no_server_process(record: Path) -> None:
    manager = ServerManager(specs(toolbox_stdio("a", record), toolbox_stdio("b", record)))
    await manager.start()
    pids = [int((await manager.call_tool(name, "whoami")).text) for name in ("a", "b")]
    assert all(pid_alive(pid) for pid in pids)
    slow = asyncio.create_task(manager.call_tool("a", "slow", {"seconds": 30}))
    await asyncio.sleep(0.3)
    await manager.aclose()
    assert not any(pid_alive(pid) for pid in pids)
    assert {s.status for s in manager.status().values()} == {"closed"}
    result = await slow
    assert result.status == "cancelled" and result.error.startswith("cancelled by the client")


async def test_tool_list_change_is_picked_up(record: Path) -> None:
    async with ServerManager(specs(toolbox_stdio("tb", record))) as manager:
        events = manager.events()
        assert manager.find_tool("mcp__tb__fresh") is None
        assert (await manager.call_tool("tb", "grow", {"name": "fresh"})).text == "added fresh"
        for _ in range(100):
            if manager.find_tool("mcp__tb__fresh") is not None:
                break
            await asyncio.sleep(0.05)
        assert manager.find_tool("mcp__tb__fresh") is not None
        assert manager.status()["tb"].tool_count == len(manager.all_tools("tb"))
        assert (await manager.call_tool("tb", "fresh", {"text": "hi"})).text == "fresh: hi"
        events.close()
        changed = [e for e in [e async for e in events] if type(e).__name__ == "ToolsChanged"]
    assert changed and "fresh" in changed[-1].tool_names


async def test_concurrent_calls_share_one_session(record: Path) -> None:
    hook = Recorder()
    async with ServerManager(specs(toolbox_stdio("tb", record)), hooks=[hook]) as manager:
        results = await asyncio.gather(*(manager.call_tool("tb", "add", {"a": i, "b": i}) for i in range(20)))
    assert [r.text for r in results] == [str(2 * i) for i in range(20)]
    assert len({r.call_id for r in results}) == 20 and len(hook.before) == len(hook.after) == 20
    assert len(read_record(record)) == 20


async def test_cancel_while_a_hook_waits_never_reaches_the_server(record: Path) -> None:
    class WaitsForHuman:
        name = "waits"

        def __init__(self) -> None:
            self.asking = asyncio.Event()
            self.outcomes: list[str] = []

        async def before_call(self, call: ToolCall) -> HookDecision | None:
            self.asking.set()
            await asyncio.Event().wait()  # nobody answers
            return None

        async def after_call(self, call: ToolCall, outcome: CallOutcome) -> None:
            self.outcomes.append(outcome.status)

    hook = WaitsForHuman()
    async with ServerManager(specs(toolbox_stdio("tb", record)), hooks=[hook]) as manager:
        task = asyncio.create_task(manager.call_tool("tb", "delete_file", {"path": "x"}, call_id="pending"))
        await hook.asking.wait()
        assert manager.cancel("pending")
        result = await task
        assert result.status == "cancelled" and "server was told" not in result.error
        assert hook.outcomes == ["cancelled"]
        await asyncio.sleep(0.2)
    assert read_record(record) == []


async def test_calls_before_start_are_refused_clearly(record: Path) -> None:
    manager = ServerManager(specs(toolbox_stdio("tb", record)))
    with pytest.raises(MCPServerError, match="start the ServerManager"):
        await manager.call_tool("tb", "echo", {"text": "x"})
    await manager.aclose()


async def test_closing_while_a_mute_server_is_still_connecting_does_not_wait_out_the_grace(tmp_path: Path) -> None:
    # A server that never answers initialize: closing used to wait 15 s for a graceful end that
    # could not come. It must stop promptly and leave no process behind.
    marker = tmp_path / "mute.pid"
    mute = {"name": "mute", "command": sys.executable,
            "args": ["-c", f"import os, time; open({str(marker)!r}, 'w').write(str(os.getpid())); time.sleep(120)"]}
    manager = ServerManager(specs(mute))
    starting = asyncio.create_task(manager.start())
    for _ in range(100):
        if marker.exists() and marker.read_text():
            break
        await asyncio.sleep(0.05)
    pid = int(marker.read_text())
    starting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await starting
    loop = asyncio.get_running_loop()
    began = loop.time()
    await manager.aclose()
    assert loop.time() - began < 10, "aclose waited out the graceful-close timeout"
    assert not pid_alive(pid)
    assert manager.status()["mute"].status == "closed"
