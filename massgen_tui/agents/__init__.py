"""Agent runs: LLM backends (OpenAI-compatible chat completions, Anthropic messages), the agent
loop, MassGen-style coordination, the event stream the Run tab and the headless command consume,
and saved runs. Importing this package imports no HTTP, Docker or MCP library."""

from massgen_tui.agents.errors import AgentRunError
from massgen_tui.agents.events import (
    AgentError,
    AnswerPosted,
    CommandOutput,
    FinalAnswer,
    Notice,
    PhaseChanged,
    RoundStarted,
    RunEvent,
    RunFinished,
    RunStarted,
    TextDelta,
    ToolCallFinished,
    ToolCallStarted,
    UsageReported,
    VoteCast,
)
from massgen_tui.agents.run_store import RunRecord, list_runs, load_run, runs_dir
from massgen_tui.agents.runner import Run, RunOptions, read_plan

__all__ = [
    "AgentError",
    "AgentRunError",
    "AnswerPosted",
    "CommandOutput",
    "FinalAnswer",
    "Notice",
    "PhaseChanged",
    "RoundStarted",
    "Run",
    "RunEvent",
    "RunFinished",
    "RunOptions",
    "RunRecord",
    "RunStarted",
    "TextDelta",
    "ToolCallFinished",
    "ToolCallStarted",
    "UsageReported",
    "VoteCast",
    "list_runs",
    "load_run",
    "read_plan",
    "runs_dir",
]
