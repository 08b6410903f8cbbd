"""Validation results as data: one :class:`Diagnostic` per problem, never an exception."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Diagnostic:
    """One problem in a config, pointing at the key that has it."""

    severity: Severity
    location: str  # "agents[1].backend.mcp_servers.discord.command"; "" for the whole file
    line: int | None  # 1-based, None when the parser cannot tell
    column: int | None  # 1-based
    message: str
    suggestion: str | None = None
    code: str = "invalid"  # the rule that found it, e.g. "unknown-key", "docker-memory"

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape of ``validate --json`` (plus severity and code)."""
        return {
            "location": self.location,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "suggestion": self.suggestion,
            "code": self.code,
        }

    def format(self, path: str | None = None) -> str:
        """``file:line:column: severity: location: message (suggestion)``."""
        where = path or "<config>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.severity}: {self.location or '<root>'}: {self.message}"
        if self.suggestion:
            text += f" ({self.suggestion})"
        return text

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ValidationResult:
    """Every problem found in one config, errors and warnings, in document order."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    path: str | None = None

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    @property
    def valid(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)

    def at(self, location: str) -> list[Diagnostic]:
        """Diagnostics whose location is ``location`` or lies under it."""
        return [d for d in self.diagnostics
                if d.location == location or d.location.startswith((location + ".", location + "["))]

    def by_code(self, code: str) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.code == code]
