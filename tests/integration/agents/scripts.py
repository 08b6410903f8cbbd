"""Scripted model behaviour shared by the agent-run tests: the reply depends only on the request."""

from __future__ import annotations

from collections.abc import Callable

from tests.support.fake_llm import FakeRequest, Reply


def persona(request: FakeRequest) -> str:
    for name in ("Alpha", "Beta", "Gamma"):
        if f"You are {name}" in request.system:
            return name
    return "?"


def is_presentation(request: FakeRequest) -> bool:
    return "winning presenter" in request.system


def coordinating(command: Callable[[str], str] | None, prefer: str = "Alpha",
                 final_tools: Callable[[FakeRequest], Reply | None] | None = None,
                 first_answer: Callable[[str, FakeRequest], Reply | None] | None = None) -> Callable[[FakeRequest], Reply]:
    """Each agent runs one command (optional) and answers until its own answer is in view (so a
    restart caused by another agent's answer does not change the outcome), then votes for the answer
    containing ``prefer``; the presenter may run ``final_tools`` and then submits FINAL."""

    def respond(request: FakeRequest) -> Reply:
        who = persona(request)
        if is_presentation(request):
            if final_tools is not None:
                reply = final_tools(request)
                if reply is not None:
                    return reply
            results = " | ".join(request.tool_results)
            return Reply(text="Presenting.", tool_calls=[("new_answer", {"content": f"FINAL by {who}: {results}".strip()})])
        answers = request.answers()
        if not any(text.startswith(f"{who} answer") for text in answers.values()):
            if first_answer is not None:
                reply = first_answer(who, request)
                if reply is not None:
                    return reply
            if command is not None and request.turn == 0:
                return Reply(text=f"{who} runs a command.", tool_calls=[("execute_command", {"command": command(who)})])
            seen = request.tool_results[-1].strip().replace("\n", " ") if request.tool_results else "no tools"
            return Reply(tool_calls=[("new_answer", {"content": f"{who} answer ({seen})"})])
        label = request.label_of(prefer) or sorted(answers)[0]
        return Reply(text=f"{who} votes.", tool_calls=[("vote", {"agent_id": label, "reason": f"{prefer} is best"})])

    return respond
