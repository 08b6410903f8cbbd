"""Config presets: plain YAML files in the repository's ``presets/`` folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from massgen_tui.config.errors import ConfigError
from massgen_tui.config.files import write_atomic
from massgen_tui.resources import data_folder


def presets_dir() -> Path:
    """``$MASSGEN_TUI_PRESETS``, else ``presets/`` of this checkout, else the installed copy."""
    return data_folder("presets", "MASSGEN_TUI_PRESETS")


@dataclass(frozen=True)
class Preset:
    name: str
    path: Path
    description: str

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    def __str__(self) -> str:
        return self.name


def _description(path: Path) -> str:
    try:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("#"):
                return line.lstrip("# ").strip()
            if line.strip():
                break
    except OSError:
        pass
    return ""


def list_presets() -> list[Preset]:
    folder = presets_dir()
    if not folder.is_dir():
        return []
    return [Preset(p.stem, p, _description(p)) for p in sorted(folder.glob("*.yaml"))]


def get_preset(name: str) -> Preset:
    presets = {p.name: p for p in list_presets()}
    if name in presets:
        return presets[name]
    from massgen_tui.config.validation import did_you_mean

    hint = did_you_mean(name, presets) or ("available: " + ", ".join(presets) if presets else
                                          f"no presets found in {presets_dir()}")
    raise ConfigError(f"no preset named {name!r} ({hint})")


def preset_text(name: str | Preset) -> str:
    """The YAML text of a preset (by name or :class:`Preset`)."""
    return (name if isinstance(name, Preset) else get_preset(name)).text()


def write_preset(name: str, output: str | Path, *, force: bool = False) -> Path:
    """Write preset ``name`` to ``output``; refuses to overwrite unless ``force``."""
    preset = get_preset(name)
    target = Path(output)
    if target.exists() and not force:
        raise ConfigError("already exists; use --force to overwrite it", path=str(target))
    write_atomic(target, preset.text())
    return target
