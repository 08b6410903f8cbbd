"""Events as terminal lines for the headless command: ``[agent] ...`` per line, model text flushed
line by line per agent so parallel agents do not interleave mid-line."""

from __future__ import annotations

import json
from collections.abc import Callable

from massgen_tui.agents import events as ev

MAX_ARGS = 160
MAX_RESULT = 200


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class ProgressPrinter:
    def __init__(self, write: Callable[[str], None], *, show_text: bool = True):
        self.write = write
        self.show_text = show_text
        self._pending: dict[str | None, str] = {}

    def _line(self, agent: str | None, text: str) -> None:
        self.write(f"[{agent or 'run'}] {text}\n")

    def _flush(self, agent: str | None, *, partial: bool = True) -> None:
        buffer = self._pending.pop(agent, "")
        if buffer.strip() and partial:
            self._line(agent, buffer.rstrip())

    def __call__(self, event: ev.RunEvent) -> None:
        a = event.agent
        if isinstance(event, ev.TextDelta):
            if not self.show_text:
                return
            buffer = self._pending.get(a, "") + event.text
            *lines, rest = buffer.split("\n")
            for line in lines:
                if line.strip():
                    self._line(a, line)
            self._pending[a] = rest
            return
        if not isinstance(event, ev.UsageReported | ev.CommandOutput):
            self._flush(a)
        if isinstance(event, ev.RunStarted):
            mode = "coordinating" if event.coordination else "single agent"
            self._line(None, f"run {event.run_id}: {', '.join(event.agents)} ({mode})")
        elif isinstance(event, ev.PhaseChanged) and event.phase != "done":
            extra = " (planning mode: irreversible tools blocked)" if event.planning_mode else ""
            self._line(a, f"phase: {event.phase}{extra}")
        elif isinstance(event, ev.RoundStarted):
            sees = ", ".join(f"{label}={agent}" for label, agent in event.sees.items()) or "no answers yet"
            self._line(a, f"round {event.round} (sees {sees})")
        elif isinstance(event, ev.ToolCallStarted):
            self._line(a, f"> {event.tool} {_short(json.dumps(event.arguments, ensure_ascii=False), MAX_ARGS)}")
        elif isinstance(event, ev.ToolCallFinished):
            self._line(a, f"< {event.tool} {event.status} ({event.duration_s:.1f}s): {_short(event.result, MAX_RESULT)}")
        elif isinstance(event, ev.AnswerPosted):
            self._line(a, f"answer {event.label}: {_short(event.content, MAX_RESULT)}")
        elif isinstance(event, ev.VoteCast):
            self._line(a, f"vote for {event.voted_for}: {_short(event.reason, MAX_RESULT)}")
        elif isinstance(event, ev.AgentError):
            self._line(a, ("error (agent stopped): " if event.fatal else "error: ") + event.message)
        elif isinstance(event, ev.Notice):
            self._line(a, f"note: {event.message}")
        elif isinstance(event, ev.FinalAnswer):
            self._line(a, f"final answer ({event.reason})")
        elif isinstance(event, ev.RunFinished):
            tail = f": {event.error}" if event.error else ""
            saved = f"; saved to {event.saved_to}" if event.saved_to else ""
            self._line(None, f"run {event.status}{tail}{saved}")
