"""Every real MassGen config of the corpus either gives a run plan or a clear AgentRunError naming
the config location; nothing else escapes (no traceback for a user)."""

from __future__ import annotations

from pathlib import Path

from massgen_tui.agents import AgentRunError, read_plan
from massgen_tui.agents.providers import PROVIDERS
from massgen_tui.config import ConfigError, load_document


def test_corpus_configs_plan_or_fail_clearly(corpus_dir: Path) -> None:
    environ = {p.api_key_env: "sk-test" for p in PROVIDERS.values() if p.api_key_env}
    planned, refused = 0, 0
    for path in sorted((corpus_dir / "massgen-configs").rglob("*.yaml")):
        try:
            doc = load_document(path)
        except ConfigError:
            continue
        try:
            plan = read_plan(doc, environ=environ)
        except AgentRunError as exc:
            refused += 1
            lines = str(exc).splitlines()
            assert lines[0].endswith("cannot start the run:") and str(path) in lines[0]
            assert all(line.startswith("  - agent") for line in lines[1:]), str(exc)
            continue
        planned += 1
        assert plan.agents and all(a.endpoint.model for a in plan.agents)
        assert plan.coordination.timeout_s > 0
    assert planned > 2 * refused  # most real configs use backends we run
