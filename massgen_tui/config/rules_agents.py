"""Per-agent rules: ids, models, endpoints, capabilities, command-line execution and Docker values."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from massgen_tui.config.backends import BACKENDS, CAPABILITY_FLAGS, backend_info
from massgen_tui.config.docker_keys import MIN_MEMORY, size_in_bytes
from massgen_tui.config.validation import Checker

MEDIA_FLAGS = {
    "enable_image_generation": "image_generation",
    "enable_audio_generation": "audio_generation",
    "enable_video_generation": "video_generation",
}


def iter_agents(data: Any) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(location, agent mapping) for each agent, in either form."""
    if not isinstance(data, Mapping):
        return
    agents = data.get("agents")
    if isinstance(agents, list):
        for index, agent in enumerate(agents):
            if isinstance(agent, Mapping):
                yield f"agents[{index}]", agent
    elif isinstance(data.get("agent"), Mapping):
        yield "agent", data["agent"]


def iter_backends(data: Any) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for location, agent in iter_agents(data):
        backend = agent.get("backend")
        if isinstance(backend, Mapping):
            yield f"{location}.backend", backend


def check_agent_ids(checker: Checker) -> None:
    seen: dict[str, str] = {}
    for location, agent in iter_agents(checker.data):
        if "backend" not in agent:
            checker.error(f"{location}.backend", "agent has no 'backend'",
                          "add 'backend:' with at least 'type' (and 'model')", code="missing")
        agent_id = agent.get("id")
        if not isinstance(agent_id, str):
            continue
        if not agent_id.strip():
            checker.error(f"{location}.id", "agent id is empty", "give every agent a short unique id", code="agent-id")
        elif agent_id in seen:
            checker.error(f"{location}.id", f"duplicate agent id '{agent_id}' (also used at {seen[agent_id]})",
                          f"rename one, e.g. '{agent_id}_2'", code="duplicate-agent-id")
        else:
            seen[agent_id] = f"{location}.id"


def check_backends(checker: Checker) -> None:
    for location, backend in iter_backends(checker.data):
        backend_type = backend.get("type")
        if not isinstance(backend_type, str):
            continue
        info = backend_info(backend_type)
        if info is None:
            continue  # the schema check reported the unknown type with a suggestion
        _check_model(checker, location, backend, info)
        _check_endpoint(checker, location, backend, info)
        _check_capabilities(checker, location, backend, info)
        _check_workspace(checker, location, backend, info)


def _check_model(checker: Checker, location: str, backend: Mapping[str, Any], info: Any) -> None:
    if info.type == "ag2":
        return  # models live in agent_config.llm_config / group_config
    model = backend.get("model")
    if model is None and info.default_model is None:
        checker.error(f"{location}.model", f"backend '{backend.get('type')}' has no default model and none is given",
                      "add 'model: <name>' (the model your server serves)", code="missing-model")
    elif isinstance(model, str) and not model.strip():
        checker.error(f"{location}.model", "model is empty", f"e.g. model: {info.default_model or 'your-model'}",
                      code="missing-model")


def _check_endpoint(checker: Checker, location: str, backend: Mapping[str, Any], info: Any) -> None:
    base_url = backend.get("base_url")
    if info.base_url_required and base_url in (None, ""):
        checker.error(f"{location}.base_url", f"backend '{info.type}' needs 'base_url' (where the server is)",
                      "add e.g. base_url: http://localhost:8000/v1", code="base-url-required")
    if info.type == "azure_openai" and base_url in (None, "") and "AZURE_OPENAI_ENDPOINT" not in checker.environ:
        checker.warning(f"{location}.base_url", "azure_openai has no endpoint: no 'base_url' and AZURE_OPENAI_ENDPOINT "
                        "is not set", "add base_url: https://<resource>.openai.azure.com/", code="base-url-required")
    if isinstance(base_url, str) and base_url and not re.match(r"^https?://[^\s/]+", base_url) \
            and not base_url.startswith("${"):
        checker.error(f"{location}.base_url", f"base_url {base_url!r} is not an http(s) URL",
                      "write it like http://localhost:8000/v1", code="base-url")


def _check_capabilities(checker: Checker, location: str, backend: Mapping[str, Any], info: Any) -> None:
    for flag, capability in CAPABILITY_FLAGS.items():
        if backend.get(flag) is True and not info.supports(capability):
            able = sorted(t for t, i in BACKENDS.items() if i.supports(capability))
            checker.error(f"{location}.{flag}", f"backend '{info.type}' does not support {capability.replace('_', ' ')}",
                          f"remove '{flag}' or use a backend that has it: {', '.join(able)}", code="capability")
    for flag, capability in MEDIA_FLAGS.items():
        if backend.get(flag) is True and not info.supports(capability) and not backend.get("enable_multimodal_tools"):
            checker.warning(f"{location}.{flag}", f"backend '{info.type}' cannot generate {capability.split('_')[0]}",
                            "MassGen ignores this flag here; remove it or use enable_multimodal_tools", code="capability")
    for flag in ("enable_programmatic_flow", "enable_tool_search"):
        if backend.get(flag) is True and info.type != "claude":
            checker.warning(f"{location}.{flag}", f"'{flag}' works only with the claude backend; MassGen ignores it here",
                            f"remove '{flag}'", code="capability")
    servers = backend.get("mcp_servers")
    if servers and not info.supports("mcp"):
        checker.error(f"{location}.mcp_servers", f"backend '{info.type}' cannot use MCP servers",
                      "remove 'mcp_servers' or pick a backend with MCP support", code="capability")
    if "allowed_tools" in backend and "exclude_tools" in backend:
        checker.warning(f"{location}.exclude_tools", "both 'allowed_tools' and 'exclude_tools' are set",
                        "prefer one: an allowlist (allowed_tools) or a denylist (exclude_tools)", code="tool-filter")
    extra_body = backend.get("extra_body")
    if info.type == "grok" and isinstance(extra_body, Mapping) and "search_parameters" in extra_body:
        checker.warning(f"{location}.extra_body.search_parameters",
                        "Grok no longer supports extra_body.search_parameters (newer MassGen rejects it)",
                        "use enable_web_search: true instead", code="deprecated")


def _check_workspace(checker: Checker, location: str, backend: Mapping[str, Any], info: Any) -> None:
    if info.filesystem == "native" and "cwd" not in backend:
        checker.warning(f"{location}.cwd", f"backend '{info.type}' has no 'cwd'",
                        f"add 'cwd: workspace' so {info.type} does not write its files into the project root",
                        code="missing-cwd")


def check_command_line(checker: Checker) -> None:
    for location, backend in iter_backends(checker.data):
        mode = backend.get("command_line_execution_mode")
        docker_keys = [k for k in backend if str(k).startswith("command_line_docker_")]
        if docker_keys and mode != "docker":
            checker.warning(f"{location}.{docker_keys[0]}",
                            "Docker settings have no effect unless command_line_execution_mode is 'docker'",
                            "add 'command_line_execution_mode: docker'", code="docker-unused")
        if mode in ("docker", "local", "srt") and backend.get("enable_mcp_command_line") is not True:
            info = backend_info(str(backend.get("type", "")))
            if info is None or info.filesystem != "native":
                checker.warning(f"{location}.command_line_execution_mode",
                                "command_line_execution_mode is set but enable_mcp_command_line is not true",
                                "add 'enable_mcp_command_line: true' to give the agent a command line",
                                code="execution-mode")
        for key in ("command_line_allowed_commands", "command_line_blocked_commands"):
            patterns = backend.get(key)
            if not isinstance(patterns, list):
                continue
            for index, pattern in enumerate(patterns):
                if not isinstance(pattern, str):
                    continue
                try:
                    re.compile(pattern)
                except re.error as exc:
                    checker.error(f"{location}.{key}[{index}]", f"{pattern!r} is not a valid regular expression: {exc}",
                                  "escape special characters with a backslash", code="command-regex")
        image = backend.get("command_line_docker_image")
        if isinstance(image, str) and not _valid_image(image):
            checker.error(f"{location}.command_line_docker_image", f"{image!r} is not a valid image name",
                          "use a name like python:3.12-slim or massgen/mcp-runtime:latest", code="docker-image")
        cpu = backend.get("command_line_docker_cpu_limit")
        if isinstance(cpu, str):
            try:
                float(cpu)
                checker.warning(f"{location}.command_line_docker_cpu_limit", f"CPU limit {cpu!r} is quoted text",
                                f"write it as a number: {cpu.strip()}", code="docker-cpu")
            except ValueError:
                pass
        memory = backend.get("command_line_docker_memory_limit")
        size = size_in_bytes(memory)
        if size is not None and 0 < size < MIN_MEMORY:
            checker.error(f"{location}.command_line_docker_memory_limit",
                          f"memory limit {memory!r} is below the 6m Docker accepts", 'use at least "64m"; "2g" is typical',
                          code="docker-memory")
        template = backend.get("command_line_docker_template")
        dockerfile = backend.get("command_line_docker_dockerfile")
        image = backend.get("command_line_docker_image")
        builds = [k for k, v in (("command_line_docker_dockerfile", dockerfile),
                                 ("command_line_docker_template", template)) if v is not None]
        if len(builds) == 2 or (builds and image is not None):
            given = (["command_line_docker_image"] if image is not None else []) + builds
            both = "both" if len(given) == 2 else "all"
            checker.error(f"{location}.{builds[-1]}", f"{' and '.join(given)} are {both} set; massgen-tui needs one",
                          "keep one: an image to use as is, a Dockerfile to build, or a template to build",
                          code="docker-build")
        if isinstance(dockerfile, str) and dockerfile and "${" not in dockerfile:
            path = Path(dockerfile).expanduser()
            if not path.is_absolute():
                path = checker.doc.base_dir / path
            if not path.is_file():
                checker.warning(f"{location}.command_line_docker_dockerfile", f"Dockerfile {dockerfile!r} not found",
                                f"looked at {path}; paths are relative to the config's folder", code="docker-build")


def check_cwd_without_orchestrator(checker: Checker) -> None:
    data = checker.data
    with_cwd = [loc for loc, backend in iter_backends(data) if "cwd" in backend]
    if not with_cwd:
        return
    orchestrator = data.get("orchestrator")
    orchestrator = orchestrator if isinstance(orchestrator, Mapping) else {}
    missing = [k for k in ("snapshot_storage", "agent_temporary_workspace") if k not in orchestrator]
    if missing:
        checker.warning(f"{with_cwd[0]}.cwd",
                        f"an agent has a 'cwd' but the orchestrator has no {' or '.join(missing)}: MassGen needs "
                        "them to share workspaces between agents",
                        "add under 'orchestrator:' snapshot_storage: snapshots and "
                        "agent_temporary_workspace: temp_workspaces", code="cwd-without-orchestrator")


_IMAGE = re.compile(r"^(?:[a-zA-Z0-9.-]+(?::\d+)?/)?[a-z0-9]+(?:[._-]+[a-z0-9]+)*(?:/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*"
                    r"(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$")


def _valid_image(image: str) -> bool:
    """A Docker image reference: [registry/]name[:tag][@digest], lowercase name."""
    return "${" in image or bool(_IMAGE.match(image))


RULES = [check_agent_ids, check_backends, check_command_line, check_cwd_without_orchestrator]
