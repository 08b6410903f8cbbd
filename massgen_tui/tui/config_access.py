"""The UI's one door to the config core: parsing, validation, edits, choices and atomic writes.

The UI presents and edits; the core (``massgen_tui.config``) decides what is valid. Nothing here adds
a validation rule.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from massgen_tui.config import (
    DOCKER_TEMPLATES,
    EXECUTION_MODES,
    NETWORK_MODES,
    ConfigDocument,
    Diagnostic,
    IncrementalValidator,
    ValidationResult,
)
from massgen_tui.config.backends import BACKENDS
from massgen_tui.config.files import write_atomic

__all__ = [
    "ACTIONS", "DOCKER_TEMPLATES", "EXECUTION_MODES", "NETWORK_MODES", "Diagnostic", "IncrementalValidator",
    "ValidationResult", "api_key_env_names", "backend_types", "default_model", "delete", "get_value",
    "key_is_set", "models_for", "parse", "position", "presets", "set_value", "to_text", "validator_for",
    "write_atomic",
]

ACTIONS = ("allow", "ask", "deny")
_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def split_location(location: str) -> list[str | int]:
    """``agents[1].backend.type`` -> ["agents", 1, "backend", "type"] (for walking plain mappings)."""
    return [int(index) if index else name for name, index in _SEGMENT.findall(location)]


def get_value(data: Any, location: str | list[str | int], default: Any = None) -> Any:
    """The value at ``location`` inside any mapping (a document's data or one agent's mapping)."""
    parts = split_location(location) if isinstance(location, str) else location
    node = data
    for part in parts:
        if isinstance(part, int):
            if not (isinstance(node, list) and 0 <= part < len(node)):
                return default
            node = node[part]
        elif isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            return default
    return node


def validator_for(path: Path | None) -> IncrementalValidator:
    return IncrementalValidator(str(path) if path else None)


def validate(validator: IncrementalValidator, text: str) -> ValidationResult:
    """Validate the whole document; the core never raises, but a bug in a rule must not kill the UI."""
    try:
        return validator.validate(text)
    except Exception as exc:
        return ValidationResult([Diagnostic(severity="error", location="", line=None, column=None,
                                            message=f"the validator failed: {exc}", suggestion=None,
                                            code="internal")])


def parse(text: str, path: Path | None = None) -> ConfigDocument:
    return ConfigDocument.from_text(text, path)


def set_value(doc: ConfigDocument, location: str, value: Any) -> None:
    doc.set_value(location, value)


def delete(doc: ConfigDocument, location: str) -> None:
    doc.delete(location)


def to_text(doc: ConfigDocument) -> str:
    return doc.to_text()


def position(doc: ConfigDocument, location: str) -> tuple[int, int] | None:
    """1-based (line, column) of a key, or of its closest existing parent."""
    return doc.position(location) or doc.nearest_position(location)


# --------------------------------------------------------------------------------------- choices
def backend_types() -> list[str]:
    return list(BACKENDS)


def models_for(backend_type: str | None) -> list[str]:
    info = BACKENDS.get(str(backend_type)) if backend_type else None
    if info is not None:
        return list(info.models)
    return sorted({m for info in BACKENDS.values() for m in info.models})


def default_model(backend_type: str) -> str | None:
    info = BACKENDS.get(backend_type)
    return info.default_model if info else None


def api_key_env_names(backend_type: str) -> list[str]:
    info = BACKENDS.get(backend_type)
    return [info.api_key_env] if info and info.api_key_env else []


def key_is_set(name: str) -> bool:
    """Whether the variable holds a value: the value itself is never read out."""
    return bool(os.environ.get(name))


def presets() -> dict[str, tuple[str, str]]:
    """Preset name -> (description, YAML text), from the core's presets/ folder."""
    from massgen_tui.config.presets import list_presets

    out = {}
    for preset in list_presets():
        try:
            out[preset.name] = (preset.description, preset.text())
        except OSError:
            continue
    return out
