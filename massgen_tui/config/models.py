"""pydantic v2 models of the MassGen YAML config, as real users write it, plus massgen-tui's own keys.

These models are the source of the JSON Schema (``massgen-tui schema``) and of the type checks in
validation. Sections MassGen passes through to provider APIs allow extra keys (the validator warns
about the ones it does not know); massgen-tui's own ``safety`` section forbids them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from massgen_tui.config.backends import BACKEND_TYPES
from massgen_tui.config.docker_keys import DOCKER_TEMPLATES, EXECUTION_MODES, NETWORK_MODES
from massgen_tui.config.safety import SafetySettings

CONFIG_VERSION = 2  # the config_version this massgen-tui writes; see migration.py

BackendType = Literal[BACKEND_TYPES]  # type: ignore[valid-type]
NetworkMode = Literal[NETWORK_MODES]  # type: ignore[valid-type]
ExecutionMode = Literal[EXECUTION_MODES]  # type: ignore[valid-type]
PermissionMode = Literal["default", "acceptEdits", "bypassPermissions", "plan"]
SecurityLevel = Literal["strict", "moderate", "permissive"]
Permission = Literal["read", "write"]
DisplayType = Literal["rich_terminal", "simple", "textual_terminal"]
ReasoningEffort = Literal["none", "minimal", "low", "medium", "high", "xhigh"]
Verbosity = Literal["low", "medium", "high"]
VotingSensitivity = Literal["lenient", "balanced", "strict", "roi", "roi_conservative", "roi_balanced", "roi_aggressive",
                           "sequential", "adversarial", "consistency", "diversity", "reflective", "checklist",
                           "checklist_scored", "checklist_gated"]
DockerTemplate = Literal[DOCKER_TEMPLATES]  # type: ignore[valid-type]

SizeString = (Annotated[str, Field(pattern=r"^\s*\d+(\.\d+)?\s*[bkmgtBKMGT]?([iI]?[bB])?\s*$",
                                   description='a size like "512m" or "2g"')]
              | Annotated[int, Field(gt=0, description="bytes")])


class _Open(BaseModel):
    """A MassGen section: typed known keys, unknown keys kept (and warned about by the validator)."""

    model_config = ConfigDict(extra="allow", strict=True, populate_by_name=True)


class MCPSecurity(_Open):
    level: SecurityLevel = Field("strict", description="how strictly MassGen checks commands, env and URLs")
    allow_localhost: bool = False
    allow_private_ips: bool = False
    resolve_dns: bool = False
    allowed_hostnames: list[str] | None = None
    allowed_executables: list[str] | None = None
    env: dict[str, Any] | None = None


class MCPServerBase(_Open):
    type: Literal["stdio", "streamable-http", "sse"] = Field(
        "stdio", description="transport; sse is deprecated in favour of streamable-http")
    command: str | list[str] | None = Field(None, description="stdio: the program to start")
    args: list[str] | None = Field(None, description="stdio: its arguments")
    env: dict[str, str | int | float | bool] | None = Field(None, description="stdio: extra environment; ${VAR} expands")
    cwd: str | None = Field(None, description="stdio: working directory")
    url: str | None = Field(None, description="streamable-http: the endpoint, http(s)://host/mcp")
    headers: dict[str, str] | None = Field(None, description="streamable-http: request headers (secrets redacted)")
    timeout: float | None = Field(None, gt=0)
    http_read_timeout: float | None = Field(None, gt=0)
    sse_read_timeout: float | None = Field(None, gt=0)
    allowed_tools: list[str] | None = None
    exclude_tools: list[str] | None = None
    security: MCPSecurity | None = None
    defer_loading: bool | None = None


class MCPServer(MCPServerBase):
    """List form: ``- name: weather`` ..."""

    name: str = Field(..., description="letters, digits, _ and - only")


class MCPServerMapEntry(MCPServerBase):
    """Map form: ``weather: {type: stdio, ...}``; the key is the name."""

    name: str | None = None


def _servers_form(value: Any) -> str:
    return "map" if isinstance(value, dict) else "list"


MCPServers = Annotated[
    Annotated[list[MCPServer], Tag("list")] | Annotated[dict[str, MCPServerMapEntry], Tag("map")],
    Discriminator(_servers_form),
]


class DockerCredentials(_Open):
    env_file: str | None = None
    env_vars: list[str] | None = None
    env_vars_from_file: list[str] | None = None
    pass_all_env: bool | None = None
    mount: list[str] | None = None
    additional_mounts: dict[str, Any] | None = None


class DockerPackages(_Open):
    preinstall: dict[str, list[str]] | None = None
    auto_install_deps: bool | None = None
    auto_install_on_clone: bool | None = None


class Reasoning(_Open):
    effort: ReasoningEffort | None = None
    summary: str | None = None


class TextSettings(_Open):
    verbosity: Verbosity | None = None


class Backend(_Open):
    type: BackendType = Field(..., description="which MassGen backend runs this agent")
    model: str | None = Field(None, description="model name; optional when the backend has a default")
    base_url: str | None = Field(None, description="API endpoint; required for chatcompletion")
    api_key: str | None = Field(None, description="prefer the backend's API-key environment variable")
    api_version: str | None = None
    # sampling
    temperature: float | None = Field(None, ge=0, le=2)
    top_p: float | None = Field(None, ge=0, le=1)
    top_k: int | None = Field(None, ge=1)
    max_tokens: int | None = Field(None, gt=0)
    max_completion_tokens: int | None = Field(None, gt=0)
    frequency_penalty: float | None = Field(None, ge=-2, le=2)
    presence_penalty: float | None = Field(None, ge=-2, le=2)
    seed: int | None = None
    reasoning: Reasoning | None = None
    text: TextSettings | None = None
    extra_body: dict[str, Any] | None = None
    # files and tools
    cwd: str | None = Field(None, description="the agent's workspace folder")
    context_paths: list[Any] | None = None
    enable_web_search: bool | None = None
    enable_x_search: bool | None = None
    enable_code_execution: bool | None = None
    enable_code_interpreter: bool | None = None
    enable_image_generation: bool | None = None
    enable_audio_generation: bool | None = None
    enable_video_generation: bool | None = None
    enable_file_generation: bool | None = None
    enable_programmatic_flow: bool | None = None
    enable_tool_search: bool | None = None
    enable_strict_tool_use: bool | None = None
    enable_multimodal_tools: bool | None = None
    enable_code_based_tools: bool | None = None
    permission_mode: PermissionMode | None = None
    allowed_tools: list[str] | None = None
    exclude_tools: list[str] | None = None
    disallowed_tools: list[str] | None = None
    mcp_servers: MCPServers | None = None
    # command-line execution
    enable_mcp_command_line: bool | None = None
    command_line_execution_mode: ExecutionMode | None = None
    command_line_allowed_commands: list[str] | None = Field(None, description="regexes; only matching commands run")
    command_line_blocked_commands: list[str] | None = Field(None, description="regexes; matching commands are refused")
    command_line_docker_image: str | None = None
    command_line_docker_memory_limit: SizeString | None = None
    command_line_docker_cpu_limit: float | None = Field(None, gt=0)
    command_line_docker_network_mode: NetworkMode | None = None
    command_line_docker_enable_sudo: bool | None = None
    command_line_docker_credentials: DockerCredentials | None = None
    command_line_docker_packages: DockerPackages | None = None
    # massgen-tui's own Docker keys
    command_line_docker_pids_limit: int | None = Field(None, gt=0, description="massgen-tui: max processes (default 512)")
    command_line_docker_disk_limit: SizeString | None = Field(
        None, description="massgen-tui: writable space, a sized tmpfs plus an fsize ulimit")
    command_line_docker_dockerfile: str | None = Field(
        None, description="massgen-tui: Dockerfile to build (relative to the config's folder)")
    command_line_docker_template: DockerTemplate | None = Field(
        None, description="massgen-tui: template Dockerfile from dockerfiles/")
    command_line_docker_build_args: dict[str, str] | None = Field(None, description="massgen-tui: Docker build args")
    command_line_docker_read_only_root: bool | None = Field(None, description="massgen-tui: read-only root filesystem")
    command_line_docker_timeout: float | None = Field(
        None, gt=0, description="massgen-tui: default per-command timeout in seconds (default 120)")


class Agent(_Open):
    id: str = Field(..., description="unique agent id")
    backend: Backend
    system_message: str | None = None


class ContextPath(_Open):
    path: str
    permission: Permission = "read"
    protected_paths: list[str] | None = None


class Coordination(_Open):
    enable_planning_mode: bool | None = None
    planning_mode_instruction: str | None = None
    max_orchestration_restarts: int | None = Field(None, ge=0)
    enable_agent_task_planning: bool | None = None
    max_tasks_per_plan: int | None = Field(None, gt=0)
    enable_subagents: bool | None = None
    subagent_default_timeout: float | None = Field(None, gt=0)
    subagent_max_concurrent: int | None = Field(None, gt=0)
    use_skills: bool | None = None
    skills_directory: str | None = None
    enable_changedoc: bool | None = None


class Orchestrator(_Open):
    snapshot_storage: str | None = Field(None, description="where final workspaces are kept")
    agent_temporary_workspace: str | None = Field(None, description="where agents see each other's work")
    session_storage: str | None = None
    context_paths: list[ContextPath] | None = None
    coordination: Coordination | None = None
    voting_sensitivity: VotingSensitivity | None = None
    voting_threshold: float | None = None
    max_new_answers_per_agent: int | None = Field(None, gt=0)
    answer_novelty_requirement: Literal["lenient", "balanced", "strict"] | None = None
    skip_coordination_rounds: bool | None = None
    skip_final_presentation: bool | None = None
    timeout: float | None = Field(None, gt=0)


class UI(_Open):
    display_type: DisplayType | None = None
    logging_enabled: bool | None = None


class TimeoutSettings(_Open):
    orchestrator_timeout_seconds: float | None = Field(None, gt=0)
    initial_round_timeout_seconds: float | None = Field(None, gt=0)
    subsequent_round_timeout_seconds: float | None = Field(None, gt=0)
    round_timeout_grace_seconds: float | None = Field(None, ge=0)


class Memory(_Open):
    enabled: bool | None = None
    conversation_memory: dict[str, Any] | None = None
    persistent_memory: dict[str, Any] | None = None
    compression: dict[str, Any] | None = None
    retrieval: dict[str, Any] | None = None
    recording: dict[str, Any] | None = None


class MassGenConfig(_Open):
    """A whole config file."""

    config_version: int | None = Field(None, description=f"massgen-tui's config format version (current {CONFIG_VERSION})")
    agents: list[Agent] | None = None
    agent: Agent | None = None
    orchestrator: Orchestrator | None = None
    ui: UI | None = None
    timeout_settings: TimeoutSettings | None = None
    memory: Memory | None = None
    hooks: Any = None
    safety: SafetySettings | None = Field(None, description="massgen-tui: MCP tool-call safety settings")


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a config file (for editors)."""
    schema = MassGenConfig.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "MassGen config (massgen-tui)"
    return schema
