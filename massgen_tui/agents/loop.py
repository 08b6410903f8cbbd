"""One agent's loop: ask the model, run the tools it calls, feed results back, until it gives a
final answer (text, or a workflow tool call in coordination), hits its turn limit or is told to
restart because the answers it was working from changed."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from massgen_tui.agents import events as ev
from massgen_tui.agents.backends.base import ChatBackend, Message, ToolCallRequest, ToolSpec, Usage
from massgen_tui.agents.pricing import cost_usd
from massgen_tui.agents.prompts import enforcement_message
from massgen_tui.agents.tools import AgentTool

Emit = Callable[[ev.RunEvent], None]
WorkflowHandler = Callable[[ToolCallRequest], Awaitable[str | None]]  # None: accepted; text: error for the model

MAX_WORKFLOW_ATTEMPTS = 3


@dataclass
class LoopLimits:
    max_turns: int = 25
    round_timeout_s: float | None = None


@dataclass
class LoopOutcome:
    kind: Literal["workflow", "text", "restart", "turn_limit", "workflow_failed"]
    call: ToolCallRequest | None = None
    text: str = ""
    turns: int = 0
    detail: str = ""


@dataclass
class AgentStats:
    usage: Usage = field(default_factory=Usage)
    model_time_s: float = 0.0
    tool_time_s: float = 0.0
    turns: int = 0
    loop_time_s: float = 0.0


class AgentLoop:
    def __init__(self, agent_id: str, backend: ChatBackend, tools: Sequence[AgentTool], emit: Emit,
                 limits: LoopLimits | None = None, stats: AgentStats | None = None):
        self.agent_id = agent_id
        self.backend = backend
        self.tools = {t.spec.name: t for t in tools}
        self.emit = emit
        self.limits = limits or LoopLimits()
        self.stats = stats or AgentStats()

    async def run(self, messages: list[Message], *, workflow: Sequence[ToolSpec] = (),
                  on_workflow: WorkflowHandler | None = None,
                  should_restart: Callable[[], bool] | None = None, text_ends: bool = False) -> LoopOutcome:
        """Run turns on ``messages`` (appended to in place). With ``workflow`` tools the round ends only
        when ``on_workflow`` accepts one of their calls (or, with ``text_ends``, on a reply without tool
        calls); without workflow tools a reply with no tool calls ends it."""
        started = time.monotonic()
        try:
            return await self._run(messages, list(workflow), on_workflow, should_restart, text_ends or not workflow)
        finally:
            self.stats.loop_time_s += time.monotonic() - started

    async def _run(self, messages: list[Message], workflow: list[ToolSpec], on_workflow: WorkflowHandler | None,
                   should_restart: Callable[[], bool] | None, text_ends: bool) -> LoopOutcome:
        specs = [t.spec for t in self.tools.values()] + workflow
        workflow_names = {w.name for w in workflow}
        failures = 0
        turns = 0
        while True:
            if should_restart is not None and should_restart():
                return LoopOutcome("restart", turns=turns)
            if turns >= self.limits.max_turns:
                return LoopOutcome("turn_limit", turns=turns,
                                   detail=f"stopped after {turns} turns without finishing (max_turns)")
            turns += 1
            self.stats.turns += 1
            completion = await self.backend.complete(
                messages, specs,
                on_text=lambda text: self.emit(ev.TextDelta(agent=self.agent_id, text=text)),
                on_notice=lambda text: self.emit(ev.Notice(agent=self.agent_id, message=text)))
            self.stats.usage.add(completion.usage)
            self.stats.model_time_s += completion.model_time_s
            self.emit(ev.UsageReported(agent=self.agent_id, input_tokens=completion.usage.input_tokens,
                                       output_tokens=completion.usage.output_tokens,
                                       cost_usd=cost_usd(self.backend.endpoint.model, completion.usage.input_tokens,
                                                         completion.usage.output_tokens)))
            calls = completion.tool_calls
            messages.append(Message("assistant", completion.text, list(calls)))
            if not calls:
                if text_ends:
                    return LoopOutcome("text", text=completion.text, turns=turns)
                failures += 1
                if failures >= MAX_WORKFLOW_ATTEMPTS:
                    return LoopOutcome("workflow_failed", turns=turns,
                                       detail="answered without calling vote or new_answer")
                messages.append(Message("user", enforcement_message(completion.text)))
                continue

            if should_restart is not None and should_restart() and any(c.name not in workflow_names for c in calls):
                # As MassGen: new answers arrived while the model was replying; restart before acting on
                # an outdated view (the round's messages are dropped).
                return LoopOutcome("restart", turns=turns)
            wf_calls = [c for c in calls if c.name in workflow_names]
            names = {c.name for c in wf_calls}
            mixed_error = ("Cannot use both 'vote' and 'new_answer' in same response. Choose one: vote for "
                           "existing answer OR provide new answer.") if {"vote", "new_answer"} <= names else ""
            chosen: ToolCallRequest | None = None
            verdict: str | None = None
            for call in calls:
                if call.name in workflow_names:
                    if mixed_error:
                        self._tool_message(messages, call, mixed_error, error=True)
                    elif chosen is None:
                        chosen = call
                        if call.parse_error:
                            verdict = f"{call.name}: {call.parse_error}"
                        else:
                            verdict = await on_workflow(call) if on_workflow else None
                        if verdict is not None:
                            self._tool_message(messages, call, verdict, error=True)
                    else:
                        self._tool_message(messages, call, "ignored: only one workflow call per response", error=True)
                    continue
                await self._run_tool(messages, call)
            if chosen is not None and verdict is None:
                # Accepted: record a result so the transcript is well-formed for a later continuation.
                self._tool_message(messages, chosen, "recorded")
                return LoopOutcome("workflow", call=chosen, text=completion.text, turns=turns)
            if mixed_error or verdict is not None:
                failures += 1
                if failures >= MAX_WORKFLOW_ATTEMPTS:
                    return LoopOutcome("workflow_failed", turns=turns, detail=mixed_error or verdict or "")

    @staticmethod
    def _tool_message(messages: list[Message], call: ToolCallRequest, text: str, *, error: bool = False) -> None:
        messages.append(Message("tool", text, tool_call_id=call.id, is_error=error))

    async def _run_tool(self, messages: list[Message], call: ToolCallRequest) -> None:
        call_id = call.id or uuid.uuid4().hex[:12]
        self.emit(ev.ToolCallStarted(agent=self.agent_id, call_id=call_id, tool=call.name,
                                     arguments=dict(call.arguments)))
        tool = self.tools.get(call.name)
        started = time.monotonic()
        if call.parse_error:
            status, text = "tool_error", f"{call.name}: {call.parse_error}; raw arguments: {call.raw_arguments[:200]}"
        elif tool is None:
            known = ", ".join(sorted(self.tools)) or "none"
            status, text = "tool_error", f"unknown tool {call.name!r} (available: {known})"
        else:
            def on_output(stream: Literal["stdout", "stderr"], text: str) -> None:
                self.emit(ev.CommandOutput(agent=self.agent_id, call_id=call_id, stream=stream, text=text))

            result = await tool.call(call.arguments, on_output)
            status, text = result.status, result.text
        duration = time.monotonic() - started
        self.stats.tool_time_s += duration
        self.emit(ev.ToolCallFinished(agent=self.agent_id, call_id=call_id, tool=call.name, status=status,
                                      result=text, duration_s=duration))
        if status in ("denied", "timeout", "error", "cancelled"):
            text = f"[{status}] {text}"
        self._tool_message(messages, call, text, error=status != "ok")


def arguments_text(call: ToolCallRequest) -> str:
    return json.dumps(call.arguments, ensure_ascii=False)
