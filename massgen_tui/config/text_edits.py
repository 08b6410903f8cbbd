"""Surgical edits: replace one single-line scalar in the text itself, so nothing else moves.

Re-dumping with ruamel.yaml keeps comments but may re-indent odd indentation, strip trailing
spaces or drop comments inside multi-line flow lists. Changing one value (the common edit in the
UI's forms) is done on the text instead: only that value's characters change.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

_PLAIN_SAFE = re.compile(r"^[A-Za-z_./@][A-Za-z0-9_ ./@:+-]*$")
_RESERVED = re.compile(r"^(true|false|yes|no|on|off|null|~|y|n)$", re.IGNORECASE)
_NUMBER = re.compile(r"^[-+]?(\d|\.\d)")


def is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _token_end(line: str, start: int, in_flow: bool) -> int | None:
    """End (exclusive) of the scalar token starting at ``start``; None when it is not single-line."""
    if start >= len(line):
        return None
    first = line[start]
    if first == '"':
        i = start + 1
        while i < len(line):
            if line[i] == "\\":
                i += 2
                continue
            if line[i] == '"':
                return i + 1
            i += 1
        return None
    if first == "'":
        i = start + 1
        while i < len(line):
            if line[i] == "'":
                if i + 1 < len(line) and line[i + 1] == "'":
                    i += 2
                    continue
                return i + 1
            i += 1
        return None
    if first in "|>&*!{[":
        return None
    end = len(line.rstrip("\r\n"))
    comment = line.find(" #", start)
    if comment != -1:
        end = min(end, comment)
    if in_flow:
        for stop in ",]}":
            found = line.find(stop, start)
            if found != -1:
                end = min(end, found)
    return len(line[:end].rstrip())


def render(value: Any, style: str) -> str:
    """YAML text of a scalar; strings keep the old quote style where it is safe."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if style == "'" and "\n" not in text:
        return "'" + text.replace("'", "''") + "'"
    if style == "plain" and _PLAIN_SAFE.match(text) and not _RESERVED.match(text) and not _NUMBER.match(text) \
            and ": " not in text and " #" not in text and not text.endswith((" ", ":")):
        return text
    return json.dumps(text, ensure_ascii=False)


def replace_scalar(text: str, parent: Any, key: Any, new: Any) -> tuple[str, str, bool] | None:
    """(new text, the new token, whether later columns on that line moved) or None when not possible."""
    lc = getattr(parent, "lc", None)
    if lc is None or not is_scalar(new):
        return None
    try:
        line_no, column = lc.value(key) if isinstance(parent, Mapping) else lc.item(key)
    except (KeyError, IndexError, TypeError, AttributeError):
        return None
    lines = text.splitlines(keepends=True)
    if not 0 <= line_no < len(lines):
        return None
    line = lines[line_no]
    fa = getattr(parent, "fa", None)
    in_flow = bool(fa.flow_style()) if fa is not None else False
    end = _token_end(line, column, in_flow)
    if end is None or end <= column:
        return None
    old_token = line[column:end]
    old = parent[key]
    if isinstance(old, str) and old_token[0] not in "\"'" and old_token != old:
        return None  # a multi-line plain scalar or something we do not understand
    if not isinstance(old, str) and old_token[0] in "\"'":
        return None
    if isinstance(old, Mapping | list):
        return None
    style = old_token[0] if old_token[0] in "\"'" else "plain"
    token = render(new, style)
    lines[line_no] = line[:column] + token + line[end:]
    moved = len(token) != len(old_token) and bool(line[end:].strip(" \r\n")) and in_flow
    return "".join(lines), token, moved
