"""The print queue (outbox): every print is a row in the encrypted store before anything is sent.

Row states:
  no_printer   waiting for a printer to be configured
  queued       ready to submit (or waiting for `next_attempt_at` after a failure)
  submitting   a submit began; its outcome is unknown until reconciled
  submitted    PrintNode accepted it (job id known); its state is polled
  done         PrintNode reported `done`: the job reached the computer's print queue
  failed       PrintNode reported error/expired/deleted/disappeared, or refused the job
  unconfirmed  could not be settled; a person decides (re-queue) — never resent blindly
  skipped      a routing rule, the backlog window, or the order's re-check said not to print it
  cancelled    a person cancelled it before it was sent
  dismissed    a failure a person has seen and settled: it no longer needs attention

Who sends what: `process(automatic=False)` (auto-print paused, in any process of the station)
sends only rows a person asked for; `send(job_id)` sends one row and nothing else (a manual
print, a re-queue), so a person's print never releases paused automatic slips.

Before an automatic slip that waited (no printer, paused, backoff) is sent, its order is read
again from Shippo; an order no longer in the auto-print statuses is skipped with the reason.

Several stations on one PrintNode account: an automatic slip's title and idempotency key derive
from the order, not the station, and before automatic slips are sent PrintNode's recent jobs are
searched for their titles; one found there is recorded as printed by that job's source instead of
being sent again (and a race between stations ends in PrintNode's 409 for the shared key).

Exactly once: a row is claimed (`queued` → `submitting`, a conditional UPDATE) and committed
before the POST. A row found in `submitting` — after a crash, a timeout or a lost reply — is
looked up on PrintNode by its unique title before anything is resent; it is resent only once
PrintNode's job list shows it absent, and then with the same idempotency key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from slipstation.api.labels import LabelFile
from slipstation.api.printnode import (
    FINAL_FAILURE,
    FINAL_SUCCESS,
    Printer,
    PrintNodeClient,
    RemoteJob,
)
from slipstation.config import Settings
from slipstation.domain import (
    CANCELLABLE_STATES,
    DISMISSABLE_STATES,
    REQUEUEABLE_STATES,
    SENT_STATES,
    JobState,
)
from slipstation.errors import (
    NotFound,
    ServiceAuthError,
    ServiceError,
    ServiceUnavailable,
    SlipStationError,
    UsageError,
)
from slipstation.orders.models import Order
from slipstation.orders.routing import route
from slipstation.store.bins import BinStore
from slipstation.store.database import Database
from slipstation.store.orders import OrderRepository, stored_order
from slipstation.store.print_jobs import JobsTx, PrintJobStore
from slipstation.store.sync_state import SyncState
from slipstation.timeutil import env_seconds, parse_timestamp, to_iso, utc_now

log = logging.getLogger(__name__)

# The states as plain strings (they are stored and bound as SQL parameters).
NO_PRINTER, QUEUED = JobState.NO_PRINTER.value, JobState.QUEUED.value
SUBMITTING, SUBMITTED = JobState.SUBMITTING.value, JobState.SUBMITTED.value
DONE, FAILED = JobState.DONE.value, JobState.FAILED.value
UNCONFIRMED, SKIPPED = JobState.UNCONFIRMED.value, JobState.SKIPPED.value
PICKLIST = "picklist"  # a job of no single order: a pick list for several
LABEL = "label"  # an order's shipping label, bought in Shippo: its file sent unchanged
CANCELLED, DISMISSED = JobState.CANCELLED.value, JobState.DISMISSED.value
REQUEUEABLE = frozenset(state.value for state in REQUEUEABLE_STATES)
CANCELLABLE = frozenset(state.value for state in CANCELLABLE_STATES)
DISMISSABLE = frozenset(state.value for state in DISMISSABLE_STATES)
SENT = frozenset(state.value for state in SENT_STATES)
BASELINE = "print.baseline"


GRACE_ENV = "SLIPSTATION_RECONCILE_GRACE_SECONDS"


def _default_grace() -> timedelta:
    """How long a submit of unknown outcome may take to appear in PrintNode's job list before
    it is resent. Two minutes; the crash tests shorten it (loopback answers in milliseconds)."""
    return timedelta(seconds=env_seconds(GRACE_ENV, 120))


@dataclass(frozen=True)
class QueuePolicy:
    reconcile_grace: timedelta = field(default_factory=_default_grace)  # a lost POST may land
    unconfirmed_after: timedelta = timedelta(hours=1)   # stop guessing; ask a person
    retry_initial: timedelta = timedelta(seconds=30)
    retry_max: timedelta = timedelta(minutes=15)
    max_attempts: int = 10
    lookup_pages: int = 5      # settling one submit of unknown outcome: its minutes only
    history_pages: int = 50    # before automatic slips: back to their orders' time, 5,000 jobs
    recheck_after: timedelta = timedelta(seconds=60)  # an auto slip older than this waited
    send_wait: timedelta = timedelta(seconds=30)  # how long a person's print waits for a row
    # another process of this station is sending


@dataclass
class ProcessResult:
    submitted: int = 0
    failed: int = 0
    waiting: int = 0
    skipped: int = 0           # orders no longer eligible when re-checked
    already_printed: int = 0   # found on PrintNode, sent by another station
    problem: str | None = None
    auth_rejected: bool = False


@dataclass(frozen=True)
class JobRow:
    id: int
    order_number: str
    kind: str
    rule: str
    state: str
    printnode_state: str
    printer_id: int | None
    paper: str
    copies: int
    printnode_job_id: int | None
    attempts: int
    last_error: str
    created_at: str
    updated_at: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


OrderCheck = Callable[[Order], Order]
"""Reads an order again from Shippo (and stores what it read); raises ServiceError."""
LabelSource = Callable[[str], LabelFile]
"""A Shippo label's file by transaction id (fetched now, kept in memory); raises ServiceError."""


def auto_identity(order: Order) -> tuple[str, str]:
    """(title, idempotency key) of an order's automatic slip: the same on every station of an
    account, so PrintNode sees one job per order however many stations print it."""
    digest = hashlib.sha256(f"slipstation-auto:{order.object_id}".encode()).hexdigest()
    return f"Packing slip {order.display_number} [{digest[:10]}]", digest[:32]


class PrintQueue:
    def __init__(self, db: Database, client: Callable[[], PrintNodeClient], *,
                 station_name: Callable[[], str], policy: QueuePolicy | None = None,
                 clock: Callable[[], datetime] = utc_now,
                 order_check: OrderCheck | None = None,
                 label_source: LabelSource | None = None) -> None:
        self._db = db
        self._label_source = label_source
        self._rows = PrintJobStore(db, clock)
        self._orders = OrderRepository(db)
        self._client = client
        self._order_check = order_check
        self._station_name = station_name
        self.policy = policy or QueuePolicy()
        self._clock = clock
        self._lock = threading.Lock()  # one worker at a time in this process

    # -- deciding ------------------------------------------------------------------------------
    def plan_auto(self) -> int:
        """Queue every newly eligible order once; returns how many rows were added."""
        settings = Settings(self._db).all()
        statuses = list(settings["statuses"])
        now = self._clock()
        cutoff = to_iso(now - timedelta(hours=int(settings["backlog_hours"])))
        state = SyncState(self._db)
        signature = json.dumps(sorted(statuses))
        added = 0
        with self._rows.transaction() as tx:
            if state.get(BASELINE) != signature:
                # Auto-printing starts (or its statuses changed): what was already eligible
                # before the backlog window is recorded as skipped, never printed later.
                for row in tx.unplanned_orders(statuses, placed_before=cutoff):
                    self._insert(tx, row["id"], stored_order(row["raw"]), "auto", "backlog",
                                 None, str(settings["paper"]), 1, SKIPPED,
                                 "placed before the backlog window when auto-printing began")
                state.set(BASELINE, signature)
            for row in tx.unplanned_orders(statuses):
                order = stored_order(row["raw"])
                chosen = route(order, settings["rules"], settings["printer"],
                               str(settings["paper"]))
                if chosen.skip:
                    job_state, note = SKIPPED, f"routing rule '{chosen.rule}' says skip"
                elif chosen.printer is None:
                    job_state, note = NO_PRINTER, "no printer chosen yet"
                else:
                    job_state, note = QUEUED, None
                self._insert(tx, row["id"], order, "auto", chosen.rule, chosen.printer,
                             chosen.paper, chosen.copies, job_state, note)
                added += 1
        if added:
            log.info("print queue: %d new automatic job(s)", added)
        return added

    def enqueue(self, order_id: int, order: Order, *, kind: str, printer: int, paper: str,
                copies: int) -> int:
        with self._rows.transaction() as tx:
            return self._insert(tx, order_id, order, kind, "manual", printer, paper, copies,
                                QUEUED, None)

    def enqueue_picklist(self, order_ids: list[int], *, printer: int, paper: str,
                         copies: int = 1) -> int:
        """A pick list for these orders, through the same outbox as slips (exactly once)."""
        key = uuid.uuid4().hex
        title = f"Pick list {len(order_ids)} orders [{key[:10]}]"
        with self._rows.transaction() as tx:
            return tx.insert(order_id=None, kind=PICKLIST, rule="manual", state=QUEUED,
                             printer=printer, paper=paper, copies=copies, title=title,
                             source=f"SlipStation {self._station_name()}"[:100], key=key,
                             note=None, document=json.dumps({"picklist": order_ids}))

    def enqueue_label(self, order_id: int, order: Order, transaction_id: str, *, printer: int,
                      copies: int = 1) -> int:
        """One of an order's labels, through the same outbox as slips (exactly once)."""
        key = uuid.uuid4().hex
        title = f"Label {order.display_number} [{key[:10]}]"
        with self._rows.transaction() as tx:
            return tx.insert(order_id=order_id, kind=LABEL, rule="manual", state=QUEUED,
                             printer=printer, paper="label", copies=copies, title=title,
                             source=f"SlipStation {self._station_name()}"[:100], key=key,
                             note=None, document=json.dumps({"transaction": transaction_id}))

    def requeue(self, job_id: int, printer: int | None) -> None:
        """An operator's second chance for a failed, unconfirmed, skipped, cancelled or
        dismissed job: a new PrintNode job (new title and idempotency key) on the same row, to
        `printer` (the one chosen now), or waiting for a printer when there is none."""
        with self._rows.transaction() as tx:
            row = tx.row(job_id)
            if row is None:
                raise NotFound(f"No print job {job_id}.")
            if row["state"] not in REQUEUEABLE:
                raise UsageError(f"Print job {job_id} is {row['state']}; only failed, "
                                 "unconfirmed, skipped, cancelled or dismissed jobs can be "
                                 "re-queued.")
            key = uuid.uuid4().hex
            title = row["title"].rsplit(" [", 1)[0] + f" [{key[:10]}]"
            new_state = QUEUED if printer else NO_PRINTER
            tx.renew(job_id, state=new_state, key=key, title=title, printer=printer)
            tx.event(job_id, new_state, "re-queued by the operator"
                     + (f" to printer {printer}" if printer else ""))

    def cancel(self, job_id: int) -> None:
        """A person cancels a job that has not been sent; an order's cancelled automatic slip
        is never planned again (re-queue it to print after all)."""
        self._settle_by_hand(job_id, CANCELLABLE, CANCELLED, "cancelled by the operator",
                             "waiting (queued or waiting for a printer)")

    def dismiss(self, job_id: int) -> None:
        """A person has seen a failure and settled it: it stops needing attention."""
        self._settle_by_hand(job_id, DISMISSABLE, DISMISSED, "dismissed by the operator",
                             "failed or unconfirmed")

    def _settle_by_hand(self, job_id: int, allowed: frozenset[str], new_state: str,
                        message: str, allowed_text: str) -> None:
        with self._rows.transaction() as tx:
            row = tx.row(job_id)
            if row is None:
                raise NotFound(f"No print job {job_id}.")
            if not tx.move(job_id, new_state, allowed):
                raise UsageError(f"Print job {job_id} is {row['state']}; only {allowed_text} "
                                 f"jobs can be {new_state}.")
            tx.event(job_id, new_state, message)

    def take_over_auto(self, order_id: int, *, printer: int, copies: int) -> int | None:
        """A person prints an order whose automatic slip has not gone yet: that row becomes
        the person's print (one job, not two), to `printer`, now. None when there is no such
        waiting row."""
        with self._rows.transaction() as tx:
            job_id = tx.waiting_auto(order_id, (QUEUED, NO_PRINTER))
            if job_id is None:
                return None
            tx.take_over(job_id, state=QUEUED, printer=printer, copies=copies)
            tx.event(job_id, QUEUED, f"printed by the operator on printer {printer}")
            return job_id

    # -- working -------------------------------------------------------------------------------
    def process(self, *, automatic: bool = True) -> ProcessResult:
        """Release waiting rows, reconcile unknown outcomes, submit what is due. With
        `automatic=False` (auto-print paused) only rows a person asked for are sent."""
        result = ProcessResult()
        manual_only = not automatic
        with self._lock:
            self._release_no_printer()
            if self._rows.count_in((QUEUED, SUBMITTING), manual_only=manual_only):
                try:
                    client = self._client()
                    self._reconcile(client, result, manual_only)
                    rows = self._rows.due(QUEUED, manual_only=manual_only)
                    self._submit_rows(client, rows, result)
                except ServiceAuthError as exc:
                    result.problem = "PrintNode key rejected"
                    result.auth_rejected = True
                    log.error("printing stopped: %s", exc.message)
                except SlipStationError as exc:
                    result.problem = exc.message
                    log.warning("printing paused: %s", exc.message)
        result.waiting = self._rows.count_in((QUEUED, SUBMITTING, NO_PRINTER))
        return result

    def send(self, job_id: int, printers: dict[int, Printer | None] | None = None,
             ) -> tuple[JobRow, ProcessResult]:
        """Send this one row now and nothing else (a person's print or re-queue); returns the
        row as it ended. `printers` keeps the printers looked up, for a batch of sends. A row
        that another process of this station is sending is waited for (up to
        `policy.send_wait`), never sent twice."""
        deadline = time.monotonic() + self.policy.send_wait.total_seconds()
        with self._lock:
            client = self._client()
            result = ProcessResult()
            while True:
                row = self._row(job_id)
                if row["state"] == SUBMITTING:
                    attempted = parse_timestamp(row["attempted_at"]) or self._clock()
                    if self._clock() - attempted >= self.policy.reconcile_grace:
                        self._settle(client, job_id, row["title"], attempted, result, True)
                        row = self._row(job_id)
                if row["state"] == QUEUED:
                    self._submit_rows(client, [row], result, printers)
                    row = self._row(job_id)
                if row["state"] != SUBMITTING or time.monotonic() >= deadline:
                    break
                client.stop.wait(0.05)  # another process claimed it: its answer is near
        if row["state"] == SUBMITTING and not result.problem:
            result.problem = ("another SlipStation process is sending it; its answer shows "
                              "in the print jobs list")
        return self.job(job_id), result

    def last_event(self, job_id: int) -> str:
        """The latest word in a job's history, to show a person."""
        return self._rows.last_event(job_id)

    def _row(self, job_id: int) -> Any:
        row = self._rows.row(job_id)
        if row is None:
            raise NotFound(f"No print job {job_id}.")
        return row

    def _submit_rows(self, client: PrintNodeClient, rows: list[Any], result: ProcessResult,
                     printers: dict[int, Printer | None] | None = None) -> None:
        printers = {} if printers is None else printers
        history = self._find_auto_on_printnode(client, rows)
        for row in rows:
            client.stop.check()
            if row["kind"] == "auto" and not self._still_wanted(row, result):
                continue
            found = history.found.get(row["title"]) if row["kind"] == "auto" else None
            if found is not None:
                self._set(row["id"], SUBMITTED, f"already on PrintNode as job {found.id}, "
                          f"printed by {found.source or 'another station'}",
                          printnode_job_id=found.id, last_error=None)
                result.already_printed += 1
                continue
            if row["kind"] == "auto" and not history.covers(_since(row)):
                self._set(row["id"], UNCONFIRMED, f"PrintNode's last {history.seen} jobs do not "
                          "reach back to this order: it may have printed before this database "
                          "was started over or restored; check, and re-queue it if it did not "
                          "print", last_error="unconfirmed")
                result.failed += 1
                continue
            self._submit(client, printers, row, result)

    def _find_auto_on_printnode(self, client: PrintNodeClient, rows: list[Any]) -> History:
        """Which of these automatic slips another station (or an earlier life of this one: a
        fresh start, a restored backup) already sent: PrintNode's jobs, newest first, searched
        by title back to the oldest of their orders (a restored station may have printed them
        days ago), one listing per batch, at most `policy.history_pages` pages."""
        titles = {row["title"] for row in rows if row["kind"] == "auto"}
        history = History()
        if not titles:
            return history
        horizon = min(_since(row) for row in rows if row["kind"] == "auto") - HISTORY_MARGIN
        history.complete = True
        for job in client.recent_jobs(pages=self.policy.history_pages, limit=100):
            history.seen += 1
            if job.title in titles:
                history.found.setdefault(job.title, job)
            created = parse_timestamp(job.created)
            if created is not None:
                history.reached = created
                if created < horizon:
                    return history
        history.complete = history.seen < self.policy.history_pages * 100
        return history

    def _still_wanted(self, row: Any, result: ProcessResult) -> bool:
        """An automatic slip that waited is sent only if Shippo still has its order in the
        auto-print statuses; otherwise it is skipped with the reason."""
        if self._order_check is None or not self._waited(row):
            return True
        stored = self._orders.order(row["order_id"])
        if stored is None:
            return True  # `_submit` records the deletion
        try:
            order = self._order_check(stored)
        except ServiceAuthError:
            raise
        except ServiceError as exc:
            if exc.status == 404:
                self._set(row["id"], SKIPPED, "the order is no longer in Shippo",
                          last_error="order not found in Shippo")
                result.skipped += 1
                return False
            attempts = int(row["attempts"]) + 1
            self._set(row["id"], QUEUED, "cannot check the order with Shippo before printing",
                      last_error=f"waiting to check the order with Shippo ({exc.message})",
                      attempts=attempts, next_attempt_at=self._backoff(attempts))
            return False
        statuses = set(Settings(self._db).get("statuses"))
        if order.status in statuses:
            return True
        self._set(row["id"], SKIPPED, f"the order is {order.status} in Shippo now; not printed",
                  last_error=f"order {order.status} before it printed")
        result.skipped += 1
        log.info("print job %d skipped: its order is now %s", row["id"], order.status)
        return False

    def _waited(self, row: Any) -> bool:
        created = parse_timestamp(row["created_at"]) or self._clock()
        if int(row["attempts"]) > 0 or self._clock() - created >= self.policy.recheck_after:
            return True
        return self._rows.ever_in(row["id"], NO_PRINTER)

    def refresh_states(self) -> int:
        """Poll PrintNode for submitted jobs; returns how many changed state."""
        with self._lock:
            rows = self._rows.with_remote_job(SUBMITTED)
            if not rows:
                return 0
            states = self._client().job_states(r["printnode_job_id"] for r in rows)
            changed = 0
            with self._rows.transaction() as tx:
                for row in rows:
                    remote = states.get(row["printnode_job_id"])
                    if remote is None or remote.state == row["printnode_state"]:
                        continue
                    changed += 1
                    if remote.state in FINAL_SUCCESS:
                        new_state, error = DONE, None
                    elif remote.state in FINAL_FAILURE:
                        new_state = FAILED
                        error = f"PrintNode: {remote.state}" + (
                            f" ({remote.message})" if remote.message else "")
                        log.warning("print job %d %s", row["id"], error)
                    else:
                        new_state, error = SUBMITTED, None
                    tx.remote_state(row["id"], state=new_state, remote=remote.state, error=error)
                    tx.event(row["id"], new_state, f"PrintNode: {remote.state}")
            return changed

    def jobs(self, limit: int = 200, order_id: int | None = None,
             job_id: int | None = None, changed_since: str | None = None) -> list[JobRow]:
        """The newest first: of one order, one job, or changed at or after a time."""
        rows = self._rows.listing(limit, order_id=order_id, job_id=job_id,
                                  changed_since=changed_since)
        return [JobRow(r["id"], r["number"], r["kind"], r["rule"], r["state"],
                       r["printnode_state"] or "", r["printer_id"], r["paper"] or "",
                       r["copies"], r["printnode_job_id"], r["attempts"], r["last_error"] or "",
                       r["created_at"], r["updated_at"]) for r in rows]

    def state_counts(self) -> dict[str, int]:
        """How many jobs are in each state."""
        return self._rows.state_counts()

    def sent_since(self, since: datetime) -> int:
        """Jobs PrintNode accepted since then (each once, whatever happened next)."""
        return self._rows.entered_since(SUBMITTED, since)

    def sent_per_hour(self, since: datetime) -> dict[str, int]:
        """Jobs PrintNode accepted since then, by UTC hour ('2026-12-02T09')."""
        return self._rows.entered_per_hour(SUBMITTED, since)

    def job(self, job_id: int) -> JobRow:
        found = self.jobs(limit=1, job_id=job_id)
        if not found:
            raise NotFound(f"No print job {job_id}.")
        return found[0]

    # -- internals -----------------------------------------------------------------------------
    def _now(self) -> str:
        return to_iso(self._clock())

    def _insert(self, tx: JobsTx, order_id: int, order: Order, kind: str, rule: str,
                printer: int | None, paper: str, copies: int, state: str,
                note: str | None) -> int:
        if kind == "auto":
            title, key = auto_identity(order)
        else:
            key = uuid.uuid4().hex
            label = "Reprint" if kind == "reprint" else "Packing slip"
            title = f"{label} {order.display_number} [{key[:10]}]"
        return tx.insert(order_id=order_id, kind=kind, rule=rule, state=state,
                         printer=printer, paper=paper, copies=copies, title=title,
                         source=f"SlipStation {self._station_name()}"[:100], key=key, note=note)

    def _set(self, job_id: int, state: str, message: str | None, **columns: Any) -> None:
        self._rows.set(job_id, state, message, **columns)

    def _release_no_printer(self) -> None:
        """Rows that waited for a printer: queue them once one is set, unless too old by then."""
        settings = Settings(self._db)
        printer = settings.get("printer")
        if printer is None:
            return
        cutoff = self._clock() - timedelta(hours=int(settings.get("backlog_hours")))
        for row in self._rows.waiting_for_printer(NO_PRINTER):
            placed = parse_timestamp(row["placed_at"])
            if placed is not None and placed < cutoff:
                self._set(row["id"], SKIPPED, "older than the backlog window when the printer "
                          "was set")
            else:
                self._set(row["id"], QUEUED, f"printer {printer} chosen", printer_id=printer,
                          last_error=None)

    def _backoff(self, attempts: int) -> str:
        seconds = self.policy.retry_initial.total_seconds() * 2 ** max(attempts - 1, 0)
        seconds = min(seconds, self.policy.retry_max.total_seconds())
        return to_iso(self._clock() + timedelta(seconds=seconds * random.uniform(0.8, 1.2)))

    def _submit(self, client: PrintNodeClient, printers: dict[int, Printer | None],
                row: Any, result: ProcessResult) -> None:
        job_id = row["id"]
        # Everything that can fail without sending (order gone, printer unknown, PrintNode
        # unreachable or the key rejected for the look-up) happens before the claim.
        orders = self._job_orders(row)
        if not orders:
            self._set(job_id, FAILED, "the order was deleted", last_error="order deleted")
            result.failed += 1
            return
        printer_id = int(row["printer_id"])
        if printer_id not in printers:
            printers[printer_id] = client.printer(printer_id)
        printer = printers[printer_id]
        if printer is None:
            self._set(job_id, FAILED, f"printer {printer_id} is not on this PrintNode account",
                      last_error=f"printer {printer_id} not found")
            result.failed += 1
            return
        try:
            payload = self._payload(row, orders, printer)
        except ServiceAuthError:
            raise
        except ServiceError as exc:  # a label that cannot be fetched: this job, not the batch
            if row["kind"] != LABEL:
                raise
            self._set(job_id, FAILED, exc.message, last_error=exc.message[:200])
            result.failed += 1
            return
        self._rows.check_identity()  # never a claim (nor a POST) in a file nobody reads
        with self._rows.transaction() as tx:
            if not tx.claim(job_id, from_state=QUEUED, to_state=SUBMITTING):
                return  # another worker has it
            tx.event(job_id, SUBMITTING, f"attempt {row['attempts'] + 1}")
        try:
            remote_id = client.submit(payload, row["idempotency_key"])
        except ServiceAuthError:
            self._set(job_id, QUEUED, "PrintNode key rejected", attempts=row["attempts"])
            raise
        except ServiceError as exc:
            self._after_failed_submit(client, row, exc, result)
            return
        self._set(job_id, SUBMITTED, f"PrintNode job {remote_id}", printnode_job_id=remote_id,
                  last_error=None)
        result.submitted += 1
        log.info("print job %d submitted as PrintNode job %d", job_id, remote_id)

    def _job_orders(self, row: Any) -> list[Order]:
        """The order a slip is for, or the orders a pick list covers (those still stored)."""
        if row["kind"] != PICKLIST:
            order = self._orders.order(row["order_id"])
            return [order] if order is not None else []
        ids = json.loads(row["document"] or "{}").get("picklist", [])
        return [order for order_id in ids if (order := self._orders.order(int(order_id)))]

    def _payload(self, row: Any, orders: list[Order], printer: Printer) -> dict[str, Any]:
        bins = BinStore(self._db).for_skus(item.sku for order in orders
                                           for item in order.line_items)
        settings = Settings(self._db).all()
        if row["kind"] == LABEL:
            return self._label_payload(row, settings, printer)
        if row["kind"] == PICKLIST:
            from slipstation.slips.picklist import render_picklist  # ReportLab: when printing

            return pdf_payload(render_picklist(orders, row["paper"], bins), settings, printer,
                               paper=row["paper"], title=row["title"], source=row["source"],
                               copies=int(row["copies"]))
        return job_payload(settings, orders[0], printer, paper=row["paper"],
                           title=row["title"], source=row["source"], copies=int(row["copies"]),
                           bins=bins)

    def _label_payload(self, row: Any, settings: dict[str, Any],
                       printer: Printer) -> dict[str, Any]:
        """The label's own bytes, unchanged: a PDF as pdf_base64 at its own size, ZPL as
        raw_base64 (PrintNode ignores options for raw jobs; qty gives copies)."""
        if self._label_source is None:
            raise ServiceUnavailable("Labels cannot be fetched here.", service="Shippo")
        label = self._label_source(json.loads(row["document"] or "{}").get("transaction", ""))
        payload: dict[str, Any] = {
            "printerId": printer.id, "title": row["title"], "contentType": label.content_type,
            "content": base64.b64encode(label.data).decode("ascii"), "source": row["source"],
            "qty": int(row["copies"]), "expireAfter": int(settings["expire_minutes"]) * 60}
        if label.content_type == "pdf_base64":
            payload["options"] = {"fit_to_page": False}
        return payload

    def _after_failed_submit(self, client: PrintNodeClient, row: Any, exc: ServiceError,
                             result: ProcessResult) -> None:
        job_id, status = row["id"], exc.status
        attempts = row["attempts"] + 1
        if status == 409:  # the idempotency key was seen: it is there already
            self._settle(client, job_id, row["title"], self._clock(), result, grace_over=False)
        elif not exc.maybe_delivered or status in (429, 503):
            # Certainly not accepted: safe to try again later.
            if attempts >= self.policy.max_attempts:
                self._set(job_id, FAILED, exc.message, last_error=exc.message)
                result.failed += 1
            else:
                self._set(job_id, QUEUED, exc.message, last_error=exc.message,
                          next_attempt_at=self._backoff(attempts))
        elif status is not None and 400 <= status < 500:
            self._set(job_id, FAILED, exc.message, last_error=exc.message)
            result.failed += 1
        else:
            # 5xx, a timeout or a lost reply: PrintNode may have the job. Look before resending.
            log.warning("print job %d: outcome unknown (%s); reconciling", job_id, exc.message)
            self._rows.note_error(job_id, exc.message)
            if status is not None:  # the server answered: nothing of it is still in flight
                self._settle(client, job_id, row["title"], self._clock(), result,
                             grace_over=True)

    def _reconcile(self, client: PrintNodeClient, result: ProcessResult,
                   manual_only: bool) -> None:
        for row in self._rows.in_state(SUBMITTING, manual_only=manual_only):
            attempted = parse_timestamp(row["attempted_at"]) or self._clock()
            grace_over = self._clock() - attempted >= self.policy.reconcile_grace
            self._settle(client, row["id"], row["title"], attempted, result, grace_over)

    def _settle(self, client: PrintNodeClient, job_id: int, title: str, attempted: datetime,
                result: ProcessResult, grace_over: bool) -> None:
        """Find a job of unknown outcome on PrintNode by its unique title."""
        try:
            found, complete = self._lookup(client, title, attempted)
        except ServiceAuthError:
            raise
        except ServiceError as exc:
            found, complete = None, False
            log.warning("print job %d: cannot look it up on PrintNode (%s)", job_id, exc.message)
        age = self._clock() - attempted
        if found is not None:
            self._set(job_id, SUBMITTED, f"found on PrintNode as job {found}",
                      printnode_job_id=found, last_error=None)
            result.submitted += 1
        elif complete and grace_over:
            attempts = self._rows.attempts(job_id)
            if attempts >= self.policy.max_attempts:
                self._set(job_id, FAILED, "gave up", last_error="not accepted after "
                          f"{attempts} attempts")
                result.failed += 1
            else:
                self._set(job_id, QUEUED, "not on PrintNode: safe to send again",
                          next_attempt_at=self._backoff(attempts))
        elif age >= self.policy.unconfirmed_after:
            self._set(job_id, UNCONFIRMED, "could not confirm with PrintNode; check the printer "
                      "and re-queue if it did not print", last_error="unconfirmed")
            result.failed += 1

    def _lookup(self, client: PrintNodeClient, title: str, attempted: datetime
                ) -> tuple[int | None, bool]:
        """(job id or None, whether the search reached jobs older than the attempt)."""
        horizon = to_iso(attempted - timedelta(minutes=5))
        seen = 0
        for job in client.recent_jobs(pages=self.policy.lookup_pages, limit=100):
            seen += 1
            if job.title == title:
                return job.id, True
            created = parse_timestamp(job.created)
            if created is not None and to_iso(created) < horizon:
                return None, True
        # Fewer jobs than we could read: we saw the whole account. Otherwise, unsure.
        return None, seen < self.policy.lookup_pages * 100


HISTORY_MARGIN = timedelta(minutes=10)  # clocks of PrintNode and this PC may differ a little


@dataclass
class History:
    """What PrintNode's job list said about a batch of automatic slips."""
    found: dict[str, RemoteJob] = field(default_factory=dict)
    seen: int = 0
    complete: bool = False  # the list reached back past every order of the batch (or ended)
    reached: datetime | None = None  # the oldest job's time seen

    def covers(self, since: datetime) -> bool:
        """Would a slip sent after `since` be among the jobs seen?"""
        return self.complete or (self.reached is not None
                                 and since - HISTORY_MARGIN >= self.reached)


def _since(row: Any) -> datetime:
    """The earliest a slip of this row's order can have been printed: when it was placed
    (`due` joins it in), else when the row was made."""
    keys = row.keys()
    for column in ("order_placed_at", "created_at"):
        if column in keys and (when := parse_timestamp(row[column])) is not None:
            return when
    return utc_now()


def job_payload(settings: dict[str, Any], order: Order, printer: Printer, *, paper: str,
                title: str, source: str, copies: int,
                bins: dict[str, str] | None = None) -> dict[str, Any]:
    """The POST /printjobs body for one slip."""
    from slipstation.slips.slip import SlipOptions, render_slip  # ReportLab: when printing

    options = replace(SlipOptions.from_settings({**settings, "paper": paper}), dpi=printer.dpi,
                      bins=bins or {})
    return pdf_payload(render_slip(order, options), settings, printer, paper=paper,
                       title=title, source=source, copies=copies)


def pdf_payload(pdf: bytes, settings: dict[str, Any], printer: Printer, *, paper: str,
                title: str, source: str, copies: int) -> dict[str, Any]:
    """The POST /printjobs body for a PDF (a slip, a pick list): the printer's own name for
    the paper when it has one (else fit to page), and an expiry so it never prints late."""
    from slipstation.slips.paper import paper as paper_spec

    paper_name = printer.paper_named(paper_spec(paper).printnode_paper)
    print_options: dict[str, Any] = {"fit_to_page": paper_name is None}
    if paper_name:
        print_options["paper"] = paper_name
    return {
        "printerId": printer.id, "title": title, "contentType": "pdf_base64",
        "content": base64.b64encode(pdf).decode("ascii"), "source": source,
        "qty": copies, "expireAfter": int(settings["expire_minutes"]) * 60,
        "options": print_options,
    }
