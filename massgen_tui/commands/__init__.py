"""Subcommand registration, one module per domain.

Each module exposes ``register(subparsers)`` and sets ``handler=`` on its parsers; a handler takes
the parsed ``argparse.Namespace`` and returns the exit status. Modules import only the standard
library at import time: heavy imports (Textual, docker, mcp, aiosqlite) go inside handlers.
"""
