"""Allow/block command patterns, as MassGen applies them (``re.match`` from the start of the command)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from massgen_tui.docker.errors import CommandRejectedError


def check_command(command: str, allowed: Sequence[str], blocked: Sequence[str]) -> None:
    """Raise :class:`CommandRejectedError` when ``command`` matches no allowed pattern (if any are set)
    or matches a blocked one."""
    if allowed and not any(re.match(pattern, command) for pattern in allowed):
        raise CommandRejectedError(
            f"command not in the allowed list (command_line_allowed_commands: {', '.join(allowed)}): {command!r}")
    for pattern in blocked:
        if re.match(pattern, command):
            raise CommandRejectedError(
                f"command matches the blocked pattern {pattern!r} (command_line_blocked_commands): {command!r}")
