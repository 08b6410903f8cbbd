"""The MassGen config: document, models, validation, migration, export and presets.

Importing this package is cheap: validation (pydantic) loads on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from massgen_tui.config.diagnostics import Diagnostic, ValidationResult
from massgen_tui.config.docker_keys import DOCKER_TEMPLATES, EXECUTION_MODES, NETWORK_MODES
from massgen_tui.config.document import AgentEntry, ConfigDocument, load_document
from massgen_tui.config.errors import ConfigError
from massgen_tui.config.incremental import IncrementalValidator

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "DOCKER_TEMPLATES",
    "EXECUTION_MODES",
    "NETWORK_MODES",
    "AgentEntry",
    "ConfigDocument",
    "ConfigError",
    "Diagnostic",
    "IncrementalValidator",
    "ValidationResult",
    "load_document",
    "validate_document",
    "validate_file",
    "validate_text",
]


def validate_text(text: str, path: str | None = None, *, environ: Any = None) -> ValidationResult:
    """Parse and check YAML text; never raises (syntax errors are diagnostics)."""
    from massgen_tui.config.validation import validate_text as _validate_text

    return _validate_text(text, path, environ=environ)


def validate_document(doc: ConfigDocument, *, environ: Any = None) -> ValidationResult:
    """Check a parsed document; never raises."""
    from massgen_tui.config.validation import validate_document as _validate_document

    return _validate_document(doc, environ=environ)


def validate_file(path: str | Path, *, environ: Any = None) -> ValidationResult:
    """Read and check a file; raises ConfigError only when it cannot be read."""
    from massgen_tui.config.validation import validate_file as _validate_file

    return _validate_file(path, environ=environ)
