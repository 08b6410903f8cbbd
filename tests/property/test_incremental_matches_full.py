"""Property: the incremental validator always gives the same answer as a full parse."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from massgen_tui.config.incremental import IncrementalValidator
from massgen_tui.config.validation import validate_text

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

snippets = st.sampled_from(["  ", "-", ":", "#", "x", "agents:", "  - id: z", "    backend:", "\n", "'", "[", "]",
                            "      type: opnai", "model: q", "orchestrator:", "ui:", "  cwd: w", "${HOME_X}", "&a", "*a"])


def _edit(text: str, data: st.DataObject) -> str:
    lines = text.splitlines(keepends=True) or [""]
    index = data.draw(st.integers(0, len(lines) - 1))
    kind = data.draw(st.sampled_from(["delete", "duplicate", "insert", "change", "indent", "dedent"]))
    line = lines[index]
    if kind == "delete":
        del lines[index]
    elif kind == "duplicate":
        lines.insert(index, line)
    elif kind == "insert":
        lines.insert(index, data.draw(snippets) + "\n")
    elif kind == "change":
        cut = data.draw(st.integers(0, len(line)))
        lines[index] = line[:cut] + data.draw(snippets) + line[cut:]
    elif kind == "indent":
        lines[index] = "  " + line
    else:
        lines[index] = line[2:] if line.startswith("  ") else line
    return "".join(lines)


@SETTINGS
@given(st.data())
def test_successive_edits_match_full_validation(corpus_dir: Path, data: st.DataObject) -> None:
    files = sorted((corpus_dir / "massgen-configs").rglob("*.yaml"))
    text = data.draw(st.sampled_from(files)).read_text()
    validator = IncrementalValidator(environ={})
    for _ in range(data.draw(st.integers(1, 6))):
        text = _edit(text, data)
        assert validator.validate(text).diagnostics == validate_text(text, environ={}).diagnostics, text
