"""Per-server connection state as the UI and the CLI show it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ServerStatus = Literal["connecting", "ready", "failed", "reconnecting", "closed"]


@dataclass(frozen=True)
class ServerState:
    """Where one server stands. ``reason`` says why it failed or is reconnecting."""

    server: str
    status: ServerStatus
    reason: str = ""
    attempt: int = 0  # reconnect attempt number (0 while never lost)
    tool_count: int = 0
    circuit_open: bool = False  # too many failures in a row: no more automatic reconnects
    transport: str = ""

    @property
    def ready(self) -> bool:
        return self.status == "ready"
