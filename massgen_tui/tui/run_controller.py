"""Glue between a :class:`massgen_tui.agents.Run` and the Run tab's widgets. No widgets in here.

* :class:`RunController` consumes ``run.events()`` (one async worker on the app's loop, so the
  approval queue and the run share it), buffers the events and posts them to the view as one
  :class:`RunBatch` message at most every ``FLUSH_S`` (50 ms): a model streaming hundreds of tokens a
  second costs the UI twenty updates a second, never one widget write per token.
* :func:`coalesce` merges consecutive text deltas of one agent and output chunks of one command.
* :class:`RunState` folds events into what the summary widgets show (per-agent status, answers,
  votes, tokens and cost, the final answer): plain data, the same for a live run and a replay.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from textual.message import Message
from textual.message_pump import MessagePump

from massgen_tui.agents import events as ev

FLUSH_S = 0.05


# ---------------------------------------------------------------------------------------------- messages
@dataclass
class RunBatch(Message):
    """Events of a run, in order, text deltas already merged. ``live`` is false for a replay."""

    events: list[ev.RunEvent]
    live: bool = True


@dataclass
class RunEnded(Message):
    """The run's event stream ended; ``record`` is what was saved (None when it could not start)."""

    record: Any  # RunRecord | None
    error: str = ""


@dataclass
class ApprovalsChanged(Message):
    """The approval queue changed: every request still waiting, oldest first."""

    pending: list[Any]  # list[ApprovalRequest]


@dataclass
class ContainerRuntimeReady(Message):
    """The run started its first container: ``runtime`` (a ContainerRuntime) is what the containers
    pane can watch for the run's commands. Bubbles up to the app."""

    runtime: Any


# ---------------------------------------------------------------------------------------------- batching
def coalesce(events: Iterable[ev.RunEvent]) -> list[ev.RunEvent]:
    """Merge text deltas of one agent, and output chunks of one command and stream, as long as no
    other event of that agent comes between them (other agents' events may: each agent has its own
    panel, so the order of one agent's events is all that matters)."""
    out: list[ev.RunEvent] = []
    last_of: dict[str | None, int] = {}  # agent -> index in out of its latest event
    for event in events:
        index = last_of.get(event.agent)
        last = out[index] if index is not None else None
        if isinstance(event, ev.TextDelta) and isinstance(last, ev.TextDelta) and event.agent is not None:
            out[index] = ev.TextDelta(agent=last.agent, at=event.at, text=last.text + event.text)  # type: ignore[index]
            continue
        if (isinstance(event, ev.CommandOutput) and isinstance(last, ev.CommandOutput)
                and (last.call_id, last.stream) == (event.call_id, event.stream)):
            out[index] = ev.CommandOutput(agent=last.agent, at=event.at, call_id=last.call_id,  # type: ignore[index]
                                          stream=last.stream, text=last.text + event.text)
            continue
        last_of[event.agent] = len(out)
        out.append(event)
    return out


class RunController:
    """Drives one live run for one view: ``await controller.consume()`` in a worker, ``cancel()``."""

    def __init__(self, target: MessagePump, run: Any, approvals: Any = None, *, flush_s: float = FLUSH_S):
        self.target = target
        self.run = run
        self.approvals = approvals  # ApprovalQueue (or None when another screen answers approvals)
        self.flush_s = flush_s
        self._buffer: list[ev.RunEvent] = []
        self._flush_handle: asyncio.TimerHandle | None = None
        self.batches_posted = 0
        self.events_seen = 0
        self.finished = False

    async def consume(self) -> None:
        watcher = asyncio.create_task(self._watch_approvals()) if self.approvals is not None else None
        record = None
        error = ""
        try:
            async for event in self.run.events():
                self.events_seen += 1
                self._buffer.append(event)
                if self._flush_handle is None:
                    self._flush_handle = asyncio.get_running_loop().call_later(self.flush_s, self.flush)
            record = await self.run.wait()
        except asyncio.CancelledError:  # the view went away: stop the run with it
            self.run.cancel()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.run.wait(), 10)
            raise
        except Exception as exc:  # never a traceback in the UI
            error = f"{type(exc).__name__}: {exc}"
        finally:
            if watcher is not None:
                watcher.cancel()
            self.flush()
            self.finished = True
        self.target.post_message(RunEnded(record, error))

    def flush(self) -> None:
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        if not self._buffer:
            return
        events, self._buffer = coalesce(self._buffer), []
        self.batches_posted += 1
        self.target.post_message(RunBatch(events))

    def cancel(self) -> None:
        self.run.cancel()

    async def _watch_approvals(self) -> None:
        queue = self.approvals.subscribe()
        try:
            while True:
                await queue.get()
                while not queue.empty():  # a burst of requests: one message
                    queue.get_nowait()
                self.target.post_message(ApprovalsChanged(self.approvals.pending()))
        finally:
            self.approvals.unsubscribe(queue)


# ---------------------------------------------------------------------------------------------- state
@dataclass
class AgentSummary:
    id: str
    status: str = "waiting"  # waiting, thinking, tool, answered, voted, presenting, stopped, done
    round: int = 0
    answer_label: str = ""
    answer: str = ""
    answers: int = 0
    voted_for: str = ""
    vote_reason: str = ""
    votes_received: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None
    tool: str = ""
    error: str = ""


@dataclass
class RunState:
    """What the run looks like so far: folded from events, the same live and in a replay."""

    run_id: str = ""
    task: str = ""
    agents: dict[str, AgentSummary] = field(default_factory=dict)
    status: str = "idle"  # idle, starting, running, completed, failed, cancelled, timeout
    phase: str = ""
    planning_mode: bool = False
    coordination: bool = True
    elapsed_s: float = 0.0
    final_answer: str | None = None
    presenter: str | None = None
    final_votes: dict[str, str] = field(default_factory=dict)
    final_reason: str = ""
    error: str = ""
    saved_to: str = ""
    labels: dict[str, str] = field(default_factory=dict)  # answer label -> agent id
    notices: list[str] = field(default_factory=list)

    def agent(self, agent_id: str | None) -> AgentSummary | None:
        if agent_id is None:
            return None
        if agent_id not in self.agents:
            self.agents[agent_id] = AgentSummary(agent_id)
        return self.agents[agent_id]

    @property
    def input_tokens(self) -> int:
        return sum(a.input_tokens for a in self.agents.values())

    @property
    def output_tokens(self) -> int:
        return sum(a.output_tokens for a in self.agents.values())

    @property
    def cost_usd(self) -> float | None:
        costs = [a.cost_usd for a in self.agents.values() if a.cost_usd is not None]
        return sum(costs) if costs else None

    @property
    def active(self) -> bool:
        return self.status in ("starting", "running")

    def apply(self, event: ev.RunEvent) -> None:
        self.elapsed_s = max(self.elapsed_s, event.at)
        a = self.agent(event.agent)
        if isinstance(event, ev.RunStarted):
            self.run_id, self.task, self.status = event.run_id, event.task, "running"
            self.coordination = event.coordination
            for agent_id in event.agents:
                self.agent(agent_id)
        elif isinstance(event, ev.PhaseChanged):
            self.phase, self.planning_mode = event.phase, event.planning_mode
            if event.phase == "presentation" and a is not None:
                self.presenter, a.status = a.id, "presenting"
        elif isinstance(event, ev.RoundStarted) and a is not None:
            a.round, a.tool = event.round, ""
            a.status = "presenting" if self.phase == "presentation" and a.id == self.presenter else "thinking"
            self.labels.update(event.sees)
        elif isinstance(event, ev.TextDelta) and a is not None:
            if a.status == "waiting":
                a.status = "thinking"
        elif isinstance(event, ev.ToolCallStarted) and a is not None:
            a.status, a.tool = "tool", event.tool
        elif isinstance(event, ev.ToolCallFinished) and a is not None:
            if a.status == "tool":
                a.status = "presenting" if self.phase == "presentation" and a.id == self.presenter else "thinking"
                a.tool = ""
        elif isinstance(event, ev.AnswerPosted) and a is not None:
            a.answer_label, a.answer, a.status = event.label, event.content, "answered"
            a.answers += 1
            self.labels[event.label] = a.id
            for other in self.agents.values():  # a new answer invalidates every vote
                other.voted_for, other.vote_reason, other.votes_received = "", "", 0
        elif isinstance(event, ev.VoteCast) and a is not None:
            previous = self.agents.get(a.voted_for) if a.voted_for else None
            if previous is not None:
                previous.votes_received -= 1
            a.voted_for, a.vote_reason, a.status = event.voted_for, event.reason, "voted"
            target = self.agent(event.voted_for)
            if target is not None:
                target.votes_received += 1
        elif isinstance(event, ev.UsageReported) and a is not None:
            a.input_tokens += event.input_tokens
            a.output_tokens += event.output_tokens
            if event.cost_usd is not None:
                a.cost_usd = (a.cost_usd or 0.0) + event.cost_usd
        elif isinstance(event, ev.AgentError):
            if a is not None:
                a.error = event.message
                if event.fatal:
                    a.status = "stopped"
            elif event.fatal:
                self.error = event.message
        elif isinstance(event, ev.Notice):
            self.notices.append(f"{event.agent + ': ' if event.agent else ''}{event.message}")
        elif isinstance(event, ev.FinalAnswer):
            self.final_answer, self.presenter = event.content, event.agent
            self.final_votes, self.final_reason = dict(event.votes), event.reason
        elif isinstance(event, ev.RunFinished):
            self.status, self.saved_to = event.status, event.saved_to
            if event.error:
                self.error = event.error
            if event.final_answer is not None and self.final_answer is None:
                self.final_answer = event.final_answer
            for agent in self.agents.values():
                if agent.status != "stopped":
                    agent.status, agent.tool = "done", ""
