"""The client against published servers, each installed in its own environment:
@modelcontextprotocol/server-filesystem (npm) and mcp-server-git (PyPI)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from pathlib import Path

import pytest

from massgen_tui.mcp import CallOutcome, HookDecision, MCPServerSpec, ReconnectPolicy, ServerManager, ToolCall
from tests.support.mcp_servers import ensure_published_servers
from tests.support.requirements import need

pytestmark = [pytest.mark.mcp, pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def published() -> tuple[Path, Path]:
    git, filesystem = ensure_published_servers()
    need(git.exists(), f"mcp-server-git at {git} (scripts/setup-test-env.sh installs it)")
    need(filesystem.exists(), f"mcp-server-filesystem at {filesystem} (scripts/setup-test-env.sh installs it)")
    return git, filesystem


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"}
    (repo / "README.md").write_text("hello\n")
    for cmd in (["git", "init", "-q", "-b", "main"], ["git", "add", "README.md"], ["git", "commit", "-q", "-m", "first commit"]):
        subprocess.run(cmd, cwd=repo, check=True, env=env)
    (repo / "README.md").write_text("hello\nchanged\n")
    return repo


class PathGuard:
    """Denies writes outside ``allowed`` and redirects writes of ``draft.txt`` to ``draft.safe.txt``."""

    name = "path-guard"

    def __init__(self, root: Path) -> None:
        self.root = root
        self.seen: list[str] = []
        self.outcomes: list[str] = []

    async def before_call(self, call: ToolCall) -> HookDecision | None:
        self.seen.append(call.prefixed_name)
        if call.tool == "write_file":
            path = str(call.arguments.get("path", ""))
            if path.endswith("secret.txt"):
                return HookDecision.deny("writing secret.txt is not allowed", decided_by="policy")
            if path.endswith("draft.txt"):
                return HookDecision.allow(arguments={**call.arguments, "path": str(self.root / "draft.safe.txt")})
        return None

    async def after_call(self, call: ToolCall, outcome: CallOutcome) -> None:
        self.outcomes.append(f"{call.tool}:{outcome.status}")


def server_pids(marker: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if marker in cmdline and "server-filesystem" in cmdline and int(entry.name) != os.getpid():
                pids.append(int(entry.name))
    return pids


async def test_filesystem_server_list_filter_call_deny_rewrite(published: tuple[Path, Path], tmp_path: Path) -> None:
    _, filesystem = published
    root = tmp_path / "root"
    root.mkdir()
    (root / "notes.txt").write_text("first line\n")
    specs = MCPServerSpec.from_backend(
        {
            "exclude_tools": ["mcp__fs__move_file"],
            "mcp_servers": [{"name": "fs", "command": str(filesystem), "args": [str(root)], "exclude_tools": ["edit_file"]}],
        }
    )
    guard = PathGuard(root)
    async with ServerManager(specs, hooks=[guard]) as manager:
        assert manager.status()["fs"].ready, manager.status()["fs"].reason
        tools = {t.name: t for t in manager.tools("fs")}
        assert "read_text_file" in tools and "write_file" in tools
        assert "move_file" not in tools and "edit_file" not in tools
        assert tools["read_text_file"].annotations.read_only_hint is True
        assert tools["write_file"].annotations.destructive_hint is True

        read = await manager.call_tool("fs", "read_text_file", {"path": str(root / "notes.txt")})
        assert read.status == "ok" and "first line" in read.text

        denied = await manager.call_tool("fs", "write_file", {"path": str(root / "secret.txt"), "content": "x"})
        assert denied.status == "denied" and "secret.txt" in denied.reason
        rewritten = await manager.call_tool("fs", "write_file", {"path": str(root / "draft.txt"), "content": "draft"})
        assert rewritten.status == "ok", rewritten.text

        outside = await manager.call_tool("fs", "read_text_file", {"path": "/etc/hostname"})
        assert outside.status == "tool_error" and "outside allowed directories" in outside.text.lower()
    # The server never saw the denied write: the file does not exist. The rewrite went where the hook said.
    assert not (root / "secret.txt").exists()
    assert not (root / "draft.txt").exists()
    assert (root / "draft.safe.txt").read_text() == "draft"
    assert guard.outcomes == ["read_text_file:ok", "write_file:denied", "write_file:ok", "read_text_file:tool_error"]


async def test_filesystem_server_killed_mid_session_is_reconnected(published: tuple[Path, Path], tmp_path: Path) -> None:
    _, filesystem = published
    root = tmp_path / "killroot"
    root.mkdir()
    (root / "a.txt").write_text("alive")
    specs = MCPServerSpec.from_backend({"mcp_servers": [{"name": "fs", "command": str(filesystem), "args": [str(root)]}]})
    policy = ReconnectPolicy(initial_delay_s=0.1, jitter=0)
    async with ServerManager(specs, policy=policy) as manager:
        assert (await manager.call_tool("fs", "read_text_file", {"path": str(root / "a.txt")})).text == "alive"
        pids = server_pids(str(root))
        assert pids, "the filesystem server process was not found"
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        for _ in range(100):
            if manager.status()["fs"].status != "ready":
                break
            await asyncio.sleep(0.05)
        result = await manager.call_tool("fs", "read_text_file", {"path": str(root / "a.txt")}, timeout=30)
        assert result.status == "ok" and result.text == "alive"
        new_pids = server_pids(str(root))
        assert new_pids and not set(new_pids) & set(pids)
    assert server_pids(str(root)) == []  # clean shutdown: no stray server process


async def test_git_server_in_its_own_environment(published: tuple[Path, Path], repo: Path) -> None:
    git, _ = published
    specs = MCPServerSpec.from_backend(
        {
            "mcp_servers": [
                {
                    "name": "git",
                    "command": str(git),
                    "args": ["--repository", str(repo)],
                    "allowed_tools": ["git_status", "mcp__git__git_log", "git_reset"],
                }
            ]
        }
    )

    class NoReset:
        name = "no-reset"

        async def before_call(self, call: ToolCall) -> HookDecision | None:
            return HookDecision.deny("resets lose work") if call.tool == "git_reset" else None

        async def after_call(self, call: ToolCall, outcome: CallOutcome) -> None:
            return None

    async with ServerManager(specs, hooks=[NoReset()]) as manager:
        assert manager.status()["git"].ready, manager.status()["git"].reason
        assert sorted(t.name for t in manager.tools()) == ["git_log", "git_reset", "git_status"]
        status = await manager.call_tool("git", "git_status", {"repo_path": str(repo)})
        assert status.status == "ok" and "README.md" in status.text
        log = await manager.call_tool("git", "git_log", {"repo_path": str(repo)})
        assert "first commit" in log.text
        reset = await manager.call_tool("git", "git_reset", {"repo_path": str(repo)})
        assert reset.status == "denied"
        hidden = await manager.call_tool("git", "git_commit", {"repo_path": str(repo), "message": "x"})
        assert hidden.status == "denied" and "allowed_tools" in hidden.reason
    assert (repo / "README.md").read_text() == "hello\nchanged\n"  # the denied reset never ran
