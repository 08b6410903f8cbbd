"""Whole-config rules: ${VAR} placeholders, context paths, config_version."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from massgen_tui.config.locations import format_location
from massgen_tui.config.validation import Checker

PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}")


def _strings(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from _strings(value, (*path, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, (*path, index))
    elif isinstance(node, str) and "${" in node:
        yield path, node


def check_placeholders(checker: Checker) -> None:
    for path, text in _strings(checker.data):
        for match in PLACEHOLDER.finditer(text):
            name, default = match.group(1), match.group(2)
            if default is None and name not in checker.environ:
                checker.warning(format_location(path), f"${{{name}}} is used but {name} is not set",
                                f"export {name}=... before running (or put it in a .env file MassGen loads)",
                                code="env-unset")


def check_context_paths(checker: Checker) -> None:
    orchestrator = checker.data.get("orchestrator")
    if not isinstance(orchestrator, Mapping):
        return
    paths = orchestrator.get("context_paths")
    if not isinstance(paths, list):
        return
    seen: dict[str, str] = {}
    for index, entry in enumerate(paths):
        location = f"orchestrator.context_paths[{index}]"
        if not isinstance(entry, Mapping):
            continue
        path = entry.get("path")
        if isinstance(path, str):
            if path in seen:
                checker.warning(f"{location}.path", f"context path {path!r} is listed twice (also {seen[path]})",
                                "keep one entry per path", code="context-path")
            seen.setdefault(path, f"{location}.path")
        protected = entry.get("protected_paths")
        if protected and entry.get("permission", "read") != "write":
            checker.warning(f"{location}.protected_paths", "protected_paths only matter on a path with write permission",
                            "set permission: write, or remove protected_paths", code="context-permission")
        if isinstance(protected, list):
            for j, item in enumerate(protected):
                if isinstance(item, str) and (item.startswith("/") or ".." in item.split("/")):
                    checker.warning(f"{location}.protected_paths[{j}]",
                                    f"protected path {item!r} should be relative to {path!r}",
                                    "write it relative to the context path", code="context-path")


def check_config_version(checker: Checker) -> None:
    from massgen_tui.config.models import CONFIG_VERSION

    version = checker.data.get("config_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > CONFIG_VERSION:
        checker.warning("config_version", f"config_version {version} is newer than this massgen-tui knows "
                        f"({CONFIG_VERSION})", "upgrade massgen-tui", code="config-version")


RULES = [check_placeholders, check_context_paths, check_config_version]
