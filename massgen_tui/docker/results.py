"""What a command run in a container produced and why it ended."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

EndReason = Literal["exited", "timeout", "oom", "container_died"]
TIMEOUT_EXIT = 124  # as coreutils timeout
KILLED_EXIT = 137  # 128 + SIGKILL


@dataclass(frozen=True)
class ExecResult:
    exit_code: int  # the command's status; 124 after a timeout, 137 when killed
    stdout: str
    stderr: str
    duration_s: float
    reason: EndReason
    command: str = ""
    stdout_bytes: int = 0  # total produced, kept or not
    stderr_bytes: int = 0
    stdout_cut: int = 0  # bytes dropped from the middle
    stderr_cut: int = 0
    container: str = ""  # container name

    @property
    def truncated(self) -> bool:
        return bool(self.stdout_cut or self.stderr_cut)

    @property
    def ok(self) -> bool:
        return self.reason == "exited" and self.exit_code == 0

    @property
    def cli_exit_code(self) -> int:
        """The status the ``exec`` command exits with."""
        if self.reason == "timeout":
            return TIMEOUT_EXIT
        if self.reason in ("oom", "container_died"):
            return KILLED_EXIT
        return self.exit_code

    def summary(self) -> str:
        if self.reason == "timeout":
            return f"timed out after {self.duration_s:.1f} s; its processes were killed"
        if self.reason == "oom":
            return "killed by the out-of-memory killer (over the container's memory limit)"
        if self.reason == "container_died":
            return "the container stopped while the command ran"
        return f"exited with status {self.exit_code} after {self.duration_s:.2f} s"
