"""The YAML document: the text as the user wrote it, parsed with comments and positions kept."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from massgen_tui.config.errors import ConfigError


@dataclass(frozen=True)
class AgentEntry:
    """One agent of a config, whether written under ``agents`` (list) or ``agent`` (map)."""

    index: int
    id: str
    location: str  # "agents[0]" or "agent"
    data: Mapping[str, Any]

    @property
    def backend(self) -> Mapping[str, Any]:
        backend = self.data.get("backend")
        return backend if isinstance(backend, Mapping) else {}


def _yaml():
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    return yaml


class ConfigDocument:
    """A parsed config with its source text. ``data`` is the round-trip mapping (a ``dict``)."""

    def __init__(self, text: str, data: Any, path: Path | None = None):
        self.text = text
        self.data = data
        self.path = path

    @classmethod
    def from_text(cls, text: str, path: Path | None = None) -> ConfigDocument:
        from ruamel.yaml.error import MarkedYAMLError, YAMLError

        try:
            data = _yaml().load(io.StringIO(text))
        except MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            column = mark.column + 1 if mark else None
            raise ConfigError(f"YAML syntax error: {exc.problem or exc}", path=str(path) if path else None,
                              line=line, column=column) from exc
        except YAMLError as exc:
            raise ConfigError(f"YAML error: {exc}", path=str(path) if path else None) from exc
        return cls(text, data, path)

    def agent_entries(self) -> list[AgentEntry]:
        data = self.data if isinstance(self.data, Mapping) else {}
        entries: list[AgentEntry] = []
        agents = data.get("agents")
        if isinstance(agents, list):
            for index, agent in enumerate(agents):
                if isinstance(agent, Mapping):
                    entries.append(AgentEntry(index, str(agent.get("id") or f"agent_{index}"), f"agents[{index}]", agent))
        elif isinstance(data.get("agent"), Mapping):
            agent = data["agent"]
            entries.append(AgentEntry(0, str(agent.get("id") or "agent"), "agent", agent))
        return entries

    def agent(self, agent_id: str) -> AgentEntry:
        for entry in self.agent_entries():
            if entry.id == agent_id:
                return entry
        known = ", ".join(e.id for e in self.agent_entries()) or "none"
        raise ConfigError(f"no agent with id {agent_id!r} (agents: {known})", path=str(self.path) if self.path else None)


def load_document(path: str | Path) -> ConfigDocument:
    """Read and parse a config file. Raises :class:`ConfigError` when it cannot be read or parsed."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("file not found", path=str(path)) from None
    except IsADirectoryError:
        raise ConfigError("is a directory, not a config file", path=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path=str(path)) from exc
    return ConfigDocument.from_text(text, path)
