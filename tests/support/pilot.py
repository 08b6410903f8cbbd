"""Pilot test helpers: wait until a condition holds (or fail saying what was awaited), and read the screen
as the user sees it."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Callable
from typing import Any


async def until(pilot: Any, condition: Callable[[], object], timeout: float = 20.0,
                what: str = "condition") -> None:
    """Pause the app in 50 ms steps until ``condition()`` is true; fail after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, f"timed out after {timeout:g}s waiting for the {what}"
        await pilot.pause(0.05)


def screen_text(app: Any) -> str:
    """What the terminal shows, as plain text (from the SVG screenshot)."""
    svg = app.export_screenshot()
    rows: dict[float, list[tuple[float, str]]] = {}
    for m in re.finditer(r'<text[^>]*x="([\d.]+)"[^>]*y="([\d.]+)"[^>]*>([^<]*)</text>', svg):
        rows.setdefault(float(m.group(2)), []).append((float(m.group(1)), html.unescape(m.group(3))))
    return "\n".join("".join(t for _, t in sorted(r)).replace("\xa0", " ") for _, r in sorted(rows.items()))
