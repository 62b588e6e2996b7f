"""Numbered schema migrations; the version lives in `PRAGMA user_version`.

Each migration runs in its own transaction together with the version bump, so a crash leaves the
database at the last version that finished. Append new migrations; never edit a shipped one.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from slipstation.errors import StoreError


class Migratable(Protocol):
    """What migrating needs of the database (`store.database.Database` is one)."""

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any: ...

    def transaction(self) -> AbstractContextManager[Any]: ...


MIGRATIONS: list[tuple[str, ...]] = [
    # 1: the base schema.
    (
        """CREATE TABLE orders (
            id              INTEGER PRIMARY KEY,
            object_id       TEXT NOT NULL UNIQUE,      -- Shippo's id: the upsert key
            order_number    TEXT,                       -- as Shippo sends it; may be null
            order_key       TEXT NOT NULL,              -- normalised number (no '#', upper case)
            status          TEXT NOT NULL,
            placed_at       TEXT NOT NULL,              -- ISO 8601, UTC
            shop_app        TEXT,
            ship_to_name    TEXT,
            ship_to_email   TEXT,
            ship_to_country TEXT,
            shipping_method TEXT,
            total_price     TEXT,
            currency        TEXT,
            weight          TEXT,
            weight_unit     TEXT,
            item_count      INTEGER NOT NULL DEFAULT 0,
            search_text     TEXT NOT NULL DEFAULT '',  -- case-folded number, name, email, SKUs
            is_test         INTEGER NOT NULL DEFAULT 0,
            redacted        INTEGER NOT NULL DEFAULT 0,
            data            TEXT NOT NULL,              -- the parsed order (JSON)
            raw             TEXT NOT NULL,              -- Shippo's payload as received (JSON)
            first_seen_at   TEXT NOT NULL,
            updated_at      TEXT NOT NULL
        )""",
        "CREATE INDEX orders_placed_at ON orders (placed_at)",
        "CREATE INDEX orders_order_key ON orders (order_key)",
        "CREATE INDEX orders_status ON orders (status, placed_at)",
        "CREATE INDEX orders_email ON orders (ship_to_email)",
        """CREATE TABLE order_items (
            id            INTEGER PRIMARY KEY,
            order_id      INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
            position      INTEGER NOT NULL,
            title         TEXT,
            variant_title TEXT,
            sku           TEXT,
            quantity      INTEGER NOT NULL DEFAULT 1,
            total_price   TEXT,
            currency      TEXT,
            weight        TEXT,
            weight_unit   TEXT,
            UNIQUE (order_id, position)
        )""",
        "CREATE INDEX order_items_sku ON order_items (sku)",
        """CREATE TABLE order_status_history (
            id       INTEGER PRIMARY KEY,
            order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
            status   TEXT NOT NULL,
            seen_at  TEXT NOT NULL
        )""",
        "CREATE INDEX order_status_history_order ON order_status_history (order_id)",
        # The print queue (outbox): a row exists before anything is sent to PrintNode.
        """CREATE TABLE print_jobs (
            id               INTEGER PRIMARY KEY,
            order_id         INTEGER REFERENCES orders (id) ON DELETE CASCADE,
            kind             TEXT NOT NULL,             -- auto | manual | reprint | test
            rule             TEXT NOT NULL DEFAULT '',  -- the routing rule that chose it
            state            TEXT NOT NULL,             -- see printing/states.py
            printnode_state  TEXT,                      -- PrintNode's latest word on the job
            printer_id       INTEGER,
            paper            TEXT,
            copies           INTEGER NOT NULL DEFAULT 1,
            title            TEXT NOT NULL,
            source           TEXT NOT NULL,
            idempotency_key  TEXT NOT NULL UNIQUE,
            printnode_job_id INTEGER,
            attempts         INTEGER NOT NULL DEFAULT 0,
            last_error       TEXT,
            next_attempt_at  TEXT,
            attempted_at     TEXT,                      -- when the last submit began
            created_at       TEXT NOT NULL,
            updated_at       TEXT NOT NULL
        )""",
        # An order is decided for automatic printing once, ever: printed, skipped or waiting.
        "CREATE UNIQUE INDEX print_jobs_auto_once ON print_jobs (order_id) WHERE kind = 'auto'",
        "CREATE INDEX print_jobs_state ON print_jobs (state)",
        """CREATE TABLE print_job_events (
            id           INTEGER PRIMARY KEY,
            print_job_id INTEGER NOT NULL REFERENCES print_jobs (id) ON DELETE CASCADE,
            state        TEXT NOT NULL,
            message      TEXT,
            at           TEXT NOT NULL
        )""",
        "CREATE INDEX print_job_events_job ON print_job_events (print_job_id)",
        """CREATE TABLE settings (
            key        TEXT PRIMARY KEY,
            value      TEXT NOT NULL,                  -- JSON
            updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE sync_state (
            key        TEXT PRIMARY KEY,               -- e.g. shippo.watermark
            value      TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE audit_log (
            id      INTEGER PRIMARY KEY,
            at      TEXT NOT NULL,
            station TEXT NOT NULL,
            action  TEXT NOT NULL,
            detail  TEXT NOT NULL DEFAULT '{}'         -- JSON: counts and setting names only
        )""",
        "CREATE INDEX audit_log_at ON audit_log (at)",
        """CREATE TABLE app_log (
            id      INTEGER PRIMARY KEY,
            at      TEXT NOT NULL,
            level   TEXT NOT NULL,
            logger  TEXT NOT NULL,
            message TEXT NOT NULL                      -- already scrubbed
        )""",
        "CREATE INDEX app_log_at ON app_log (at)",
    ),
    # 2: orders a person deleted are not brought back (nor printed again) by a later sync.
    (
        """CREATE TABLE deleted_orders (
            object_id  TEXT PRIMARY KEY,               -- Shippo's opaque id, nothing else
            placed_at  TEXT NOT NULL,                  -- when it can be forgotten (tier)
            deleted_at TEXT NOT NULL
        )""",
    ),
    # 3: the orders view counts each order's printed jobs; without this every row scanned them.
    (
        "CREATE INDEX print_jobs_order ON print_jobs (order_id, state)",
    ),
    # 4: the window follows what changed since its last look (jobs by update time).
    (
        "CREATE INDEX print_jobs_updated ON print_jobs (updated_at)",
    ),
    # 5: where each SKU sits on the shelves, and the barcode on its packaging (a bins file).
    (
        """CREATE TABLE bins (
            sku        TEXT PRIMARY KEY,
            barcode    TEXT NOT NULL DEFAULT '',
            bin        TEXT NOT NULL
        )""",
        "CREATE INDEX bins_barcode ON bins (barcode) WHERE barcode != ''",
    ),
    # 6: print jobs that are not one order's slip (a pick list): what to print, as JSON.
    (
        "ALTER TABLE print_jobs ADD COLUMN document TEXT",
    ),
    # 7: orders packed at this station: verified item by item, or with verification skipped
    # (and why).
    (
        """CREATE TABLE packed (
            id          INTEGER PRIMARY KEY,
            order_id    INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
            at          TEXT NOT NULL,
            station     TEXT NOT NULL,
            packer      TEXT NOT NULL DEFAULT '',
            verified    INTEGER NOT NULL,            -- 1: every item scanned; 0: skipped
            skip_reason TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX packed_order ON packed (order_id)",
        "CREATE INDEX packed_at ON packed (at)",
    ),
    # 8: search by any 3+ characters of number, name, company, email, city, SKU or title, accents
    # folded, through an FTS5 trigram index kept in step with orders.search_text by triggers
    # (so redaction, deletion and purge leave nothing findable).
    (
        """CREATE VIRTUAL TABLE orders_fts USING fts5(
            search_text, content='orders', content_rowid='id',
            tokenize='trigram remove_diacritics 1')""",
        """CREATE TRIGGER orders_fts_insert AFTER INSERT ON orders BEGIN
            INSERT INTO orders_fts (rowid, search_text) VALUES (new.id, new.search_text);
        END""",
        """CREATE TRIGGER orders_fts_delete AFTER DELETE ON orders BEGIN
            INSERT INTO orders_fts (orders_fts, rowid, search_text)
                VALUES ('delete', old.id, old.search_text);
        END""",
        """CREATE TRIGGER orders_fts_update AFTER UPDATE OF search_text ON orders BEGIN
            INSERT INTO orders_fts (orders_fts, rowid, search_text)
                VALUES ('delete', old.id, old.search_text);
            INSERT INTO orders_fts (rowid, search_text) VALUES (new.id, new.search_text);
        END""",
        "INSERT INTO orders_fts (orders_fts) VALUES ('rebuild')",
    ),
    # 9: order_items was written on every sync and never read (the order's JSON holds its
    # items; search has orders.search_text): gone, with its writes.
    (
        "DROP TABLE order_items",
    ),
    # 10: a digest of each order's payload (and the parser that read it), so a sync skips an
    # order Shippo sends again unchanged without parsing or reading it; the parsed copy (`data`)
    # goes: an order is parsed from what Shippo sent (`raw`) when read, so every sync wrote each
    # order twice for nothing; the status history is written by triggers, in the same statement
    # as the order's insert or status change.
    (
        "ALTER TABLE orders ADD COLUMN digest TEXT",
        "ALTER TABLE orders DROP COLUMN data",
        # The search index without per-row column sizes (only ranking reads them; search
        # sorts by date): one write less per order.
        "DROP TABLE orders_fts",
        """CREATE VIRTUAL TABLE orders_fts USING fts5(
            search_text, content='orders', content_rowid='id', columnsize=0,
            tokenize='trigram remove_diacritics 1')""",
        "INSERT INTO orders_fts (orders_fts) VALUES ('rebuild')",
        """CREATE TRIGGER orders_status_first AFTER INSERT ON orders BEGIN
            INSERT INTO order_status_history (order_id, status, seen_at)
                VALUES (new.id, new.status, new.updated_at);
        END""",
        """CREATE TRIGGER orders_status_change AFTER UPDATE OF status ON orders
            WHEN old.status != new.status BEGIN
            INSERT INTO order_status_history (order_id, status, seen_at)
                VALUES (new.id, new.status, new.updated_at);
        END""",
    ),
]

LATEST_VERSION = len(MIGRATIONS)


def schema_version(db: Migratable) -> int:
    return int(db.scalar("PRAGMA user_version"))


def migrate(db: Migratable) -> int:
    """Bring the schema to the latest version; returns the version reached."""
    current = schema_version(db)
    if current > LATEST_VERSION:
        raise StoreError(f"This database was written by a newer SlipStation (schema {current}, "
                         f"this version knows {LATEST_VERSION}); upgrade SlipStation.")
    for version in range(current + 1, LATEST_VERSION + 1):
        with db.transaction() as conn:
            # Another process (or thread) opening the same file may have run it meanwhile:
            # the version is read again under the write lock.
            if int(conn.execute("PRAGMA user_version").fetchone()[0]) >= version:
                continue
            for statement in MIGRATIONS[version - 1]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
    return LATEST_VERSION
