"""The MCP domain's one exception type."""

from __future__ import annotations


class MCPServerError(Exception):
    """Something about an MCP server a user can act on: bad spec, unset variable, server not ready.

    ``server`` names the server concerned (empty when none); the message already includes it.
    """

    def __init__(self, message: str, *, server: str = "") -> None:
        super().__init__(message)
        self.server = server
