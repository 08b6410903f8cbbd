from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from massgen_tui.docker import CommandRejectedError, DockerSettings, DockerSettingsError, ExecResult
from massgen_tui.docker.command_filters import check_command
from massgen_tui.docker.monitoring import _frames, compute_stats
from massgen_tui.docker.mounts import plan_mounts, run_as
from massgen_tui.docker.output import CappedOutput, StreamDecoder
from massgen_tui.docker.sessions import PID, PID_START, SessionIdentity, session_is_dead
from massgen_tui.docker.sizes import format_size, parse_size


def test_sizes() -> None:
    assert parse_size("512m") == 512 * 1024**2 and parse_size("2G") == 2 * 1024**3 and parse_size(1024) == 1024
    assert parse_size("1.5gb") == int(1.5 * 1024**3) and parse_size("10k") == 10240
    for bad in ("", "lots", "-1m", 0, True, "1x"):
        with pytest.raises(ValueError):
            parse_size(bad)
    assert format_size(64 * 1024**2) == "64 MiB" and format_size(1536) == "1.5 KiB"


@given(st.lists(st.binary(max_size=300), max_size=40), st.integers(min_value=2, max_value=500))
def test_capped_output_keeps_head_and_tail(pieces: list[bytes], limit: int) -> None:
    capped = CappedOutput(limit)
    for piece in pieces:
        capped.add(piece)
    whole = b"".join(pieces)
    assert capped.total == len(whole)
    if len(whole) <= limit:
        assert capped.cut == 0 and capped.text() == whole.decode("utf-8", "replace")
    else:
        assert capped.cut == len(whole) - limit
        assert bytes(capped.head) == whole[: limit // 2]
        tail = b"".join(capped.tail)[-(limit - limit // 2):]
        assert tail == whole[len(whole) - (limit - limit // 2):]
        assert f"[... {capped.cut} bytes of output cut" in capped.text()


def test_stream_decoder_joins_split_characters() -> None:
    decoder = StreamDecoder()
    data = "héllo ✓".encode()
    assert decoder.decode("stdout", data[:2]) + decoder.decode("stdout", data[2:]) == "héllo ✓"


def test_command_filters_match_from_the_start_as_massgen() -> None:
    check_command("ls -la", ["ls", "cat"], [])
    check_command("echo rm -rf", [], [r"rm\s"])  # re.match: only at the start
    with pytest.raises(CommandRejectedError, match="allowed list"):
        check_command("python x.py", ["ls"], [])
    with pytest.raises(CommandRejectedError, match=r"blocked pattern 'rm\\\\s'"):
        check_command("rm -rf /", [], [r"rm\s"])


def test_exec_result_exit_codes() -> None:
    base = dict(stdout="", stderr="", duration_s=1.0)
    assert ExecResult(exit_code=3, reason="exited", **base).cli_exit_code == 3
    assert ExecResult(exit_code=137, reason="timeout", **base).cli_exit_code == 124
    assert ExecResult(exit_code=137, reason="oom", **base).cli_exit_code == 137
    assert ExecResult(exit_code=1, reason="container_died", **base).cli_exit_code == 137
    assert "out-of-memory" in ExecResult(exit_code=137, reason="oom", **base).summary()


def test_session_liveness() -> None:
    me = SessionIdentity()
    labels = me.labels("a")
    assert not session_is_dead(labels)
    assert session_is_dead({**labels, PID: "999999999"})
    assert session_is_dead({**labels, PID_START: "1"})  # our PID, but started at another time: reused
    assert session_is_dead({**labels, "massgen-tui.boot-id": "another-boot"})
    assert not session_is_dead({**labels, PID: "999999999", "massgen-tui.host": "elsewhere"})
    assert session_is_dead({k: v for k, v in labels.items() if k != PID})


def test_mount_plan_orders_and_refuses(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    context = tmp_path / "ctx"
    context.mkdir()
    (context / "keep").write_text("x")
    settings = DockerSettings.from_backend({"cwd": str(workspace)}, context_paths=[
        {"path": str(context), "permission": "write", "protected_paths": ["keep"]}])
    mounts = plan_mounts(settings)
    assert workspace.is_dir()
    assert [(m.reason, m.read_only) for m in mounts] == [("workspace", False), ("context", False), ("protected", True)]
    assert run_as(settings) == (os.stat(workspace).st_uid, os.stat(workspace).st_gid)
    sock = tmp_path / "docker.sock"
    sock.write_text("")
    with pytest.raises(DockerSettingsError, match="engine socket"):
        plan_mounts(DockerSettings.from_backend({}, context_paths=[{"path": str(sock)}]))
    with pytest.raises(DockerSettingsError, match="contains the Docker socket"):
        plan_mounts(DockerSettings.from_backend({}, context_paths=[{"path": str(tmp_path)}]),
                    environ={"DOCKER_HOST": f"unix://{tmp_path}/sub/d.sock"})


def test_stats_computed_as_the_docker_cli() -> None:
    raw = {
        "cpu_stats": {"cpu_usage": {"total_usage": 3_000_000}, "system_cpu_usage": 20_000_000, "online_cpus": 2},
        "precpu_stats": {"cpu_usage": {"total_usage": 1_000_000}, "system_cpu_usage": 10_000_000},
        "memory_stats": {"usage": 100, "limit": 1000, "stats": {"total_inactive_file": 30}},
        "networks": {"eth0": {"rx_bytes": 5, "tx_bytes": 7}, "eth1": {"rx_bytes": 1, "tx_bytes": 1}},
        "blkio_stats": {"io_service_bytes_recursive": [{"op": "Read", "value": 4}, {"op": "Write", "value": 9},
                                                       {"op": "read", "value": 1}]},
        "pids_stats": {"current": 6},
    }
    stats = compute_stats(raw, "id", "n")
    assert stats is not None
    assert stats.cpu_percent == pytest.approx(40.0)  # 2e6 / 10e6 * 2 CPUs * 100
    assert (stats.memory_bytes, stats.memory_limit) == (70, 1000) and stats.memory_percent == pytest.approx(7.0)
    assert (stats.net_rx, stats.net_tx, stats.block_read, stats.block_write, stats.pids) == (6, 8, 5, 9, 6)
    raw["memory_stats"]["stats"] = {"inactive_file": 50}  # cgroup v2
    assert compute_stats(raw).memory_bytes == 50
    assert compute_stats({"cpu_stats": {}, "precpu_stats": {}}) is None  # first sample


def test_frames_parser_splits_multiplexed_stream_across_chunks() -> None:
    payloads = [(1, b"out\n"), (2, b"err\n"), (1, b"x" * 70000)]
    data = b"".join(struct.pack(">BxxxL", s, len(p)) + p for s, p in payloads)
    chunks = [data[i:i + 1000] for i in range(0, len(data), 1000)]
    assert list(_frames(iter(chunks))) == payloads
