"""Config subcommands: validate, migrate, export, schema, init, presets.

Only the standard library is imported here; each handler imports what it needs.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("validate", help="check config files; exit 0 valid, 1 problems, 2 unreadable",
                              description="Check MassGen config files and print every problem with its line.")
    p.add_argument("configs", nargs="+", metavar="CONFIG", help="config files to check")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors for the exit status")
    p.set_defaults(handler=run_validate)

    p = subparsers.add_parser("migrate", help="upgrade legacy spellings to the current config form",
                              description="Show the changes that upgrade a config; write them only with --write.")
    p.add_argument("config", metavar="CONFIG")
    p.add_argument("--write", action="store_true", help="write the upgraded config back (atomically)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the upgraded config to FILE instead")
    p.set_defaults(handler=run_migrate)

    p = subparsers.add_parser("export", help="convert a config to yaml, json or toml (secrets redacted)",
                              description="Print a config as YAML, JSON or TOML. API keys, tokens and auth headers "
                                          "are redacted unless --include-secrets is given.")
    p.add_argument("config", metavar="CONFIG")
    p.add_argument("--format", choices=("yaml", "json", "toml"), default="yaml")
    p.add_argument("--include-secrets", action="store_true", help="keep secret values as written")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(handler=run_export)

    p = subparsers.add_parser("schema", help="print the JSON Schema of a config file",
                              description="Print the JSON Schema of MassGen config files, for editors.")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(handler=run_schema)

    p = subparsers.add_parser("init", help="write a new config from a preset",
                              description="Write a new config from one of the presets (see: massgen-tui presets).")
    p.add_argument("--preset", default="single", metavar="NAME", help="preset name (default: single)")
    p.add_argument("-o", "--output", default="massgen.yaml", metavar="FILE", help="file to write (default: massgen.yaml)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(handler=run_init)

    p = subparsers.add_parser("presets", help="list the config presets", description="List the config presets.")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=run_presets)


def _err(message: str) -> None:
    print(f"massgen-tui: {message}", file=sys.stderr)


def run_validate(args: argparse.Namespace) -> int:
    from massgen_tui.config.errors import ConfigError
    from massgen_tui.config.validation import validate_file

    files: list[dict[str, Any]] = []
    unreadable = False
    failed = False
    lines: list[str] = []
    for name in args.configs:
        try:
            result = validate_file(name)
        except ConfigError as exc:
            unreadable = True
            files.append({"file": name, "valid": False, "error_count": 1, "warning_count": 0,
                          "errors": [{"location": "", "line": None, "column": None, "message": str(exc),
                                      "suggestion": "check the path", "code": "unreadable"}],
                          "warnings": []})
            lines.append(f"{name}: error: <file>: {str(exc).removeprefix(name + ': ')}")
            continue
        errors, warnings = result.errors, result.warnings
        ok = not errors and not (args.strict and warnings)
        failed = failed or not ok
        files.append({"file": name, "valid": result.valid, "error_count": len(errors),
                      "warning_count": len(warnings), "errors": [d.to_json() for d in errors],
                      "warnings": [d.to_json() for d in warnings]})
        lines.extend(d.format(name) for d in result.diagnostics)
    if args.json:
        valid = not unreadable and all(f["valid"] for f in files)
        if args.strict:
            valid = valid and all(f["warning_count"] == 0 for f in files)
        print(json.dumps({"valid": valid, "files": files}, indent=2))
    else:
        for line in lines:
            print(line)
        if not lines:
            print(f"{len(files)} config{'s' if len(files) != 1 else ''} valid")
    if unreadable:
        return 2
    return 1 if failed else 0


def run_migrate(args: argparse.Namespace) -> int:
    from massgen_tui.config.errors import ConfigError
    from massgen_tui.config.migration import migrate_file

    try:
        return migrate_file(args.config, write=args.write, output=args.output)
    except ConfigError as exc:
        _err(str(exc))
        return 2


def run_export(args: argparse.Namespace) -> int:
    from massgen_tui.config.document import load_document
    from massgen_tui.config.errors import ConfigError
    from massgen_tui.config.export import export_document
    from massgen_tui.config.files import write_atomic

    try:
        doc = load_document(args.config)
        text = export_document(doc, args.format, include_secrets=args.include_secrets)
        if args.output:
            write_atomic(args.output, text)
        else:
            sys.stdout.write(text)
    except ConfigError as exc:
        _err(str(exc))
        return 2
    return 0


def run_schema(args: argparse.Namespace) -> int:
    from massgen_tui.config.errors import ConfigError
    from massgen_tui.config.files import write_atomic
    from massgen_tui.config.models import json_schema

    text = json.dumps(json_schema(), indent=2) + "\n"
    if args.output:
        try:
            write_atomic(args.output, text)
        except ConfigError as exc:
            _err(str(exc))
            return 2
    else:
        sys.stdout.write(text)
    return 0


def run_init(args: argparse.Namespace) -> int:
    from massgen_tui.config.errors import ConfigError
    from massgen_tui.config.presets import write_preset

    try:
        path = write_preset(args.preset, args.output, force=args.force)
    except ConfigError as exc:
        _err(str(exc))
        return 2
    print(f"wrote {path} from preset {args.preset!r}; check it with: massgen-tui validate {path}")
    return 0


def run_presets(args: argparse.Namespace) -> int:
    from massgen_tui.config.presets import list_presets

    presets = list_presets()
    if args.json:
        print(json.dumps([{"name": p.name, "description": p.description, "path": str(p.path)} for p in presets],
                         indent=2))
    else:
        width = max((len(p.name) for p in presets), default=0)
        for preset in presets:
            print(f"{preset.name.ljust(width)}  {preset.description}")
    return 0
