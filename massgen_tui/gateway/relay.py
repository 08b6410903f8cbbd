"""Resources and prompts of the upstream servers, relayed as they are (tools go through the gate).

Reading a resource or getting a prompt changes nothing on the upstream server, so they pass without
the safety gate: resources keep their URIs (a read is routed to the server that listed the URI, or,
for a URI made from a template, to the servers that have templates, in config order); prompts are
renamed ``<server>__<prompt>`` like tools. An upstream error comes back with its own code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from massgen_tui.mcp.manager import ServerManager

INVALID_PARAMS = -32602
METHOD_NOT_FOUND = -32601
SEPARATOR = "__"


async def _all_pages(fetch: Any, field: str) -> list[Any]:
    """Every item of a paginated list call (``fetch(params)``)."""
    import mcp_types as types

    items: list[Any] = []
    cursor = None
    for _ in range(100):  # a server that never stops paginating is cut off
        result = await fetch(types.PaginatedRequestParams(cursor=cursor) if cursor else None)
        items += list(getattr(result, field))
        cursor = getattr(result, "next_cursor", None)
        if not cursor:
            break
    return items


class Relay:
    """What each upstream server offers besides tools, and where a request for it goes."""

    def __init__(self, manager: ServerManager) -> None:
        self._manager = manager
        self._resource_server: dict[str, str] = {}  # uri -> server
        self._template_servers: list[str] = []

    async def _gather(self, method: str, field: str) -> list[tuple[str, Any]]:
        from mcp.shared.exceptions import MCPError

        out: list[tuple[str, Any]] = []
        for server, session in self._manager.sessions().items():
            try:
                items = await _all_pages(lambda params, s=session: getattr(s, method)(params=params), field)
            except MCPError as exc:
                if getattr(exc, "code", None) == METHOD_NOT_FOUND:
                    continue  # this server offers none
                raise
            except Exception:  # a server that went away: list the others
                continue
            out += [(server, item) for item in items]
        return out

    async def list_resources(self) -> list[Any]:
        found = await self._gather("list_resources", "resources")
        self._resource_server = {}
        unique = []
        for server, resource in found:  # two servers with one URI: the first in the config answers for it
            if str(resource.uri) not in self._resource_server:
                self._resource_server[str(resource.uri)] = server
                unique.append(resource)
        return unique

    async def list_resource_templates(self) -> list[Any]:
        found = await self._gather("list_resource_templates", "resource_templates")
        self._template_servers = list(dict.fromkeys(server for server, _ in found))
        return [template for _, template in found]

    async def read_resource(self, uri: str) -> Any:
        from mcp.shared.exceptions import MCPError

        if uri not in self._resource_server:
            await self.list_resources()
        sessions = self._manager.sessions()
        server = self._resource_server.get(uri)
        if server is not None and server in sessions:
            return await sessions[server].read_resource(uri)
        if not self._template_servers:
            await self.list_resource_templates()
        last: MCPError | None = None
        for candidate in self._template_servers:
            if candidate in sessions:
                try:
                    return await sessions[candidate].read_resource(uri)
                except MCPError as exc:
                    last = exc
        if last is not None:
            raise last
        raise MCPError(INVALID_PARAMS, f"no upstream server of this gateway has the resource {uri!r}")

    async def list_prompts(self) -> list[Any]:
        return [prompt.model_copy(update={"name": f"{server}{SEPARATOR}{prompt.name}"})
                for server, prompt in await self._gather("list_prompts", "prompts")]

    async def get_prompt(self, name: str, arguments: dict[str, str] | None) -> Any:
        from mcp.shared.exceptions import MCPError

        sessions = self._manager.sessions()
        for server in sorted(sessions, key=len, reverse=True):  # "a__b" before "a"
            prefix = f"{server}{SEPARATOR}"
            if name.startswith(prefix):
                return await sessions[server].get_prompt(name[len(prefix):], arguments)
        raise MCPError(INVALID_PARAMS, f"unknown prompt {name!r}: prompts are named <server>{SEPARATOR}<prompt>")
