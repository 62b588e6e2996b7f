"""Where a station keeps its files: one data directory per profile."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from slipstation import APP_NAME
from slipstation.errors import SlipStationError

DATA_DIR_ENV = "SLIPSTATION_DATA_DIR"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def resolve_data_dir(cli_value: str | os.PathLike[str] | None, *, demo: bool = False) -> Path:
    """`--data-dir` beats `SLIPSTATION_DATA_DIR` beats platformdirs.

    Demo mode lives in a `demo` folder inside whichever directory was chosen, so its data and its
    keyring scope (derived from the path) never mix with a real station's.
    """
    raw = cli_value or os.environ.get(DATA_DIR_ENV) or default_data_dir()
    base = Path(raw).expanduser().resolve()
    return base / "demo" if demo else base


@dataclass(frozen=True)
class StationPaths:
    """Every file a station owns, derived from its data directory."""

    data_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "slipstation.db"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "slipstation.log"

    @property
    def sounds_dir(self) -> Path:
        """The scan results' short sounds (made on first use; nothing personal in them)."""
        return self.data_dir / "sounds"

    @property
    def service_lock(self) -> Path:
        return self.data_dir / "service.lock"

    def ensure(self) -> None:
        """Create the directories owner-only; the database and logs live inside."""
        for folder in (self.data_dir, self.log_dir):
            try:
                folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            except OSError as exc:
                what = "is a file, not a folder" if folder.exists() else \
                    (exc.strerror or type(exc).__name__).lower()
                raise SlipStationError(f"Cannot use the data folder {folder}: {what}",
                                       fix="choose another with --data-dir or fix its "
                                       "permissions") from None
