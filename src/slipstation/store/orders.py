"""Orders in the encrypted store: upsert by Shippo object id, look-up, search and listing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slipstation.orders.models import (
    PARSE_REVISION,
    Order,
    object_id_prefix,
    order_key,
    parse_order,
)
from slipstation.store.database import Database
from slipstation.timeutil import now_iso, parse_timestamp, to_iso

_ORDER_COLUMNS = ("object_id", "order_number", "order_key", "status", "placed_at", "shop_app",
                  "ship_to_name", "ship_to_email", "ship_to_country", "shipping_method",
                  "total_price", "currency", "weight", "weight_unit", "item_count",
                  "search_text", "is_test", "raw", "digest")
_INSERT = (f"INSERT INTO orders ({', '.join(_ORDER_COLUMNS)}, first_seen_at, updated_at) "
           f"VALUES ({', '.join('?' * len(_ORDER_COLUMNS))}, ?, ?)")
_UPDATE = (f"UPDATE orders SET {', '.join(f'{c} = ?' for c in _ORDER_COLUMNS)}, updated_at = ? "
           "WHERE id = ?")
_DIGEST_AT = _ORDER_COLUMNS.index("digest")
_CHUNK = 500  # ids per IN (...) look-up


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


def encode_raw(raw: Any) -> str:
    """What Shippo sent, as the `raw` column holds it."""
    return json.dumps(raw, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class Received:
    """One order as Shippo sent it, encoded once: the JSON stored as `raw` and its digest (with
    the parser's revision), which tells a sync that an order came back unchanged."""

    object_id: str
    json: str
    digest: str

    @classmethod
    def of(cls, raw: Any) -> Received:
        text = encode_raw(raw)
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16,
                                 salt=_DIGEST_SALT).hexdigest()
        found = raw.get("object_id") if isinstance(raw, dict) else None
        return cls(found.strip() if isinstance(found, str) else "", text, digest)


_DIGEST_SALT = f"parse{PARSE_REVISION}".encode()


def stored_order(raw: str) -> Order:
    """An order as stored: parsed from what Shippo sent (redacted, once it is), as a sync did
    before storing it (so it parses again)."""
    return parse_order(json.loads(raw))


def search_text_of(order: Order) -> str:
    """What a search finds an order by (indexed by FTS5): its number, the customer's name,
    company, email and city, and each item's SKU and title."""
    to = order.to_address
    number = order.display_number.casefold()
    key = order.key.casefold()  # '#1001' holds '1001' already: each trigram costs index space
    parts = [number, "" if key in number else key, to.name, to.company, to.email, to.city]
    parts += [part for item in order.line_items for part in (item.sku, item.title)]
    # Each part once (a SKU on several lines, a title twice): dict keeps the first's place.
    return " ".join(dict.fromkeys(part.casefold() for part in parts if part))


def _row_values(order: Order, received: Received) -> tuple[Any, ...]:
    """The order's columns, in `_ORDER_COLUMNS` order."""
    to = order.to_address
    return (order.object_id, order.order_number or None, order.key, order.status,
            to_iso(order.placed_at), order.shop_app, to.name, to.email.casefold(), to.country,
            order.shipping_method, order.total_price, order.currency, order.weight,
            order.weight_unit, order.item_count, search_text_of(order), int(order.test),
            received.json, received.digest)


MANY_MATCHES = 1000  # a text search matching this many orders pages through the date index
_WALK_CHUNKS = (1000, 2000, 4000)  # ids read newest first while a page looks for its matches
_SPREAD = 4  # a chunk whose ids span more than this many times its size is not read so


def _needle(text: str | None) -> str:
    """A search as the index holds text: case-folded, one space between words, no '#'."""
    return " ".join((text or "").strip().casefold().lstrip("#").split())


def _fts_match(text: str | None) -> str | None:
    """The FTS5 query for a search of 3+ characters (a phrase of trigrams), else None."""
    needle = _needle(text)
    return '"' + needle.replace('"', '""') + '"' if len(needle) >= 3 else None


class OrderRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    # -- writing -------------------------------------------------------------------------------
    def unchanged(self, received: Sequence[Received]) -> set[str]:
        """The Shippo ids among these whose stored order came from exactly this payload: a sync
        need not parse them, nor write anything."""
        by_id = {r.object_id: r.digest for r in received if r.object_id}
        ids = list(by_id)
        same: set[str] = set()
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            rows = self._db.query(f"SELECT object_id, digest FROM orders WHERE object_id IN "
                                  f"({','.join('?' * len(chunk))})", chunk)
            same.update(r[0] for r in rows if r[1] == by_id[r[0]])
        return same

    def upsert(self, batch: Sequence[tuple[Order, Received | Any]]) -> UpsertCounts:
        """Insert new orders, update changed ones, in one transaction; each pair is an order
        and what Shippo sent (as received, or already a `Received`). The status history
        follows by trigger.

        A redacted order keeps its redaction: only its status moves on.
        """
        counts = UpsertCounts()
        if not batch:
            return counts
        now = now_iso()
        with self._db.transaction() as conn:
            existing: dict[str, Any] = {}
            deleted: set[str] = set()
            ids = [order.object_id for order, _raw in batch]
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start:start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                for row in conn.execute(f"SELECT id, object_id, status, redacted, digest "
                                        f"FROM orders WHERE object_id IN ({marks})", chunk):
                    existing[row["object_id"]] = row
                deleted.update(r[0] for r in conn.execute(
                    f"SELECT object_id FROM deleted_orders WHERE object_id IN ({marks})", chunk))
            inserts: dict[str, tuple[Any, ...]] = {}  # by Shippo id: a page may repeat one
            updates: list[tuple[Any, ...]] = []
            statuses: list[tuple[str, str, int]] = []
            for order, raw in batch:
                received = raw if isinstance(raw, Received) else Received.of(raw)
                row = existing.get(order.object_id)
                if order.object_id in deleted:  # a person deleted it: it stays deleted
                    counts.unchanged += 1
                elif order.object_id in inserts:
                    same = inserts[order.object_id][_DIGEST_AT] == received.digest
                    inserts[order.object_id] = (*_row_values(order, received), now, now)
                    counts.unchanged += same
                    counts.updated += not same
                elif row is None:
                    inserts[order.object_id] = (*_row_values(order, received), now, now)
                    counts.new += 1
                elif row["redacted"]:
                    if row["status"] == order.status:
                        counts.unchanged += 1
                    else:
                        statuses.append((order.status, now, row["id"]))
                        counts.updated += 1
                elif row["digest"] == received.digest:
                    counts.unchanged += 1
                else:
                    updates.append((*_row_values(order, received), now, row["id"]))
                    counts.updated += 1
            conn.executemany(_INSERT, list(inserts.values()))
            conn.executemany(_UPDATE, updates)
            conn.executemany("UPDATE orders SET status = ?, updated_at = ? WHERE id = ?",
                             statuses)
        return counts

    # -- reading -------------------------------------------------------------------------------
    _SELECT = ("SELECT o.id, o.raw, o.first_seen_at, o.redacted, "
               "(SELECT count(*) FROM print_jobs p WHERE p.order_id = o.id AND p.state = 'done' "
               "AND p.kind != 'label') AS print_count FROM orders o")  # slips, not labels

    def _stored(self, rows: Iterable[Any]) -> list[StoredOrder]:
        return [StoredOrder(r["id"], stored_order(r["raw"]), r["print_count"],
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

    def by_object_ids(self, object_ids: Sequence[str]) -> dict[str, StoredOrder]:
        """These orders by Shippo id, read together (ids not stored are left out)."""
        return {s.order.object_id: s
                for s in self._stored_in("o.object_id", list(dict.fromkeys(object_ids)))}

    def _stored_in(self, column: str, values: Sequence[Any]) -> list[StoredOrder]:
        """The orders whose `column` is one of these values, read a chunk of values at a time."""
        found: list[StoredOrder] = []
        for start in range(0, len(values), _CHUNK):
            chunk = values[start:start + _CHUNK]
            found += self._stored(self._db.query(
                f"{self._SELECT} WHERE {column} IN ({','.join('?' * len(chunk))})", chunk))
        return found

    def search(self, *, status: str | None = None, text: str | None = None,
               printed: bool | None = None, limit: int = 1000,
               offset: int = 0) -> list[StoredOrder]:
        clauses, params = self._filters(status, text, printed)
        source = ""
        match = _fts_match(text)
        if match is not None and not status and self._db.scalar(
                "SELECT count(*) FROM (SELECT 1 FROM orders_fts WHERE orders_fts MATCH ? "
                f"LIMIT {MANY_MATCHES})", (match,)) == MANY_MATCHES:
            if limit >= 0 and offset + limit <= MANY_MATCHES:
                ids = self._newest_matching(match, printed, offset + limit)
                if ids is not None:
                    return self._by_ids(ids[offset:])
            # Otherwise, still many matches: walk the date index newest first and keep the
            # matching ones, rather than read every match's row to sort them (400 → 30 ms).
            source = " INDEXED BY orders_placed_at"
        rows = self._db.query(f"{self._SELECT}{source}{clauses} ORDER BY o.placed_at DESC, "
                              "o.id DESC LIMIT ? OFFSET ?", [*params, limit, offset])
        return self._stored(rows)

    def _newest_matching(self, match: str, printed: bool | None, wanted: int) -> list[int] | None:
        """The ids of the `wanted` newest orders the index matches (fewer if that is all),
        newest first: ids read from the date index a chunk at a time, each chunk's matches
        asked of the index within the chunk's id range. A page of a common SKU costs ~2 ms at
        100k orders instead of ~30 ms for gathering all 40,000 matches first. None when that
        would not be quick: a chunk's ids spread over much of the table (orders stored out of
        date order) or the matches too sparse for the chunks."""
        where, params = self._filters(None, None, printed)
        after = " AND " if where else " WHERE "
        found: list[int] = []
        last: tuple[str, int] | None = None
        for size in _WALK_CHUNKS:
            keyset = f"{after}(o.placed_at, o.id) < (?, ?)" if last else ""
            chunk = [(r[0], r[1]) for r in self._db.query(
                f"SELECT o.id, o.placed_at FROM orders o INDEXED BY orders_placed_at{where}"
                f"{keyset} ORDER BY o.placed_at DESC, o.id DESC LIMIT ?",
                [*params, *((last[1], last[0]) if last else ()), size])]
            if not chunk:
                return found
            last = chunk[-1]
            low, high = min(i for i, _at in chunk), max(i for i, _at in chunk)
            if high - low >= _SPREAD * len(chunk):
                return None
            hits = {r[0] for r in self._db.query(
                "SELECT rowid FROM orders_fts WHERE orders_fts MATCH ? AND rowid BETWEEN ? AND ?",
                (match, low, high))}
            found += [i for i, _at in chunk if i in hits]
            if len(found) >= wanted:
                return found[:wanted]
        return None

    def _by_ids(self, ids: Sequence[int]) -> list[StoredOrder]:
        """These orders by row id, in the order given (ids no longer stored are left out)."""
        by_id = {s.id: s for s in self._stored_in("o.id", ids)}
        return [by_id[i] for i in ids if i in by_id]

    def with_raw(self, *, email: str | None = None) -> list[tuple[StoredOrder, str]]:
        """Every order, or one customer's (by email), newest first, each with the JSON Shippo
        sent (redacted, once it is)."""
        where, params = (" WHERE o.ship_to_email = ?", [email.strip().casefold()]) if email \
            else ("", [])
        rows = self._db.query(f"{self._SELECT}{where} ORDER BY o.placed_at DESC, o.id DESC",
                              params)
        return list(zip(self._stored(rows), (r["raw"] for r in rows), strict=True))

    def count(self, *, status: str | None = None, text: str | None = None,
              printed: bool | None = None) -> int:
        match = _fts_match(text)
        if match is not None and not status and printed is None:  # the index alone knows
            return int(self._db.scalar(
                "SELECT count(*) FROM orders_fts WHERE orders_fts MATCH ?", (match,)))
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
        match = _fts_match(text)
        if match is not None:  # the trigram index: any substring of 3+ characters
            clauses.append("o.id IN (SELECT rowid FROM orders_fts WHERE orders_fts MATCH ?)")
            params.append(match)
        elif needle := _needle(text):  # too short for trigrams: a scan
            escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            clauses.append("o.search_text LIKE ? ESCAPE '\\'")
            params.append(f"%{escaped}%")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def order(self, order_id: int) -> Order | None:
        """One stored order by its row id (None when it was deleted)."""
        raw = self._db.scalar("SELECT raw FROM orders WHERE id = ?", (order_id,))
        return None if raw is None else stored_order(raw)

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
