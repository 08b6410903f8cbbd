"""Waiting in Pilot tests: let the app run until a condition holds, or fail saying what was awaited."""

from __future__ import annotations

import asyncio
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
