"""Small named values the engine keeps between runs: watermarks and last results."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slipstation.timeutil import now_iso

if TYPE_CHECKING:
    from slipstation.store.database import Database


class SyncState:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, key: str) -> str | None:
        value = self._db.scalar("SELECT value FROM sync_state WHERE key = ?", (key,))
        return None if value is None else str(value)

    def set(self, key: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO sync_state (key, value, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
            "updated_at = excluded.updated_at", (key, value, now_iso()))

    def delete(self, key: str) -> None:
        self._db.execute("DELETE FROM sync_state WHERE key = ?", (key,))
