"""Top-level tabs whose content comes with later issues: each says plainly what it will show."""

from __future__ import annotations

from textual.widgets import Static

PLACEHOLDERS = {
    "containers": (
        "Containers\n\n"
        "Will show one row per agent container (state, image, CPU %, memory, pids), its live logs "
        "with follow, filter and since-window, and let you exec a command in it.\n\n"
        "Not built yet (TUI part 2). Nothing here is running: use `massgen-tui docker ps` meanwhile."
    ),
    "safety": (
        "Safety\n\n"
        "Will show pending tool-call approvals (allow once / for the session / always, or deny), the "
        "classification of every MCP tool with its reasons, stored decisions and the audit log.\n\n"
        "Not built yet (TUI part 2). Safety defaults are edited in Config > Safety."
    ),
    "run": (
        "Run\n\n"
        "Will start the agents of this config and show each agent's stream, tool calls, votes and the "
        "final answer, with cancel and restart.\n\n"
        "Not built yet (agent runs issue). Use Config > Check (ctrl+r) to dry-run the config meanwhile."
    ),
}


class Placeholder(Static):
    def __init__(self, name: str):
        super().__init__(PLACEHOLDERS[name], classes="placeholder", id=f"{name}-placeholder")
