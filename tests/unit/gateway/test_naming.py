"""Exposed tool names: ``<server>__<tool>``, always valid for Claude (^[a-zA-Z0-9_-]{1,64}$), unique."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from massgen_tui.gateway.naming import TOOL_NAME, build_routes, exposed_name
from massgen_tui.mcp.types import ToolInfo


def test_plain_names_are_server_double_underscore_tool() -> None:
    assert exposed_name("fs", "read_file") == "fs__read_file"
    assert exposed_name("git-2", "git_status") == "git-2__git_status"


def test_invalid_characters_and_long_names_are_made_valid_and_kept_apart() -> None:
    dotted = exposed_name("web", "search.v2")
    assert TOOL_NAME.match(dotted) and dotted.startswith("web__search_v2_")
    assert exposed_name("web", "search.v2") != exposed_name("web", "search_v2")  # hash keeps them apart
    long = exposed_name("server", "t" * 100)
    assert len(long) == 64 and TOOL_NAME.match(long)
    assert long != exposed_name("server", "t" * 101)


def test_routes_map_back_to_server_and_tool_and_clashes_stay_reachable() -> None:
    tools = [
        ToolInfo("search.v2", server="web"),
        ToolInfo("read_file", server="fs"),
        ToolInfo("read_file", server="fs2"),
    ]
    routes = build_routes(tools)
    assert {(r.server, r.tool) for r in routes.values()} == {("web", "search.v2"), ("fs", "read_file"), ("fs2", "read_file")}
    assert routes["fs__read_file"].server == "fs" and routes["fs2__read_file"].server == "fs2"
    assert all(TOOL_NAME.match(name) for name in routes)


def test_a_clash_after_cleaning_gets_a_second_distinct_name() -> None:
    # "a__b" with server "a" and tool "b" vs server "a__b"? server names can't hold dots, but a
    # cleaned name can equal a real one: tool 'x.y' -> 'x_y_<hash>' never equals 'x_y'
    tools = [ToolInfo("x_y", server="s"), ToolInfo("x.y", server="s")]
    routes = build_routes(tools)
    assert len(routes) == 2


@given(
    st.from_regex(r"[A-Za-z0-9_-]{1,40}", fullmatch=True),
    st.text(min_size=1, max_size=120),
)
def test_every_exposed_name_is_valid(server: str, tool: str) -> None:
    assert TOOL_NAME.match(exposed_name(server, tool))


@given(st.lists(st.text(min_size=1, max_size=80), min_size=1, max_size=30, unique=True))
def test_routes_never_lose_a_tool(names: list[str]) -> None:
    routes = build_routes([ToolInfo(name, server="srv") for name in names])
    assert sorted(r.tool for r in routes.values()) == sorted(names)
    assert all(TOOL_NAME.match(name) for name in routes)
