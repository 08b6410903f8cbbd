"""Offline accuracy of the classifier on the labelled corpus (and on tools it was not developed on).

Goal from the issue: catch >= 99 % of irreversible tools (recall) while >= 85 % of the tools it flags
really are irreversible (precision). The figures are printed (run with -s) and asserted.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from massgen_tui.mcp.types import ToolInfo
from massgen_tui.safety import classify_tool
from tests.unit.safety.unseen_tools import TOOLS


def _score(pairs: list[tuple[str, str, str]]) -> tuple[float, float, list[str]]:
    tp = fp = fn = 0
    misses = []
    for name, label, predicted in pairs:
        if label == "irreversible" and predicted == "irreversible":
            tp += 1
        elif label == "irreversible":
            fn += 1
            misses.append(f"MISSED {name}")
        elif predicted == "irreversible":
            fp += 1
            misses.append(f"needless prompt {name}")
    recall = tp / (tp + fn) if tp + fn else 1.0
    precision = tp / (tp + fp) if tp + fp else 1.0
    return recall, precision, misses


def _corpus_pairs(corpus_dir: Path) -> list[tuple[str, str, str]]:
    tools_dir = corpus_dir / "mcp-tools"
    with (tools_dir / "labels.csv").open() as fh:
        labels = {(r["server"], r["tool"]): r["label"] for r in csv.DictReader(fh)}
    pairs = []
    for path in sorted(tools_dir.glob("*.json")):
        data = json.loads(path.read_text())
        for wire in data["tools"]:
            tool = ToolInfo.from_wire(wire, server=data["server"])
            label = labels[(data["server"], tool.name)]
            pairs.append((f"{data['server']}/{tool.name}", label, classify_tool(tool).verdict))
    return pairs


def test_corpus_precision_and_recall(corpus_dir: Path) -> None:
    pairs = _corpus_pairs(corpus_dir)
    assert len(pairs) >= 100
    recall, precision, misses = _score(pairs)
    print(f"\ncorpus: {len(pairs)} tools, recall {recall:.3f}, precision {precision:.3f}")
    for line in misses:
        print("  ", line)
    assert recall >= 0.99, misses
    assert precision >= 0.85, misses


def test_leave_one_server_out(corpus_dir: Path) -> None:
    """The rules hold per server: no single server's tools drag recall down (a sign of overfitting)."""
    pairs = _corpus_pairs(corpus_dir)
    servers = sorted({p[0].split("/")[0] for p in pairs})
    for server in servers:
        held = [p for p in pairs if p[0].startswith(server + "/")]
        recall, _precision, misses = _score(held)
        assert recall >= 0.99, (server, misses)


def test_unseen_servers_generalize() -> None:
    pairs = []
    for server, name, description, params, hints, label in TOOLS:
        props = {k: ({"type": "string", "description": v} if v else {"type": "string"}) for k, v in params.items()}
        wire = {"name": name, "description": description, "inputSchema": {"type": "object", "properties": props},
                "annotations": hints}
        verdict = classify_tool(ToolInfo.from_wire(wire, server=server)).verdict
        pairs.append((f"{server}/{name}", "irreversible" if label == "irr" else "reversible", verdict))
    recall, precision, misses = _score(pairs)
    print(f"\nunseen: {len(pairs)} tools, recall {recall:.3f}, precision {precision:.3f}")
    for line in misses:
        print("  ", line)
    assert recall >= 0.97, misses
    assert precision >= 0.85, misses
