"""Files written for the user (slips, exports): owner-only and atomic, never half-written."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from pathlib import Path

from slipstation.errors import SlipStationError, UsageError


def write_private(path: Path, data: bytes, *, sync: bool = True) -> Path:
    """Write `data` to `path` with mode 0600 via a temporary file in the same folder. Only a
    new path or a regular file is written: never a folder, a FIFO or a device. `sync=False`
    leaves making it durable to the caller (`sync_files`, once for a whole batch)."""
    if not str(path).strip():
        raise UsageError("No output file named; give a path like -o slips.pdf.")
    path = path.expanduser()
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"Cannot write {path}: no folder {folder}.")
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise SlipStationError(f"Cannot write {path}: {exc.strerror}.") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise UsageError(f"Cannot write {path}: it is a folder; name a file in it.")
    if mode is not None and not stat.S_ISREG(mode):
        raise UsageError(f"Cannot write {path}: it is not a regular file (a device or pipe).")
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
            if sync:
                os.fsync(handle.fileno())
        os.replace(temp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise SlipStationError(f"Cannot write {path}: {exc.strerror or exc}; nothing was "
                               "written.") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return path


def sync_files(paths: list[Path]) -> None:
    """Make files written with `sync=False` durable, with their folders' entries. On Linux one
    sync(2) of the disks, which waits for the writes (a flush per file costs ~0.2 ms even when
    clean); elsewhere a flush of each file (opened for writing: Windows flushes no read-only
    handle) and, where the system can, of each folder."""
    if not paths:
        return
    if sys.platform.startswith("linux"):
        os.sync()
        return
    for path in paths:
        _flush(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    if os.name != "nt":  # a folder cannot be opened to flush on Windows
        for folder in {path.parent for path in paths}:
            _flush(folder, os.O_RDONLY)


def _flush(path: Path, flags: int) -> None:
    try:
        fd = os.open(path, flags)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise SlipStationError(f"Cannot write {path}: {exc.strerror}.") from None


def safe_filename(text: str) -> str:
    """A file name's worth of `text`: letters, digits, '-' and '_' (anything else '_')."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text)[:80] or "order"
