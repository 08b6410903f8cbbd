"""``massgen-tui run CONFIG "TASK" [--approvals deny|prompt] [--json]``: run a config's agents on a
task without the UI. Progress goes to stderr, the final answer to stdout (with ``--json``: one JSON
event per line on stdout). Exit status: 0 a final answer was given, 1 the run failed or timed out
without one, 2 the config cannot be run (unreadable, unsupported backend, missing API key),
130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: Any) -> None:
    run = subparsers.add_parser(
        "run", help="run a config's agents on a task (headless) and print the final answer",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("config", metavar="CONFIG", help="a MassGen config file (YAML)")
    run.add_argument("task", metavar="TASK", help="the task for the agents")
    run.add_argument("--approvals", choices=("deny", "prompt"), default="deny",
                     help="calls the safety policy asks about: deny them (default) or prompt on the terminal")
    run.add_argument("--json", action="store_true", help="print every event as one JSON object per line on stdout")
    run.add_argument("--max-turns", type=int, default=25, metavar="N", help="model turns per agent round (default 25)")
    run.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                     help="override timeout_settings.orchestrator_timeout_seconds")
    run.add_argument("--quiet", action="store_true", help="no model text in the progress (tools, answers, votes only)")
    run.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    import asyncio
    import json
    import logging

    from massgen_tui.agents import AgentRunError, Run, RunOptions
    from massgen_tui.agents.progress import ProgressPrinter
    from massgen_tui.agents.safety_glue import headless_approver
    from massgen_tui.config import ConfigError, load_document

    logging.getLogger("mcp").setLevel(logging.CRITICAL)
    if args.max_turns < 1:
        print("massgen-tui run: --max-turns must be at least 1", file=sys.stderr)
        return 2
    try:
        doc = load_document(args.config)
        options = RunOptions(max_turns=args.max_turns, orchestrator_timeout_s=args.timeout)
        run = Run.from_config(doc, args.task, options=options, approver=headless_approver(args.approvals))
    except (ConfigError, AgentRunError) as exc:
        print(f"massgen-tui run: {exc}", file=sys.stderr)
        return 2

    def emit_json(event: Any) -> None:
        sys.stdout.write(json.dumps(event.to_dict(), ensure_ascii=False, default=str) + "\n")
        sys.stdout.flush()

    printer = ProgressPrinter(lambda text: (sys.stderr.write(text), sys.stderr.flush()), show_text=not args.quiet)

    async def main() -> Any:
        async for event in run.events():
            if args.json:
                emit_json(event)
            else:
                printer(event)
        return await run.wait()

    try:
        record = asyncio.run(main())
    except KeyboardInterrupt:
        print("massgen-tui run: interrupted", file=sys.stderr)
        return 130
    if record.status == "cancelled":
        return 130
    if record.final_answer is None:
        if not args.json:
            print(f"massgen-tui run: no final answer ({record.status}): {record.error}", file=sys.stderr)
        return 1
    if not args.json:
        sys.stdout.write(record.final_answer.rstrip("\n") + "\n")
    return 0
