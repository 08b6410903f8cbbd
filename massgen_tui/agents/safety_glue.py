"""The safety domain's gate for a run: one decision store per run (the user's SQLite file unless
overridden), one gate per agent (workspace = the agent's working folder), the run's approver (the
TUI's approval queue, a terminal prompt or a denier), planning mode switched by coordination."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from massgen_tui.agents.runner import AgentPlan, Run


async def safety_gate(agent: AgentPlan, run: Run) -> Any:
    from massgen_tui.safety import DenyingApprover, SafetyGate

    store = await run.decision_store()
    workspace = agent.workspace(run)
    return SafetyGate(run.plan.safety, store, run.approver or DenyingApprover(), workspace,
                      session_id=run.run_id)


def headless_approver(mode: str) -> Any:
    """``deny``: nobody answers, irreversible calls are refused; ``prompt``: ask on the terminal."""
    from massgen_tui.safety import DenyingApprover, TerminalApprover

    if mode == "prompt":
        return TerminalApprover()
    return DenyingApprover("headless run with --approvals deny: no one approves irreversible calls")


async def open_decision_store(path: Path | None) -> Any:
    from massgen_tui.safety import DecisionStore

    return await DecisionStore.open(path)
