"""One service per data directory: the lock a running `run` or window holds, and that
`delete-all` takes so it never deletes the files under a running station."""

from __future__ import annotations

from filelock import FileLock, Timeout

from slipstation.errors import StationBusy
from slipstation.paths import StationPaths


class ServiceLock:
    """Held for the life of a service; a second one on the same data dir is refused."""

    def __init__(self, paths: StationPaths) -> None:
        self._lock = FileLock(str(paths.service_lock))
        self._data_dir = paths.data_dir

    def acquire(self) -> None:
        """Take the lock now, or raise StationBusy."""
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            raise StationBusy(f"Another SlipStation is already running on {self._data_dir}",
                              fix="stop it first (or use another --data-dir)") from None

    def release(self) -> None:
        self._lock.release()

    def __enter__(self) -> ServiceLock:
        self.acquire()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()
