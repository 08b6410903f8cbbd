"""massgen-tui's containers on the engine, whoever's session they belong to (for `docker ps` and the UI)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

from massgen_tui.docker.monitoring import stats_once
from massgen_tui.docker.sessions import AGENT, CONFIG, SESSION, session_is_dead


@dataclass
class ContainerInfo:
    id: str
    name: str
    session: str
    agent: str
    config: str
    state: str  # running, exited, created ...
    status: str  # the engine's words: "Up 3 minutes"
    image: str
    owner_alive: bool
    cpu_percent: float | None = None
    memory_bytes: int | None = None
    memory_limit: int | None = None
    pids: int | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["id"] = self.id[:12]
        return data


def list_containers(client: Any, *, with_stats: bool = False, session: str | None = None) -> list[ContainerInfo]:
    """Every massgen-tui container (one session's, when given); with one stats sample each if asked
    (~1-2 s, sampled in parallel). Blocking: call it in a thread from async code."""
    label = f"{SESSION}={session}" if session else SESSION
    rows: list[ContainerInfo] = []
    for info in client.api.containers(all=True, filters={"label": label}):
        labels = info.get("Labels") or {}
        rows.append(ContainerInfo(
            id=info["Id"], name=(info.get("Names") or ["?"])[0].lstrip("/"), session=labels.get(SESSION, ""),
            agent=labels.get(AGENT, ""), config=labels.get(CONFIG, ""), state=info.get("State", ""),
            status=info.get("Status", ""), image=info.get("Image", ""), owner_alive=not session_is_dead(labels)))
    if with_stats:
        running = [row for row in rows if row.state == "running"]

        def sample(row: ContainerInfo) -> None:
            try:
                stats = stats_once(client, row.id)
            except Exception:
                return
            if stats is not None:
                row.cpu_percent = round(stats.cpu_percent, 2)
                row.memory_bytes, row.memory_limit, row.pids = stats.memory_bytes, stats.memory_limit, stats.pids

        if running:
            with ThreadPoolExecutor(max_workers=min(8, len(running))) as pool:
                list(pool.map(sample, running))
    return rows
