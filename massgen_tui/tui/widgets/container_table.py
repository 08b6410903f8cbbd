"""The containers table: one keyed row per container, cells rewritten only where their text changed."""

from __future__ import annotations

import time
from collections.abc import Sequence

from rich.text import Text

from massgen_tui.tui.monitoring import ContainerRow
from massgen_tui.tui.widgets.plain_table import PlainTable

BARS = "▁▂▃▄▅▆▇█"
SPARK_WIDTH = 10

COLUMNS: tuple[tuple[str, str], ...] = (
    ("agent", "Agent"), ("state", "State"), ("up", "Up"), ("cpu", "CPU %"), ("cpu_spark", "CPU"),
    ("mem", "Memory"), ("mem_spark", "Mem"), ("pids", "PIDs"), ("net", "Net rx/tx"), ("block", "Block r/w"),
    ("note", "Events"), ("image", "Image"), ("name", "Name"),
)


def sparkline(values: Sequence[float], width: int = SPARK_WIDTH, top: float | None = None) -> str:
    """The last ``width`` values as block characters (scaled to ``top``, or to the largest value)."""
    recent = list(values)[-width:]
    if not recent:
        return ""
    high = top if top else max(max(recent), 1e-9)
    out = []
    for value in recent:
        level = round(min(max(value, 0.0) / high, 1.0) * (len(BARS) - 1))
        out.append(BARS[level])
    return "".join(out).rjust(width)


def human_bytes(n: int | None) -> str:
    if n is None:
        return "-"
    size = float(n)
    for unit in ("B", "K", "M", "G", "T"):
        if size < 1024 or unit == "T":
            return f"{size:.0f}{unit}" if unit == "B" or size >= 100 else f"{size:.1f}{unit}"
        size /= 1024
    return f"{size:.1f}T"


def uptime(started_at: float | None, state: str, now: float | None = None) -> str:
    if started_at is None or state != "running":
        return "-"
    seconds = max(0, int((now or time.time()) - started_at))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}m"
    return f"{seconds // 86400}d{(seconds % 86400) // 3600}h"


STATE_STYLE = {"running": "green", "exited": "yellow", "dead": "red", "gone": "dim", "created": "cyan",
               "paused": "cyan", "restarting": "magenta", "removing": "dim"}


def row_cells(row: ContainerRow, note: str = "", now: float | None = None) -> dict[str, str | Text]:
    """The text of every column for one container."""
    state = row.state if row.owner_alive or row.state == "gone" else f"{row.state} (orphan)"
    mem = "-"
    if row.memory_bytes is not None:
        mem = human_bytes(row.memory_bytes) + (f"/{human_bytes(row.memory_limit)}" if row.memory_limit else "")
    running = row.state == "running"
    return {
        "agent": row.agent or "?",
        "state": Text(state, style=STATE_STYLE.get(row.state, "")),
        "up": uptime(row.started_at, row.state, now),
        "cpu": f"{row.cpu_percent:.1f}" if row.cpu_percent is not None and running else "-",
        "cpu_spark": sparkline(row.cpu_history, top=max(100.0, max(row.cpu_history, default=0.0))) if running else "",
        "mem": mem if running else "-",
        "mem_spark": sparkline(row.mem_history, top=100.0) if running else "",
        "pids": str(row.pids) if row.pids is not None and running else "-",
        "net": f"{human_bytes(row.net_rx)}/{human_bytes(row.net_tx)}" if running else "-",
        "block": f"{human_bytes(row.block_read)}/{human_bytes(row.block_write)}" if running else "-",
        "note": Text(note, style="bold red" if ("OOM" in note or "killed" in note or "crash" in note) else "yellow"),
        "image": row.image,
        "name": row.name,
    }


class ContainerTable(PlainTable):
    """Keyed by container id. :meth:`apply` adds, updates (changed cells only) and marks vanished rows."""

    DEFAULT_CSS = """
    ContainerTable { height: auto; max-height: 45%; min-height: 4; border: round $panel-lighten-2; }
    ContainerTable:focus { border: round $accent; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self.rows_by_id: dict[str, ContainerRow] = {}
        self._shown: dict[str, dict[str, str]] = {}  # id -> column key -> plain text on screen
        self.notes: dict[str, str] = {}
        self.cell_updates = 0  # how many cells were rewritten (tests check that unchanged ones are not)

    def on_mount(self) -> None:
        for key, label in COLUMNS:
            self.add_column(label, key=key)

    @property
    def selected_id(self) -> str | None:
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:
            return None
        return str(key.value) if key.value is not None else None

    def set_note(self, container_id: str, note: str) -> None:
        self.notes[container_id] = note
        row = self.rows_by_id.get(container_id)
        if row is not None:
            self._update(row)

    def apply(self, rows: Sequence[ContainerRow], now: float | None = None) -> None:
        """Bring the table to ``rows``: containers the engine no longer lists stay, marked "gone"."""
        seen = set()
        for row in rows:
            seen.add(row.id)
            self.rows_by_id[row.id] = row
            self._update(row, now)
        for cid, old in list(self.rows_by_id.items()):
            if cid not in seen and old.state != "gone":
                old.state = "gone"
                old.cpu_percent = None
                self.notes.setdefault(cid, "vanished")
                self._update(old, now)

    def drop_gone(self) -> None:
        for cid, row in list(self.rows_by_id.items()):
            if row.state == "gone":
                self.remove_row(cid)
                self.rows_by_id.pop(cid, None)
                self._shown.pop(cid, None)

    def _update(self, row: ContainerRow, now: float | None = None) -> None:
        cells = row_cells(row, self.notes.get(row.id, ""), now)
        plain = {key: (value.plain if isinstance(value, Text) else value) for key, value in cells.items()}
        shown = self._shown.get(row.id)
        if shown is None:
            self.add_row(*(cells[key] for key, _ in COLUMNS), key=row.id)
            self._shown[row.id] = plain
            return
        for key, _ in COLUMNS:
            if shown.get(key) != plain[key]:
                self.update_cell(row.id, key, cells[key])
                shown[key] = plain[key]
                self.cell_updates += 1
