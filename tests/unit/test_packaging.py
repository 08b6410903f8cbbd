"""`pip install .` (the README's install) must ship what the app reads at run time:
presets, Dockerfile templates and the Textual style sheet."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_wheel_ships_presets_templates_and_styles(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("massgen_tui-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    data = [n.split(".data/data/", 1)[1] for n in names if ".data/data/" in n]
    presets = {p.name for p in (REPO / "presets").glob("*.yaml")}
    assert presets and {f"share/massgen-tui/presets/{p}" for p in presets} <= set(data)
    for template in ("minimal", "python", "node", "datascience"):
        assert f"share/massgen-tui/dockerfiles/{template}/Dockerfile" in data
    assert any(n.startswith("massgen_tui/") and n.endswith(".tcss") for n in names)
