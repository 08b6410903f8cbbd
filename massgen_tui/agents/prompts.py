"""The coordination prompts and workflow tools, following MassGen's message_templates.py: the
evaluation system message, the ORIGINAL MESSAGE / CURRENT ANSWERS user message, the
``new_answer`` and ``vote`` tools, the enforcement message and the final presentation."""

from __future__ import annotations

import time
from collections.abc import Mapping

from massgen_tui.agents.backends.base import ToolSpec


def evaluation_system_message() -> str:
    return f"""You are evaluating answers from multiple agents for final response to a message. Does the best CURRENT ANSWER address the ORIGINAL MESSAGE?

Evaluate existing answers as a critic, not as a collaborator. Your job is to determine whether the work is genuinely good — not to find ways to build on it.

If YES, use the `vote` tool to record your vote and skip the `new_answer` tool.
Otherwise, do additional work first, then use the `new_answer` tool to record a better answer to the ORIGINAL MESSAGE. Make sure you actually call `vote` or `new_answer` (in tool call format).

*Note*: The CURRENT TIME is **{time.strftime("%Y-%m-%d %H:%M:%S")}**.
"""


def vote_only_system_message() -> str:
    return """You are evaluating existing solutions to determine the best answer.

You have provided your maximum number of new answers. Now you MUST vote for the best existing answer.

Use your available tools to analyze the existing answers, then call the `vote` tool to select the best one.

IMPORTANT: The only workflow action available to you is `vote`. You cannot submit new answers."""


def coordination_system_message(base: str | None, *, vote_only: bool = False, planning_mode: bool = False,
                                command_where: str | None = None) -> str:
    core = vote_only_system_message() if vote_only else evaluation_system_message()
    text = f"{core}\n\n#Special Requirement\n{base}" if base else core
    if command_where:
        text += f"\n\n## Command Execution\nYou can run commands with the `execute_command` tool ({command_where})."
    if planning_mode:
        text += ("\n\n## Planning mode\nThis is the coordination phase: tools with irreversible effects are "
                 "blocked. Describe what you would do; the agent chosen to present the final answer may "
                 "carry it out.")
    return text


def original_message(task: str) -> str:
    return f"<ORIGINAL MESSAGE> {task} <END OF ORIGINAL MESSAGE>"


def current_answers(answers: Mapping[str, str]) -> str:
    """``answers`` maps the (versioned) anonymous label to the answer text, in display order."""
    if not answers:
        return "<CURRENT ANSWERS from the agents>\n(no answers available yet)\n<END OF CURRENT ANSWERS>"
    lines = ["<CURRENT ANSWERS from the agents>"]
    lines += [f"<{label}> {text} <end of {label}>" for label, text in answers.items()]
    lines.append("<END OF CURRENT ANSWERS>")
    return "\n".join(lines)


def evaluation_user_message(task: str, answers: Mapping[str, str]) -> str:
    return f"{original_message(task)}\n\n{current_answers(answers)}"


def enforcement_message(buffer: str = "") -> str:
    base = "Finish your work above by making a tool call of `vote` or `new_answer`. Make sure you actually call the tool."
    if buffer.strip():
        return (f"Your previous response was incomplete. Here is what you were working on:\n\n<incomplete_response>\n"
                f"{buffer.strip()}\n</incomplete_response>\n\n{base}")
    return base


NEW_ANSWER_TOOL = ToolSpec(
    name="new_answer",
    description="Provide an improved answer to the ORIGINAL MESSAGE",
    parameters={
        "type": "object",
        "properties": {"content": {"type": "string", "description": "Your improved answer"}},
        "required": ["content"],
    },
)


def vote_tool(labels: list[str]) -> ToolSpec:
    agent_id: dict[str, object] = {"type": "string",
                                   "description": "Anonymous agent ID to vote for (e.g., 'agent1', 'agent2')"}
    if labels:
        agent_id["enum"] = list(labels)
    return ToolSpec(
        name="vote",
        description="Vote for the best agent to present final answer",
        parameters={
            "type": "object",
            "properties": {
                "agent_id": agent_id,
                "reason": {"type": "string", "description": "Brief reason why this agent has the best answer"},
            },
            "required": ["agent_id", "reason"],
        },
    )


def final_presentation_system_message(base: str | None) -> str:
    instructions = """You have been selected as the winning presenter in a coordination process.
Present the best possible coordinated answer by combining the strengths from all participants.

This is the **final deliverable** — ensure it is fully polished and complete. If the answers describe actions that were deferred during coordination (planning mode), carry them out now with your tools.

Present your answer using markdown formatting where it aids readability.

When you have composed your final answer, submit it using the `new_answer` tool. Only include the markdown-formatted answer in the tool call. This will be the official final deliverable."""
    return f"{base}\n\n{instructions}" if base else instructions


def final_presentation_user_message(task: str, vote_summary: str, answers: Mapping[str, str], selected: str) -> str:
    section = "All answers provided during coordination:\n"
    for agent_id, answer in answers.items():
        marker = " (YOUR ANSWER)" if agent_id == selected else ""
        section += f'\n{agent_id}{marker}: "{answer}"\n'
    return (f"{original_message(task)}\n\nVOTING RESULTS:\n{vote_summary}\n\n{section}\n\n"
            "Use your answer as the primary basis for the final response. You may incorporate useful details "
            "from other answers when they improve completeness or accuracy.")
