"""The safety domain's one exception type."""

from __future__ import annotations


class SafetyError(Exception):
    """A safety operation cannot be done as asked; the message says what and how to fix it."""
