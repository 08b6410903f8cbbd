"""Values of the command-line execution keys, shared by validation, the models and the UI."""

from __future__ import annotations

import re

EXECUTION_MODES: tuple[str, ...] = ("local", "docker", "srt")
NETWORK_MODES: tuple[str, ...] = ("none", "bridge", "host")
# massgen-tui's template Dockerfiles (dockerfiles/<name>), chosen with command_line_docker_template
DOCKER_TEMPLATES: tuple[str, ...] = ("minimal", "python", "node", "datascience")

MIN_MEMORY = 6 * 1024 * 1024  # the Docker engine refuses a smaller memory limit
_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([bkmgt]?)(?:i?b)?\s*$", re.IGNORECASE)


def size_in_bytes(value: object) -> int | None:
    """Bytes for a Docker size ("512m", "2g", 1073741824); None when it is not a size."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        match = _SIZE.match(value)
        if match:
            return int(float(match.group(1)) * _UNITS[match.group(2).lower()])
    return None
