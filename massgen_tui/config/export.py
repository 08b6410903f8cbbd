"""Export a config as YAML, JSON or TOML, with secrets redacted unless asked for."""

from __future__ import annotations

import copy
import io
import json
import re
from collections.abc import Mapping
from typing import Any

from massgen_tui.config.document import ConfigDocument, _plain, _yaml
from massgen_tui.config.errors import ConfigError

REDACTED = "***REDACTED***"
SECRET_KEY = re.compile(r"(api[_-]?key|token|secret|password|passwd|credential|authorization|auth|cookie|"
                        r"private[_-]?key|access[_-]?key)", re.IGNORECASE)
PLACEHOLDER_ONLY = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}$")
BEARER = re.compile(r"^(Bearer|Basic|Token)\s+\S+", re.IGNORECASE)


def is_secret_key(key: str) -> bool:
    return bool(SECRET_KEY.search(key)) and not key.endswith(("_env", "_env_var", "_file", "_path"))


def _redact_value(value: Any) -> Any:
    if isinstance(value, str) and PLACEHOLDER_ONLY.match(value.strip()):
        return value  # a ${VAR} reference is not the secret itself
    if value is None or value == "":
        return value
    return REDACTED


def redact(node: Any, *, parent_key: str = "") -> int:
    """Redact secrets in place (mappings and lists). Returns how many values were replaced."""
    count = 0
    if isinstance(node, Mapping):
        for key in list(node):
            value = node[key]
            name = str(key)
            if isinstance(value, Mapping | list):
                count += redact(value, parent_key=name)
            elif is_secret_key(name) or (parent_key == "headers" and isinstance(value, str)
                                         and (BEARER.match(value) or is_secret_key(name))):
                new = _redact_value(value)
                if new != value:
                    node[key] = new
                    count += 1
    elif isinstance(node, list):
        for index, value in enumerate(node):
            if isinstance(value, Mapping | list):
                count += redact(value, parent_key=parent_key)
            elif isinstance(value, str) and index > 0 and isinstance(node[index - 1], str) \
                    and node[index - 1].startswith("--") and is_secret_key(node[index - 1]):
                new = _redact_value(value)  # args: ["--api-key", "sk-..."]
                if new != value:
                    node[index] = new
                    count += 1
    return count


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value if v is not None]
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return str(value)  # dates and other YAML scalars


def export_document(doc: ConfigDocument, fmt: str, *, include_secrets: bool = False) -> str:
    """The config as ``yaml`` (comments kept), ``json`` or ``toml`` text."""
    data = copy.deepcopy(doc.data)
    if not include_secrets:
        redact(data)
    if fmt == "yaml":
        buffer = io.StringIO()
        _yaml(doc.indent).dump(data, buffer)
        return buffer.getvalue()
    plain = _jsonable(_plain(data))
    if fmt == "json":
        return json.dumps(plain, indent=2, ensure_ascii=False) + "\n"
    if fmt == "toml":
        import tomli_w

        if not isinstance(plain, dict):
            raise ConfigError("cannot export to TOML: the config is not a mapping of keys")
        try:
            return tomli_w.dumps(_drop_none(plain))
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"cannot export to TOML: {exc}") from exc
    raise ConfigError(f"unknown export format {fmt!r}; use yaml, json or toml")
