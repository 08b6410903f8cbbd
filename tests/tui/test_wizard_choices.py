"""The wizard's answers start from the chosen preset, and what the steps show is what the config gets."""

from __future__ import annotations

from dataclasses import replace

import pytest

from massgen_tui.config import ConfigDocument, validate_text
from massgen_tui.tui import config_access as core
from massgen_tui.tui.screens.wizard import build_config, choices_from_preset


def backends(text: str) -> list[dict]:
    return [dict(e.backend) for e in ConfigDocument.from_text(text).agent_entries()]


@pytest.mark.parametrize("name", sorted(core.presets()))
def test_every_preset_goes_through_the_wizard_unchanged_in_meaning(name: str) -> None:
    text = core.presets()[name][1]
    out = build_config(choices_from_preset(text))
    assert not validate_text(out).errors
    before, after = backends(text), backends(out)
    for old, new in zip(before, after, strict=True):
        for key in ("enable_mcp_command_line", "command_line_execution_mode", "command_line_docker_template",
                    "command_line_docker_memory_limit"):
            assert old.get(key) == new.get(key), (name, key)
        assert sorted(map(str, old.get("mcp_servers") or [])) == sorted(map(str, new.get("mcp_servers") or [])) \
            or old.get("mcp_servers") == new.get("mcp_servers")


def test_the_docker_preset_shows_docker_and_no_means_no() -> None:
    text = core.presets()["coding_docker"][1]
    choices = choices_from_preset(text)
    assert (choices.docker, choices.template, choices.memory) == (True, "python", "2g")
    local = build_config(replace(choices, docker=False, command_line=True))
    for backend in backends(local):
        assert backend["enable_mcp_command_line"] is True
        assert "command_line_execution_mode" not in backend
        assert not [k for k in backend if k.startswith("command_line_docker_")]
    assert "# massgen-tui: tool-call approvals" in local  # the preset's comments stay
    same = backends(build_config(choices))  # memory left as the preset has it, per agent
    assert [b["command_line_docker_memory_limit"] for b in same] == ["2g", "1g"]
    changed = backends(build_config(replace(choices, memory="4g")))
    assert [b["command_line_docker_memory_limit"] for b in changed] == ["4g", "4g"]
    unlimited = backends(build_config(replace(choices, memory="")))
    assert all("command_line_docker_memory_limit" not in b for b in unlimited)
    none = build_config(replace(choices, docker=False, command_line=False))
    assert all("enable_mcp_command_line" not in b for b in backends(none))


def test_filesystem_server_added_and_removed_in_both_forms() -> None:
    blank = choices_from_preset(core.presets()["single"][1])
    assert blank.filesystem_mcp is False
    added = build_config(replace(blank, filesystem_mcp=True))
    assert "filesystem" in backends(added)[0]["mcp_servers"]
    listed = ("agents:\n  - id: a\n    backend:\n      type: openai\n      model: gpt-4o\n      mcp_servers:\n"
              "        - {name: filesystem, type: stdio, command: npx, args: [x]}\n"
              "        - {name: git, type: stdio, command: uvx, args: [mcp-server-git]}\n")
    choices = choices_from_preset(listed)
    assert choices.filesystem_mcp is True
    removed = backends(build_config(replace(choices, filesystem_mcp=False)))[0]["mcp_servers"]
    assert [s["name"] for s in removed] == ["git"]
