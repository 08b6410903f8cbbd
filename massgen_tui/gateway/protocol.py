"""The gateway's MCP server: ``tools/list`` and ``tools/call`` answered from a ServerManager.

Built on the SDK's low-level ``Server`` so tool definitions pass through as the upstream servers
sent them (annotations, output schemas, icons, ``_meta``), renamed to ``<server>__<tool>``. A call
goes through ``ServerManager.call_tool``, and so through its hook chain (the safety gate) exactly
once. How each outcome reaches the client:

- ``ok`` / ``tool_error``: the upstream result, content and structured content unchanged;
- ``denied``: a tool error (``isError``) whose text says it was denied, why, and who decided;
  the upstream server never saw the call;
- an upstream JSON-RPC error: the same error code and message;
- ``timeout`` / ``error`` (no answer, connection lost): a tool error saying so;
- cancellation by the client: the SDK cancels the handler, which cancels the upstream request
  (the upstream server is sent ``notifications/cancelled``).
Progress notifications from the upstream server are forwarded when the client asked for them.
Resources and prompts are relayed without the gate (see ``relay``): reading them changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from massgen_tui.gateway.naming import Route, build_routes
from massgen_tui.gateway.relay import Relay
from massgen_tui.mcp.results import CallResult

if TYPE_CHECKING:
    from mcp.server.lowlevel import Server

    from massgen_tui.mcp.manager import ServerManager

SERVER_NAME = "massgen-tui-gateway"
_MCP_ERROR = re.compile(r"^MCP error (-?\d+): (.*)$", re.S)
INVALID_PARAMS = -32602


class ToolDirectory:
    """The exposed names of the manager's tools; rebuilt on every ``tools/list`` and when a call
    names a tool not seen yet (a server reconnected with new tools)."""

    def __init__(self, manager: ServerManager) -> None:
        self._manager = manager
        self._routes: dict[str, Route] = {}

    def routes(self) -> dict[str, Route]:
        self._routes = build_routes(self._manager.tools())
        return self._routes

    def lookup(self, name: str) -> Route | None:
        route = self._routes.get(name)
        if route is not None:
            return route
        return self.routes().get(name)


def tool_definition(route: Route) -> dict[str, Any]:
    """The wire form of a re-exposed tool: the upstream definition with the gateway's name."""
    wire = dict(route.info.wire) if route.info.wire else route.info.to_wire()
    wire["name"] = route.name
    return wire


def denial_text(result: CallResult) -> str:
    """What the client reads for a denied call: the gate's refusal (which says why and who decided)."""
    reason = result.reason.strip() or "no reason given"
    if "not sent to the server" in reason or "did not reach the server" in reason:
        return reason
    who = f" (decided by {result.decided_by})" if result.decided_by else ""
    return (
        f"massgen-tui gateway denied this call to {result.tool!r} of MCP server {result.server!r}{who}: "
        f"{reason}. The call did not reach the server."
    )


def result_to_wire(result: CallResult) -> dict[str, Any]:
    """A ``CallResult`` as the ``tools/call`` result dict (camelCase wire form).

    Raises ``MCPError`` for an upstream JSON-RPC error, so the client sees the same code.
    """
    if result.status in ("ok", "tool_error"):
        out: dict[str, Any] = {"content": list(result.content), "isError": result.status == "tool_error"}
        if result.structured_content is not None:
            out["structuredContent"] = result.structured_content
        return out
    if result.status == "denied":
        text = denial_text(result)
    else:
        match = _MCP_ERROR.match(result.error or "")
        if match and result.status == "error":
            from mcp.shared.exceptions import MCPError

            raise MCPError(int(match.group(1)), match.group(2))
        kind = {"timeout": "timed out", "cancelled": "was cancelled", "error": "failed"}.get(result.status, "failed")
        text = f"the call to {result.tool!r} of MCP server {result.server!r} {kind}: {result.error or 'no answer'}"
    return {"content": [{"type": "text", "text": text}], "isError": True}


def _wants_progress(meta: Any) -> bool:
    """Did the client send a progress token with this request (``_meta.progressToken``)?"""
    if meta is None:
        return False
    if isinstance(meta, dict):
        return meta.get("progressToken", meta.get("progress_token")) is not None
    return getattr(meta, "progress_token", None) is not None


def build_server(
    manager: ServerManager,
    directory: ToolDirectory,
    *,
    instructions: str | None = None,
    on_client: Callable[[Any], None] | None = None,
) -> Server[Any]:
    """A low-level MCP server whose tools are the manager's, called through its hook chain.

    ``on_client(session)`` sees the SDK session of every request, so the gateway can tell the
    connected clients when a tool list changes."""
    import mcp_types as types
    from mcp.server.lowlevel import Server
    from mcp.shared.exceptions import MCPError

    from massgen_tui import __version__

    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        if on_client is not None:
            on_client(ctx.session)
        tools = [types.Tool.model_validate(tool_definition(route)) for route in directory.routes().values()]
        return types.ListToolsResult(tools=tools)

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> dict[str, Any]:
        if on_client is not None:
            on_client(ctx.session)
        route = directory.lookup(params.name)
        if route is None:
            known = ", ".join(sorted(directory.routes())) or "none"
            raise MCPError(INVALID_PARAMS, f"unknown tool {params.name!r} (this gateway has: {known})")
        on_progress = None
        if _wants_progress(ctx.meta):
            session = ctx.session

            async def on_progress(progress: float, total: float | None, message: str | None) -> None:
                await session.report_progress(progress, total, message)

        result = await manager.call_tool(route.server, route.tool, params.arguments or {}, on_progress=on_progress)
        return result_to_wire(result)  # already wire form: the runner sends it without re-validating

    relay = Relay(manager)

    async def list_resources(ctx: Any, params: Any) -> types.ListResourcesResult:
        return types.ListResourcesResult(resources=await relay.list_resources())

    async def list_resource_templates(ctx: Any, params: Any) -> types.ListResourceTemplatesResult:
        return types.ListResourceTemplatesResult(resource_templates=await relay.list_resource_templates())

    async def read_resource(ctx: Any, params: types.ReadResourceRequestParams) -> Any:
        return await relay.read_resource(str(params.uri))

    async def list_prompts(ctx: Any, params: Any) -> types.ListPromptsResult:
        return types.ListPromptsResult(prompts=await relay.list_prompts())

    async def get_prompt(ctx: Any, params: types.GetPromptRequestParams) -> Any:
        return await relay.get_prompt(params.name, params.arguments)

    class GatewayServer(Server[Any]):
        """Advertises ``tools.listChanged``: the gateway tells clients when an upstream list changes."""

        def create_initialization_options(self, notification_options: Any = None, *args: Any, **kwargs: Any) -> Any:
            from mcp.server.lowlevel import NotificationOptions

            options = notification_options or NotificationOptions(tools_changed=True)
            return super().create_initialization_options(options, *args, **kwargs)

    return GatewayServer(
        SERVER_NAME,
        version=__version__,
        title="massgen-tui safety gateway",
        instructions=instructions,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_list_resources=list_resources,
        on_list_resource_templates=list_resource_templates,
        on_read_resource=read_resource,
        on_list_prompts=list_prompts,
        on_get_prompt=get_prompt,
    )
