"""Property: the validator answers every input (random YAML, random edits of real configs) without raising."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from massgen_tui.config import ConfigDocument, ValidationResult, validate_document, validate_text
from massgen_tui.config.locations import format_location

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# printable text: ruamel.yaml cannot write keys/values holding YAML line-break characters (NEL, LS, PS)
printable = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\x85"),
                    max_size=20)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False),
                    printable, st.sampled_from(["openai", "docker", "2g", "${X}", "bridge", "", "-1"]))
keys = st.one_of(printable, st.sampled_from(
    ["agents", "agent", "backend", "type", "id", "mcp_servers", "orchestrator", "ui", "safety", "cwd", "model",
     "command_line_docker_memory_limit", "context_paths", "permission", "security", "url", "command", "display"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(keys, inner, max_size=4)), max_leaves=20)


def _check(result: ValidationResult) -> None:
    assert isinstance(result, ValidationResult)
    assert not result.by_code("internal"), [d.format() for d in result.by_code("internal")]
    for d in result.diagnostics:
        assert d.severity in ("error", "warning") and d.message


@SETTINGS
@given(st.text(max_size=300))
def test_random_text(text: str) -> None:
    _check(validate_text(text))


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list("agents:- id{}[]'\"#&*!|>\n  \t:backend,type?%@`")), max_size=200))
def test_random_yaml_ish_text(text: str) -> None:
    _check(validate_text(text))


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            out.extend(_paths(value, (*path, str(key))))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out.extend(_paths(value, (*path, index)))
    return out


@SETTINGS
@given(st.data())
def test_random_mutations_of_real_configs(corpus_dir: Path, data: st.DataObject) -> None:
    files = sorted((corpus_dir / "massgen-configs").rglob("*.yaml"))
    path = data.draw(st.sampled_from(files))
    doc = ConfigDocument.from_text(path.read_text())
    for _ in range(data.draw(st.integers(1, 3))):
        targets = _paths(doc.to_plain())
        if not targets:
            break
        target = format_location(data.draw(st.sampled_from(targets)))
        if data.draw(st.booleans()):
            doc.delete(target)
        else:
            doc.set_value(target, data.draw(values))
    _check(validate_document(doc))
    text = doc.to_text()
    _check(validate_text(text))
    # what is written reads back as the data that was edited (text edits and ruamel dumps alike)
    assert ConfigDocument.from_text(text).to_plain() == doc.to_plain()
