"""The check's domain steps against real parts: the local Docker engine's images and real paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from massgen_tui.config import ConfigDocument
from massgen_tui.tui.dry_run import count_steps, run_checks
from tests.support.docker_engine import busybox_image, docker_client  # noqa: F401  (fixtures)

CONFIG = """\
agents:
  - id: present
    backend:
      type: openai
      model: gpt-4o
      enable_mcp_command_line: true
      command_line_execution_mode: docker
      command_line_docker_image: {image}
      cwd: ws
  - id: absent
    backend:
      type: openai
      model: gpt-4o
      enable_mcp_command_line: true
      command_line_execution_mode: docker
      command_line_docker_image: massgen-tui-test/never-built:nope
  - id: built
    backend:
      type: openai
      model: gpt-4o
      enable_mcp_command_line: true
      command_line_execution_mode: docker
      command_line_docker_dockerfile: missing/Dockerfile
  - id: fromfile
    backend:
      type: openai
      model: gpt-4o
      enable_mcp_command_line: true
      command_line_execution_mode: docker
      command_line_docker_dockerfile: good/Dockerfile
  - id: broken
    backend:
      type: openai
      model: gpt-4o
      enable_mcp_command_line: true
      command_line_execution_mode: docker
      command_line_docker_dockerfile: bad/Dockerfile
orchestrator:
  context_paths:
    - path: here
      permission: read
    - path: not_here
      permission: write
"""


@pytest.mark.docker
async def test_check_images_keys_and_paths(tmp_path: Path, busybox_image: str) -> None:  # noqa: F811
    (tmp_path / "ws").mkdir()
    (tmp_path / "here").mkdir()
    for name, step in (("good", "RUN echo checked > /checked"), ("bad", "RUN exit 3")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "Dockerfile").write_text(f"FROM {busybox_image}\n{step}\n")
    path = tmp_path / "massgen.yaml"
    doc = ConfigDocument.from_text(CONFIG.format(image=busybox_image), path)
    results = [r async for r in run_checks(doc, environ={"OPENAI_API_KEY": "sk-x"})]
    assert len(results) == count_steps(doc)
    by = {(r.agent, r.what): r for r in results}
    assert by[("present", "api key")].outcome == "ok"
    assert by[("present", "docker image")].outcome == "ok" and busybox_image in by[("present", "docker image")].detail
    assert by[("absent", "docker image")].outcome == "fail"
    assert "not in the local engine" in by[("absent", "docker image")].detail
    assert by[("built", "docker")].outcome == "fail" and "no Dockerfile at" in by[("built", "docker")].detail
    built = by[("fromfile", "docker image")]
    assert built.outcome == "ok" and built.detail.startswith("massgen-tui/good:") and "good/Dockerfile" in built.detail
    broken = by[("broken", "docker image")]
    assert broken.outcome == "fail" and "bad/Dockerfile failed" in broken.detail and "RUN exit 3" in broken.detail
    assert by[("present", "paths")].outcome == "ok"
    assert by[("", "context paths")].outcome == "fail" and by[("", "context paths")].detail == "missing: not_here"


async def test_missing_api_key_is_named_never_valued(tmp_path: Path) -> None:
    doc = ConfigDocument.from_text("agents:\n  - id: a\n    backend: {type: claude, model: claude-sonnet-4-20250514}\n",
                                   tmp_path / "c.yaml")
    results = [r async for r in run_checks(doc, environ={"OPENAI_API_KEY": "sk-secret-value"})]
    key = next(r for r in results if r.what == "api key")
    assert key.outcome == "fail" and key.detail == "ANTHROPIC_API_KEY is not set"
    assert all("sk-secret-value" not in r.detail for r in results)
