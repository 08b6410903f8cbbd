"""Offline accuracy of the classifier on tool sets of REAL published MCP servers that are not in the corpus.

``heldout_tools.py`` (19 servers) and ``fresh_tools.py`` (19 more) were each written by someone who had
not seen the classifier, labelled before it ran. Goal from the issue: catch >= 99 % of irreversible tools
(recall) while >= 85 % of the tools it flags really are irreversible (precision). Held on the clear cases;
every tool, judgement calls included, is printed (run with -s) and held to a looser recall bar (their
labels are arguable: read receipts, a merge that replaces, an annotation on a shared dashboard).
"""

from __future__ import annotations

from types import ModuleType

import pytest

from massgen_tui.mcp.types import ToolInfo
from massgen_tui.safety import classify_tool
from tests.unit.safety import fresh_tools, heldout_tools
from tests.unit.safety.test_corpus_accuracy import _score

SETS = [heldout_tools, fresh_tools]


def _pairs(tool_set: ModuleType, *, judgement: bool | None = None) -> list[tuple[str, str, str]]:
    """(name, label, predicted); ``judgement`` True/False keeps only the judgement calls / the clear cases."""
    pairs = []
    for server, name, description, params, hints, label in tool_set.TOOLS:
        if judgement is not None and ((server, name) in tool_set.JUDGEMENT_CALLS) != judgement:
            continue
        props = {k: ({"type": "string", "description": v} if v else {"type": "string"}) for k, v in params.items()}
        wire = {"name": name, "description": description, "inputSchema": {"type": "object", "properties": props},
                "annotations": hints}
        verdict = classify_tool(ToolInfo.from_wire(wire, server=server)).verdict
        pairs.append((f"{server}/{name}", "irreversible" if label == "irr" else "reversible", verdict))
    return pairs


@pytest.mark.parametrize("tool_set", SETS, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_tool_set_is_well_formed(tool_set: ModuleType) -> None:
    keys = [(t[0], t[1]) for t in tool_set.TOOLS]
    assert len(keys) == len(set(keys)), "duplicate (server, tool) entries"
    assert len(tool_set.TOOLS) >= 150
    assert len({t[0] for t in tool_set.TOOLS}) >= 12
    assert {t[5] for t in tool_set.TOOLS} == {"irr", "rev"}
    assert set(keys) >= tool_set.JUDGEMENT_CALLS


def test_the_sets_share_no_server_with_each_other() -> None:
    servers = [{t[0] for t in tool_set.TOOLS} for tool_set in SETS]
    assert not servers[0] & servers[1]


@pytest.mark.parametrize("tool_set", SETS, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_precision_and_recall_on_servers_outside_the_corpus(tool_set: ModuleType) -> None:
    everything = _pairs(tool_set)
    recall_all, precision_all, misses = _score(everything)
    n_irr = sum(1 for _, label, _ in everything if label == "irreversible")
    servers = len({t[0] for t in tool_set.TOOLS})
    print(f"\n{tool_set.__name__}: {len(everything)} tools ({n_irr} irreversible) from {servers} servers, "
          f"recall {recall_all:.3f}, precision {precision_all:.3f}")
    for line in misses:
        judged = tuple(line.split(" ", 2)[-1].split("/", 1)) in tool_set.JUDGEMENT_CALLS
        print("  ", line, "(judgement call)" if judged else "")
    clear = _pairs(tool_set, judgement=False)
    recall, precision, clear_misses = _score(clear)
    print(f"clear cases: {len(clear)} tools, recall {recall:.3f}, precision {precision:.3f}")
    assert recall >= 0.99, clear_misses
    assert precision >= 0.85, clear_misses
    assert recall_all >= 0.94, misses  # a regression guard at today's figure (0.942 and 0.964), not a goal
    assert precision_all >= 0.85, misses
