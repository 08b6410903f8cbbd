"""The gateway's one exception type."""

from __future__ import annotations


class GatewayError(Exception):
    """The gateway cannot start or serve: the message says what to change."""
