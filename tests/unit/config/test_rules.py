"""One test per validation rule: a real corpus config, one mutation, the exact diagnostic."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from massgen_tui.config import ConfigDocument, validate_document, validate_text

DOCKER = "tools/code-execution/docker_with_resource_limits.yaml"  # agent: form, Docker keys
MULTI = "tools/filesystem/gemini_gpt5nano_protected_paths.yaml"  # agents: list, context paths
MCP_LIST = "tools/mcp/five_agents_weather_mcp_test.yaml"  # list- and map-form MCP servers
HTTP = "tools/web-search/claude_streamable_http_test.yaml"  # streamable-http server
SINGLE = "basic/single/single_agent.yaml"
LOCAL = "basic/multi/three_agents_vllm.yaml"


@dataclass(frozen=True)
class Case:
    rule: str  # the diagnostic code expected
    file: str
    edits: tuple[tuple[str, Any], ...]  # (location, value); value None... use DELETE to remove
    location: str  # where the diagnostic must point
    suggestion: str | None  # substring of the suggestion
    key_on_line: str | None  # text expected on the reported line (the key the location names)
    severity: str = "error"


DELETE = object()

CASES = [
    Case("backend-type", DOCKER, (("agent.backend.type", "gemeni"),), "agent.backend.type", "did you mean 'gemini'", "type:"),
    Case("docker-network", DOCKER, (("agent.backend.command_line_docker_network_mode", "brige"),),
         "agent.backend.command_line_docker_network_mode", "did you mean 'bridge'", "command_line_docker_network_mode"),
    Case("docker-memory", DOCKER, (("agent.backend.command_line_docker_memory_limit", "2 gigs"),),
         "agent.backend.command_line_docker_memory_limit", '"2g"', "command_line_docker_memory_limit"),
    Case("docker-cpu", DOCKER, (("agent.backend.command_line_docker_cpu_limit", 0),),
         "agent.backend.command_line_docker_cpu_limit", None, "command_line_docker_cpu_limit"),
    Case("docker-image", DOCKER, (("agent.backend.command_line_docker_image", 42),),
         "agent.backend.command_line_docker_image", None, "command_line_docker_image"),
    Case("docker-image", DOCKER, (("agent.backend.command_line_docker_image", "My Image"),),
         "agent.backend.command_line_docker_image", "python:3.12-slim", "command_line_docker_image"),
    Case("docker-pids", DOCKER, (("agent.backend.command_line_docker_pids_limit", -1),),
         "agent.backend.command_line_docker_pids_limit", None, "command_line_docker_pids_limit"),
    Case("docker-disk", DOCKER, (("agent.backend.command_line_docker_disk_limit", "lots"),),
         "agent.backend.command_line_docker_disk_limit", '"512m"', "command_line_docker_disk_limit"),
    Case("docker-template", DOCKER, (("agent.backend.command_line_docker_template", "pyhton"),),
         "agent.backend.command_line_docker_template", "did you mean 'python'", "command_line_docker_template"),
    Case("docker-memory", DOCKER, (("agent.backend.command_line_docker_memory_limit", "1m"),),
         "agent.backend.command_line_docker_memory_limit", '"64m"', "command_line_docker_memory_limit"),
    Case("docker-build", DOCKER, (("agent.backend.command_line_docker_template", "python"),),
         "agent.backend.command_line_docker_template", "keep one", "command_line_docker_template"),
    Case("docker-unused", DOCKER, (("agent.backend.command_line_execution_mode", DELETE),),
         "agent.backend.command_line_docker_image", "command_line_execution_mode: docker", "command_line_docker_image",
         "warning"),
    Case("execution-mode", DOCKER, (("agent.backend.command_line_execution_mode", "dockr"),),
         "agent.backend.command_line_execution_mode", "did you mean 'docker'", "command_line_execution_mode"),
    Case("command-regex", DOCKER, (("agent.backend.command_line_blocked_commands", ["rm -rf (/"]),),
         "agent.backend.command_line_blocked_commands[0]", "backslash", None),
    Case("duplicate-agent-id", MULTI, (("agents[1].id", "agent_a"),), "agents[1].id", "agent_a_2", "id:"),
    Case("agents-and-agent", MULTI, (("agent", {"id": "x", "backend": {"type": "openai"}}),), "agent", "keep one",
         "agent:"),
    Case("no-agents", SINGLE, (("agent", DELETE),), "", "add 'agents:'", None),
    Case("missing-model", LOCAL, (("agents[0].backend.model", DELETE),), "agents[0].backend.model", "model:",
         None),
    Case("base-url-required", LOCAL, (("agents[0].backend.type", "chatcompletion"), ("agents[0].backend.base_url", DELETE)),
         "agents[0].backend.base_url", "base_url:", None),
    Case("base-url", LOCAL, (("agents[0].backend.base_url", "localhost:8000"),), "agents[0].backend.base_url",
         "http://localhost:8000/v1", "base_url"),
    Case("capability", MULTI, (("agents[0].backend.type", "lmstudio"), ("agents[0].backend.enable_web_search", True)),
         "agents[0].backend.enable_web_search", "remove 'enable_web_search'", "enable_web_search"),
    Case("capability", MULTI, (("agents[0].backend.enable_x_search", True),),
         "agents[0].backend.enable_x_search", "grok", "enable_x_search"),
    Case("missing", MULTI, (("agents[0].id", DELETE),), "agents[0].id", "add 'id: ...'", None),
    Case("type", MULTI, (("agents[0].backend.enable_web_search", "yes"),), "agents[0].backend.enable_web_search",
         None, "enable_web_search"),
    Case("range", MULTI, (("agents[1].backend.temperature", 3.5),), "agents[1].backend.temperature", None,
         "temperature"),
    Case("unknown-key", MULTI, (("agents[1].backend.temprature", 0.5),), "agents[1].backend.temprature",
         "did you mean 'temperature'", "temprature", "warning"),
    Case("unknown-key", MULTI, (("orchestrator.snapshot_storag", "x"),), "orchestrator.snapshot_storag",
         "did you mean 'snapshot_storage'", "snapshot_storag", "warning"),
    Case("unknown-key", MULTI, (("orchestratr", {"a": 1}),), "orchestratr", "did you mean 'orchestrator'",
         "orchestratr", "warning"),
    Case("context-permission", MULTI, (("orchestrator.context_paths[0].permission", "wrte"),),
         "orchestrator.context_paths[0].permission", "did you mean 'write'", "permission"),
    Case("context-permission", MULTI, (("orchestrator.context_paths[0].permission", "read"),),
         "orchestrator.context_paths[0].protected_paths", "permission: write", "protected_paths", "warning"),
    Case("mcp-name", MCP_LIST, (("agents[0].backend.mcp_servers[0].name", "weather server"),),
         "agents[0].backend.mcp_servers[0].name", "weather_server", "name:"),
    Case("mcp-name", MCP_LIST, (("agents[2].backend.mcp_servers.weather", DELETE),
                                ("agents[2].backend.mcp_servers[\"wea.ther\"]", {"type": "stdio", "command": "npx"})),
         'agents[2].backend.mcp_servers["wea.ther"]', "wea_ther", "wea.ther"),
    Case("mcp-duplicate", MCP_LIST, (("agents[0].backend.mcp_servers[1]", {"name": "weather", "command": "npx"}),),
         "agents[0].backend.mcp_servers[1].name", "own name", "name:"),
    Case("mcp-transport", MCP_LIST, (("agents[2].backend.mcp_servers.weather.command", DELETE),
                                     ("agents[2].backend.mcp_servers.weather.args", DELETE)),
         "agents[2].backend.mcp_servers.weather.command", "command: npx", None),
    Case("mcp-transport", MCP_LIST, (("agents[0].backend.mcp_servers[0].type", "stdoi"),),
         "agents[0].backend.mcp_servers[0].type", "did you mean 'stdio'", "type:"),
    Case("mcp-transport", HTTP, (("agents[0].backend.mcp_servers[0].url", DELETE),),
         "agents[0].backend.mcp_servers[0].url", "url: http", None),
    Case("mcp-sse", HTTP, (("agents[0].backend.mcp_servers[0].type", "sse"),),
         "agents[0].backend.mcp_servers[0].type", "streamable-http", "type:", "warning"),
    Case("mcp-url", HTTP, (("agents[0].backend.mcp_servers[0].url", "ftp://example.com/mcp"),),
         "agents[0].backend.mcp_servers[0].url", "https://host/mcp", "url:"),
    Case("mcp-url", HTTP, (("agents[0].backend.mcp_servers[0].security.allow_localhost", DELETE),),
         "agents[0].backend.mcp_servers[0].url", "allow_localhost: true", "url:", "warning"),
    Case("mcp-security-level", MCP_LIST, (("agents[0].backend.mcp_servers[0].security.level", "paranoid"),),
         "agents[0].backend.mcp_servers[0].security.level", "use one of", "level:", "warning"),
    Case("legacy-key", SINGLE, (("ui.type", "rich_terminal"),), "ui.type", "display_type", "type:", "warning"),
    Case("legacy-key", SINGLE, (("display", {"type": "rich_terminal"}),), "display", "under 'ui:'", "display:",
         "warning"),
    Case("legacy-v1", SINGLE, (("num_agents", 3),), "num_agents", "V2", "num_agents"),
    Case("env-unset", MCP_LIST, (("agents[0].backend.mcp_servers[0].env", {"API_TOKEN": "${MGT_TEST_UNSET_VAR}"}),),
         "agents[0].backend.mcp_servers[0].env.API_TOKEN", "export MGT_TEST_UNSET_VAR", "API_TOKEN", "warning"),
    Case("env-placeholder", "tools/code-execution/multi_agent_playwright_automation.yaml",
         (("agents[0].backend.cwd", DELETE),), "agents[0].backend.mcp_servers.playwright.args[3]", "cwd: workspace",
         "${cwd}", "warning"),
    Case("env-placeholder", MCP_LIST, (("agents[0].backend.mcp_servers[0].env", {"T": "${token}"}),),
         "agents[0].backend.mcp_servers[0].env.T", "TOKEN", "T:", "warning"),
    Case("cwd-without-orchestrator", MULTI, (("orchestrator", DELETE),), "agents[0].backend.cwd",
         "snapshot_storage", "cwd:", "warning"),
    Case("missing-cwd", MCP_LIST, (("agents[2].backend.cwd", DELETE),), "agents[2].backend.cwd", "cwd: workspace",
         None, "warning"),
    Case("tool-filter", MULTI, (("agents[0].backend.allowed_tools", ["a"]), ("agents[0].backend.exclude_tools", ["b"])),
         "agents[0].backend.exclude_tools", "allowlist", "exclude_tools", "warning"),
    Case("permission-mode", MCP_LIST, (("agents[2].backend.permission_mode", "bypass"),),
         "agents[2].backend.permission_mode", "bypassPermissions", "permission_mode"),
    Case("ui-display-type", SINGLE, (("ui.display_type", "rich"),), "ui.display_type", "rich_terminal", "display_type"),
    Case("safety", SINGLE, (("safety", {"defaults": {"irreversible": "maybe"}}),), "safety.defaults.irreversible",
         "use one of", "irreversible"),
    Case("safety-unknown-key", SINGLE, (("safety", {"planing_mode": True}),), "safety.planing_mode",
         "did you mean 'planning_mode'", "planing_mode"),
    Case("safety", SINGLE, (("safety", {"approval_timeout_seconds": -5}),), "safety.approval_timeout_seconds", None,
         "approval_timeout_seconds"),
    Case("agent-id", MULTI, (("agents[0].id", "  "),), "agents[0].id", "unique id", "id:"),
    Case("deprecated", "tools/mcp/grok3_mini_mcp_test.yaml",
         (("agents[0].backend.extra_body", {"search_parameters": {"mode": "auto"}}),),
         "agents[0].backend.extra_body.search_parameters", "enable_web_search: true", "search_parameters", "warning"),
    Case("context-path", MULTI, (("orchestrator.context_paths[1]", {"path": "massgen/configs/resources/v0.0.21-example"}),),
         "orchestrator.context_paths[1].path", "one entry per path", "path:", "warning"),
    Case("base-url-required", MULTI, (("agents[1].backend.type", "azure_openai"),), "agents[1].backend.base_url",
         "openai.azure.com", None, "warning"),
    Case("capability", MULTI, (("agents[0].backend.type", "lmstudio"), ("agents[0].backend.enable_image_generation", True)),
         "agents[0].backend.enable_image_generation", "enable_multimodal_tools", "enable_image_generation", "warning"),
    Case("mcp-transport", MCP_LIST, (("agents[0].backend.mcp_servers[0].url", "http://localhost:1/mcp"),),
         "agents[0].backend.mcp_servers[0].url", "streamable-http", "url:", "warning"),
    Case("docker-build", DOCKER, (("agent.backend.command_line_docker_image", DELETE),
                                  ("agent.backend.command_line_docker_dockerfile", "no/such/Dockerfile")),
         "agent.backend.command_line_docker_dockerfile", "relative to the config's folder", None, "warning"),
    Case("config-version", SINGLE, (("config_version", 99),), "config_version", "upgrade", "config_version", "warning"),
]


def _mutated(corpus_dir: Path, case: Case) -> tuple[str, ConfigDocument]:
    doc = ConfigDocument.from_text((corpus_dir / "massgen-configs" / case.file).read_text())
    for location, value in case.edits:
        if value is DELETE:
            assert doc.delete(location), f"{location} not in {case.file}"
        else:
            doc.set_value(location, value)
    text = doc.to_text()
    return text, ConfigDocument.from_text(text)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.rule}-{i}" for i, c in enumerate(CASES)])
def test_rule(corpus_dir: Path, case: Case) -> None:
    text, reparsed = _mutated(corpus_dir, case)
    result = validate_text(text, environ={})
    matching = [d for d in result.diagnostics if d.code == case.rule and d.location == case.location]
    assert matching, f"no {case.rule} at {case.location}; got:\n" + "\n".join(d.format() for d in result.diagnostics)
    diagnostic = matching[0]
    assert diagnostic.severity == case.severity
    if case.suggestion is None:
        assert diagnostic.message
    else:
        assert diagnostic.suggestion and case.suggestion in diagnostic.suggestion, diagnostic
    expected = reparsed.nearest_position(case.location) if case.location else None
    assert (diagnostic.line, diagnostic.column) == (expected or (None, None))
    if case.key_on_line is not None:
        assert diagnostic.line is not None
        assert case.key_on_line in text.splitlines()[diagnostic.line - 1], (diagnostic, text.splitlines()[diagnostic.line - 1])
    # the unmutated config has no such problem: the mutation caused it
    original = validate_text((corpus_dir / "massgen-configs" / case.file).read_text(), environ={})
    assert not [d for d in original.diagnostics if d.code == case.rule and d.location == case.location]


def test_yaml_syntax_error_is_a_diagnostic_with_position() -> None:
    result = validate_text("agents:\n  - id: a\n    backend: {type: openai\n", "x.yaml")
    assert not result.valid
    [diagnostic] = result.errors
    assert diagnostic.code == "yaml-syntax"
    assert diagnostic.line == 4 and diagnostic.column is not None


def test_duplicate_yaml_key_is_a_syntax_error_at_the_second_key() -> None:
    result = validate_text("agent:\n  id: a\n  id: b\n  backend: {type: openai}\n")
    [diagnostic] = result.errors
    assert diagnostic.code == "yaml-syntax" and diagnostic.line == 3
    assert "duplicate" in diagnostic.message


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "42\n", "just text\n"])
def test_root_that_is_not_a_mapping(text: str) -> None:
    result = validate_text(text)
    assert [d.code for d in result.errors] == ["root-type"]


def test_validate_document_after_edit_sees_the_edit(corpus_dir: Path) -> None:
    doc = ConfigDocument.from_text((corpus_dir / "massgen-configs" / DOCKER).read_text())
    assert validate_document(doc, environ={}).valid
    doc.set_value("agent.backend.command_line_docker_network_mode", "hosts")
    result = validate_document(doc, environ={})
    [diagnostic] = result.errors
    assert diagnostic.suggestion == "did you mean 'host'?"
    assert diagnostic.line is not None  # the edited key keeps its original position
