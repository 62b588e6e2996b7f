"""Retention: order history older than the tier is deleted with everything that hangs off it
(items, status history, print jobs and their events); app log entries after 90 days, audit
entries after 365. Deleted means gone: secure_delete zeroes freed content, then the WAL is
checkpointed and the file vacuumed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from slipstation.domain import TIER_DAYS
from slipstation.logs import LOG_RETENTION_DAYS
from slipstation.store.database import Database
from slipstation.timeutil import to_iso

AUDIT_RETENTION_DAYS = 365
LAST_PURGE = "retention.last_purge"


@dataclass(frozen=True)
class PurgeCounts:
    cutoff: str
    orders: int
    print_jobs: int
    app_log: int
    audit_log: int

    def line(self) -> str:
        return (f"orders placed before {self.cutoff}: {self.orders} (with {self.print_jobs} "
                f"print jobs); app log entries: {self.app_log}; audit entries: {self.audit_log}")


def purge(db: Database, tier: str, now: datetime, *, dry_run: bool = False) -> PurgeCounts:
    cutoff = to_iso(now - timedelta(days=TIER_DAYS[tier]))
    log_cutoff = to_iso(now - timedelta(days=LOG_RETENTION_DAYS))
    audit_cutoff = to_iso(now - timedelta(days=AUDIT_RETENTION_DAYS))
    counts = PurgeCounts(
        cutoff=cutoff,
        orders=int(db.scalar("SELECT count(*) FROM orders WHERE placed_at < ?", (cutoff,))),
        print_jobs=int(db.scalar(
            "SELECT count(*) FROM print_jobs p JOIN orders o ON o.id = p.order_id "
            "WHERE o.placed_at < ?", (cutoff,))) + int(db.scalar(
            "SELECT count(*) FROM print_jobs WHERE order_id IS NULL AND created_at < ?",
            (cutoff,))),
        app_log=int(db.scalar("SELECT count(*) FROM app_log WHERE at < ?", (log_cutoff,))),
        audit_log=int(db.scalar("SELECT count(*) FROM audit_log WHERE at < ?",
                                (audit_cutoff,))),
    )
    if dry_run:
        return counts
    with db.transaction() as conn:
        # Items, status history, print jobs and their events go by ON DELETE CASCADE.
        conn.execute("DELETE FROM orders WHERE placed_at < ?", (cutoff,))
        # Jobs of no single order (pick lists) go by their own age.
        conn.execute("DELETE FROM print_jobs WHERE order_id IS NULL AND created_at < ?",
                     (cutoff,))
        conn.execute("DELETE FROM deleted_orders WHERE placed_at < ?", (cutoff,))
        conn.execute("DELETE FROM app_log WHERE at < ?", (log_cutoff,))
        conn.execute("DELETE FROM audit_log WHERE at < ?", (audit_cutoff,))
    if counts.orders or counts.app_log or counts.audit_log:
        compact(db)
    return counts


def compact(db: Database) -> None:
    """Rewrite the file so deleted rows leave no pages behind (WAL included); the search
    index first merges its segments, dropping what deleted or redacted rows left in them."""
    with db.transaction() as tx:
        tx.execute("INSERT INTO orders_fts (orders_fts) VALUES ('optimize')")
    conn = db.connection()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
