"""The config being edited: its text (the one source of truth), its parse, and the file on disk.

Forms and the YAML editor both go through :class:`ConfigSession`: a form writes a value into the parsed
document and the text is regenerated from it (comments and key order kept by the round trip); the
YAML editor replaces the text and the document is parsed again. No Textual here.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from massgen_tui.config import ConfigDocument, ConfigError
from massgen_tui.tui import config_access as core


class ConfigSession:
    def __init__(self, path: Path | None, text: str, saved_text: str | None = None):
        self.path = path
        self.saved_text = text if saved_text is None else saved_text
        self.text = text
        self.version = 0
        self._doc: ConfigDocument | None = None
        self._parse_error: ConfigError | None = None
        self._parsed_version = -1

    @classmethod
    def open(cls, path: Path) -> ConfigSession:
        """Open a file; a missing file starts empty (saving creates it)."""
        if path.exists():
            text = path.read_text(encoding="utf-8")
            return cls(path, text)
        return cls(path, "", saved_text="")

    @property
    def dirty(self) -> bool:
        return self.text != self.saved_text

    def _parse(self) -> None:
        if self._parsed_version == self.version:
            return
        self._parsed_version = self.version
        try:
            doc = core.parse(self.text, self.path)
            if doc.data is None:
                from ruamel.yaml.comments import CommentedMap

                doc.data = CommentedMap()
            self._doc, self._parse_error = doc, None
        except ConfigError as exc:
            self._doc, self._parse_error = None, exc

    @property
    def doc(self) -> ConfigDocument | None:
        """The parsed document, parsed on demand (None while the YAML has a syntax error)."""
        self._parse()
        return self._doc

    @property
    def parse_error(self) -> ConfigError | None:
        self._parse()
        return self._parse_error

    @property
    def data(self) -> Any:
        doc = self.doc
        return doc.data if doc is not None else None

    def set_text(self, text: str) -> None:
        """Replace the text (from the YAML editor); parsing waits until a form needs it."""
        if text != self.text:
            self.text = text
            self.version += 1

    def get(self, location: str, default: Any = None) -> Any:
        return core.get_value(self.data, location, default)

    def set_value(self, location: str, value: Any) -> None:
        """Write one value from a form; ``None`` (or an empty list) removes the key."""
        self._require_doc()
        assert self.doc is not None
        try:
            if value is None or value == []:
                core.delete(self.doc, location)
            else:
                core.set_value(self.doc, location, value)
        except (AttributeError, TypeError, KeyError, IndexError, ValueError) as exc:
            self._parsed_version = -1
            raise ConfigError(f"cannot set {location}: {exc}; fix it in the YAML tab") from exc
        self._regenerate()

    def delete(self, location: str) -> None:
        self._require_doc()
        assert self.doc is not None
        core.delete(self.doc, location)
        self._regenerate()

    def mutate(self, change, touched: str) -> None:  # type: ignore[no-untyped-def]
        """Apply ``change(data)`` to the parsed mapping (list operations), then write back ``touched``.

        ``touched`` is the location of the container the change modified; setting it through the core
        marks the document edited, so the text is regenerated (comments and key order kept).
        """
        self._require_doc()
        assert self.doc is not None
        try:
            change(self.data)
            self.doc.set_value(touched, core.get_value(self.data, touched))
        except (AttributeError, TypeError, KeyError, IndexError, ValueError, ConfigError) as exc:
            self._parsed_version = -1  # drop the half-changed parse: the text was not touched
            raise ConfigError(f"cannot change {touched}: it does not have the shape this edit needs "
                              f"({exc}); fix it in the YAML tab") from exc
        self._regenerate()

    def _require_doc(self) -> None:
        if self.doc is None:
            raise ConfigError("the YAML has a syntax error: fix it in the YAML tab before editing forms")
        if not isinstance(self.doc.data, dict):
            raise ConfigError("the config is not a mapping of keys (agents:, orchestrator: ...): "
                              "fix it in the YAML tab before editing forms")

    def _regenerate(self) -> None:
        assert self.doc is not None
        self.text = core.to_text(self.doc)
        self.version += 1  # parsed again on demand, so positions match the new text

    def diff(self) -> str:
        name = self.path.name if self.path else "untitled.yaml"
        lines = difflib.unified_diff(
            self.saved_text.splitlines(keepends=True), self.text.splitlines(keepends=True),
            fromfile=f"{name} (on disk)", tofile=f"{name} (after save)",
        )
        return "".join(lines)

    def save(self, path: Path | None = None) -> Path:
        target = path or self.path
        if target is None:
            raise ConfigError("no file name: choose where to save")
        target = Path(target)
        core.write_atomic(target, self.text)
        self.path = target
        self.saved_text = self.text
        return target

    def disk_changed(self) -> bool:
        """True when the file on disk no longer holds what we loaded or saved."""
        if self.path is None or not self.path.exists():
            return False
        try:
            return self.path.read_text(encoding="utf-8") != self.saved_text
        except OSError:
            return False



# ------------------------------------------------------------------------------------------------ drafts
@dataclass(frozen=True)
class Draft:
    config_path: str | None
    text: str
    saved_at: float
    file: Path


class DraftStore:
    """Unsaved text kept on disk (platformdirs state dir) so a crash or dropped SSH loses nothing."""

    def __init__(self, directory: Path | None = None):
        if directory is None:
            from platformdirs import user_state_dir

            directory = Path(user_state_dir("massgen-tui")) / "drafts"
        self.directory = directory

    def _file(self, config_path: Path | None) -> Path:
        key = str(config_path.resolve()) if config_path else "untitled"
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        return self.directory / f"{digest}.json"

    def save(self, config_path: Path | None, text: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        payload = {"config_path": str(config_path.resolve()) if config_path else None, "text": text,
                   "saved_at": time.time()}
        core.write_atomic(self._file(config_path), json.dumps(payload))

    def load(self, config_path: Path | None) -> Draft | None:
        file = self._file(config_path)
        try:
            payload = json.loads(file.read_text(encoding="utf-8"))
            return Draft(payload.get("config_path"), str(payload["text"]), float(payload.get("saved_at", 0)), file)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def clear(self, config_path: Path | None) -> None:
        try:
            self._file(config_path).unlink()
        except FileNotFoundError:
            pass
