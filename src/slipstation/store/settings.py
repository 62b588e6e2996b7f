"""The settings table: one JSON value per key (the declarations are in `slipstation.config`)."""

from __future__ import annotations

import json
from typing import Any

from slipstation.store.database import Database
from slipstation.timeutil import now_iso


class SettingsTable:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, key: str) -> Any:
        """The stored value, or None when the key was never set."""
        stored = self._db.scalar("SELECT value FROM settings WHERE key = ?", (key,))
        return None if stored is None else json.loads(stored)

    def all(self) -> dict[str, Any]:
        return {row["key"]: json.loads(row["value"])
                for row in self._db.query("SELECT key, value FROM settings")}

    def put(self, values: dict[str, Any]) -> None:
        """Store every value in one transaction."""
        now = now_iso()
        with self._db.transaction() as conn:
            conn.executemany(
                "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
                "updated_at = excluded.updated_at",
                [(key, json.dumps(value), now) for key, value in values.items()])

    def delete(self, keys: list[str] | None = None) -> int:
        """Forget these keys (all when None); returns how many were stored."""
        if keys is None:
            return self._db.execute("DELETE FROM settings")
        return sum(self._db.execute("DELETE FROM settings WHERE key = ?", (key,))
                   for key in keys)
