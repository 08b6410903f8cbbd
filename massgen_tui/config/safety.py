"""The ``safety:`` section: massgen-tui's own top-level key (MassGen ignores unknown top-level keys).

    safety:
      planning_mode: false            # block every irreversible call (coordination turns it on too)
      defaults:                       # without a stored decision, per verdict: allow | ask | deny
        reversible: allow
        irreversible: ask
      approval_timeout_seconds: 60    # unanswered requests are denied and audited as "timeout"
      trusted_servers: [filesystem]   # annotations of these servers are taken as truth
      llm:                            # optional: classify tools with a model
        agent: researcher             # reuse this agent's backend, or give type/model/base_url below
      rules:                          # classification overrides, first match wins
        - {server: git, tool: git_status, verdict: reversible, reason: "read only"}

When no human can answer, irreversible calls are denied: there is deliberately no setting for that.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveFloat

Action = Literal["allow", "ask", "deny"]
Verdict = Literal["reversible", "irreversible"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VerdictDefaults(_Section):
    reversible: Action = "allow"
    irreversible: Action = "ask"


class SafetyLLMSettings(_Section):
    agent: str | None = Field(None, description="id of an agent whose backend to use")
    type: str | None = Field(None, description="backend type when no agent is named (openai, claude, chatcompletion, ...)")
    model: str | None = None
    base_url: str | None = None
    api_key_env: str | None = Field(None, description="environment variable holding the API key")
    timeout_seconds: PositiveFloat = 30.0


class ClassificationRule(_Section):
    server: str = Field("*", description="server name or glob")
    tool: str = Field(..., description="tool name or glob")
    verdict: Verdict
    reason: str = ""


class SafetySettings(_Section):
    planning_mode: bool = False
    defaults: VerdictDefaults = Field(default_factory=VerdictDefaults)
    approval_timeout_seconds: PositiveFloat = 60.0
    trusted_servers: list[str] = Field(default_factory=list)
    llm: SafetyLLMSettings | None = None
    rules: list[ClassificationRule] = Field(default_factory=list)
