"""Files written for the user (slips, exports): owner-only and atomic, never half-written."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from slipstation.errors import SlipStationError


def write_private(path: Path, data: bytes) -> Path:
    """Write `data` to `path` with mode 0600 via a temporary file in the same folder."""
    path = path.expanduser()
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise SlipStationError(f"Cannot write {path}: no folder {folder}.")
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise SlipStationError(f"Cannot write {path}: {exc.strerror}.") from None
    try:
        if hasattr(os, "fchmod"):  # POSIX; on Windows mkstemp's file is already private
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return path
