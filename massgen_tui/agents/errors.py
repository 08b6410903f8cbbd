"""The agents domain's one exception type."""

from __future__ import annotations


class AgentRunError(Exception):
    """A run cannot start or an agent cannot go on. The message says what to change and where.

    ``agent`` names the agent concerned (or ``None`` for the run as a whole); ``retryable`` is true
    for transient provider failures (rate limits, 5xx, dropped connections) that a retry may cure.
    """

    def __init__(self, message: str, *, agent: str | None = None, retryable: bool = False,
                 status: int | None = None):
        super().__init__(f"{agent}: {message}" if agent else message)
        self.detail = message
        self.agent = agent
        self.retryable = retryable
        self.status = status
