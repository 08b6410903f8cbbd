"""A log view that takes any number of lines per second: lines are queued and written to the
screen in one ``write_lines`` every 50 ms (never one widget write per line), memory is bounded
(``max_lines`` kept for filtering and shown), ANSI escapes are stripped (``Log`` would print them raw).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable

from textual.widgets import Log

from massgen_tui.tui.monitoring import strip_ansi

FLUSH_EVERY_S = 0.05
_NEEDS_CLEANING = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_lines(lines: Iterable[str]) -> list[str]:
    """Lines without escapes; one C-speed scan of the whole batch when nothing needs cleaning."""
    batch = lines if isinstance(lines, list) else list(lines)
    if not _NEEDS_CLEANING.search("".join(batch)):
        return batch
    return [strip_ansi(line) for line in batch]


class LogView(Log):
    """``feed(lines)`` from the event loop at any rate; the screen catches up every 50 ms."""

    DEFAULT_CSS = """
    LogView { height: 1fr; border: round $panel-lighten-2; }
    LogView:focus { border: round $accent; }
    """

    def __init__(self, *, max_lines: int = 10_000, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(max_lines=max_lines, auto_scroll=True, id=id, classes=classes)
        self.kept: deque[str] = deque(maxlen=max_lines)  # what a new filter is applied to
        self._pending: deque[str] = deque(maxlen=max_lines)  # not yet on screen (older ones would scroll off)
        self.filter_text = ""
        self.received = 0  # lines fed since the last reset (for tests and the status line)
        self.dropped = 0  # lines that scrolled off before being drawn (a flood faster than the screen)
        self._flusher = None

    def on_mount(self) -> None:
        self._flusher = self.set_interval(FLUSH_EVERY_S, self.flush, name="log-flush")

    # ------------------------------------------------------------------ input
    def feed(self, lines: Iterable[str]) -> None:
        batch = clean_lines(lines)
        self.received += len(batch)
        self.kept.extend(batch)
        if self.filter_text:
            needle = self.filter_text
            batch = [line for line in batch if needle in line.lower()]
        if len(self._pending) + len(batch) > self._pending.maxlen:  # type: ignore[operator]
            self.dropped += len(self._pending) + len(batch) - self._pending.maxlen  # type: ignore[operator]
        self._pending.extend(batch)

    def flush(self) -> None:
        if not self._pending:
            return
        lines = list(self._pending)
        self._pending.clear()
        self.write_lines(lines)

    # ------------------------------------------------------------------ view
    def set_filter(self, text: str) -> None:
        """Show only lines containing ``text`` (case-insensitive), re-applied to every kept line."""
        self.filter_text = text.strip().lower()
        self._pending.clear()
        self.clear()
        needle = self.filter_text
        lines = [line for line in self.kept if needle in line.lower()] if needle else list(self.kept)
        if lines:
            self.write_lines(lines)

    def reset(self, heading: str | None = None) -> None:
        """Forget everything (another container, another since-window)."""
        self.kept.clear()
        self._pending.clear()
        self.received = 0
        self.dropped = 0
        self.clear()
        if heading:
            self.feed([heading])

    @property
    def follow(self) -> bool:
        return bool(self.auto_scroll)

    @follow.setter
    def follow(self, on: bool) -> None:
        self.auto_scroll = on
        if on:
            self.scroll_end(animate=False)
