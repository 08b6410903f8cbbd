"""Runs saved as JSON files (one per run) under the user data directory, and read back.

``<user data dir>/runs/<run_id>.json`` (``platformdirs.user_data_dir("massgen-tui")``, which
honours ``XDG_DATA_HOME``) holds the task, the agents, every answer, vote and tool call, token use,
the final answer and the transcript (the event stream with consecutive text deltas merged), so a
run can be reopened and replayed in the Run tab. Files are written atomically, secrets redacted.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from massgen_tui.agents import events as ev
from massgen_tui.agents.errors import AgentRunError

FORMAT_VERSION = 1


def runs_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("massgen-tui", appauthor=False)) / "runs"


@dataclass
class RunRecord:
    run_id: str
    task: str
    config_path: str = ""
    started_at: str = ""
    finished_at: str = ""
    status: str = "running"
    final_answer: str | None = None
    winner: str | None = None
    reason: str = ""
    error: str = ""
    agents: list[dict[str, Any]] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)
    votes: list[dict[str, Any]] = field(default_factory=list)
    final_votes: dict[str, str] = field(default_factory=dict)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    usage: dict[str, dict[str, float]] = field(default_factory=dict)  # agent -> input/output tokens, cost_usd
    transcript: list[dict[str, Any]] = field(default_factory=list)
    format_version: int = FORMAT_VERSION

    def events(self) -> list[ev.RunEvent]:
        """The transcript as event objects, for replaying a reopened run."""
        out = []
        for item in self.transcript:
            try:
                out.append(ev.event_from_dict(item))
            except (KeyError, TypeError):
                continue
        return out

    def observe(self, event: ev.RunEvent) -> None:
        """Fold one event into the record (the run calls this for every event it emits)."""
        last = self.transcript[-1] if self.transcript else None
        merge = last is not None and (
            (isinstance(event, ev.TextDelta) and last["kind"] == "text" and last["agent"] == event.agent)
            or (isinstance(event, ev.CommandOutput) and last["kind"] == "command_output"
                and last["call_id"] == event.call_id and last["stream"] == event.stream))
        if merge:
            last["text"] += event.text  # type: ignore[index,attr-defined]
        else:
            self.transcript.append(event.to_dict())
        if isinstance(event, ev.AnswerPosted):
            self.answers.append({"agent": event.agent, "label": event.label, "content": event.content, "at": event.at})
        elif isinstance(event, ev.VoteCast):
            self.votes.append({"agent": event.agent, "voted_for": event.voted_for, "reason": event.reason,
                               "at": event.at})
        elif isinstance(event, ev.ToolCallStarted):
            self.tool_calls.append({"agent": event.agent, "call_id": event.call_id, "tool": event.tool,
                                    "arguments": event.arguments, "status": "running", "result": "",
                                    "started_at": event.at, "duration_s": 0.0})
        elif isinstance(event, ev.ToolCallFinished):
            for call in reversed(self.tool_calls):
                if call["call_id"] == event.call_id and call["agent"] == event.agent:
                    call.update(status=event.status, result=event.result, duration_s=event.duration_s)
                    break
        elif isinstance(event, ev.UsageReported) and event.agent:
            slot = self.usage.setdefault(event.agent, {"input_tokens": 0, "output_tokens": 0})
            slot["input_tokens"] += event.input_tokens
            slot["output_tokens"] += event.output_tokens
            if event.cost_usd is not None:
                slot["cost_usd"] = slot.get("cost_usd", 0.0) + event.cost_usd
        elif isinstance(event, ev.FinalAnswer):
            self.final_answer = event.content
            self.winner = event.agent
            self.final_votes = dict(event.votes)
            self.reason = event.reason
        elif isinstance(event, ev.RunFinished):
            self.status = event.status
            self.error = event.error
            self.finished_at = now_iso()

    def to_json(self) -> str:
        """The saved form, secrets redacted (tool arguments named like keys or passwords, values shaped
        like API keys, bearer tokens, URL credentials), as in the safety audit log."""
        from massgen_tui.safety.redaction import redact

        return json.dumps(redact(asdict(self)), indent=1, ensure_ascii=False, default=str)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunRecord:
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in names})


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + os.urandom(3).hex()


def save_run(record: RunRecord, directory: Path | None = None) -> Path:
    directory = directory or runs_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{record.run_id}.json"
    fd, tmp = tempfile.mkstemp(prefix=f".{record.run_id}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(record.to_json())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_run(ref: str | Path, directory: Path | None = None) -> RunRecord:
    """Open a saved run by path or by run id."""
    path = Path(ref)
    if path.suffix != ".json" or not path.exists():
        path = (directory or runs_dir()) / f"{ref}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AgentRunError(f"no saved run {str(ref)!r} (looked in {path.parent})") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise AgentRunError(f"{path}: cannot read the saved run: {exc}") from exc
    if not isinstance(data, dict) or "run_id" not in data:
        raise AgentRunError(f"{path}: not a saved massgen-tui run")
    return RunRecord.from_dict(data)


@dataclass
class RunSummary:
    run_id: str
    task: str
    status: str
    started_at: str
    path: Path


def list_runs(directory: Path | None = None) -> list[RunSummary]:
    """Saved runs, newest first (unreadable files are skipped)."""
    directory = directory or runs_dir()
    out = []
    for path in sorted(directory.glob("*.json"), reverse=True):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            out.append(RunSummary(data["run_id"], data.get("task", ""), data.get("status", ""),
                                  data.get("started_at", ""), path))
        except (OSError, json.JSONDecodeError, KeyError, TypeError):
            continue
    return out
