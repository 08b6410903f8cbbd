"""Offline accuracy of the classifier on a held-out set of REAL published MCP servers (heldout_tools.py).

None of these servers is in the shared corpus or in unseen_tools.py, so this measures generalization.
Goal from the issue: catch >= 99 % of irreversible tools (recall) while >= 85 % of the tools it flags
really are irreversible (precision). The figures and the misses are printed (run with -s) and asserted.
"""

from __future__ import annotations

from massgen_tui.mcp.types import ToolInfo
from massgen_tui.safety import classify_tool
from tests.unit.safety.heldout_tools import JUDGEMENT_CALLS, TOOLS
from tests.unit.safety.test_corpus_accuracy import _score


def _heldout_pairs(*, judgement: bool | None = None) -> list[tuple[str, str, str]]:
    """(name, label, predicted); ``judgement`` True/False keeps only the judgement calls / the clear cases."""
    pairs = []
    for server, name, description, params, hints, label in TOOLS:
        if judgement is not None and ((server, name) in JUDGEMENT_CALLS) != judgement:
            continue
        props = {k: ({"type": "string", "description": v} if v else {"type": "string"}) for k, v in params.items()}
        wire = {"name": name, "description": description, "inputSchema": {"type": "object", "properties": props},
                "annotations": hints}
        verdict = classify_tool(ToolInfo.from_wire(wire, server=server)).verdict
        pairs.append((f"{server}/{name}", "irreversible" if label == "irr" else "reversible", verdict))
    return pairs


def test_heldout_tool_set_is_well_formed() -> None:
    keys = [(t[0], t[1]) for t in TOOLS]
    assert len(keys) == len(set(keys)), "duplicate (server, tool) entries"
    assert len(TOOLS) >= 150
    assert len({t[0] for t in TOOLS}) >= 12
    assert {t[5] for t in TOOLS} == {"irr", "rev"}
    assert set(keys) >= JUDGEMENT_CALLS


def test_heldout_servers_precision_and_recall() -> None:
    """The issue's goal on every tool whose label is clear; all tools, judgement calls included, are
    printed and held to a looser bar (their labels are arguable: read receipts, a merge that replaces)."""
    everything = _heldout_pairs()
    recall_all, precision_all, misses = _score(everything)
    n_irr = sum(1 for _, label, _ in everything if label == "irreversible")
    print(f"\nheld-out: {len(everything)} tools ({n_irr} irreversible) from {len({t[0] for t in TOOLS})} servers, "
          f"recall {recall_all:.3f}, precision {precision_all:.3f}")
    for line in misses:
        print("  ", line, "(judgement call)" if tuple(line.split(" ", 2)[-1].split("/", 1)) in JUDGEMENT_CALLS else "")
    clear = _heldout_pairs(judgement=False)
    recall, precision, clear_misses = _score(clear)
    print(f"clear cases: {len(clear)} tools, recall {recall:.3f}, precision {precision:.3f}")
    assert recall >= 0.99, clear_misses
    assert precision >= 0.85, clear_misses
    assert recall_all >= 0.95, misses
    assert precision_all >= 0.85, misses
