"""The audit log: every change to keys, configuration and data, with time and station.

Entries say what happened and how much (setting names, counts, which key) — never a secret and
never customer data; string details go through the log scrubber as a second line of defence.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slipstation.logs import scrub
from slipstation.timeutil import now_iso

if TYPE_CHECKING:
    from slipstation.store.database import Database

Detail = int | float | bool | str | None


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    station: str
    action: str
    detail: dict[str, Detail]


class AuditLog:
    def __init__(self, db: Database, station_name: Callable[[], str]) -> None:
        self._db = db
        self._station_name = station_name

    def record(self, action: str, **detail: Detail) -> None:
        clean = {k: scrub(v) if isinstance(v, str) else v for k, v in detail.items()}
        self._db.execute(
            "INSERT INTO audit_log (at, station, action, detail) VALUES (?, ?, ?, ?)",
            (now_iso(), self._station_name(), action, json.dumps(clean, sort_keys=True)),
        )

    def entries(self, limit: int = 200, *, after_id: int = 0) -> list[AuditEntry]:
        """The newest entries first (only those after `after_id`, when given)."""
        rows = self._db.query(
            "SELECT id, at, station, action, detail FROM audit_log WHERE id > ? "
            "ORDER BY id DESC LIMIT ?", (after_id, limit))
        return [AuditEntry(r["id"], r["at"], r["station"], r["action"],
                           json.loads(r["detail"])) for r in rows]
