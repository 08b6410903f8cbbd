"""Types, enums and ranges: run the pydantic models and turn their errors into located diagnostics."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from massgen_tui.config.locations import format_location
from massgen_tui.config.validation import Checker, did_you_mean

_EXPECTED = {
    "string_type": "a string",
    "bool_type": "true or false",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "list_type": "a list",
    "dict_type": "a mapping (key: value)",
    "model_type": "a mapping (key: value)",
    "model_attributes_type": "a mapping (key: value)",
    "none_required": "empty",
}

# Keys whose enum/type problems get a rule id of their own (tests and the TUI filter on them).
_CODES = {
    "command_line_docker_memory_limit": "docker-memory",
    "command_line_docker_disk_limit": "docker-disk",
    "command_line_docker_cpu_limit": "docker-cpu",
    "command_line_docker_network_mode": "docker-network",
    "command_line_docker_image": "docker-image",
    "command_line_docker_pids_limit": "docker-pids",
    "command_line_docker_template": "docker-template",
    "command_line_execution_mode": "execution-mode",
    "permission": "context-permission",
    "permission_mode": "permission-mode",
    "display_type": "ui-display-type",
}


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int):
        return f"a number ({value})"
    if isinstance(value, float):
        return f"a number ({value})"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {shown!r}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _plain(value: Any) -> Any:
    """ruamel scalars and containers as plain Python values (strict pydantic wants real types)."""
    if isinstance(value, Mapping):
        return {(k if isinstance(k, str) else str(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


def _real_path(data: Any, loc: tuple[Any, ...]) -> tuple[tuple[str | int, ...], Any, bool]:
    """Drop pydantic's union/tag segments from ``loc`` by walking the data: (path, value, found)."""
    path: list[str | int] = []
    node = data
    found = True
    for index, segment in enumerate(loc):
        if isinstance(node, Mapping) and not isinstance(segment, int) and str(segment) in node:
            path.append(str(segment))
            node = node[str(segment)]
        elif isinstance(node, list) and isinstance(segment, int) and 0 <= segment < len(node):
            path.append(segment)
            node = node[segment]
        elif isinstance(node, Mapping) and index == len(loc) - 1 and isinstance(segment, str):
            path.append(segment)  # a missing key
            node = None
            found = False
        else:
            continue  # a union member or tag, e.g. 'list[str]', 'map', 'function-after[...]'
    return tuple(path), node, found


def _expected_literals(ctx: Mapping[str, Any] | None) -> list[str]:
    expected = str((ctx or {}).get("expected", ""))
    return re.findall(r"'([^']*)'", expected)


def _message(err: Mapping[str, Any], key: str, value: Any) -> tuple[str, str | None, str]:
    """(message, suggestion, kind) for one pydantic error."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    label = f"'{key}'" if key else "the config"
    if kind == "missing":
        return f"required key '{key}' is missing", f"add '{key}: ...'", "missing"
    if kind == "literal_error":
        choices = _expected_literals(ctx)
        return (f"{value!r} is not a valid {key}" if isinstance(value, str) else
                f"{label} must be one of {', '.join(choices)}, got {_type_name(value)}",
                did_you_mean(str(value), choices, fallback_all=True), "enum")
    if kind == "extra_forbidden":
        return f"unknown key '{key}'", None, "unknown-key"
    if kind == "string_pattern_mismatch":
        if "memory" in key or "disk" in key:
            return (f"{value!r} is not a size", 'write a number with a unit, like "512m" or "2g"', "pattern")
        return f"{value!r} does not have the expected form", None, "pattern"
    bounds = {"greater_than": ("greater than", "gt"), "greater_than_equal": ("at least", "ge"),
              "less_than": ("less than", "lt"), "less_than_equal": ("at most", "le")}
    if kind in bounds:
        words, name = bounds[kind]
        return f"{label} must be {words} {ctx.get(name)}, got {value!r}", None, "range"
    if kind in _EXPECTED:
        return f"{label} must be {_EXPECTED[kind]}, got {_type_name(value)}", None, "type"
    return f"{label}: {err.get('msg', 'invalid value')}", None, "invalid"


def check_schema(checker: Checker) -> None:
    from pydantic import ValidationError

    from massgen_tui.config.models import MassGenConfig

    data = checker.data
    if not isinstance(data, Mapping):
        return
    plain = _plain(data)
    try:
        MassGenConfig.model_validate(plain)
        return
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
    grouped: dict[tuple[str | int, ...], list[tuple[Mapping[str, Any], Any, bool]]] = {}
    for err in errors:
        path, value, found = _real_path(plain, tuple(err["loc"]))
        grouped.setdefault(path, []).append((err, value, found))
    for path, items in grouped.items():
        location = format_location(path)
        key = str(path[-1]) if path and isinstance(path[-1], str) else (
            f"{path[-2]}[{path[-1]}]" if len(path) > 1 and isinstance(path[-2], str) else "")
        specific = [item for item in items if item[0]["type"] not in _EXPECTED]
        err, value, _ = specific[0] if specific else items[0]
        if len(items) > 1 and not specific:
            wanted = " or ".join(dict.fromkeys(_EXPECTED[e["type"]] for e, _, _ in items))
            message, suggestion, kind = f"'{key}' must be {wanted}, got {_type_name(value)}", None, "type"
        else:
            message, suggestion, kind = _message(err, key, value)
        severity = "error"
        code = _CODES.get(key, "")
        if path and path[0] == "safety":
            code = "safety" if kind != "unknown-key" else "safety-unknown-key"
            if kind == "unknown-key":
                from massgen_tui.config.safety import SafetySettings

                parent = SafetySettings
                suggestion = did_you_mean(key, _safety_fields(parent, path[1:-1]))
        elif key == "type" and len(path) >= 2 and path[-2] == "backend":
            code = "backend-type"
        elif key == "type" and "mcp_servers" in path:
            code = "mcp-transport"
        elif key == "level" and len(path) >= 2 and path[-2] == "security":
            # MassGen treats an unknown level as "strict": worth a warning, not an error
            severity = "warning"
            code = "mcp-security-level"
            message = f"{value!r} is not a security level MassGen knows; it is treated as 'strict'"
        if not code:
            code = kind
        checker.report(severity, location, message, suggestion, code)


def _safety_fields(model: Any, path: tuple[Any, ...]) -> list[str]:
    """Field names of the (nested) safety model at ``path`` (for "did you mean")."""
    current = model
    for segment in path:
        if isinstance(segment, int):
            continue
        field = getattr(current, "model_fields", {}).get(segment)
        if field is None:
            return []
        annotation = field.annotation
        candidates = [annotation, *getattr(annotation, "__args__", ())]
        for candidate in candidates:
            inner = [candidate, *getattr(candidate, "__args__", ())]
            nested = next((c for c in inner if hasattr(c, "model_fields")), None)
            if nested is not None:
                current = nested
                break
        else:
            return []
    return list(getattr(current, "model_fields", {}))
