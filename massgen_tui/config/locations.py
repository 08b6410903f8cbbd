"""Dotted key paths into a config: ``agents[1].backend.mcp_servers.discord.command``.

A path is a tuple of segments: ``str`` for a mapping key, ``int`` for a list index. Keys that are
not plain words (dots, spaces, brackets...) are written quoted: ``mcp_servers["my.server"]``.
"""

from __future__ import annotations

import json
import re

Segment = str | int
Path = tuple[Segment, ...]

_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_\-/@:$]+$")
_TOKEN = re.compile(r'\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\.?([A-Za-z0-9_\-/@:$]+)')


def format_location(path: Path | list[Segment]) -> str:
    """Turn path segments into the location string shown to users."""
    out: list[str] = []
    for segment in path:
        if isinstance(segment, int):
            out.append(f"[{segment}]")
        elif _PLAIN_KEY.match(segment):
            out.append(("." if out else "") + segment)
        else:
            out.append(f"[{json.dumps(segment)}]")
    return "".join(out)


def parse_location(location: str) -> Path:
    """Split a location string into segments. Raises ``ValueError`` on a malformed location."""
    segments: list[Segment] = []
    pos = 0
    while pos < len(location):
        match = _TOKEN.match(location, pos)
        if not match or match.end() == pos:
            raise ValueError(f"malformed location {location!r} at offset {pos}")
        if match.group(1) is not None:
            segments.append(int(match.group(1)))
        elif match.group(2) is not None:
            segments.append(json.loads(f'"{match.group(2)}"'))
        else:
            segments.append(match.group(3))
        pos = match.end()
    return tuple(segments)


def join(location: str, *more: Segment) -> str:
    """Append segments to a location string."""
    return format_location((*parse_location(location), *more)) if location else format_location(more)
