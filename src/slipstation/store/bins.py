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
        return self._pairs("sku", "bin", skus)

    def skus_for_barcodes(self, codes: Iterable[str]) -> dict[str, str]:
        """barcode → SKU for those of these codes that are a product's barcode."""
        return self._pairs("barcode", "sku", (code.strip() for code in codes))

    def _pairs(self, key: str, value: str, wanted: Iterable[str]) -> dict[str, str]:
        """key → value for the rows whose `key` is one of `wanted` (500 at a query)."""
        keys = sorted({item for item in wanted if item})
        found: dict[str, str] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._db.query(f"SELECT {key}, {value} FROM bins WHERE {key} IN "
                                      f"({marks})", chunk):
                found[row[0]] = row[1]
        return found

    def by_barcode(self, barcode: str) -> Bin | None:
        rows = self._db.query("SELECT sku, barcode, bin FROM bins WHERE barcode = ? LIMIT 1",
                              (barcode,))
        return Bin(rows[0]["sku"], rows[0]["barcode"], rows[0]["bin"]) if rows else None

    def count(self) -> int:
        return int(self._db.scalar("SELECT count(*) FROM bins"))
