"""Orders in the encrypted store: upsert by Shippo object id, look-up, search and listing."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slipstation.orders.models import Order, object_id_prefix, order_key
from slipstation.store.database import Database
from slipstation.timeutil import now_iso, parse_timestamp, to_iso

_ORDER_COLUMNS = ("object_id", "order_number", "order_key", "status", "placed_at", "shop_app",
                  "ship_to_name", "ship_to_email", "ship_to_country", "shipping_method",
                  "total_price", "currency", "weight", "weight_unit", "item_count",
                  "search_text", "is_test", "data", "raw")


@dataclass
class UpsertCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class StoredOrder:
    id: int
    order: Order
    print_count: int
    first_seen_at: str
    redacted: bool


def search_text_of(order: Order) -> str:
    """What a search finds an order by (indexed by FTS5): its number, the customer's name,
    company, email and city, and each item's SKU and title."""
    to = order.to_address
    parts = [order.display_number, order.key, to.name, to.company, to.email, to.city]
    parts += [part for item in order.line_items for part in (item.sku, item.title)]
    return " ".join(part for part in parts if part).casefold()


def _row_values(order: Order, raw: Any) -> dict[str, Any]:
    data = json.dumps(order.to_dict(), ensure_ascii=False, separators=(",", ":"))
    return {
        "object_id": order.object_id, "order_number": order.order_number or None,
        "order_key": order.key, "status": order.status, "placed_at": to_iso(order.placed_at),
        "shop_app": order.shop_app, "ship_to_name": order.to_address.name,
        "ship_to_email": order.to_address.email.casefold(),
        "ship_to_country": order.to_address.country, "shipping_method": order.shipping_method,
        "total_price": order.total_price, "currency": order.currency, "weight": order.weight,
        "weight_unit": order.weight_unit, "item_count": order.item_count,
        "search_text": search_text_of(order), "is_test": int(order.test), "data": data,
        "raw": json.dumps(raw, ensure_ascii=False, separators=(",", ":")),
    }


class OrderRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    # -- writing -------------------------------------------------------------------------------
    def upsert(self, batch: Sequence[tuple[Order, Any]]) -> UpsertCounts:
        """Insert new orders, update changed ones (status history kept), in one transaction.

        A redacted order keeps its redaction: only its status moves on.
        """
        counts = UpsertCounts()
        if not batch:
            return counts
        now = now_iso()
        with self._db.transaction() as conn:
            ids = [order.object_id for order, _raw in batch]
            existing: dict[str, Any] = {}
            deleted: set[str] = set()
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                marks = ",".join("?" * len(chunk))
                for row in conn.execute(
                        f"SELECT id, object_id, status, data, raw, redacted FROM orders "
                        f"WHERE object_id IN ({marks})", chunk):
                    existing[row["object_id"]] = row
                deleted.update(r[0] for r in conn.execute(
                    f"SELECT object_id FROM deleted_orders WHERE object_id IN ({marks})", chunk))
            for order, raw in batch:
                if order.object_id in deleted:  # a person deleted it: it stays deleted
                    counts.unchanged += 1
                    continue
                values = _row_values(order, raw)
                row = existing.get(order.object_id)
                if row is None:
                    order_id = self._insert(conn, values, now)
                    conn.execute("INSERT INTO order_status_history (order_id, status, seen_at) "
                                 "VALUES (?, ?, ?)", (order_id, order.status, now))
                    existing[order.object_id] = {"id": order_id, "status": order.status,
                                                 "data": values["data"], "raw": values["raw"],
                                                 "redacted": 0}
                    counts.new += 1
                    continue
                status_changed = row["status"] != order.status
                if row["redacted"]:
                    if not status_changed:
                        counts.unchanged += 1
                        continue
                    conn.execute("UPDATE orders SET status = ?, updated_at = ? WHERE id = ?",
                                 (order.status, now, row["id"]))
                elif row["raw"] == values["raw"] and row["data"] == values["data"]:
                    counts.unchanged += 1
                    continue
                else:
                    assignments = ", ".join(f"{c} = :{c}" for c in _ORDER_COLUMNS)
                    conn.execute(f"UPDATE orders SET {assignments}, updated_at = :now "
                                 f"WHERE id = :id", {**values, "now": now, "id": row["id"]})
                if status_changed:
                    conn.execute("INSERT INTO order_status_history (order_id, status, seen_at) "
                                 "VALUES (?, ?, ?)", (row["id"], order.status, now))
                counts.updated += 1
        return counts

    @staticmethod
    def _insert(conn: Any, values: dict[str, Any], now: str) -> int:
        columns = ", ".join(_ORDER_COLUMNS)
        marks = ", ".join(f":{c}" for c in _ORDER_COLUMNS)
        cursor = conn.execute(
            f"INSERT INTO orders ({columns}, first_seen_at, updated_at) "
            f"VALUES ({marks}, :now, :now)", {**values, "now": now})
        return int(cursor.lastrowid)

    # -- reading -------------------------------------------------------------------------------
    _SELECT = ("SELECT o.id, o.data, o.first_seen_at, o.redacted, "
               "(SELECT count(*) FROM print_jobs p WHERE p.order_id = o.id AND p.state = 'done' "
               "AND p.kind != 'label') AS print_count FROM orders o")  # slips, not labels

    def _stored(self, rows: Iterable[Any]) -> list[StoredOrder]:
        return [StoredOrder(r["id"], Order.from_dict(json.loads(r["data"])), r["print_count"],
                            r["first_seen_at"], bool(r["redacted"])) for r in rows]

    def find(self, number: str) -> StoredOrder | None:
        """By order number as typed or scanned ('#1068', '1068'), by Shippo object id, or by
        the short key a slip's barcode carries when its number cannot ('S' and 16 digits)."""
        key = order_key(number)
        if not key:
            return None
        prefix = object_id_prefix(number)
        if prefix is not None:  # the id range starting with those 48 bits
            rows = self._db.query(f"{self._SELECT} WHERE o.object_id >= ? AND o.object_id < ? "
                                  "ORDER BY o.placed_at DESC LIMIT 1", (prefix, prefix + "g"))
            if rows:
                return self._stored(rows)[0]
        rows = self._db.query(f"{self._SELECT} WHERE o.order_key = ? OR o.object_id = ? "
                              "ORDER BY o.placed_at DESC LIMIT 1", (key, number.strip()))
        found = self._stored(rows)
        return found[0] if found else None

    def search(self, *, status: str | None = None, text: str | None = None,
               printed: bool | None = None, limit: int = 1000,
               offset: int = 0) -> list[StoredOrder]:
        clauses, params = self._filters(status, text, printed)
        rows = self._db.query(f"{self._SELECT}{clauses} ORDER BY o.placed_at DESC, o.id DESC "
                              "LIMIT ? OFFSET ?", [*params, limit, offset])
        return self._stored(rows)

    def count(self, *, status: str | None = None, text: str | None = None,
              printed: bool | None = None) -> int:
        clauses, params = self._filters(status, text, printed)
        return int(self._db.scalar(f"SELECT count(*) FROM orders o{clauses}", params))

    @staticmethod
    def _filters(status: str | None, text: str | None,
                 printed: bool | None = None) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if printed is not None:
            clauses.append(("" if printed else "NOT ") + "EXISTS (SELECT 1 FROM print_jobs p "
                           "WHERE p.order_id = o.id AND p.state = 'done' AND p.kind != 'label')")
        if status:
            clauses.append("o.status = ?")
            params.append(status.upper())
        if text and text.strip():
            needle = " ".join(text.strip().casefold().lstrip("#").split())
            if len(needle) >= 3:  # the trigram index: any substring of 3+ characters
                clauses.append("o.id IN (SELECT rowid FROM orders_fts WHERE orders_fts MATCH ?)")
                params.append('"' + needle.replace('"', '""') + '"')
            else:  # too short for trigrams: a scan
                escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                clauses.append("o.search_text LIKE ? ESCAPE '\\'")
                params.append(f"%{escaped}%")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def order(self, order_id: int) -> Order | None:
        """One stored order by its row id (None when it was deleted)."""
        data = self._db.scalar("SELECT data FROM orders WHERE id = ?", (order_id,))
        return None if data is None else Order.from_dict(json.loads(data))

    def oldest_placed(self, statuses: Sequence[str], *, since: datetime) -> datetime | None:
        """When the oldest order in these statuses, placed since then, was placed."""
        marks = ",".join("?" * len(statuses))
        return parse_timestamp(self._db.scalar(
            f"SELECT min(placed_at) FROM orders WHERE status IN ({marks}) AND placed_at >= ?",
            [*statuses, to_iso(since)]))

    def status_history(self, order_id: int) -> list[tuple[str, str]]:
        rows = self._db.query("SELECT status, seen_at FROM order_status_history "
                              "WHERE order_id = ? ORDER BY id", (order_id,))
        return [(r["status"], r["seen_at"]) for r in rows]
