"""Command-line entry point: argument parsing and dispatch to the headless subcommands.

This module and everything it imports at start-up stay free of Textual, Docker and mcp, so that
``massgen-tui validate`` starts fast. Each domain registers its subcommands in
``massgen_tui/commands/<domain>.py`` and imports its heavy modules inside the handler.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from massgen_tui import __version__

# Domain modules that register subcommands, in the order they appear in --help.
COMMAND_MODULES: tuple[str, ...] = (
    "massgen_tui.commands.config",
    "massgen_tui.commands.docker",
    "massgen_tui.commands.mcp",
    "massgen_tui.commands.safety",
    "massgen_tui.commands.run",
    "massgen_tui.commands.gateway",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="massgen-tui",
        description=(
            "A terminal studio for MassGen configs, Docker code execution and MCP tool safety. "
            "Run with no subcommand (optionally a CONFIG path) to open the full-screen app."
        ),
    )
    parser.add_argument("--version", action="version", version=f"massgen-tui {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:  # a domain not written yet
            if exc.name == module_name:
                continue
            raise
        module.register(subparsers)
    return parser


def _wants_app(argv: Sequence[str], parser: argparse.ArgumentParser) -> bool:
    """True when the arguments ask for the full-screen app rather than a subcommand."""
    if not argv:
        return True
    first = argv[0]
    if first.startswith("-"):
        return False
    choices = _subcommand_names(parser)
    return first not in choices


def _subcommand_names(parser: argparse.ArgumentParser) -> set[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


def run_app(argv: Sequence[str]) -> int:
    app_parser = argparse.ArgumentParser(prog="massgen-tui", description="Open the full-screen app.")
    app_parser.add_argument("config", nargs="?", help="config file to open (default: ./massgen.yaml)")
    args = app_parser.parse_args(list(argv))
    from massgen_tui.tui.launch import launch  # Textual is imported only here

    return launch(args.config)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if _wants_app(argv, parser):
        return run_app(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 for --help/--version
        return int(exc.code or 0)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return int(handler(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
