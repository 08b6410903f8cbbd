"""``${VAR}`` placeholders in server specs, expanded at connect time.

As MassGen does, config variables (``${cwd}``: the backend's workspace) are replaced first, then
environment variables.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from massgen_tui.mcp.errors import MCPServerError

PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def placeholders_in(text: str) -> list[str]:
    """The variable names a string refers to, in order."""
    return PLACEHOLDER.findall(text) if isinstance(text, str) else []


def expand(
    text: str,
    *,
    server: str,
    where: str,
    environ: Mapping[str, str] | None = None,
    variables: Mapping[str, str] | None = None,
) -> str:
    """Replace every ``${VAR}`` in ``text``; an unset or empty variable is an :class:`MCPServerError`.

    ``where`` says which field held the placeholder (``env.API_KEY``, ``args[2]``) for the message.
    """
    if "${" not in text:
        return text
    env = os.environ if environ is None else environ

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if variables and name in variables:
            return variables[name]
        if name == "cwd":
            raise MCPServerError(
                f"MCP server {server!r}: ${{cwd}} (used in {where}) stands for the agent's workspace, "
                "but its backend sets no 'cwd'; add backend.cwd",
                server=server,
            )
        value = env.get(name)
        if value is None or not value.strip():
            state = "is empty" if value is not None else "is not set"
            raise MCPServerError(
                f"MCP server {server!r}: environment variable {name} {state} "
                f"(used in {where}); export {name}=... before connecting",
                server=server,
            )
        return value

    return PLACEHOLDER.sub(substitute, text)
