"""The user's data rights as services: export (all, CSV, one customer), redact one customer,
delete orders. The CLI and the GUI call these through `Station`."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from slipstation import __version__
from slipstation.orders.models import ADDRESS_FIELDS
from slipstation.store.database import Database
from slipstation.store.orders import (
    OrderRepository,
    StoredOrder,
    encode_raw,
    search_text_of,
    stored_order,
)
from slipstation.store.retention import compact
from slipstation.timeutil import now_iso, to_iso

REDACTED = "[REDACTED]"
# Country stays: it is not personal on its own, and routing and statistics use it.
REDACT_FIELDS = tuple(f for f in ADDRESS_FIELDS if f != "country")
DATA_RIGHTS = (
    "This export holds the data SlipStation keeps on this station. You may access it, take it "
    "elsewhere (this file is the portable copy), and have it erased: `slipstation delete-order`, "
    "`delete-orders --all`, `redact --email`, `delete-all --confirm DELETE`. API keys are not "
    "exported; they are shown masked and stay in the OS keyring."
)
CSV_COLUMNS = ("order_number", "object_id", "status", "placed_at", "ship_to_name",
               "ship_to_company", "ship_to_street1", "ship_to_street2", "ship_to_city",
               "ship_to_state", "ship_to_zip", "ship_to_country", "ship_to_email",
               "shipping_method", "item_count", "skus", "total_price", "currency",
               "print_count", "redacted", "packed_at")


def _all_orders(db: Database) -> list[StoredOrder]:
    return OrderRepository(db).search(limit=-1)


def _orders_export(db: Database, email: str | None = None) -> list[dict[str, Any]]:
    """Every order (or one customer's), parsed and as Shippo sent it, from one query."""
    return [{**stored.order.to_dict(), "print_count": stored.print_count,
             "first_seen_at": stored.first_seen_at, "redacted": stored.redacted,
             "raw": json.loads(raw)}
            for stored, raw in OrderRepository(db).with_raw(email=email)]


def export_json(db: Database, *, station: dict[str, Any], settings: dict[str, Any],
                keys: dict[str, str]) -> bytes:
    jobs = [dict(r) for r in db.query("SELECT * FROM print_jobs ORDER BY id")]
    events = [dict(r) for r in db.query("SELECT * FROM print_job_events ORDER BY id")]
    audit = [{**dict(r), "detail": json.loads(r["detail"])}
             for r in db.query("SELECT at, station, action, detail FROM audit_log ORDER BY id")]
    app_log = [dict(r) for r in db.query("SELECT at, level, logger, message FROM app_log "
                                         "ORDER BY id")]
    document = {
        "exported_at": now_iso(), "slipstation_version": __version__,
        "your_data_rights": DATA_RIGHTS,
        "station": station, "api_keys": keys, "settings": settings,
        "orders": _orders_export(db),
        "print_jobs": jobs, "print_job_events": events, "audit_log": audit, "app_log": app_log,
        "packed": [dict(r) for r in db.query("SELECT * FROM packed ORDER BY id")],
        "bins": [dict(r) for r in db.query("SELECT * FROM bins ORDER BY sku")],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def export_csv(db: Database) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    packed = {row[0]: row[1] for row in db.query("SELECT order_id, max(at) FROM packed "
                                                 "GROUP BY order_id")}
    for stored in _all_orders(db):
        order, to = stored.order, stored.order.to_address
        writer.writerow([order.display_number, order.object_id, order.status,
                         to_iso(order.placed_at), to.name, to.company, to.street1, to.street2,
                         to.city, to.state, to.zip, to.country, to.email,
                         order.shipping_method, order.item_count,
                         " ".join(i.sku for i in order.line_items if i.sku),
                         order.total_price or "", order.currency, stored.print_count,
                         int(stored.redacted), packed.get(stored.id, "")])
    return buffer.getvalue().encode("utf-8")


def _customer_ids(db: Database, email: str) -> list[int]:
    return [r[0] for r in db.query("SELECT id FROM orders WHERE ship_to_email = ?",
                                   (email.strip().casefold(),))]


def export_customer(db: Database, email: str) -> tuple[bytes, int]:
    orders = _orders_export(db, email)
    addresses = {json.dumps(o["to_address"], sort_keys=True) for o in orders}
    document = {"exported_at": now_iso(), "your_data_rights": DATA_RIGHTS,
                "customer_email": email.strip(), "addresses": [json.loads(a) for a in
                                                               sorted(addresses)],
                "orders": orders}
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8"), len(orders)


def _redact_address(address: dict[str, Any]) -> None:
    for field in REDACT_FIELDS:
        if address.get(field):
            address[field] = REDACTED


def redact_customer(db: Database, email: str) -> int:
    """Replace one customer's name, contact and address with [REDACTED] in every order (parsed
    and raw), keeping the order rows. Returns how many orders changed."""
    ids = _customer_ids(db, email)
    with db.transaction() as conn:
        for order_id in ids:
            raw = json.loads(conn.execute("SELECT raw FROM orders WHERE id = ?",
                                          (order_id,)).fetchone()["raw"])
            _redact_address(raw["to_address"])  # stored orders have one (parse_order)
            if raw.get("notes"):
                raw["notes"] = REDACTED
            redacted = encode_raw(raw)
            conn.execute(
                "UPDATE orders SET raw = ?, ship_to_name = ?, ship_to_email = '', "
                "search_text = ?, redacted = 1, updated_at = ? WHERE id = ?",
                (redacted, REDACTED, search_text_of(stored_order(redacted)), now_iso(),
                 order_id))
    if ids:
        compact(db)
    return len(ids)


def delete_orders(db: Database, order_ids: list[int]) -> int:
    """Delete orders with their items, history and print jobs; remember only their Shippo ids
    so a later sync does not bring them back (or print them again)."""
    with db.transaction() as conn:
        for order_id in order_ids:
            row = conn.execute("SELECT object_id, placed_at FROM orders WHERE id = ?",
                               (order_id,)).fetchone()
            if row is None:
                continue
            conn.execute("INSERT OR REPLACE INTO deleted_orders (object_id, placed_at, "
                         "deleted_at) VALUES (?, ?, ?)", (row["object_id"], row["placed_at"],
                                                          now_iso()))
            conn.execute("DELETE FROM orders WHERE id = ?", (order_id,))
    if order_ids:
        compact(db)
    return len(order_ids)


def all_order_ids(db: Database) -> list[int]:
    return [r[0] for r in db.query("SELECT id FROM orders")]


