"""Re-validation on every keystroke: parse only the blocks of text that changed.

The text is cut into top-level blocks (``agents:``, ``orchestrator:``, ...) and the ``agents`` list
into one block per agent. Each block is parsed on its own and cached by its text, so after a
one-key edit only that block is parsed again; the rules then run on the assembled document. When
the text is unusual (anchors, several documents, tabs, flow-style roots) or a block does not parse
on its own, the whole text is parsed instead, so the answer is always the same as
:func:`~massgen_tui.config.validation.validate_text`.
"""

from __future__ import annotations

import io
import re
from collections import OrderedDict
from pathlib import Path
from typing import Any

from massgen_tui.config.diagnostics import ValidationResult
from massgen_tui.config.document import ConfigDocument

_UNUSUAL = re.compile(r"^(---|\.\.\.|%)|(^|[\s\[{,:-])[&*!][^\s]|\t", re.MULTILINE)
_TOP_KEY = re.compile(r"^([^\s#\-\[{'\"][^:#]*?|'[^']*'|\"[^\"]*\"):(\s|$)")
_CACHE_SIZE = 512


class _Unchunkable(Exception):
    pass


def _shift(node: Any, delta: int) -> None:
    """Move every recorded position inside ``node`` by ``delta`` lines."""
    lc = getattr(node, "lc", None)
    if lc is not None:
        if lc.line is not None:
            lc.line += delta
        for value in lc.data.values() if isinstance(lc.data, dict) else []:
            value[0] += delta
            if len(value) > 2:
                value[2] += delta
    if isinstance(node, dict):
        for child in node.values():
            if isinstance(child, dict | list):
                _shift(child, delta)
    elif isinstance(node, list):
        for child in node:
            if isinstance(child, dict | list):
                _shift(child, delta)


class IncrementalValidator:
    """Validate successive versions of one config's text quickly. Never raises."""

    def __init__(self, path: str | None = None, *, environ: Any = None):
        self.path = path
        self.environ = environ
        self._cache: OrderedDict[str, tuple[Any, int]] = OrderedDict()  # block text -> (parsed, line offset)
        self.last_document: ConfigDocument | None = None  # read-only: its blocks are shared with the cache
        self.full_parses = 0
        self.block_parses = 0

    # ----- public -----
    def validate(self, text: str) -> ValidationResult:
        from massgen_tui.config.validation import validate_document, validate_text

        try:
            doc = self._assemble(text)
        except _Unchunkable:
            doc = None
        except Exception:  # anything odd: the full parser decides
            doc = None
        if doc is None:
            self.full_parses += 1
            self.last_document = None
            return validate_text(text, self.path, environ=self.environ)
        self.last_document = doc
        return validate_document(doc, environ=self.environ)

    # ----- blocks -----
    def _parse_block(self, block: str, offset: int, used: set[int]) -> Any:
        from ruamel.yaml import YAML

        cached = self._cache.get(block)
        if cached is not None and id(cached[0]) not in used:
            data, old_offset = cached
            if old_offset != offset:
                _shift(data, offset - old_offset)
                self._cache[block] = (data, offset)
            self._cache.move_to_end(block)
            used.add(id(data))
            return data
        yaml = YAML(typ="rt")
        yaml.preserve_quotes = True
        data = yaml.load(io.StringIO(block))  # raises on a syntax error: the caller falls back
        self.block_parses += 1
        if offset:
            _shift(data, offset)
        self._cache[block] = (data, offset)
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        used.add(id(data))
        return data

    def _assemble(self, text: str) -> ConfigDocument | None:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        if _UNUSUAL.search(text) or text.lstrip().startswith(("{", "[")):
            raise _Unchunkable
        lines = text.splitlines(keepends=True)
        starts = [i for i, line in enumerate(lines) if _TOP_KEY.match(line)]
        if not starts:
            raise _Unchunkable
        for line in lines[: starts[0]]:
            if line.strip() and not line.lstrip().startswith("#"):
                raise _Unchunkable
        root = CommentedMap()
        used: set[int] = set()
        bounds = [*starts, len(lines)]
        for n, start in enumerate(starts):
            end = bounds[n + 1]
            block_lines = lines[start:end]
            key_line = block_lines[0]
            if key_line.split(":", 1)[0].strip() == "agents" and key_line.split(":", 1)[1].split("#")[0].strip() == "":
                key, value, position = self._agents_block(block_lines, start, used)
            else:
                parsed = self._parse_block("".join(block_lines), start, used)
                if not isinstance(parsed, CommentedMap) or len(parsed) != 1:
                    raise _Unchunkable
                key = next(iter(parsed))
                value = parsed[key]
                position = list(parsed.lc.data[key])
            if key in root:
                raise _Unchunkable  # a duplicate key: the full parser reports it
            root[key] = value
            root.lc.add_kv_line_col(key, position)
        if not isinstance(root.get("agents", CommentedSeq()), list | type(None)):
            raise _Unchunkable
        doc = ConfigDocument(text, root, Path(self.path) if self.path else None)
        return doc

    def _agents_block(self, block_lines: list[str], start: int, used: set[int]) -> tuple[str, Any, list[int]]:
        from ruamel.yaml.comments import CommentedSeq

        items: list[int] = []
        indent: int | None = None
        for i, line in enumerate(block_lines[1:], start=1):
            stripped = line.lstrip(" ")
            if not stripped.strip() or stripped.startswith("#"):
                continue
            if indent is None:
                if not stripped.startswith("- ") and stripped.rstrip() != "-":
                    raise _Unchunkable  # not a block sequence
                indent = len(line) - len(stripped)
            if len(line) - len(stripped) == indent and (stripped.startswith("- ") or stripped.rstrip() == "-"):
                items.append(i)
            elif len(line) - len(stripped) < indent:
                raise _Unchunkable
        seq = CommentedSeq()
        position = [start, 0, start, len("agents:")]
        if not items:
            return "agents", None, position
        bounds = [*items, len(block_lines)]
        for n, first in enumerate(items):
            text = "".join(block_lines[first: bounds[n + 1]])
            parsed = self._parse_block(text, start + first, used)
            if not isinstance(parsed, list) or len(parsed) != 1:
                raise _Unchunkable
            seq.append(parsed[0])
            seq.lc.add_idx_line_col(n, list(parsed.lc.data[0]))
        seq.lc.line, seq.lc.col = start + items[0], indent or 0
        return "agents", seq, position
