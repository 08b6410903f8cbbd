"""A form of fields bound to locations in the config document ("agents[0].backend.model").

Each field shows the value at ``base + key``; editing it posts :class:`FieldEdited` with the value
coerced to its kind. Values the form cannot coerce are written as typed, so the core's validator
reports them: a field never swallows input silently. Fields with diagnostics get the ``-invalid``
class and show the message under them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from massgen_tui.tui.messages import FieldEdited

Kind = Literal["text", "int", "number", "bool", "choice", "list", "secret"]


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    kind: Kind = "text"
    choices: Callable[[Any], Sequence[str]] | Sequence[str] = ()
    placeholder: str = ""
    suggestions: Callable[[Any], Sequence[str]] | None = None
    default: str | None = None  # what the core uses when the key is absent (shown, never written)


def location_of(base: str, key: str) -> str:
    if not base:
        return key
    return f"{base}.{key}" if not key.startswith("[") else base + key


def coerce(kind: Kind, raw: Any) -> Any:
    if kind in ("bool", "choice"):
        return None if raw is Select.NULL or raw is None else raw
    text = str(raw).strip()
    if text == "":
        return None
    if kind == "int":
        try:
            return int(text)
        except ValueError:
            return text
    if kind == "number":
        try:
            number = float(text)
            return int(number) if number.is_integer() and "." not in text else number
        except ValueError:
            return text
    if kind == "list":
        return [item.strip() for item in text.split(",") if item.strip()]
    return str(raw)


def display(kind: Kind, value: Any) -> Any:
    if value is None:
        return False if kind == "bool" else ""
    if kind == "bool":
        return bool(value) if isinstance(value, bool) else False
    if kind == "list":
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return str(value)
    return str(value)


class FieldRow(Horizontal):
    """Label, input, and a note line for the field's diagnostic."""


class Form(VerticalScroll):
    """Fields under one base location. ``context`` is what choice callables receive (e.g. the agent data)."""

    DEFAULT_CSS = """
    Form { height: 1fr; }
    """

    def __init__(self, specs: Iterable[FieldSpec], *, id: str | None = None, classes: str | None = None):
        super().__init__(id=id, classes=classes)
        self.specs = list(specs)
        self.base = ""
        self.widgets: dict[str, Widget] = {}  # spec.key -> input widget
        self.notes: dict[str, Static] = {}
        self.choice_context: Any = None
        self.diagnostics: Sequence[Any] = ()

    def compose(self) -> ComposeResult:
        for number, spec in enumerate(self.specs):
            widget: Widget
            if spec.kind in ("choice", "bool"):  # bool as yes/no: readable without colour (NO_COLOR)
                prompt = f"(not set: {spec.default})" if spec.default else "(not set)"
                widget = Select([], allow_blank=True, compact=True, prompt=prompt, id=f"{self.id}-f{number}")
            else:
                widget = Input(placeholder=spec.placeholder, password=spec.kind == "secret", compact=True,
                               id=f"{self.id}-f{number}")
            widget.field_key = spec.key  # type: ignore[attr-defined]
            self.widgets[spec.key] = widget
            note = Static("", classes="field-note")
            note.display = False
            self.notes[spec.key] = note
            with FieldRow(classes="field"):
                yield Label(spec.label, classes="field-label")
                yield widget
            yield note

    def location(self, key: str) -> str:
        return location_of(self.base, key)

    def load(self, base: str, data: Any, context: Any = None) -> None:
        """Show the values at ``base`` in ``data`` without posting edits."""
        from massgen_tui.tui.config_access import get_value

        self.base = base
        self.choice_context = context
        for spec in self.specs:
            widget = self.widgets[spec.key]
            if widget.has_focus and base == getattr(widget, "_loaded_base", None):
                continue  # never fight the user's cursor
            value = get_value(data, self.location(spec.key))
            widget._loaded_base = base  # type: ignore[attr-defined]
            with widget.prevent(Input.Changed, Select.Changed):
                if isinstance(widget, Select) and spec.kind == "bool":
                    widget.set_options([("yes", True), ("no", False)])
                    widget.value = value if isinstance(value, bool) else Select.NULL
                elif isinstance(widget, Select):
                    choices = list(spec.choices(context) if callable(spec.choices) else spec.choices)
                    if value is not None and str(value) not in choices:
                        choices.append(str(value))
                    widget.set_options([(c, c) for c in choices])
                    widget.value = str(value) if value is not None else Select.NULL
                elif isinstance(widget, Input):
                    if spec.suggestions is not None:
                        widget.suggester = SuggestFromList(list(spec.suggestions(context)), case_sensitive=False)
                    shown = display(spec.kind, value)
                    if widget.value != shown:
                        widget.value = shown
                        widget.cursor_position = len(shown)
        self.mark(self.diagnostics)  # the marks follow the base (another agent, another server)

    def mark(self, diagnostics: Sequence[Any]) -> None:
        """Flag fields that have diagnostics at or under their location."""
        self.diagnostics = diagnostics
        for spec in self.specs:
            loc = self.location(spec.key)
            found = [d for d in diagnostics if d.location == loc or d.location.startswith((loc + ".", loc + "["))]
            widget, note = self.widgets[spec.key], self.notes[spec.key]
            widget.set_class(bool(found), "-invalid")
            if found:
                first = found[0]
                hint = f" — {first.suggestion}" if getattr(first, "suggestion", None) else ""
                note.update(("✗ " if first.severity == "error" else "! ") + first.message + hint)
                note.set_class(first.severity == "error", "-error")
                note.display = True
            else:
                note.display = False

    def widget_for(self, location: str) -> Widget | None:
        """The field for a diagnostic location: exact, else the deepest field containing it."""
        best: tuple[int, Widget] | None = None
        for spec in self.specs:
            loc = self.location(spec.key)
            inside = location == loc or location.startswith((loc + ".", loc + "["))
            if inside and (best is None or len(loc) > best[0]):
                best = (len(loc), self.widgets[spec.key])
        return best[1] if best else None

    def _edited(self, widget: Widget, raw: Any) -> None:
        key = getattr(widget, "field_key", None)
        if key is None or (not self.base and not any(s.key == key for s in self.specs)):
            return
        spec = next(s for s in self.specs if s.key == key)
        value = coerce(spec.kind, raw)
        if value is None and isinstance(widget, Input) and widget.has_focus:
            # emptied while typing: keep the key in place (so its position and comment stay) until the
            # field loses focus; an empty value is what the validator then judges
            value = ""
        self.post_message(FieldEdited(self.location(key), value))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._edited(event.input, event.value)

    def on_input_blurred(self, event: Input.Blurred) -> None:
        event.stop()
        if event.input.value.strip() == "" and getattr(event.input, "field_key", None) is not None:
            from massgen_tui.tui.config_access import get_value

            data = getattr(self.app, "session", None)
            current = get_value(data.data, self.location(event.input.field_key)) if data is not None else None
            if current == "":
                self._edited(event.input, "")  # now without focus: removes the empty key

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._edited(event.select, event.value)
