"""Writing files the user owns: atomically, so a crash never leaves half a config behind."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from massgen_tui.config.errors import ConfigError


def write_atomic(path: str | Path, text: str, *, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` via a temp file in the same folder, fsync and ``os.replace``.

    An existing file keeps its permission bits; a new one gets the usual 0o666 minus umask.
    Raises :class:`ConfigError` with the path when the folder is missing or not writable.
    """
    path = Path(path)
    target = path.resolve() if path.is_symlink() else path  # write through symlinks, keep the link
    folder = target.parent
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    except OSError as exc:
        raise ConfigError(f"cannot write: {exc.strerror or exc}", path=str(path)) from exc
    tmp_name: str | None = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "w", encoding=encoding, newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, target)
        tmp_name = None
        with contextlib.suppress(OSError):  # make the rename itself durable
            dir_fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
    except FileNotFoundError as exc:
        raise ConfigError(f"cannot write: folder {folder} does not exist", path=str(path)) from exc
    except OSError as exc:
        raise ConfigError(f"cannot write: {exc.strerror or exc}", path=str(path)) from exc
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
