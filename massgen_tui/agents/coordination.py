"""MassGen-style coordination: agents work on the task in parallel; each round an agent sees the
others' current answers and either posts a new answer or votes for one. A new answer invalidates
every vote and makes the others restart (at their next turn) with the new set; when every live
agent has voted, the agent with most votes presents the final answer. During coordination planning
mode blocks irreversible tools; the presenter runs with it off (calls still go through the gate).
One agent works without coordination. The orchestrator timeout bounds coordination: when it
fires, the best available answer is used (most votes, else the latest answer).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from massgen_tui.agents import events as ev
from massgen_tui.agents import prompts
from massgen_tui.agents.backends.base import ChatBackend, Message, ToolCallRequest
from massgen_tui.agents.errors import AgentRunError
from massgen_tui.agents.loop import AgentLoop, AgentStats, Emit, LoopLimits, LoopOutcome
from massgen_tui.agents.tools import AgentTool

DEFAULT_SINGLE_SYSTEM = "You are a helpful assistant. Use your tools when they help, then give your final answer."


@dataclass
class AgentRuntime:
    """Everything coordination needs of one agent (built by the run from the config)."""

    id: str
    backend: ChatBackend
    tools: Sequence[AgentTool] = ()
    system_message: str | None = None
    command_where: str | None = None
    limits: LoopLimits = field(default_factory=LoopLimits)
    stats: AgentStats = field(default_factory=AgentStats)


@dataclass
class CoordinationSettings:
    timeout_s: float = 1800.0  # timeout_settings.orchestrator_timeout_seconds
    max_new_answers_per_agent: int | None = None  # orchestrator.max_new_answers_per_agent
    max_rounds_per_agent: int = 40  # a runaway guard (restarts count as rounds); the timeout bounds the rest
    # orchestrator.coordination.enable_planning_mode; on when the key is absent (MassGen's default is off:
    # we choose the safe side). safety.planning_mode: true keeps it on for the whole run.
    planning_mode: bool = True


@dataclass
class AgentState:
    answer: str | None = None
    answers: list[str] = field(default_factory=list)
    answered_at: float = 0.0
    voted: bool = False
    vote: dict[str, str] | None = None
    killed: bool = False
    rounds: int = 0


@dataclass
class CoordinationResult:
    status: Literal["completed", "failed", "timeout", "cancelled"]
    final_answer: str | None
    winner: str | None
    answers: dict[str, list[str]]
    votes: dict[str, dict[str, str]]
    reason: str = ""
    error: str = ""


PlanningSwitch = Callable[[bool], None]


def _no_planning(_: bool) -> None:
    return None


class Coordinator:
    def __init__(self, agents: Sequence[AgentRuntime], task: str, emit: Emit,
                 settings: CoordinationSettings | None = None, planning: PlanningSwitch = _no_planning):
        if not agents:
            raise AgentRunError("the config defines no agents")
        self.agents = {a.id: a for a in agents}
        self.order = [a.id for a in agents]
        self.labels = {aid: f"agent{i}" for i, aid in enumerate(self.order, 1)}
        self.by_label = {label: aid for aid, label in self.labels.items()}
        self.task = task
        self.emit = emit
        self.settings = settings or CoordinationSettings()
        self.planning = planning
        self.states = {aid: AgentState() for aid in self.order}
        self.version = 0  # bumped by every new answer

    # -- entry ------------------------------------------------------------------------------------
    async def run(self) -> CoordinationResult:
        if len(self.agents) == 1:
            return await self._single()
        self.emit(ev.PhaseChanged(phase="coordination", planning_mode=self.settings.planning_mode))
        self.planning(self.settings.planning_mode)
        timed_out = ""
        try:
            async with asyncio.timeout(self.settings.timeout_s):
                await self._coordinate()
        except TimeoutError:
            timed_out = f"orchestrator timeout after {self.settings.timeout_s:g}s"
        finally:
            self.planning(False)
        if timed_out:
            return self._salvage(timed_out)
        return await self._present()

    # -- single agent -----------------------------------------------------------------------------
    async def _single(self) -> CoordinationResult:
        agent = self.agents[self.order[0]]
        self.planning(False)
        system = agent.system_message or DEFAULT_SINGLE_SYSTEM
        if agent.command_where:
            system += f"\n\nYou can run commands with the `execute_command` tool ({agent.command_where})."
        messages = [Message("system", system), Message("user", self.task)]
        loop = AgentLoop(agent.id, agent.backend, agent.tools, self.emit, agent.limits, agent.stats)
        self.emit(ev.RoundStarted(agent=agent.id, round=1))
        try:
            async with asyncio.timeout(self.settings.timeout_s):
                outcome = await loop.run(messages)
        except TimeoutError:
            return CoordinationResult("timeout", None, None, {}, {},
                                      error=f"orchestrator timeout after {self.settings.timeout_s:g}s")
        except AgentRunError as exc:
            self.emit(ev.AgentError(agent=agent.id, message=exc.detail, fatal=True))
            return CoordinationResult("failed", None, None, {}, {}, error=str(exc))
        if outcome.kind != "text":
            self.emit(ev.AgentError(agent=agent.id, message=outcome.detail, fatal=True))
            return CoordinationResult("failed", None, None, {}, {}, error=f"{agent.id}: {outcome.detail}")
        self.states[agent.id].answer = outcome.text
        self.states[agent.id].answers.append(outcome.text)
        return CoordinationResult("completed", outcome.text, agent.id, {agent.id: [outcome.text]}, {},
                                  reason="single agent")

    # -- coordination rounds ----------------------------------------------------------------------
    def _done(self) -> bool:
        return all(s.voted or s.killed for s in self.states.values())

    def _answers_in_view(self) -> dict[str, str]:
        """Versioned label -> answer, in agent order."""
        out = {}
        for aid in self.order:
            s = self.states[aid]
            if s.answer is not None:
                out[f"{self.labels[aid]}.{len(s.answers)}"] = s.answer
        return out

    async def _coordinate(self) -> None:
        running: dict[asyncio.Task[tuple[LoopOutcome, int]], str] = {}
        try:
            while not self._done():
                for aid in self.order:
                    s = self.states[aid]
                    if s.voted or s.killed or aid in running.values():
                        continue
                    if s.rounds >= self.settings.max_rounds_per_agent:
                        self._kill(aid, f"stopped after {s.rounds} rounds without settling (max_rounds_per_agent)")
                        continue
                    s.rounds += 1
                    running[asyncio.create_task(self._round(aid), name=f"round-{aid}")] = aid
                if self._done():
                    break
                if not running:
                    break
                finished, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for task in finished:
                    aid = running.pop(task)
                    try:
                        outcome, seen_version = task.result()
                    except AgentRunError as exc:
                        self._kill(aid, exc.detail)
                        continue
                    except Exception as exc:  # an agent's failure must not end the others' work
                        self._kill(aid, f"{type(exc).__name__}: {exc}")
                        continue
                    self._apply(aid, outcome, seen_version)
            if not any(s.answer is not None for s in self.states.values()):
                raise AgentRunError("no agent produced an answer: "
                                    + "; ".join(f"{a} stopped" for a, s in self.states.items() if s.killed))
        finally:
            for task in running:
                task.cancel()
            for task in running:
                with contextlib.suppress(BaseException):
                    await task

    def _kill(self, aid: str, message: str) -> None:
        self.states[aid].killed = True
        self.emit(ev.AgentError(agent=aid, message=message, fatal=True))

    async def _round(self, aid: str) -> tuple[LoopOutcome, int]:
        agent = self.agents[aid]
        state = self.states[aid]
        seen_version = self.version
        view = self._answers_in_view()
        label_to_agent = {label: self.by_label[label.split(".")[0]] for label in view}
        cap = self.settings.max_new_answers_per_agent
        vote_only = cap is not None and len(state.answers) >= cap and bool(view)
        system = prompts.coordination_system_message(agent.system_message, vote_only=vote_only,
                                                     planning_mode=self.settings.planning_mode,
                                                     command_where=agent.command_where)
        messages = [Message("system", system), Message("user", prompts.evaluation_user_message(self.task, view))]
        base_labels = sorted({label.split(".")[0] for label in view}, key=lambda label: int(label[5:]))
        workflow = [prompts.vote_tool(base_labels)] if vote_only else [prompts.NEW_ANSWER_TOOL, prompts.vote_tool(base_labels)]
        self.emit(ev.RoundStarted(agent=aid, round=state.rounds, sees=label_to_agent))

        async def on_workflow(call: ToolCallRequest) -> str | None:
            if call.name == "vote":
                if not view:
                    return "Cannot vote when no answers exist. Use new_answer tool."
                target = str(call.arguments.get("agent_id", "")).strip()
                if target.split(".")[0] not in base_labels:
                    return f"Invalid agent_id '{target}'. Valid agents: {', '.join(base_labels)}"
                return None
            content = call.arguments.get("content")
            if not isinstance(content, str) or not content.strip():
                return "new_answer needs a non-empty 'content' string"
            return None

        loop = AgentLoop(aid, agent.backend, agent.tools, self.emit, agent.limits, agent.stats)
        coro = loop.run(messages, workflow=workflow, on_workflow=on_workflow,
                        should_restart=lambda: self.version != seen_version)
        if agent.limits.round_timeout_s:
            try:
                async with asyncio.timeout(agent.limits.round_timeout_s):
                    return await coro, seen_version
            except TimeoutError:
                raise AgentRunError(f"round timed out after {agent.limits.round_timeout_s:g}s", agent=aid) from None
        return await coro, seen_version

    def _apply(self, aid: str, outcome: LoopOutcome, seen_version: int) -> None:
        state = self.states[aid]
        if outcome.kind == "restart":
            self.emit(ev.Notice(agent=aid, message="new answers arrived: restarting with the current set"))
            return
        if outcome.kind in ("turn_limit", "workflow_failed", "text"):
            self._kill(aid, outcome.detail or "ended without a vote or an answer")
            return
        call = outcome.call
        assert call is not None
        if call.name == "new_answer":
            content = str(call.arguments["content"]).strip()
            state.answer = content
            state.answers.append(content)
            state.answered_at = time.monotonic()
            self.version += 1
            for s in self.states.values():
                s.voted = False
                s.vote = None
            self.emit(ev.AnswerPosted(agent=aid, label=f"{self.labels[aid]}.{len(state.answers)}", content=content))
            return
        # vote
        if seen_version != self.version:
            self.emit(ev.Notice(agent=aid, message="vote discarded: the answers changed while it was cast"))
            return
        target_label = str(call.arguments.get("agent_id", "")).split(".")[0]
        target = self.by_label[target_label]
        reason = str(call.arguments.get("reason", ""))
        state.voted = True
        state.vote = {"agent_id": target, "reason": reason}
        self.emit(ev.VoteCast(agent=aid, voted_for=target, reason=reason))

    # -- results ----------------------------------------------------------------------------------
    def _votes(self) -> dict[str, dict[str, str]]:
        return {aid: s.vote for aid, s in self.states.items() if s.vote is not None and not s.killed}

    def _winner(self) -> str | None:
        answered = [aid for aid in self.order if self.states[aid].answer is not None]
        if not answered:
            return None
        counts: dict[str, int] = {}
        for vote in self._votes().values():
            if vote["agent_id"] in answered:
                counts[vote["agent_id"]] = counts.get(vote["agent_id"], 0) + 1
        if counts:
            best = max(counts.values())
            return next(aid for aid in answered if counts.get(aid) == best)
        return max(answered, key=lambda aid: self.states[aid].answered_at)

    def _history(self) -> dict[str, list[str]]:
        return {aid: list(s.answers) for aid, s in self.states.items() if s.answers}

    def _salvage(self, why: str) -> CoordinationResult:
        winner = self._winner()
        self.emit(ev.Notice(message=why))
        if winner is None:
            return CoordinationResult("timeout", None, None, self._history(), self._votes(), error=why)
        how = "most votes" if self._votes() else "latest answer"
        return CoordinationResult("completed", self.states[winner].answer, winner, self._history(), self._votes(),
                                  reason=f"{why}: using the {how} ({winner})")

    async def _present(self) -> CoordinationResult:
        winner = self._winner()
        votes = self._votes()
        assert winner is not None  # _coordinate raises when no answer exists
        agent = self.agents[winner]
        if self.states[winner].killed:
            return CoordinationResult("completed", self.states[winner].answer, winner, self._history(), votes,
                                      reason=f"votes ({winner} could not present: its answer is used as is)")
        self.emit(ev.PhaseChanged(agent=winner, phase="presentation", planning_mode=False))
        summary_lines = []
        for aid in self.order:
            n = sum(1 for v in votes.values() if v["agent_id"] == aid)
            if n:
                summary_lines.append(f"{aid}: {n} vote(s)")
        for voter, vote in votes.items():
            summary_lines.append(f"{voter} voted for {vote['agent_id']}: {vote['reason']}")
        answers = {aid: self.states[aid].answer for aid in self.order if self.states[aid].answer is not None}
        messages = [
            Message("system", prompts.final_presentation_system_message(agent.system_message)),
            Message("user", prompts.final_presentation_user_message(self.task, "\n".join(summary_lines),
                                                                    answers, winner)),  # type: ignore[arg-type]
        ]

        async def accept(call: ToolCallRequest) -> str | None:
            content = call.arguments.get("content")
            return None if isinstance(content, str) and content.strip() else "new_answer needs a non-empty 'content'"

        loop = AgentLoop(winner, agent.backend, agent.tools, self.emit, agent.limits, agent.stats)
        try:
            async with asyncio.timeout(self.settings.timeout_s):
                outcome = await loop.run(messages, workflow=[prompts.NEW_ANSWER_TOOL], on_workflow=accept,
                                         text_ends=True)
        except (AgentRunError, TimeoutError) as exc:
            detail = exc.detail if isinstance(exc, AgentRunError) else "final presentation timed out"
            self.emit(ev.AgentError(agent=winner, message=f"final presentation failed: {detail}"))
            return CoordinationResult("completed", self.states[winner].answer, winner, self._history(), votes,
                                      reason="votes (presentation failed; the winning answer is used as is)")
        if outcome.kind == "workflow" and outcome.call is not None:
            final = str(outcome.call.arguments["content"]).strip()
        elif outcome.kind == "text" and outcome.text.strip():
            final = outcome.text.strip()
        else:
            final = self.states[winner].answer or ""
        return CoordinationResult("completed", final, winner, self._history(), votes, reason="votes")
