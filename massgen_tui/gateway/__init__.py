"""The safety gateway: one MCP server that re-exposes a config's MCP servers through the safety gate.

Importing this package does not import the mcp SDK, uvicorn or aiosqlite.
"""

from massgen_tui.gateway.auth import (
    BearerTokenGuard,
    default_token_path,
    generate_token,
    load_or_create_token,
    read_token_file,
    write_token_file,
)
from massgen_tui.gateway.errors import GatewayError
from massgen_tui.gateway.gateway import MCP_PATH, Gateway, HttpListener
from massgen_tui.gateway.listen import ListenAddress
from massgen_tui.gateway.naming import TOOL_NAME, Route, build_routes, exposed_name
from massgen_tui.gateway.setup import (
    GatewayPlan,
    RunningGateway,
    open_gateway,
    plan_document,
    plan_gateway,
    start_gateway,
)

__all__ = [
    "MCP_PATH",
    "TOOL_NAME",
    "BearerTokenGuard",
    "Gateway",
    "GatewayError",
    "GatewayPlan",
    "HttpListener",
    "ListenAddress",
    "Route",
    "RunningGateway",
    "build_routes",
    "default_token_path",
    "exposed_name",
    "generate_token",
    "load_or_create_token",
    "open_gateway",
    "plan_document",
    "plan_gateway",
    "read_token_file",
    "start_gateway",
    "write_token_file",
]
