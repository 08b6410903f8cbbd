"""How each call outcome reaches the client, and how tool definitions are re-exposed."""

from __future__ import annotations

import pytest
from mcp.shared.exceptions import MCPError

from massgen_tui.gateway.naming import Route
from massgen_tui.gateway.protocol import result_to_wire, tool_definition
from massgen_tui.mcp.results import CallResult
from massgen_tui.mcp.types import ToolInfo


def test_ok_and_tool_error_pass_through_unchanged() -> None:
    content = [{"type": "text", "text": "hi"}, {"type": "image", "data": "AAAA", "mimeType": "image/png"}]
    ok = CallResult("c", "tb", "echo", "ok", content=content, structured_content={"result": "hi"})
    assert result_to_wire(ok) == {"content": content, "isError": False, "structuredContent": {"result": "hi"}}
    bad = CallResult("c", "tb", "fail", "tool_error", content=[{"type": "text", "text": "boom"}], error="boom")
    assert result_to_wire(bad) == {"content": [{"type": "text", "text": "boom"}], "isError": True}


def test_denied_is_a_tool_error_with_the_reason() -> None:
    gate_reason = "massgen-tui safety refused tb/rm: the user denied it - no. The call was not sent to the server."
    denied = CallResult("c", "tb", "rm", "denied", reason=gate_reason, decided_by="human")
    wire = result_to_wire(denied)
    assert wire["isError"] is True and wire["content"] == [{"type": "text", "text": gate_reason}]

    other = CallResult("c", "tb", "rm", "denied", reason="tool 'rm' is hidden by exclude_tools", decided_by="config")
    text = result_to_wire(other)["content"][0]["text"]
    assert "denied this call to 'rm' of MCP server 'tb' (decided by config)" in text
    assert "hidden by exclude_tools" in text and "did not reach the server" in text


def test_upstream_protocol_errors_keep_their_code() -> None:
    err = CallResult("c", "tb", "x", "error", error="MCP error -32602: Invalid params: missing 'path'")
    with pytest.raises(MCPError) as raised:
        result_to_wire(err)
    assert raised.value.code == -32602 and raised.value.message == "Invalid params: missing 'path'"


@pytest.mark.parametrize(
    ("status", "error", "words"),
    [("timeout", "no answer within 30s; the server was told to cancel", "timed out"),
     ("error", "the connection to MCP server 'tb' closed during the call", "failed"),
     ("cancelled", "cancelled by the client; the server was told", "was cancelled")],
)
def test_calls_without_an_answer_are_tool_errors_saying_so(status: str, error: str, words: str) -> None:
    wire = result_to_wire(CallResult("c", "tb", "slow", status, error=error))  # type: ignore[arg-type]
    assert wire["isError"] is True
    text = wire["content"][0]["text"]
    assert f"the call to 'slow' of MCP server 'tb' {words}" in text and error in text


def test_tool_definition_keeps_everything_but_the_name() -> None:
    wire = {
        "name": "echo",
        "title": "Echo",
        "description": "Return the text.",
        "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}},
        "outputSchema": {"type": "object", "properties": {"result": {"type": "string"}}},
        "annotations": {"readOnlyHint": True, "destructiveHint": False},
        "icons": [{"src": "https://example.com/i.png"}],
        "_meta": {"vendor": "x"},
    }
    info = ToolInfo.from_wire(wire, server="tb")
    assert tool_definition(Route("tb__echo", "tb", "echo", info)) == {**wire, "name": "tb__echo"}
    # a ToolInfo built without the wire form (e.g. from a file) still gives a full definition
    bare = ToolInfo("echo", "Return the text.", wire["inputSchema"], server="tb")
    assert tool_definition(Route("tb__echo", "tb", "echo", bare))["inputSchema"] == wire["inputSchema"]
