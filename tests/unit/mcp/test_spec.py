from __future__ import annotations

import pytest

from massgen_tui.mcp import MCPServerError, MCPServerSpec, ToolFilter
from massgen_tui.mcp.filtering import prefixed_name, split_prefixed


def test_list_form_reads_massgen_keys() -> None:
    backend = {
        "mcp_servers": [
            {"name": "weather", "type": "stdio", "command": "npx", "args": ["-y", "@x/weather"], "env": {"K": "${KEY}"}},
            {"name": "web", "type": "streamable-http", "url": "http://localhost:5173/mcp", "timeout": 10,
             "http_read_timeout": 60, "headers": {"Authorization": "Bearer ${TOKEN}"}},
        ]
    }
    weather, web = MCPServerSpec.from_backend(backend)
    assert (weather.name, weather.transport, weather.command, weather.args) == ("weather", "stdio", "npx", ("-y", "@x/weather"))
    assert weather.env == {"K": "${KEY}"}  # expanded only at connect time
    assert weather.location == "mcp_servers[0]"
    assert weather.identity == "npx -y @x/weather"
    assert (web.transport, web.url, web.timeout_s, web.http_read_timeout_s) == ("streamable-http", "http://localhost:5173/mcp", 10.0, 60.0)
    assert web.identity == "http://localhost:5173/mcp"


def test_map_form_and_type_inferred_from_command_or_url() -> None:
    specs = MCPServerSpec.from_backend(
        {"mcp_servers": {"discord": {"command": "npx", "args": ["discord-mcp"]}, "remote": {"url": "https://x/mcp"}}}
    )
    assert [(s.name, s.transport, s.location) for s in specs] == [
        ("discord", "stdio", "mcp_servers.discord"),
        ("remote", "streamable-http", "mcp_servers.remote"),
    ]


def test_no_servers_is_an_empty_list() -> None:
    assert MCPServerSpec.from_backend({"type": "openai"}) == []


@pytest.mark.parametrize(
    ("servers", "message"),
    [
        ([{"type": "stdio", "command": "x"}], "needs a 'name'"),
        ([{"name": "a", "type": "stdio"}], "needs a 'command'"),
        ([{"name": "a", "type": "streamable-http"}], "needs a 'url'"),
        ([{"name": "a", "type": "carrier-pigeon", "command": "x"}], "use one of"),
        ([{"name": "a b", "command": "x"}], "only letters"),
        ([{"name": "a", "command": "x"}, {"name": "a", "command": "y"}], "a second MCP server named 'a'"),
        ([{"name": "a", "command": "x", "timeout": -1}], "positive number of seconds"),
        ([{"name": "a", "command": "x", "env": ["K=V"]}], "mapping"),
        ("not servers", "list or a mapping"),
    ],
)
def test_bad_specs_say_what_and_where(servers: object, message: str) -> None:
    with pytest.raises(MCPServerError, match=message):
        MCPServerSpec.from_backend({"mcp_servers": servers})


def test_resolved_expands_placeholders_everywhere() -> None:
    (spec,) = MCPServerSpec.from_backend(
        {"mcp_servers": [{"name": "s", "command": "${BIN}/srv", "args": ["--key=${KEY}"], "env": {"T": "${KEY}"},
                          "cwd": "${HOME_DIR}"}]}
    )
    env = {"BIN": "/opt/bin", "KEY": "k-123", "HOME_DIR": "/tmp"}
    resolved = spec.resolved(env)
    assert (resolved.command, resolved.args, dict(resolved.env), resolved.cwd) == ("/opt/bin/srv", ("--key=k-123",), {"T": "k-123"}, "/tmp")
    assert spec.identity == "${BIN}/srv --key=${KEY}"  # identity never carries expanded secrets


@pytest.mark.parametrize("env", [{}, {"API_KEY": "  "}])
def test_unset_or_empty_variable_names_server_variable_and_field(env: dict[str, str]) -> None:
    (spec,) = MCPServerSpec.from_backend(
        {"mcp_servers": [{"name": "brave", "type": "streamable-http", "url": "https://x", "headers": {"X-Key": "${API_KEY}"}}]}
    )
    with pytest.raises(MCPServerError) as info:
        spec.resolved(env)
    text = str(info.value)
    assert "'brave'" in text and "API_KEY" in text and "mcp_servers[0].headers.X-Key" in text
    assert info.value.server == "brave"


def test_filters_combine_like_massgen() -> None:
    backend = {
        "allowed_tools": ["read_file", "mcp__fs__list_directory", "mcp__other__write_file"],
        "exclude_tools": ["mcp__fs__secret"],
        "mcp_servers": [
            {"name": "fs", "command": "x", "exclude_tools": ["delete"]},
            {"name": "git", "command": "y", "allowed_tools": ["git_status"]},
        ],
    }
    fs, git = MCPServerSpec.from_backend(backend)
    assert fs.tool_filter.allows("fs", "read_file")
    assert fs.tool_filter.allows("fs", "list_directory")  # prefixed entry for this server
    assert not fs.tool_filter.allows("fs", "write_file")  # prefixed entry names another server
    assert not fs.tool_filter.allows("fs", "delete")  # server-level exclusion
    assert "exclude_tools" in (fs.tool_filter.why_hidden("fs", "secret") or "")
    # server allowed_tools replaces the backend's; backend exclusions still apply
    assert git.tool_filter.allows("git", "git_status")
    assert not git.tool_filter.allows("git", "read_file")
    assert git.tool_filter.excluded == ("mcp__fs__secret",)


def test_exclude_wins_over_allow_and_lone_string_is_a_list() -> None:
    flt = ToolFilter.combine(backend_allowed=["a", "b"], server_excluded=["mcp__s__b"])
    assert flt.allows("s", "a") and not flt.allows("s", "b")
    (spec,) = MCPServerSpec.from_backend({"exclude_tools": "post_search", "mcp_servers": [{"name": "s", "command": "x"}]})
    assert not spec.tool_filter.allows("s", "post_search")
    assert ToolFilter().allows("s", "anything") and not ToolFilter().active


def test_prefixed_names_round_trip() -> None:
    from massgen_tui.mcp import ToolInfo

    assert ToolInfo("read_file", server="fs").prefixed_name == "mcp__fs__read_file"
    assert ToolInfo("read_file").prefixed_name == "read_file"
    assert prefixed_name("fs", "read_file") == "mcp__fs__read_file"
    assert split_prefixed("mcp__fs__read_file") == ("fs", "read_file")
    assert split_prefixed("mcp__fs__a__b") == ("fs", "a__b")
    assert split_prefixed("read_file") is None and split_prefixed("mcp__fs") is None


def test_corpus_configs_parse(corpus_dir) -> None:  # type: ignore[no-untyped-def]
    from massgen_tui.config import load_document

    parsed = 0
    for path in sorted((corpus_dir / "massgen-configs").rglob("*.yaml")):
        for entry in load_document(path).agent_entries():
            specs = MCPServerSpec.from_backend(entry.backend)
            parsed += len(specs)
            for spec in specs:
                assert spec.transport in {"stdio", "streamable-http", "sse"}
    assert parsed > 50


def test_cwd_placeholder_is_the_backends_workspace_as_massgen_reads_it(tmp_path) -> None:
    # From the corpus: tools/code-execution/multi_agent_playwright_automation.yaml
    backend = {
        "cwd": str(tmp_path / "workspace1"),
        "mcp_servers": [{"name": "playwright", "type": "stdio", "command": "npx",
                         "args": ["@playwright/mcp@latest", "--output-dir=${cwd}", "--user-data-dir=${cwd}/profile"]}],
    }
    (spec,) = MCPServerSpec.from_backend(backend)
    resolved = spec.resolved(environ={})
    assert resolved.args[1:] == (f"--output-dir={tmp_path / 'workspace1'}", f"--user-data-dir={tmp_path / 'workspace1'}/profile")
    assert "${cwd}" in spec.identity  # stored decisions key on the config as written


def test_cwd_placeholder_without_a_backend_cwd_names_the_fix() -> None:
    (spec,) = MCPServerSpec.from_backend({"mcp_servers": {"pw": {"command": "npx", "args": ["--out=${cwd}"]}}})
    with pytest.raises(MCPServerError, match=r"backend sets no 'cwd'"):
        spec.resolved(environ={"cwd": "/ignored"})
