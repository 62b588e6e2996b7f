"""The print_jobs and print_job_events tables: every statement the print queue runs. The
queue (`printing/queue.py`) decides; this module only reads and writes rows, each write with
its event in the same transaction.

`PrintJobStore` reads and writes on its own; `PrintJobStore.transaction()` gives a `JobsTx`
whose statements share one write transaction (a plan, a re-queue, a claim)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from slipstation.store.database import Database
from slipstation.timeutil import to_iso

Row = Any  # a sqlite Row: columns by name


class JobsTx:
    """Statements inside one write transaction."""

    def __init__(self, conn: Any, now: str) -> None:
        self._conn = conn
        self.now = now

    def unplanned_orders(self, statuses: Sequence[str],
                         placed_before: str | None = None) -> list[Row]:
        """(id, raw) of orders in these statuses with no automatic job yet, oldest first."""
        marks = ",".join("?" * len(statuses))
        if placed_before is not None:
            return list(self._conn.execute(
                f"SELECT o.id, o.raw FROM orders o WHERE o.status IN ({marks}) "
                f"AND o.placed_at < ? AND NOT EXISTS (SELECT 1 FROM print_jobs p "
                f"WHERE p.order_id = o.id AND p.kind = 'auto')", [*statuses, placed_before]
            ).fetchall())
        return list(self._conn.execute(
            f"SELECT o.id, o.raw FROM orders o WHERE o.status IN ({marks}) "
            f"AND NOT EXISTS (SELECT 1 FROM print_jobs p WHERE p.order_id = o.id "
            f"AND p.kind = 'auto') ORDER BY o.placed_at", list(statuses)).fetchall())

    def insert(self, *, order_id: int | None, kind: str, rule: str, state: str,
               printer: int | None, paper: str, copies: int, title: str, source: str, key: str,
               note: str | None, document: str | None = None) -> int:
        cursor = self._conn.execute(
            "INSERT INTO print_jobs (order_id, kind, rule, state, printer_id, paper, copies, "
            "title, source, idempotency_key, last_error, created_at, updated_at, document) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (order_id, kind, rule, state, printer, paper, copies, title, source, key, note,
             self.now, self.now, document))
        job_id = int(cursor.lastrowid)
        self.event(job_id, state, note)
        return job_id

    def event(self, job_id: int, state: str, message: str | None) -> None:
        self._conn.execute("INSERT INTO print_job_events (print_job_id, state, message, at) "
                           "VALUES (?, ?, ?, ?)", (job_id, state, message, self.now))

    def row(self, job_id: int) -> Row | None:
        return self._conn.execute("SELECT * FROM print_jobs WHERE id = ?",
                                  (job_id,)).fetchone()

    def renew(self, job_id: int, *, state: str, key: str, title: str,
              printer: int | None) -> None:
        """A re-queued row: a new identity, no history of attempts."""
        self._conn.execute("UPDATE print_jobs SET state = ?, idempotency_key = ?, title = ?, "
                           "printer_id = ?, attempts = 0, printnode_job_id = NULL, "
                           "printnode_state = NULL, last_error = NULL, next_attempt_at = NULL, "
                           "updated_at = ? WHERE id = ?",
                           (state, key, title, printer, self.now, job_id))

    def move(self, job_id: int, new_state: str, allowed: Iterable[str]) -> bool:
        """Set the state if the row is in one of `allowed`; whether it was."""
        states = sorted(allowed)
        marks = ",".join("?" * len(states))
        return bool(self._conn.execute(
            f"UPDATE print_jobs SET state = ?, updated_at = ? WHERE id = ? AND state IN "
            f"({marks})", (new_state, self.now, job_id, *states)).rowcount == 1)

    def waiting_auto(self, order_id: int, states: Sequence[str]) -> int | None:
        """The order's automatic job in one of these states, if any."""
        marks = ",".join("?" * len(states))
        row = self._conn.execute(f"SELECT id FROM print_jobs WHERE order_id = ? AND "
                                 f"kind = 'auto' AND state IN ({marks})",
                                 (order_id, *states)).fetchone()
        return None if row is None else int(row["id"])

    def take_over(self, job_id: int, *, state: str, printer: int, copies: int) -> None:
        self._conn.execute("UPDATE print_jobs SET state = ?, printer_id = ?, copies = ?, "
                           "next_attempt_at = NULL, updated_at = ? WHERE id = ?",
                           (state, printer, copies, self.now, job_id))

    def claim(self, job_id: int, *, from_state: str, to_state: str) -> bool:
        """The conditional UPDATE that makes a row this worker's (exactly once)."""
        return bool(self._conn.execute(
            "UPDATE print_jobs SET state = ?, attempts = attempts + 1, attempted_at = ?, "
            "updated_at = ? WHERE id = ? AND state = ?",
            (to_state, self.now, self.now, job_id, from_state)).rowcount == 1)

    def remote_state(self, job_id: int, *, state: str, remote: str, error: str | None) -> None:
        self._conn.execute("UPDATE print_jobs SET state = ?, printnode_state = ?, "
                           "last_error = coalesce(?, last_error), updated_at = ? "
                           "WHERE id = ?", (state, remote, error, self.now, job_id))


class PrintJobStore:
    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._clock = clock

    def _now(self) -> str:
        return to_iso(self._clock())

    @contextlib.contextmanager
    def transaction(self) -> Iterator[JobsTx]:
        with self._db.transaction() as conn:
            yield JobsTx(conn, self._now())

    def check_identity(self) -> None:
        self._db.check_identity()

    # -- writes ---------------------------------------------------------------------------------
    def set(self, job_id: int, state: str, message: str | None, **columns: Any) -> None:
        """A row's new state (and other columns), with its event."""
        assignments = "".join(f", {name} = :{name}" for name in columns)
        with self.transaction() as tx:
            tx._conn.execute(f"UPDATE print_jobs SET state = :state, updated_at = :now"
                             f"{assignments} WHERE id = :id",
                             {"state": state, "now": tx.now, "id": job_id, **columns})
            tx.event(job_id, state, message)

    def note_error(self, job_id: int, message: str) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE print_jobs SET last_error = ? WHERE id = ?",
                         (message, job_id))

    # -- reads ----------------------------------------------------------------------------------
    def row(self, job_id: int) -> Row | None:
        rows = self._db.query("SELECT * FROM print_jobs WHERE id = ?", (job_id,))
        return rows[0] if rows else None

    def count_in(self, states: Sequence[str], *, manual_only: bool = False) -> int:
        marks = ",".join("?" * len(states))
        kinds = " AND kind != 'auto'" if manual_only else ""
        return int(self._db.scalar(
            f"SELECT count(*) FROM print_jobs WHERE state IN ({marks}){kinds}", list(states)))

    def due(self, state: str, *, manual_only: bool, limit: int = 100) -> list[Row]:
        """Rows in `state` whose next attempt is due, oldest first, with their order's time
        (`order_placed_at`)."""
        kinds = " AND p.kind != 'auto'" if manual_only else ""
        return self._db.query(
            "SELECT p.*, o.placed_at AS order_placed_at FROM print_jobs p LEFT JOIN orders o "
            "ON o.id = p.order_id WHERE p.state = ? AND (p.next_attempt_at IS NULL "
            f"OR p.next_attempt_at <= ?){kinds} ORDER BY p.id LIMIT ?",
            (state, self._now(), limit))

    def in_state(self, state: str, *, manual_only: bool = False) -> list[Row]:
        kinds = " AND kind != 'auto'" if manual_only else ""
        return self._db.query(f"SELECT * FROM print_jobs WHERE state = ?{kinds}", (state,))

    def waiting_for_printer(self, state: str) -> list[Row]:
        """(id, placed_at) of rows in `state`, with their order's time."""
        return self._db.query("SELECT p.id, o.placed_at FROM print_jobs p JOIN orders o ON "
                              "o.id = p.order_id WHERE p.state = ?", (state,))

    def with_remote_job(self, state: str) -> list[Row]:
        return self._db.query("SELECT id, printnode_job_id, printnode_state FROM print_jobs "
                              "WHERE state = ? AND printnode_job_id IS NOT NULL", (state,))

    def attempts(self, job_id: int) -> int:
        return int(self._db.scalar("SELECT attempts FROM print_jobs WHERE id = ?", (job_id,)))

    def ever_in(self, job_id: int, state: str) -> bool:
        return bool(self._db.scalar(
            "SELECT EXISTS (SELECT 1 FROM print_job_events WHERE print_job_id = ? AND state = ?)",
            (job_id, state)))

    def last_event(self, job_id: int) -> str:
        return str(self._db.scalar("SELECT coalesce(message, state) FROM print_job_events "
                                   "WHERE print_job_id = ? ORDER BY id DESC LIMIT 1",
                                   (job_id,)) or "")

    def listing(self, limit: int, *, order_id: int | None = None, job_id: int | None = None,
                changed_since: str | None = None) -> list[Row]:
        """Rows with their order's number, newest first."""
        where, params = "", list[object]()
        if order_id:
            where, params = "WHERE p.order_id = ?", [order_id]
        if job_id is not None:
            where, params = "WHERE p.id = ?", [job_id]
        if changed_since is not None:
            where, params = "WHERE p.updated_at >= ?", [changed_since]
        return self._db.query(
            "SELECT p.*, coalesce(o.order_number, o.object_id, p.title, '') AS number "
            "FROM print_jobs p "
            f"LEFT JOIN orders o ON o.id = p.order_id {where} ORDER BY p.id DESC LIMIT ?",
            [*params, limit])

    def state_counts(self) -> dict[str, int]:
        return {str(state): int(count) for state, count in self._db.query(
            "SELECT state, count(*) FROM print_jobs GROUP BY state")}

    def entered_since(self, state: str, since: datetime) -> int:
        """Jobs that entered `state` since then (each once)."""
        return int(self._db.scalar(
            "SELECT count(DISTINCT print_job_id) FROM print_job_events WHERE state = ? "
            "AND at >= ?", (state, to_iso(since))))

    def entered_per_hour(self, state: str, since: datetime) -> dict[str, int]:
        """The same by UTC hour ('2026-12-02T09')."""
        return {str(hour): int(count) for hour, count in self._db.query(
            "SELECT substr(at, 1, 13) AS hour, count(DISTINCT print_job_id) FROM "
            "print_job_events WHERE state = ? AND at >= ? GROUP BY hour",
            (state, to_iso(since)))}
