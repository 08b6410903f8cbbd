"""The docker CLI's argument handling, without an engine."""

from __future__ import annotations

from massgen_tui.cli import build_parser


def test_exec_takes_everything_after_dashes_as_the_command() -> None:
    args = build_parser().parse_args(["exec", "c.yaml", "--agent", "a", "--timeout", "5", "--", "ls", "-la", "--x"])
    assert (args.config, args.agent, args.timeout, args.command) == ("c.yaml", "a", 5.0, ["ls", "-la", "--x"])
    args = build_parser().parse_args(["exec", "--agent", "a", "c.yaml", "--", "echo hi; exit 3"])
    assert args.command == ["echo hi; exit 3"]


def test_docker_subcommands_parse() -> None:
    parser = build_parser()
    assert parser.parse_args(["docker", "ps", "--json"]).json
    build = parser.parse_args(["docker", "build", "python", "--base", "img", "--tag", "t", "--build-arg", "A=1"])
    assert (build.source, build.base, build.tag, build.build_arg) == ("python", "img", "t", ["A=1"])
    assert parser.parse_args(["docker", "clean", "--all"]).all
