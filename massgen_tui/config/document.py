"""The YAML document: the text as the user wrote it, parsed with comments and positions kept.

Every key path (see :mod:`massgen_tui.config.locations`) maps to a 1-based line and column, and
edits (:meth:`ConfigDocument.set_value`, :meth:`ConfigDocument.delete`) keep comments, key order
and the file's indentation style on :meth:`ConfigDocument.to_text`.
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from massgen_tui.config.errors import ConfigError
from massgen_tui.config.locations import Segment, format_location, parse_location


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


@dataclass(frozen=True)
class IndentStyle:
    """How the file indents: mapping indent, sequence indent, and the dash's offset inside it."""

    mapping: int = 2
    sequence: int = 4
    offset: int = 2


_DASH_LINE = re.compile(r"^( *)- ")
_KEY_LINE = re.compile(r"^( *)[^\s#-][^:#]*:(\s|$)")


def guess_indent(text: str) -> IndentStyle:
    """Guess the indentation style from the text (defaults to MassGen's own: 2, dash offset 2)."""
    lines = text.splitlines()
    mapping: int | None = None
    offset: int | None = None
    for number, line in enumerate(lines):
        key = _KEY_LINE.match(line)
        if key and mapping is None and key.group(1):
            # a nested key whose parent is the closest previous key line ending with ":"
            for previous in reversed(lines[:number]):
                if not previous.strip() or previous.lstrip().startswith("#"):
                    continue
                parent = _KEY_LINE.match(previous)
                if parent and previous.rstrip().endswith(":") and len(parent.group(1)) < len(key.group(1)):
                    mapping = len(key.group(1)) - len(parent.group(1))
                break
        dash = _DASH_LINE.match(line)
        if dash and offset is None and number > 0:
            # the dash's indentation relative to its parent key's indentation
            for previous in reversed(lines[:number]):
                parent = _KEY_LINE.match(previous)
                if parent and previous.rstrip().endswith(":"):
                    offset = max(0, len(dash.group(1)) - len(parent.group(1)))
                    break
                if previous.strip() and not previous.lstrip().startswith("#"):
                    break
        if mapping is not None and offset is not None:
            break
    mapping = mapping or 2
    offset = 2 if offset is None else offset
    return IndentStyle(mapping=mapping, sequence=offset + 2, offset=offset)


def _yaml(style: IndentStyle | None = None):
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    style = style or IndentStyle()
    yaml.indent(mapping=style.mapping, sequence=style.sequence, offset=style.offset)
    return yaml


def _plain(value: Any) -> Any:
    """A deep copy of ruamel containers as plain dicts/lists (for JSON, pydantic, exports)."""
    if isinstance(value, Mapping):
        return {str(k) if not isinstance(k, str) else k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _scalar(value: Any) -> Any:
    """A ruamel scalar as the plain Python value (str subclasses to str, ScalarFloat to float...)."""
    if isinstance(value, bool) or value is None:
        return value
    for kind in (str, int, float):
        if isinstance(value, kind):
            return kind(value)
    return value


def _drop_comments_of_empty(node: Any, parent: Any = None, key_in_parent: Any = None) -> None:
    """Remove comments attached to empty collections and around them (ruamel misplaces them)."""
    if isinstance(node, Mapping):
        items = list(node.items())
    elif isinstance(node, list):
        items = list(enumerate(node))
    else:
        return
    ca = getattr(node, "ca", None)
    for key, child in items:
        if not isinstance(child, Mapping | list):
            continue
        if child:
            _drop_comments_of_empty(child, node, key)
            continue
        child_ca = getattr(child, "ca", None)
        if child_ca is not None:
            child_ca.comment = None
            child_ca.items.clear()
        if ca is not None:
            ca.items.pop(key, None)
            if key == items[0][0]:
                # a comment before the first entry would land after "{}"/"[]"
                ca.comment = None
                parent_ca = getattr(parent, "ca", None)
                if parent_ca is not None:
                    parent_ca.items.pop(key_in_parent, None)


def _block_style_for_nested(node: Any) -> None:
    """Write flow collections that hold collections in block style (ruamel can garble them)."""
    children = list(node.values()) if isinstance(node, Mapping) else list(node) if isinstance(node, list) else []
    fa = getattr(node, "fa", None)
    if fa is not None and any(isinstance(c, Mapping | list) for c in children):
        fa.set_block_style()
    for child in children:
        _block_style_for_nested(child)


def _find_key(mapping: Mapping[Any, Any], segment: Segment) -> tuple[bool, Any]:
    """The actual key of ``mapping`` a location segment names (YAML keys are not always strings)."""
    if segment in mapping:
        return True, segment
    for key in mapping:
        if str(key) == str(segment):
            return True, key
    return False, None


class ConfigDocument:
    """A parsed config with its source text. ``data`` is the round-trip mapping (a ``dict``)."""

    def __init__(self, text: str, data: Any, path: Path | None = None):
        self.text = text
        self.data = data
        self.path = path
        self.indent = guess_indent(text)
        self._dirty = False

    @classmethod
    def from_text(cls, text: str, path: Path | None = None) -> ConfigDocument:
        from ruamel.yaml.error import MarkedYAMLError, YAMLError

        where = str(path) if path else None
        try:
            data = _yaml().load(io.StringIO(text))
        except MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            column = mark.column + 1 if mark else None
            problem = exc.problem or str(exc).splitlines()[0]
            if exc.context and exc.problem:
                problem = f"{problem} ({exc.context})"
            raise ConfigError(f"YAML syntax error: {problem}", path=where, line=line, column=column) from exc
        except YAMLError as exc:
            raise ConfigError(f"YAML error: {str(exc).splitlines()[0] if str(exc) else exc!r}", path=where) from exc
        except RecursionError:
            raise ConfigError("YAML nests too deeply to read", path=where) from None
        except (ValueError, TypeError, OverflowError) as exc:  # e.g. a timestamp out of range
            raise ConfigError(f"YAML value cannot be read: {exc}", path=where) from exc
        return cls(text, data, path)

    @property
    def base_dir(self) -> Path:
        """The folder relative paths in the config are resolved against."""
        return self.path.parent if self.path else Path.cwd()

    # ----- agents -----
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

    # ----- key paths -----
    def _walk(self, path: tuple[Segment, ...]) -> tuple[bool, Any, Any, Any]:
        """Follow ``path``: (found, parent container, actual key/index, value)."""
        parent: Any = None
        key: Any = None
        node: Any = self.data
        for segment in path:
            if isinstance(node, Mapping):
                found, actual = _find_key(node, segment)
                if not found:
                    return False, node, segment, None
                parent, key, node = node, actual, node[actual]
            elif isinstance(node, list) and isinstance(segment, int):
                if not 0 <= segment < len(node):
                    return False, node, segment, None
                parent, key, node = node, segment, node[segment]
            else:
                return False, node, segment, None
        return True, parent, key, node

    def get(self, location: str, default: Any = None) -> Any:
        """The value at ``location``, or ``default`` when there is none."""
        try:
            found, _, _, value = self._walk(parse_location(location))
        except ValueError:
            return default
        return value if found else default

    def has(self, location: str) -> bool:
        try:
            return self._walk(parse_location(location))[0]
        except ValueError:
            return False

    def position(self, location: str) -> tuple[int, int] | None:
        """1-based (line, column) of the key (or list item) at ``location``; None if unknown."""
        try:
            path = parse_location(location)
        except ValueError:
            return None
        if not path:
            return (1, 1) if self.data is not None else None
        found, parent, key, _ = self._walk(path)
        if not found:
            return None
        lc = getattr(parent, "lc", None)
        if lc is None:
            return None
        try:
            if isinstance(parent, Mapping):
                line, column = lc.key(key)
            else:
                line, column = lc.item(key)
        except (KeyError, IndexError, TypeError, AttributeError):
            return None
        return line + 1, column + 1

    def value_position(self, location: str) -> tuple[int, int] | None:
        """1-based (line, column) where the value at ``location`` starts (mapping entries only)."""
        try:
            path = parse_location(location)
        except ValueError:
            return None
        found, parent, key, _ = self._walk(path) if path else (False, None, None, None)
        if not found or not isinstance(parent, Mapping) or getattr(parent, "lc", None) is None:
            return self.position(location)
        try:
            line, column = parent.lc.value(key)
        except (KeyError, IndexError, TypeError, AttributeError):
            return self.position(location)
        return line + 1, column + 1

    def nearest_position(self, location: str) -> tuple[int, int] | None:
        """Position of ``location``, or of its closest existing ancestor."""
        try:
            path = parse_location(location)
        except ValueError:
            return None
        while path:
            position = self.position(format_location(path))
            if position is not None:
                return position
            path = path[:-1]
        return None

    # ----- edits -----
    def set_value(self, location: str, value: Any) -> None:
        """Set the value at ``location``, creating missing parent mappings. Comments are kept.

        A list index equal to the list's length appends. Raises :class:`ConfigError` when the path
        crosses a value that is not a mapping or list.
        """
        from ruamel.yaml.comments import CommentedMap

        path = parse_location(location)
        if not path:
            raise ConfigError("cannot replace the whole document; set a key inside it")
        if isinstance(value, Mapping | list):
            value = copy.deepcopy(value)  # never share (or loop) containers between two places
        if self.data is None:
            self.data = CommentedMap()
        node: Any = self.data
        for depth, segment in enumerate(path[:-1]):
            where = format_location(path[: depth + 1])
            if isinstance(node, Mapping):
                found, actual = _find_key(node, segment)
                if not found or node[actual] is None:
                    nxt = path[depth + 1]
                    node[actual if found else segment] = [] if isinstance(nxt, int) else CommentedMap()
                    actual = actual if found else segment
                node = node[actual]
            elif isinstance(node, list) and isinstance(segment, int) and 0 <= segment < len(node):
                node = node[segment]
            else:
                raise ConfigError(f"cannot set {location}: {where} is not a mapping or list entry")
        last = path[-1]
        if not self._dirty and self._set_in_text(node, last, value):
            return
        if isinstance(node, Mapping):
            found, actual = _find_key(node, last)
            if found and isinstance(node[actual], Mapping | list) != isinstance(value, Mapping | list):
                # a comment after the old value (kept on the key) would land inside the new one
                comments = getattr(getattr(node, "ca", None), "items", None)
                if comments is not None:
                    comments.pop(actual, None)
            node[actual if found else last] = value
        elif isinstance(node, list) and isinstance(last, int):
            if last == len(node):
                node.append(value)
            elif 0 <= last < len(node):
                node[last] = value
            else:
                raise ConfigError(f"cannot set {location}: index {last} is out of range (list has {len(node)})")
        else:
            raise ConfigError(f"cannot set {location}: its parent is not a mapping or list")
        self._dirty = True

    def _set_in_text(self, parent: Any, segment: Segment, value: Any) -> bool:
        """Replace an existing one-line scalar in the text itself (nothing else in the file moves)."""
        from massgen_tui.config.text_edits import is_scalar, replace_scalar

        if isinstance(parent, Mapping):
            found, key = _find_key(parent, segment)
        elif isinstance(parent, list) and isinstance(segment, int) and 0 <= segment < len(parent):
            found, key = True, segment
        else:
            return False
        if not found or not is_scalar(parent[key]) or not is_scalar(value):
            return False
        replaced = replace_scalar(self.text, parent, key, value)
        if replaced is None:
            return False
        text, token, moved = replaced
        if moved:  # later columns on a flow line moved: take every position from a fresh parse
            try:
                fresh = ConfigDocument.from_text(text, self.path)
            except ConfigError:
                return False
            probe: Any = fresh.data
            for part in self._path_to(parent):
                probe = probe[part]
            new_value = probe[key]
            self.data = fresh.data
        else:
            try:
                new_value = _yaml().load(io.StringIO(f"_: {token}\n"))["_"]
            except Exception:
                return False
        if _scalar(new_value) != _scalar(value) or type(_scalar(new_value)) is not type(_scalar(value)):
            return False  # the text would not read back as the value asked for: let ruamel dump it
        if not moved:
            parent[key] = new_value
        self.text = text
        return True

    def _path_to(self, target: Any) -> list[Any]:
        """Keys/indexes leading from the root to the container ``target``."""
        def walk(node: Any, trail: list[Any]) -> list[Any] | None:
            if node is target:
                return trail
            children = node.items() if isinstance(node, Mapping) else enumerate(node) if isinstance(node, list) else ()
            for key, child in children:
                if isinstance(child, Mapping | list):
                    found = walk(child, [*trail, key])
                    if found is not None:
                        return found
            return None

        found = walk(self.data, [])
        if found is None:
            raise ConfigError("internal: edited container is not in the document")
        return found

    def delete(self, location: str) -> bool:
        """Remove the key or list item at ``location``. Returns False when there was none."""
        path = parse_location(location)
        if not path:
            return False
        found, parent, key, _ = self._walk(path)
        if not found:
            return False
        del parent[key]
        self._dirty = True
        return True

    def _dump(self) -> str:
        buffer = io.StringIO()
        _yaml(self.indent).dump(self.data, buffer)
        return buffer.getvalue()

    def to_text(self) -> str:
        """The document as YAML, comments, quotes, key order and indentation kept.

        The output is checked to read back as the same data: ruamel.yaml can misplace a comment
        that belonged to a collection emptied by an edit; such comments are dropped and the dump
        retried. Raises :class:`ConfigError` rather than ever returning text that reads differently.
        """
        if not self._dirty:
            return self.text
        out = self._dump()
        if self._reads_back(out):
            return out
        for repair in (_drop_comments_of_empty, _block_style_for_nested):
            repair(self.data)
            out = self._dump()
            if self._reads_back(out):
                return out
        raise ConfigError("cannot write this config as YAML without changing its meaning "
                          "(a ruamel.yaml limitation); undo the last edit or edit the text",
                          path=str(self.path) if self.path else None)

    def _reads_back(self, text: str) -> bool:
        try:
            return ConfigDocument.from_text(text).to_plain() == self.to_plain()
        except ConfigError:
            return False

    def to_plain(self) -> Any:
        """The data as plain dicts and lists (no ruamel types)."""
        return _plain(self.data)

    def reload(self) -> ConfigDocument:
        """A fresh document parsed from :meth:`to_text` (new positions after edits)."""
        return ConfigDocument.from_text(self.to_text(), self.path)


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
