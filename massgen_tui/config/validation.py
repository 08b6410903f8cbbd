"""Validation: every problem in a config at once, each pointing at its key. Never raises.

``validate_text`` parses (a YAML syntax error becomes a diagnostic); ``validate_document`` checks a
parsed :class:`ConfigDocument`. Checks run in three passes: the structure (``rules_structure``),
types, enums and ranges from the pydantic models (``schema_check``), and the semantic rules
(``rules_agents``, ``rules_mcp``, ``rules_general``).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from massgen_tui.config.diagnostics import Diagnostic, Severity, ValidationResult
from massgen_tui.config.document import ConfigDocument
from massgen_tui.config.errors import ConfigError


def closest(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The choice most like ``word`` (difflib), or None when nothing is close."""
    matches = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=cutoff)
    return matches[0] if matches else None


def did_you_mean(word: str, choices: Iterable[str], *, fallback_all: bool = False) -> str | None:
    choices = [str(c) for c in choices]
    match = closest(word, choices)
    if match is not None:
        return f"did you mean {match!r}?"
    if fallback_all and choices:
        return "use one of: " + ", ".join(choices)
    return None


@dataclass
class Checker:
    """What a rule sees: the document, and ``report`` to add a diagnostic."""

    doc: ConfigDocument
    environ: Any = field(default_factory=lambda: os.environ)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _seen: set[tuple[str, str, str]] = field(default_factory=set)

    @property
    def data(self) -> Any:
        return self.doc.data

    def report(self, severity: Severity, location: str, message: str, suggestion: str | None = None,
               code: str = "invalid", *, exact: bool = False) -> None:
        """Add a diagnostic. Its line/column are the key's, or its closest ancestor's unless ``exact``."""
        key = (location, code, message)
        if key in self._seen:
            return
        self._seen.add(key)
        position = self.doc.position(location) if exact else self.doc.nearest_position(location)
        line, column = position if position else (None, None)
        self.diagnostics.append(Diagnostic(severity, location, line, column, message, suggestion, code))

    def error(self, location: str, message: str, suggestion: str | None = None, code: str = "invalid") -> None:
        self.report("error", location, message, suggestion, code)

    def warning(self, location: str, message: str, suggestion: str | None = None, code: str = "invalid") -> None:
        self.report("warning", location, message, suggestion, code)


Rule = Callable[[Checker], None]


def _rules() -> list[Rule]:
    from massgen_tui.config import rules_agents, rules_general, rules_mcp, rules_structure, schema_check

    return [
        *rules_structure.RULES,
        schema_check.check_schema,
        *rules_agents.RULES,
        *rules_mcp.RULES,
        *rules_general.RULES,
    ]


def _sort_key(d: Diagnostic) -> tuple[int, int, str]:
    return (d.line if d.line is not None else 0, d.column or 0, d.location)


def validate_document(doc: ConfigDocument, *, environ: Any = None) -> ValidationResult:
    """Check a parsed document. Never raises: an internal failure becomes an ``internal`` error."""
    checker = Checker(doc, environ if environ is not None else os.environ)
    path = str(doc.path) if doc.path else None
    for rule in _rules():
        try:
            rule(checker)
            if getattr(rule, "stop_on_error", False) and any(d.severity == "error" for d in checker.diagnostics):
                break
        except Exception as exc:  # a bug in a rule must not hide the other diagnostics
            checker.error("", f"internal error in check {getattr(rule, '__name__', rule)}: {exc!r}",
                          "please report this with the config that caused it", code="internal")
    diagnostics = sorted(checker.diagnostics, key=_sort_key)
    return ValidationResult(diagnostics, path=path)


def validate_text(text: str, path: str | None = None, *, environ: Any = None) -> ValidationResult:
    """Parse and check YAML text. Never raises: YAML syntax errors are diagnostics."""
    try:
        doc = ConfigDocument.from_text(text, Path(path) if path else None)
    except ConfigError as exc:
        message = str(exc)
        if exc.path and message.startswith(exc.path):
            message = message[len(exc.path):].lstrip(":0123456789 ")
        return ValidationResult([Diagnostic("error", "", exc.line, exc.column, message,
                                            "fix the YAML syntax at this position", "yaml-syntax")], path=path)
    except Exception as exc:  # the parser itself failed on odd input
        return ValidationResult([Diagnostic("error", "", None, None, f"YAML cannot be read: {exc!r}",
                                            "fix the YAML syntax", "yaml-syntax")], path=path)
    return validate_document(doc, environ=environ)


def validate_file(path: str | Path, *, environ: Any = None) -> ValidationResult:
    """Read and check a file. Raises :class:`ConfigError` only when the file cannot be read."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("file not found", path=str(path)) from None
    except IsADirectoryError:
        raise ConfigError("is a directory, not a config file", path=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path=str(path)) from exc
    return validate_text(text, str(path), environ=environ)
