"""Orders packed at this station: when, by whom (optional), verified or skipped."""

from __future__ import annotations

from dataclasses import dataclass

from slipstation.store.database import Database
from slipstation.timeutil import now_iso


@dataclass(frozen=True)
class Packed:
    at: str
    station: str
    packer: str
    verified: bool
    skip_reason: str


class PackedStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def record(self, order_id: int, *, station: str, packer: str, verified: bool,
               skip_reason: str = "") -> None:
        self._db.execute("INSERT INTO packed (order_id, at, station, packer, verified, "
                         "skip_reason) VALUES (?, ?, ?, ?, ?, ?)",
                         (order_id, now_iso(), station, packer, int(verified), skip_reason))

    def last(self, order_id: int) -> Packed | None:
        rows = self._db.query("SELECT at, station, packer, verified, skip_reason FROM packed "
                              "WHERE order_id = ? ORDER BY id DESC LIMIT 1", (order_id,))
        if not rows:
            return None
        row = rows[0]
        return Packed(row["at"], row["station"], row["packer"], bool(row["verified"]),
                      row["skip_reason"])

    def count_since(self, since: str, station: str | None = None) -> int:
        if station is None:
            return int(self._db.scalar("SELECT count(*) FROM packed WHERE at >= ?", (since,)))
        return int(self._db.scalar("SELECT count(*) FROM packed WHERE at >= ? AND station = ?",
                                   (since, station)))
