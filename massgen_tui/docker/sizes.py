"""Sizes as Docker writes them: ``"512m"``, ``"2g"``, ``"1.5G"``, ``"1024"`` (bytes)."""

from __future__ import annotations

import re

_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([bkmgt]?)(?:i?b)?\s*$", re.IGNORECASE)


def parse_size(value: object) -> int:
    """Bytes for a size string or number. Raises ``ValueError`` with the accepted forms."""
    if isinstance(value, bool):
        raise ValueError(f"expected a size like '512m' or '2g', got {value!r}")
    if isinstance(value, int):
        if value <= 0:
            raise ValueError(f"a size must be positive, got {value}")
        return value
    if isinstance(value, float):
        if value <= 0:
            raise ValueError(f"a size must be positive, got {value}")
        return int(value)
    if isinstance(value, str):
        match = _SIZE.match(value)
        if match:
            number = float(match.group(1))
            size = int(number * _UNITS[match.group(2).lower()])
            if size <= 0:
                raise ValueError(f"a size must be positive, got {value!r}")
            return size
    raise ValueError(f"expected a size like '512m' or '2g' (units b, k, m, g), got {value!r}")


def format_size(size: float) -> str:
    """A short human form: ``1.5 GiB``, ``512 MiB``, ``12 KiB``, ``80 B``."""
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if abs(size) >= factor:
            value = size / factor
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{size:.0f} B"
