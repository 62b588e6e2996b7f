"""Bin locations: which shelf each SKU sits on, and the barcode its packaging carries. One
table in the encrypted database, replaced whole by each import (a bins file is the full map)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from slipstation.store.database import Database


@dataclass(frozen=True)
class Bin:
    sku: str
    barcode: str
    bin: str


class BinStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def replace_all(self, bins: Iterable[Bin]) -> int:
        """The new map, in one transaction: all of it or, on any failure, none."""
        rows = [(b.sku, b.barcode, b.bin) for b in bins]
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM bins")
            conn.executemany("INSERT INTO bins (sku, barcode, bin) VALUES (?, ?, ?)", rows)
        return len(rows)

    def all(self) -> list[Bin]:
        return [Bin(r["sku"], r["barcode"], r["bin"])
                for r in self._db.query("SELECT sku, barcode, bin FROM bins ORDER BY sku")]

    def for_skus(self, skus: Iterable[str]) -> dict[str, str]:
        """sku → bin for the SKUs that have one."""
        wanted = sorted({sku for sku in skus if sku})
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._db.query(f"SELECT sku, bin FROM bins WHERE sku IN ({marks})",
                                      chunk):
                found[row["sku"]] = row["bin"]
        return found

    def skus_for_barcodes(self, codes: Iterable[str]) -> dict[str, str]:
        """barcode → SKU for those of these codes that are a product's barcode."""
        wanted = sorted({code.strip() for code in codes if code.strip()})
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._db.query(f"SELECT barcode, sku FROM bins WHERE barcode IN ({marks})",
                                      chunk):
                found[row["barcode"]] = row["sku"]
        return found

    def by_barcode(self, barcode: str) -> Bin | None:
        rows = self._db.query("SELECT sku, barcode, bin FROM bins WHERE barcode = ? LIMIT 1",
                              (barcode,))
        return Bin(rows[0]["sku"], rows[0]["barcode"], rows[0]["bin"]) if rows else None

    def count(self) -> int:
        return int(self._db.scalar("SELECT count(*) FROM bins"))
