"""Messages between the config studio's widgets and the app: small dataclasses, no logic."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message


@dataclass
class FieldEdited(Message):
    """A form field changed: write ``value`` at ``location`` (None removes the key)."""

    location: str
    value: Any


@dataclass
class StructureEdited(Message):
    """A list operation (add/clone/remove/reorder an agent or server) already applied to the session."""

    description: str


@dataclass
class JumpToProblem(Message):
    """The user chose a diagnostic in the problems panel."""

    location: str
    line: int | None
    column: int | None
    to_yaml: bool
