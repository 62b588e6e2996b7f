"""The application services: one engine that the GUI, the tray and the CLI all call.

A `Station` is one data directory: its keyring entries, its encrypted database, its settings and
audit log. Nothing here imports Qt, and no face talks SQL or HTTP itself.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from slipstation import privacy
from slipstation.api.http import RetryPolicy, StopToken
from slipstation.api.printnode import Printer, PrintNodeClient
from slipstation.api.shippo import ShippoClient
from slipstation.credentials import API_KEYS, Credentials, KeyStatus, Secret, validate_api_key
from slipstation.errors import NotFound, ServiceAuthError, SlipStationError, UsageError
from slipstation.fileio import write_private
from slipstation.logs import shutdown_logging
from slipstation.orders.models import Order, parse_order
from slipstation.orders.repository import OrderRepository, StoredOrder
from slipstation.paths import StationPaths
from slipstation.printing import queue as jobstates
from slipstation.printing.queue import JobRow, PrintQueue, ProcessResult, QueuePolicy, job_payload
from slipstation.retention import LAST_PURGE, PurgeCounts, purge
from slipstation.sample_orders import sample_order
from slipstation.slips.picklist import render_picklist
from slipstation.slips.slip import SlipOptions, render_slip
from slipstation.store.app_log import DatabaseLog
from slipstation.store.audit import AuditLog
from slipstation.store.database import Database, open_database
from slipstation.store.settings import SETTINGS, Setting, Settings, lookup
from slipstation.store.sync_state import SyncState
from slipstation.sync import LAST_OUTCOME, LAST_STATUS, ShippoSync, SyncOutcome, SyncSummary
from slipstation.timeutil import now_iso, parse_timestamp, to_iso, utc_now

log = logging.getLogger(__name__)
PAUSED = "print.paused"


class Level(StrEnum):
    """The station's state at a glance: the tray colour and the header's word."""

    RUNNING = "running"
    PAUSED = "paused"
    ERROR = "error"


@dataclass(frozen=True)
class StationStatus:
    last_sync: str
    queued: int
    printed_today: int
    failures: int
    paused: bool
    printer_problem: str | None = None
    sync_outcome: SyncOutcome = SyncOutcome.NEVER

    @property
    def level(self) -> Level:
        if self.paused:
            return Level.PAUSED
        if self.failures or self.printer_problem or self.sync_outcome.is_problem:
            return Level.ERROR
        return Level.RUNNING

    @property
    def key_rejected(self) -> bool:
        return self.sync_outcome is SyncOutcome.KEY_REJECTED


class PrintState(StrEnum):
    """What became of a person's print, as PrintNode answered it."""

    SENT = "sent"                # PrintNode accepted it
    WAITING = "waiting"          # not accepted yet (PrintNode unreachable, or busy elsewhere)
    REFUSED = "refused"          # PrintNode refused it, or it could not be sent
    SKIPPED = "skipped"          # the order is no longer eligible (checked with Shippo)
    ALREADY = "already_printed"  # another station printed this order's slip


@dataclass(frozen=True)
class PrintOutcome:
    """The truth about one manual print, for the CLI's exit code and the scan banner."""

    state: PrintState
    job: JobRow
    kind: str                     # manual | reprint | auto (the order's own slip, sent now)
    printer_name: str = ""
    printer_offline: str | None = None  # the printer's condition when it is not ready
    reason: str = ""

    @property
    def accepted(self) -> bool:
        return self.state in (PrintState.SENT, PrintState.ALREADY)

    def line(self) -> str:
        what = {"reprint": "reprint", "manual": "manual print"}.get(self.kind, "slip")
        number = self.job.order_number
        printer = f"{self.printer_name} " if self.printer_name else ""
        if self.state is PrintState.SENT:
            copies = f", {self.job.copies} copies" if self.job.copies > 1 else ""
            text = (f"{what} of {number} sent to {printer}(printer {self.job.printer_id}, "
                    f"PrintNode job {self.job.printnode_job_id}{copies})")
            if self.printer_offline:
                text += f"; the printer is {self.printer_offline}: it prints when it is back"
            return text
        if self.state is PrintState.ALREADY:
            return f"{number} was already printed: {self.reason}"
        if self.state is PrintState.SKIPPED:
            return f"{number} not printed: {self.reason}"
        if self.state is PrintState.WAITING:
            return f"{what} of {number} not sent yet (job {self.job.id}): {self.reason}"
        return f"{what} of {number} not printed (job {self.job.id}): {self.reason}"


@dataclass
class BatchResult:
    sent: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ConfigItem:
    setting: Setting
    value: Any
    is_default: bool

    @property
    def text(self) -> str:
        return self.setting.format(self.value)


class Station:
    def __init__(self, data_dir: Path, *, demo: bool = False,
                 retry_policy: RetryPolicy | None = None,
                 queue_policy: QueuePolicy | None = None, http_timeout: float = 20.0) -> None:
        self.paths = StationPaths(data_dir)
        self.http_timeout = http_timeout
        self.retry_policy = retry_policy
        self.queue_policy = queue_policy
        self.demo = demo
        self.credentials = Credentials(data_dir)
        self.stop = StopToken()
        self.printer_problem: str | None = None  # from the last check_printer()
        self._db: Database | None = None
        self._db_log: DatabaseLog | None = None
        self._shippo: tuple[str, ShippoClient] | None = None      # (the key it was made with,
        self._printnode: tuple[str, PrintNodeClient] | None = None  # the client)
        self._queue: PrintQueue | None = None

    # -- store ---------------------------------------------------------------------------------
    @property
    def db(self) -> Database:
        if self._db is None:
            self.paths.ensure()
            self._db = open_database(self.paths.database, self.credentials)
            self._db_log = DatabaseLog(self._db)
            self._db_log.start()
        return self._db

    @property
    def settings(self) -> Settings:
        return Settings(self.db)

    @property
    def audit(self) -> AuditLog:
        return AuditLog(self.db, self.station_name)

    def station_name(self) -> str:
        return str(self.settings.get("station"))

    @property
    def orders(self) -> OrderRepository:
        return OrderRepository(self.db)

    @property
    def state(self) -> SyncState:
        return SyncState(self.db)

    def close(self) -> None:
        self.stop.stop()
        for made in (self._shippo, self._printnode):
            if made is not None:
                made[1].close()
        self._shippo = self._printnode = None
        self._queue = None
        if self._db_log is not None:
            self._db_log.stop()
            self._db_log = None
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> Station:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- keys ----------------------------------------------------------------------------------
    def set_api_key(self, which: Secret, value: str) -> str:
        """Store a validated API key in the keyring; returns it masked."""
        if which not in API_KEYS:
            raise ValueError(which)
        key = validate_api_key(which, value)
        db = self.db  # the audit entry must be writable before the key changes
        self.credentials.set(which, key)
        AuditLog(db, self.station_name).record("keys.set", key=which.value)
        log.info("%s key stored in the keyring", which.value)
        return self.credentials.status()[API_KEYS.index(which)].masked

    def clear_api_keys(self) -> list[str]:
        cleared = [name.value for name in API_KEYS if self.credentials.delete(name)]
        self.audit.record("keys.clear", cleared=",".join(cleared) or "none")
        log.info("API keys cleared: %s", ", ".join(cleared) or "none were set")
        return cleared

    def key_status(self) -> list[KeyStatus]:
        return self.credentials.status()

    # -- configuration -------------------------------------------------------------------------
    def config(self) -> list[ConfigItem]:
        values = self.settings.all()
        explicit = self.settings.explicitly_set()
        return [ConfigItem(s, values[s.key], s.key not in explicit) for s in SETTINGS]

    def set_config(self, key: str, text: str) -> ConfigItem:
        value = self.settings.set(key, text)
        self.audit.record("config.set", key=key)
        log.info("setting %s changed", key)
        return next(item for item in self.config() if item.setting.key == key and
                    item.value == value)

    def set_autostart(self, enabled: bool) -> None:
        """Start this station in the tray at login (or stop doing so)."""
        from slipstation import autostart

        autostart.set_enabled(enabled, self.paths.data_dir)
        self.audit.record("autostart.set", enabled=enabled)

    # -- Shippo --------------------------------------------------------------------------------
    def _key(self, which: Secret) -> str:
        key = self.credentials.get(which)
        if not key:
            service = {Secret.SHIPPO: "Shippo", Secret.PRINTNODE: "PrintNode"}[which]
            raise SlipStationError(f"No {service} API key is set; run "
                                   f"`slipstation keys set {which.value}`.")
        return key

    def shippo(self) -> ShippoClient:
        """The pooled Shippo client, made with the key the keyring holds now: a key stored or
        cleared by another process takes effect at the next call (every cycle)."""
        key = self._key(Secret.SHIPPO)
        if self._shippo is None or self._shippo[0] != key:
            if self._shippo is not None:
                self._shippo[1].close()
            self._shippo = (key, ShippoClient(key, stop=self.stop, policy=self.retry_policy,
                                              timeout=self.http_timeout))
        return self._shippo[1]

    def _key_changed(self, which: Secret) -> bool:
        """After a 401: does the keyring hold another key than the client used?"""
        made = self._shippo if which is Secret.SHIPPO else self._printnode
        return made is not None and self.credentials.get(which) not in (None, made[0])

    def sync(self) -> SyncSummary:
        """One cycle: pull orders from Shippo into the store, queue and print what is due
        (only what a person asked for while auto-print is paused)."""
        try:
            summary = ShippoSync(self.db, self.shippo()).run_cycle()
        except ServiceAuthError:
            if not self._key_changed(Secret.SHIPPO):
                raise
            log.info("Shippo key changed in the keyring; syncing with the new one")
            summary = ShippoSync(self.db, self.shippo()).run_cycle()
        if summary.new or summary.updated:
            self.audit.record("orders.synced", new=summary.new, updated=summary.updated,
                              skipped=summary.skipped)
        self.queue.plan_auto()
        paused = self.paused
        result = self._process(automatic=not paused)
        summary.printed = result.submitted
        summary.print_problem = "auto-print paused" if paused else result.problem
        if result.submitted:  # PrintNode usually has them done at once: show it now
            self.queue.refresh_states()
        return summary

    def _process(self, *, automatic: bool) -> ProcessResult:
        result = self.queue.process(automatic=automatic)
        if result.auth_rejected and self._key_changed(Secret.PRINTNODE):
            log.info("PrintNode key changed in the keyring; printing with the new one")
            result = self.queue.process(automatic=automatic)
        return result

    # -- pause ---------------------------------------------------------------------------------
    @property
    def paused(self) -> bool:
        """Auto-print paused: stored, so every process of this station (GUI, tray, `run`, the
        CLI) sees it within one cycle, and it survives a restart."""
        return self.state.get(PAUSED) == "1"

    def set_paused(self, paused: bool) -> None:
        if paused == self.paused:
            return
        if paused:
            self.state.set(PAUSED, "1")
        else:
            self.state.delete(PAUSED)
        self.audit.record("print.pause" if paused else "print.resume")
        log.info("auto-print %s", "paused" if paused else "resumed")

    def status(self) -> StationStatus:
        """What the header and the tray show; local reads only."""
        today = to_iso(utc_now().replace(hour=0, minute=0, second=0, microsecond=0))
        counts = dict(self.db.query("SELECT state, count(*) FROM print_jobs GROUP BY state"))
        printed = int(self.db.scalar(
            "SELECT count(DISTINCT print_job_id) FROM print_job_events WHERE state = 'submitted' "
            "AND at >= ?", (today,)))
        return StationStatus(
            last_sync=self.state.get(LAST_STATUS) or "not synced yet",
            queued=sum(counts.get(s, 0) for s in ("queued", "submitting", "no_printer")),
            printed_today=printed,
            failures=sum(counts.get(s, 0) for s in ("failed", "unconfirmed")),
            paused=self.paused, printer_problem=self.printer_problem,
            sync_outcome=SyncOutcome.parse(self.state.get(LAST_OUTCOME)))

    # -- PrintNode -----------------------------------------------------------------------------
    def printnode(self) -> PrintNodeClient:
        """The pooled PrintNode client, made with the key the keyring holds now."""
        key = self._key(Secret.PRINTNODE)
        if self._printnode is None or self._printnode[0] != key:
            if self._printnode is not None:
                self._printnode[1].close()
            self._printnode = (key, PrintNodeClient(key, stop=self.stop, policy=self.retry_policy,
                                                    timeout=self.http_timeout))
        return self._printnode[1]

    @property
    def queue(self) -> PrintQueue:
        if self._queue is None:
            self._queue = PrintQueue(self.db, self.printnode, station_name=self.station_name,
                                     policy=self.queue_policy, order_check=self._recheck_order)
        return self._queue

    def _recheck_order(self, order: Order) -> Order:
        """Read an order again from Shippo and store what it says now."""
        raw = self.shippo().order(order.object_id)
        fresh = parse_order(raw)
        self.orders.upsert([(fresh, raw)])
        return fresh

    def printers(self) -> list[Printer]:
        return self.printnode().printers()

    def check_printer(self) -> str | None:
        """Is the chosen printer there and online? Kept for the header, the tray and its
        notification; None when all is well (or no printer is chosen yet)."""
        printer_id = self.settings.get("printer")
        problem = None
        if printer_id is not None:
            printer = self.printnode().printer(int(printer_id))
            if printer is None:
                problem = f"printer {printer_id} is not on this PrintNode account"
            elif not printer.ready:
                problem = f"printer {printer.name} is {printer.condition}"
        self.printer_problem = problem
        return problem

    def refresh_printing(self) -> int:
        """Retry what is due and poll PrintNode for job states; returns state changes."""
        self.check_printer()
        self._process(automatic=not self.paused)
        return self.queue.refresh_states()

    def print_order(self, number: str, *, copies: int = 1,
                    printer: int | None = None) -> PrintOutcome:
        """A person's print: it goes first and alone (paused automatic slips stay paused),
        and the outcome says what PrintNode answered. If the order's automatic slip has not
        gone yet, this print is that slip (one job, not two); after a slip printed, it is a
        reprint, recorded as one."""
        stored = self.find_order(number)
        if not 1 <= copies <= 20:
            raise UsageError("Copies must be from 1 to 20.")
        printer = printer or self.settings.get("printer")
        if printer is None:
            raise SlipStationError("No printer chosen: `slipstation config set printer ID` "
                                   "(see `slipstation printers`) or pass --printer.")
        printer = int(printer)
        earlier = [j for j in self.queue.jobs(order_id=stored.id) if j.state in jobstates.SENT]
        job_id = None if earlier else self.queue.take_over_auto(stored.id, printer=printer,
                                                                 copies=copies)
        kind = "auto" if job_id is not None else "reprint" if earlier else "manual"
        if job_id is None:
            job_id = self.queue.enqueue(stored.id, stored.order, kind=kind, printer=printer,
                                        paper=str(self.settings.get("paper")), copies=copies)
        self.audit.record("print.reprint" if kind == "reprint" else "print.manual",
                          copies=copies)
        job, result = self.queue.send(job_id)
        return self._outcome(job, kind, result)

    def _outcome(self, job: JobRow, kind: str, result: ProcessResult) -> PrintOutcome:
        states = {jobstates.SUBMITTED: PrintState.SENT, jobstates.DONE: PrintState.SENT,
                  jobstates.SKIPPED: PrintState.SKIPPED, jobstates.FAILED: PrintState.REFUSED,
                  jobstates.UNCONFIRMED: PrintState.REFUSED}
        state = states.get(job.state, PrintState.WAITING)
        if state is PrintState.SENT and result.already_printed:
            state = PrintState.ALREADY
        name, offline = "", None
        if job.printer_id is not None:
            try:
                found = self.printnode().printer(job.printer_id)
            except SlipStationError:
                found = None
            if found is not None:
                name = found.name
                offline = None if found.ready else found.condition
        reason = ""
        if state is PrintState.ALREADY:
            reason = self.queue.last_event(job.id)
        elif state is not PrintState.SENT:
            reason = job.last_error or result.problem or self.queue.last_event(job.id)
        return PrintOutcome(state, job, kind, name, offline, reason)

    def print_orders(self, numbers: list[str],
                     report: Callable[[int, int], None] | None = None) -> BatchResult:
        """Print several orders (the GUI's multi-select); one failure never stops the rest."""
        result = BatchResult()
        for done, number in enumerate(numbers, 1):
            try:
                outcome = self.print_order(number)
            except SlipStationError as exc:
                result.problems.append(f"{number}: {exc.message}")
            else:
                if outcome.accepted:
                    result.sent += 1
                else:
                    result.problems.append(outcome.line())
            if report is not None:
                report(done, len(numbers))
        return result

    def print_test_page(self, printer_id: int, paper: str | None = None) -> int:
        """A sample slip straight to a printer (first run, Settings): proves the key, the
        printer and the paper before any real order. Not an order, so not in the queue."""
        printer = self.printnode().printer(printer_id)
        if printer is None:
            raise NotFound(f"Printer {printer_id} is not on this PrintNode account.")
        paper = paper or str(self.settings.get("paper"))
        payload = job_payload(self.settings.all(), sample_order(), printer, paper=paper,
                              title=f"Test print [{uuid.uuid4().hex[:10]}]",
                              source=f"SlipStation {self.station_name()}"[:100], copies=1)
        job_id = self.printnode().submit(payload, uuid.uuid4().hex)
        self.audit.record("print.test", printer=printer_id, paper=paper)
        return job_id

    def requeue(self, job_id: int, printer: int | None = None) -> JobRow:
        """Send a failed, unconfirmed, skipped, cancelled or dismissed job again, to the
        printer chosen now (or `printer`): that job alone, at once."""
        target = printer or self.settings.get("printer")
        self.queue.requeue(job_id, int(target) if target is not None else None)
        self.audit.record("print.requeue", job=job_id)
        if target is None:
            return self.queue.job(job_id)
        return self.queue.send(job_id)[0]

    def cancel_job(self, job_id: int) -> JobRow:
        self.queue.cancel(job_id)
        self.audit.record("print.cancel", job=job_id)
        return self.queue.job(job_id)

    def dismiss_job(self, job_id: int) -> JobRow:
        self.queue.dismiss(job_id)
        self.audit.record("print.dismiss", job=job_id)
        return self.queue.job(job_id)

    def find_order(self, number: str) -> StoredOrder:
        found = self.orders.find(number)
        if found is None:
            raise NotFound(f"No order {number.strip()!r} in the local store "
                           "(sync first, or check the number).")
        return found

    # -- slips ---------------------------------------------------------------------------------
    def slip_options(self) -> SlipOptions:
        return SlipOptions.from_settings(self.settings.all())

    def render_slip(self, number: str) -> tuple[StoredOrder, bytes]:
        stored = self.find_order(number)
        return stored, render_slip(stored.order, self.slip_options())

    def preview_slip(self, number: str | None = None,
                     changes: dict[str, str] | None = None) -> bytes:
        """A slip as it would print with some settings changed but not yet saved (the
        Settings screen's live preview); a sample order when no order is named."""
        values = self.settings.all()
        for key, text in (changes or {}).items():
            values[key] = lookup(key).parse(text)
        order = self.find_order(number).order if number else sample_order()
        return render_slip(order, SlipOptions.from_settings(values))

    def render_picklist(self, numbers: list[str]) -> bytes:
        orders = [self.find_order(number).order for number in numbers]
        paper = str(self.settings.get("paper"))
        return render_picklist(orders, "a4" if paper == "4x6" else paper)

    # -- retention and privacy -----------------------------------------------------------------
    def purge(self, *, dry_run: bool = False) -> PurgeCounts:
        counts = purge(self.db, str(self.settings.get("tier")), utc_now(), dry_run=dry_run)
        if not dry_run:
            self.state.set(LAST_PURGE, now_iso())
            self.audit.record("data.purge", tier=str(self.settings.get("tier")),
                              orders=counts.orders, print_jobs=counts.print_jobs,
                              app_log=counts.app_log, audit_log=counts.audit_log)
        return counts

    def purge_if_due(self) -> PurgeCounts | None:
        """The daily retention run; catches up after the station was off."""
        last = parse_timestamp(self.state.get(LAST_PURGE))
        if last is not None and utc_now() - last < timedelta(days=1):
            return None
        return self.purge()

    def export(self, fmt: str, path: Path) -> int:
        if fmt == "csv":
            data = privacy.export_csv(self.db)
        else:
            station = {"name": self.station_name(), "data_dir": str(self.paths.data_dir),
                       "demo": self.demo, "keyring": self.credentials.location}
            keys = {s.name.value: s.masked for s in self.key_status()}
            data = privacy.export_json(self.db, station=station, settings=self.settings.all(),
                                       keys=keys)
        write_private(path, data)
        count = self.orders.count()
        self.audit.record("data.export", format=fmt, orders=count)
        return count

    def export_customer(self, email: str, path: Path) -> int:
        data, count = privacy.export_customer(self.db, email)
        write_private(path, data)
        self.audit.record("data.export_customer", orders=count)
        return count

    def redact(self, email: str) -> int:
        count = privacy.redact_customer(self.db, email)
        self.audit.record("data.redact", orders=count)
        log.info("redacted one customer in %d order(s)", count)
        return count

    def delete_order(self, number: str) -> None:
        stored = self.find_order(number)
        privacy.delete_orders(self.db, [stored.id])
        self.audit.record("data.delete_order", orders=1)

    def delete_all_orders(self) -> int:
        count = privacy.delete_orders(self.db, privacy.all_order_ids(self.db))
        self.audit.record("data.delete_orders", orders=count)
        return count

    def reset_config(self) -> int:
        """Both API keys and every setting go; orders, print history and the database stay."""
        cleared = [name.value for name in API_KEYS if self.credentials.delete(name)]
        count = self.settings.reset()
        self.audit.record("config.reset", settings=count, keys=",".join(cleared) or "none")
        return count

    def delete_all(self, confirmation: str | None, *, lock_held: bool = False) -> None:
        """The database, its key, both API keys and the logs: everything of this station.
        `lock_held`: the caller is the running service itself (the GUI), stopped already."""
        if confirmation != "DELETE":
            raise UsageError("Deleting all data needs `--confirm DELETE` (exactly); "
                             "nothing was changed.")
        from slipstation.service import ServiceLock

        # Refused while a service runs on this data dir (unless that service is the caller).
        with contextlib.nullcontext() if lock_held else ServiceLock(self):
            self.close()
            shutdown_logging()
            for path in sorted(self.paths.data_dir.glob("slipstation.db*")):
                path.unlink()
            shutil.rmtree(self.paths.log_dir, ignore_errors=True)
            for name in Secret:
                self.credentials.delete(name)
