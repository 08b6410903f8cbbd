"""Config validation speed. Prints figures; asserts nothing.

1. Validating the whole corpus in one process: ms per config (and the YAML parse alone, same run).
2. Re-validating a 20-agent config after a single-key edit: through the document (set_value +
   validate_document, the TUI's form path), through the text (IncrementalValidator, the editor's
   path), and a full validate_text as the baseline.
3. Wall time of `massgen-tui validate FILE` against `python -c pass`, both measured here.

Run: .venv/bin/python benchmarks/bench_config.py
"""

from __future__ import annotations

import io
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
CORPUS = REPO.parent / "shared" / "corpus" / "massgen-configs"


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``fn`` in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def twenty_agents() -> str:
    parts = ["# benchmark: 20 agents\nagents:\n"]
    for i in range(20):
        parts.append(f"""  - id: "agent_{i}"   # agent {i}
    backend:
      type: "openai"
      model: "gpt-5-mini"
      enable_web_search: true
      cwd: "workspace_{i}"
      enable_mcp_command_line: true
      command_line_execution_mode: "docker"
      command_line_docker_memory_limit: "2g"
      command_line_docker_network_mode: "none"
      mcp_servers:
        - name: "weather"
          type: "stdio"
          command: "npx"
          args: ["-y", "@fak111/weather-mcp"]
          security:
            level: "moderate"
    system_message: |
      You are agent {i}.
      Use the weather tools.
""")
    parts.append('orchestrator:\n  snapshot_storage: "snapshots"\n  agent_temporary_workspace: "temp"\n'
                 'ui:\n  display_type: "rich_terminal"\n  logging_enabled: true\n')
    return "".join(parts)


def main() -> None:
    from ruamel.yaml import YAML

    from massgen_tui.config import ConfigDocument, IncrementalValidator, validate_document, validate_text

    files = sorted(CORPUS.rglob("*.yaml"))
    texts = [(str(p), p.read_text()) for p in files]
    validate_text(texts[0][1])  # warm imports

    def parse_all() -> None:
        for _, text in texts:
            YAML(typ="rt").load(io.StringIO(text))

    def validate_all() -> None:
        for name, text in texts:
            validate_text(text, name, environ={})

    docs = [ConfigDocument.from_text(text) for _, text in texts]

    def rules_all() -> None:
        for parsed in docs:
            validate_document(parsed, environ={})

    parse_ms = timed(parse_all, 5) / len(texts)
    validate_ms = timed(validate_all, 5) / len(texts)
    rules_ms = timed(rules_all, 5) / len(texts)
    print(f"corpus: {len(texts)} configs, one process")
    print(f"  validate_text (parse + rules)  {validate_ms:7.2f} ms/config")
    print(f"  YAML round-trip parse alone    {parse_ms:7.2f} ms/config (baseline, same run)")
    print(f"  rules on a parsed document     {rules_ms:7.2f} ms/config ({rules_ms / parse_ms:.2f}x the parse)")

    text = twenty_agents()
    doc = ConfigDocument.from_text(text)
    counter = iter(range(10**9))

    def edit_document() -> None:
        doc.set_value("agents[7].backend.model", f"gpt-{next(counter)}")
        validate_document(doc, environ={})

    incremental = IncrementalValidator(environ={})
    incremental.validate(text)

    def edit_text() -> None:
        n = next(counter)
        incremental.validate(text.replace('model: "gpt-5-mini"', f'model: "gpt-{n}"', 1))

    def full_text() -> None:
        n = next(counter)
        validate_text(text.replace('model: "gpt-5-mini"', f'model: "gpt-{n}"', 1), environ={})

    doc_ms = timed(edit_document, 50)
    inc_ms = timed(edit_text, 50)
    full_ms = timed(full_text, 20)
    print(f"20-agent config ({text.count(chr(10))} lines), one key edited, re-validated:")
    print(f"  set_value + validate_document        {doc_ms:7.2f} ms")
    print(f"  text edit + IncrementalValidator     {inc_ms:7.2f} ms")
    print(f"  text edit + full validate_text       {full_ms:7.2f} ms (baseline) -> incremental is "
          f"{full_ms / inc_ms:.1f}x faster")

    target = str(files[0])
    exe = sys.executable

    def cli() -> None:
        subprocess.run([exe, "-m", "massgen_tui", "validate", target], capture_output=True, check=False)

    def bare() -> None:
        subprocess.run([exe, "-c", "pass"], capture_output=True, check=False)

    cli()  # warm the file cache and bytecode
    bare()
    cli_ms = timed(cli, 7)
    bare_ms = timed(bare, 7)
    print("CLI wall time (median of 7):")
    print(f"  massgen-tui validate FILE  {cli_ms:7.1f} ms")
    print(f"  python -c pass             {bare_ms:7.1f} ms (baseline) -> {cli_ms / bare_ms:.1f}x, "
          f"{cli_ms - bare_ms:.0f} ms above interpreter start")


if __name__ == "__main__":
    main()
