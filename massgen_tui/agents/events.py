"""What a run reports, as plain dataclasses on one async stream (the Run tab and the headless
command consume the same events).

Every event carries ``run_id``-independent data only: the agent id (``None`` for the orchestrator)
and a monotonic ``at`` time in seconds since the run started, set by the run when it emits.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal


@dataclass
class RunEvent:
    agent: str | None = None
    at: float = 0.0

    @property
    def kind(self) -> str:
        return _KINDS[type(self)]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind
        return data


@dataclass
class RunStarted(RunEvent):
    run_id: str = ""
    task: str = ""
    agents: list[str] = field(default_factory=list)
    coordination: bool = True


@dataclass
class PhaseChanged(RunEvent):
    """``coordination`` (agents answer and vote), ``presentation`` (the winner presents), ``done``."""

    phase: Literal["coordination", "presentation", "done"] = "coordination"
    planning_mode: bool = False


@dataclass
class RoundStarted(RunEvent):
    """An agent starts (or restarts) a round seeing these answers (anonymous label -> agent id)."""

    round: int = 0
    sees: dict[str, str] = field(default_factory=dict)


@dataclass
class TextDelta(RunEvent):
    text: str = ""


@dataclass
class ToolCallStarted(RunEvent):
    call_id: str = ""
    tool: str = ""  # execute_command, mcp__server__tool, new_answer, vote
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass
class ToolCallFinished(RunEvent):
    call_id: str = ""
    tool: str = ""
    status: Literal["ok", "tool_error", "error", "denied", "timeout", "cancelled"] = "ok"
    result: str = ""
    duration_s: float = 0.0


@dataclass
class CommandOutput(RunEvent):
    """A chunk of a running command's output (``stream`` stdout or stderr)."""

    call_id: str = ""
    stream: Literal["stdout", "stderr"] = "stdout"
    text: str = ""


@dataclass
class AnswerPosted(RunEvent):
    label: str = ""  # versioned anonymous label, e.g. "agent1.2"
    content: str = ""


@dataclass
class VoteCast(RunEvent):
    voted_for: str = ""  # agent id
    reason: str = ""


@dataclass
class UsageReported(RunEvent):
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None


@dataclass
class AgentError(RunEvent):
    message: str = ""
    fatal: bool = False  # the agent stops for the rest of the run


@dataclass
class Notice(RunEvent):
    """Something a human should read that is not an error: a retry, a restart, a timeout."""

    message: str = ""


@dataclass
class FinalAnswer(RunEvent):
    content: str = ""
    votes: dict[str, str] = field(default_factory=dict)  # voter -> voted-for
    reason: str = ""  # "votes", "single agent", "timeout: ...", ...


@dataclass
class RunFinished(RunEvent):
    status: Literal["completed", "failed", "cancelled", "timeout"] = "completed"
    final_answer: str | None = None
    error: str = ""
    saved_to: str = ""


_KINDS: dict[type, str] = {
    RunStarted: "run_started",
    PhaseChanged: "phase",
    RoundStarted: "round_started",
    TextDelta: "text",
    ToolCallStarted: "tool_call_start",
    ToolCallFinished: "tool_call_end",
    CommandOutput: "command_output",
    AnswerPosted: "answer",
    VoteCast: "vote",
    UsageReported: "usage",
    AgentError: "error",
    Notice: "notice",
    FinalAnswer: "final",
    RunFinished: "run_finished",
}
EVENT_TYPES: dict[str, type[RunEvent]] = {v: k for k, v in _KINDS.items()}


def event_from_dict(data: dict[str, Any]) -> RunEvent:
    """Rebuild an event saved with :meth:`RunEvent.to_dict` (for reopened runs)."""
    data = dict(data)
    cls = EVENT_TYPES[data.pop("kind")]
    names = set(cls.__dataclass_fields__)
    return cls(**{k: v for k, v in data.items() if k in names})
