"""Upgrading configs: ``config_version`` and an ordered list of small migrations.

Each migration rewrites one legacy spelling in place on the round-trip document (comments and key
order kept) and returns what it changed. A config without ``config_version`` is version 1; the
migrations bring it to :data:`~massgen_tui.config.models.CONFIG_VERSION` and record that number.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from massgen_tui.config.document import ConfigDocument, load_document
from massgen_tui.config.errors import ConfigError
from massgen_tui.config.files import write_atomic
from massgen_tui.config.models import CONFIG_VERSION


def rename_key(mapping: Any, old: str, new: str) -> None:
    """Rename a key in place, keeping its position and its comment."""
    keys = list(mapping)
    index = keys.index(old)
    value = mapping.pop(old)
    comments = getattr(getattr(mapping, "ca", None), "items", None)
    if hasattr(mapping, "insert"):
        mapping.insert(index, new, value)
    else:
        mapping[new] = value
    if comments is not None and old in comments:
        comments[new] = comments.pop(old)


def _agents(data: Mapping[str, Any]) -> list[Any]:
    if isinstance(data.get("agents"), list):
        return [a for a in data["agents"] if isinstance(a, Mapping)]
    if isinstance(data.get("agent"), Mapping):
        return [data["agent"]]
    return []


def _backends(data: Mapping[str, Any]) -> list[Any]:
    return [a["backend"] for a in _agents(data) if isinstance(a.get("backend"), Mapping)]


def migrate_ui_type(data: Any) -> list[str]:
    """ui.type -> ui.display_type."""
    ui = data.get("ui")
    if not isinstance(ui, Mapping) or "type" not in ui:
        return []
    if "display_type" in ui:
        del ui["type"]
        return ["removed ui.type (ui.display_type is already set)"]
    rename_key(ui, "type", "display_type")
    return ["renamed ui.type to ui.display_type"]


def migrate_display_section(data: Any) -> list[str]:
    """Top-level display: -> ui: (display.type becomes ui.display_type)."""
    if "display" not in data:
        return []
    display = data["display"]
    if not isinstance(display, Mapping):
        del data["display"]
        return ["removed top-level display (it was not a mapping)"]
    ui = data.get("ui")
    if not isinstance(ui, Mapping):
        rename_key(data, "display", "ui")  # in place: its comments and position stay
        if "type" in display and "display_type" not in display:
            rename_key(display, "type", "display_type")
        return ["renamed top-level display to ui (display.type -> ui.display_type)"]
    del data["display"]
    for key, value in display.items():
        target = "display_type" if key == "type" else key
        if target not in ui:
            ui[target] = value
    return ["merged top-level display into ui"]


def migrate_security_level(data: Any) -> list[str]:
    """Unknown MCP security levels ('high') -> 'strict', which is what MassGen applies."""
    changes: list[str] = []
    for backend in _backends(data):
        servers = backend.get("mcp_servers")
        items = servers.values() if isinstance(servers, Mapping) else servers if isinstance(servers, list) else []
        for server in items:
            security = server.get("security") if isinstance(server, Mapping) else None
            if isinstance(security, Mapping) and security.get("level") not in (None, "strict", "moderate", "permissive"):
                changes.append(f"MCP security level {security['level']!r} -> 'strict' (what MassGen applies)")
                security["level"] = "strict"
    return changes


def migrate_grok_search_parameters(data: Any) -> list[str]:
    """grok extra_body.search_parameters -> enable_web_search: true."""
    changes: list[str] = []
    for backend in _backends(data):
        extra = backend.get("extra_body")
        if backend.get("type") == "grok" and isinstance(extra, Mapping) and "search_parameters" in extra:
            del extra["search_parameters"]
            if not extra:
                del backend["extra_body"]
            backend["enable_web_search"] = True
            changes.append("grok extra_body.search_parameters -> enable_web_search: true")
    return changes


def migrate_sse_transport(data: Any) -> list[str]:
    """MCP type: sse -> streamable-http (sse is deprecated)."""
    changes: list[str] = []
    for backend in _backends(data):
        servers = backend.get("mcp_servers")
        items = servers.values() if isinstance(servers, Mapping) else servers if isinstance(servers, list) else []
        for server in items:
            if isinstance(server, Mapping) and server.get("type") == "sse":
                server["type"] = "streamable-http"
                changes.append("MCP transport sse -> streamable-http")
    return changes


@dataclass(frozen=True)
class Migration:
    to_version: int
    name: str
    apply: Callable[[Any], list[str]]


# In order. Each one is small, idempotent and keeps comments.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(2, "display-to-ui", migrate_display_section),
    Migration(2, "ui-type-to-display-type", migrate_ui_type),
    Migration(2, "security-level", migrate_security_level),
    Migration(2, "grok-search-parameters", migrate_grok_search_parameters),
    Migration(2, "sse-to-streamable-http", migrate_sse_transport),
)


@dataclass
class MigrationReport:
    from_version: int
    to_version: int
    changes: list[str] = field(default_factory=list)
    before: str = ""
    after: str = ""

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self, name: str = "config") -> str:
        return "".join(difflib.unified_diff(self.before.splitlines(keepends=True), self.after.splitlines(keepends=True),
                                            fromfile=f"{name} (before)", tofile=f"{name} (after)"))


def config_version(data: Any) -> int:
    version = data.get("config_version") if isinstance(data, Mapping) else None
    return version if isinstance(version, int) and not isinstance(version, bool) else 1


def migrate_document(doc: ConfigDocument) -> MigrationReport:
    """Apply the pending migrations to ``doc`` in place and return what changed."""
    before = doc.to_text()
    data = doc.data
    if not isinstance(data, Mapping):
        raise ConfigError("cannot migrate: the config is not a mapping of keys",
                          path=str(doc.path) if doc.path else None)
    start = config_version(data)
    report = MigrationReport(start, max(start, CONFIG_VERSION), before=before)
    for migration in MIGRATIONS:
        if migration.to_version > start:
            report.changes.extend(migration.apply(data))
    if start < CONFIG_VERSION:
        if "config_version" in data:
            data["config_version"] = CONFIG_VERSION
        else:
            data.insert(0, "config_version", CONFIG_VERSION)
        report.changes.append(f"set config_version: {CONFIG_VERSION}")
    doc._dirty = True
    report.after = doc.to_text() if report.changes else before
    return report


def migrate_file(path: str | Path, *, write: bool = False, output: str | Path | None = None) -> int:
    """CLI body: show the diff; write in place with ``write`` or to ``output``. Returns the exit status."""
    doc = load_document(path)
    report = migrate_document(doc)
    if not report.changed:
        print(f"{path}: already at config_version {report.to_version}; nothing to change")
        return 0
    sys.stdout.write(report.diff(str(path)))
    for change in report.changes:
        print(f"# {change}", file=sys.stderr)
    target = output or (path if write else None)
    if target is None:
        print(f"{path}: dry run; add --write to apply, or -o FILE", file=sys.stderr)
        return 0
    ConfigDocument.from_text(report.after, Path(target))  # never write something that does not parse
    write_atomic(target, report.after)
    print(f"wrote {target} (config_version {report.to_version})", file=sys.stderr)
    return 0
