"""The gateway in-process, as the TUI will run it: ``open_gateway`` with an approver of its own and
a stream of live calls, real streamable-HTTP clients on a real port, the real toolbox server."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from massgen_tui.gateway import GatewayError, ListenAddress
from massgen_tui.gateway.setup import open_gateway, plan_gateway
from massgen_tui.mcp import CallEnded, CallProgress, CallStarted
from massgen_tui.safety import ApprovalDecision, ApprovalQueue, ApprovalRequest
from tests.integration.gateway.conftest import TOKEN, http_session, tools_called, write_config
from tests.support.mcp_servers import read_record, toolbox_stdio

pytestmark = [pytest.mark.mcp, pytest.mark.timeout(120)]


class ScriptedApprover:
    """Answers requests from a script, in order, and remembers what it was asked."""

    def __init__(self, *answers: ApprovalDecision) -> None:
        self.answers = list(answers)
        self.requests: list[ApprovalRequest] = []

    async def request(self, req: ApprovalRequest) -> ApprovalDecision:
        self.requests.append(req)
        return self.answers.pop(0)


def text_of(result: Any) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content)


async def test_asked_then_denied_or_allowed_and_the_answer_is_remembered(
    tmp_path: Path, record: Path, store_path: Path
) -> None:
    config = write_config(tmp_path / "massgen.yaml", [toolbox_stdio("tb", record)])
    approver = ScriptedApprover(
        ApprovalDecision.deny("not that file"),
        ApprovalDecision.allow("session", "fine for this session"),
    )
    plan = plan_gateway(config)
    async with open_gateway(plan, approver, store_path=store_path, workspace=tmp_path) as gateway:
        events = gateway.events()
        listener = await gateway.start_http(ListenAddress("127.0.0.1", 0), TOKEN)
        async with http_session(listener.url, TOKEN) as client:
            denied = await client.call_tool("tb__delete_file", {"path": "precious.txt"})
            assert denied.is_error
            assert "the user denied it" in text_of(denied) and "not that file" in text_of(denied)
            assert tools_called(record) == []

            allowed = await client.call_tool("tb__delete_file", {"path": "junk.txt"})
            assert not allowed.is_error and text_of(allowed) == "deleted junk.txt"
            again = await client.call_tool("tb__delete_file", {"path": "more-junk.txt"})
            assert not again.is_error  # the session decision applied: nobody was asked
        [first, second] = approver.requests
        assert first.tool == "delete_file" and first.classification.verdict == "irreversible"
        assert first.arguments == {"path": "precious.txt"} and second.arguments == {"path": "junk.txt"}
        assert first.agent == "a1"

        seen: list[Any] = []
        while (event := events.get_nowait()) is not None:
            seen.append(event)
        events.close()
        ended = [(e.tool, e.status, e.decided_by) for e in seen if isinstance(e, CallEnded)]
        assert ended == [
            ("delete_file", "denied", "human"),
            ("delete_file", "ok", "human"),
            ("delete_file", "ok", "stored-rule"),
        ]
        assert sum(isinstance(e, CallStarted) for e in seen) == 3

        entries = await gateway.store.audit()
        deciders = [(e.action, e.decider) for e in entries if e.event == "decision"]
        assert deciders == [("deny", "human"), ("allow", "human"), ("allow", "stored-rule")]
        stored = await gateway.store.list()
        assert [(d.tool, d.action, d.scope) for d in stored] == [("delete_file", "allow", "session")]
    assert tools_called(record) == ["delete_file", "delete_file"]
    assert [e["arguments"]["path"] for e in read_record(record)] == ["junk.txt", "more-junk.txt"]


async def test_progress_cancellation_and_errors_pass_through(tmp_path: Path, record: Path, store_path: Path) -> None:
    rules = [{"tool": "slow", "verdict": "reversible"}]
    config = write_config(tmp_path / "massgen.yaml", [toolbox_stdio("tb", record)], safety={"rules": rules})
    async with open_gateway(plan_gateway(config), ApprovalQueue(), store_path=store_path) as gateway:
        listener = await gateway.start_http(ListenAddress("127.0.0.1", 0), TOKEN)
        async with http_session(listener.url, TOKEN) as client:
            progress: list[tuple[float, float | None, str | None]] = []

            async def on_progress(value: float, total: float | None, message: str | None) -> None:
                progress.append((value, total, message))

            done = await client.call_tool("tb__slow", {"seconds": 0.2, "steps": 2}, progress_callback=on_progress)
            assert text_of(done) == "slept 0.2s"
            assert progress == [(0, 2, "step 1 of 2"), (1, 2, "step 2 of 2"), (2, 2, "done")]

            # the client gives up on a call: the upstream server is told and stops
            call = asyncio.create_task(client.call_tool("tb__slow", {"seconds": 20, "steps": 20}))
            for _ in range(200):
                if "slow" in tools_called(record)[1:]:
                    break
                await asyncio.sleep(0.05)
            call.cancel()
            with pytest.raises(asyncio.CancelledError):
                await call
            for _ in range(100):
                if any(e["event"] == "cancelled" for e in read_record(record)):
                    break
                await asyncio.sleep(0.05)
            assert [e["event"] for e in read_record(record)][-2:] == ["call", "cancelled"]

            # the session is still usable, and an unknown tool is a protocol error naming the tools
            assert text_of(await client.call_tool("tb__echo", {"text": "still here"})) == "still here"
            from mcp.shared.exceptions import MCPError

            with pytest.raises(MCPError) as unknown:
                await client.call_tool("tb__nope", {})
            assert unknown.value.code == -32602 and "tb__echo" in unknown.value.message
        assert listener.refused == 0


async def test_progress_events_reach_the_live_stream(tmp_path: Path, record: Path, store_path: Path) -> None:
    rules = [{"tool": "slow", "verdict": "reversible"}]
    config = write_config(tmp_path / "massgen.yaml", [toolbox_stdio("tb", record)], safety={"rules": rules})
    async with open_gateway(plan_gateway(config), ApprovalQueue(), store_path=store_path) as gateway:
        events = gateway.events()
        listener = await gateway.start_http(ListenAddress("127.0.0.1", 0), TOKEN)
        async with http_session(listener.url, TOKEN) as client:
            await client.call_tool("tb__slow", {"seconds": 0.1, "steps": 2})
        kinds = []
        while (event := events.get_nowait()) is not None:
            kinds.append(type(event).__name__)
        assert kinds[0] == "CallStarted" and kinds[-1] == "CallEnded"
        assert kinds.count(CallProgress.__name__) == 3


async def test_non_loopback_needs_allow_remote(tmp_path: Path, record: Path, store_path: Path) -> None:
    config = write_config(tmp_path / "massgen.yaml", [toolbox_stdio("tb", record)])
    async with open_gateway(plan_gateway(config), ApprovalQueue(), store_path=store_path) as gateway:
        with pytest.raises(GatewayError, match="--allow-remote"):
            await gateway.start_http(ListenAddress("0.0.0.0", 0), TOKEN)
        assert gateway.listeners == ()


async def test_started_in_the_background_with_a_queue_the_ui_answers(
    tmp_path: Path, record: Path, store_path: Path
) -> None:
    """The app's shape: start_gateway returns at once; the UI watches the approval queue and the
    live calls, answers a request, and stops the gateway later."""
    import httpx

    from massgen_tui.gateway import start_gateway

    config = write_config(tmp_path / "massgen.yaml", [toolbox_stdio("tb", record)])
    queue = ApprovalQueue()
    queued = queue.subscribe()
    running = await start_gateway(plan_gateway(config), queue, store_path=store_path, workspace=tmp_path)
    try:
        assert running.url.startswith("http://127.0.0.1:") and len(running.token) >= 32
        async with http_session(running.url, running.token) as client:
            call = asyncio.create_task(client.call_tool("tb__write_note", {"title": "from the UI test"}))
            event = await asyncio.wait_for(queued.get(), 20)
            assert event.kind == "queued" and event.request.tool == "write_note"
            assert tools_called(record) == []
            queue.answer(event.request.request_id, ApprovalDecision.allow())
            result = await asyncio.wait_for(call, 20)
            assert not result.is_error and text_of(result) == "wrote from the UI test (0 chars)"
        assert tools_called(record) == ["write_note"]
        assert running.gateway.gate is not None and running.gateway.store is not None
    finally:
        await running.aclose()
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as raw:
            await raw.post(running.url, json={})


async def test_a_changed_upstream_tool_list_reaches_the_client(tmp_path: Path, record: Path, store_path: Path) -> None:
    """The toolbox's 'grow' adds a tool at run time and sends tools/list_changed; the gateway
    re-lists and tells its own clients, which then see the new tool and can call it."""
    rules = [{"tool": "grow", "verdict": "reversible"}, {"tool": "sprout", "verdict": "reversible"}]
    config = write_config(tmp_path / "massgen.yaml", [toolbox_stdio("tb", record)], safety={"rules": rules})
    from mcp.client.session import ClientSession
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    changed = asyncio.Event()

    async def on_message(message: Any) -> None:
        method = getattr(getattr(message, "root", message), "method", None) or getattr(message, "method", None)
        if method == "notifications/tools/list_changed":
            changed.set()

    async with open_gateway(plan_gateway(config), ApprovalQueue(), store_path=store_path) as gateway:
        listener = await gateway.start_http(ListenAddress("127.0.0.1", 0), TOKEN)
        async with (
            create_mcp_http_client(headers={"Authorization": f"Bearer {TOKEN}"}) as http,
            streamable_http_client(listener.url, http_client=http) as streams,
            ClientSession(streams[0], streams[1], message_handler=on_message) as client,
        ):
            init = await client.initialize()
            assert init.capabilities.tools is not None and init.capabilities.tools.list_changed is True
            before = {t.name for t in (await client.list_tools()).tools}
            assert "tb__sprout" not in before
            assert text_of(await client.call_tool("tb__grow", {"name": "sprout"})) == "added sprout"
            await asyncio.wait_for(changed.wait(), 20)
            after = {t.name for t in (await client.list_tools()).tools}
            assert after - before == {"tb__sprout"}
            assert text_of(await client.call_tool("tb__sprout", {"text": "hi"})) == "sprout: hi"
    assert tools_called(record) == ["grow", "sprout"]


async def test_resources_and_prompts_pass_through(tmp_path: Path, record: Path, store_path: Path) -> None:
    from mcp.shared.exceptions import MCPError

    config = write_config(tmp_path / "massgen.yaml", [toolbox_stdio("tb", record),
                                                      toolbox_stdio("tb2", tmp_path / "calls2.jsonl")])
    plan = plan_gateway(config)
    async with open_gateway(plan, ScriptedApprover(), store_path=store_path, workspace=tmp_path) as gateway:
        listener = await gateway.start_http(ListenAddress("127.0.0.1", 0), TOKEN)
        async with http_session(listener.url, TOKEN) as client:
            resources = (await client.list_resources()).resources
            assert [(str(r.uri), r.name, r.mime_type) for r in resources] == [("note://readme", "readme", "text/plain")]
            templates = (await client.list_resource_templates()).resource_templates
            assert [t.uri_template for t in templates] == ["note://{title}", "note://{title}"]
            readme = await client.read_resource("note://readme")
            assert readme.contents[0].text == "toolbox readme"
            shopping = await client.read_resource("note://shopping")  # from a template
            assert shopping.contents[0].text == "note shopping"

            prompts = {p.name: p for p in (await client.list_prompts()).prompts}
            assert set(prompts) == {"tb__review", "tb2__review"}
            assert [a.name for a in prompts["tb2__review"].arguments or []] == ["path"]
            prompt = await client.get_prompt("tb2__review", {"path": "app.py"})
            assert prompt.messages[0].content.text == "Please review app.py."
            with pytest.raises(MCPError, match="prompts are named <server>__<prompt>"):
                await client.get_prompt("review", {"path": "app.py"})
            # the upstream server's own error comes back with its code
            with pytest.raises(MCPError):
                await client.get_prompt("tb__no_such_prompt", {})
    assert tools_called(record) == []  # nothing of this was a tool call
