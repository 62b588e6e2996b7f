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
from pathlib import Path
from typing import Any

from slipstation import privacy
from slipstation.api.http import RetryPolicy, StopToken
from slipstation.api.printnode import Printer, PrintNodeClient
from slipstation.api.shippo import ShippoClient
from slipstation.credentials import API_KEYS, Credentials, KeyStatus, Secret, validate_api_key
from slipstation.errors import NotFound, SlipStationError, UsageError
from slipstation.fileio import write_private
from slipstation.logs import shutdown_logging
from slipstation.orders.repository import OrderRepository, StoredOrder
from slipstation.paths import StationPaths
from slipstation.printing.queue import JobRow, PrintQueue, QueuePolicy, job_payload
from slipstation.retention import LAST_PURGE, PurgeCounts, purge
from slipstation.sample_orders import sample_order
from slipstation.slips.picklist import render_picklist
from slipstation.slips.slip import SlipOptions, render_slip
from slipstation.store.app_log import DatabaseLog
from slipstation.store.audit import AuditLog
from slipstation.store.database import Database, open_database
from slipstation.store.settings import SETTINGS, Setting, Settings, lookup
from slipstation.store.sync_state import SyncState
from slipstation.sync import LAST_STATUS, ShippoSync, SyncSummary
from slipstation.timeutil import now_iso, parse_timestamp, to_iso, utc_now

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StationStatus:
    last_sync: str
    queued: int
    printed_today: int
    failures: int
    paused: bool
    printer_problem: str | None = None

    @property
    def level(self) -> str:
        """running | paused | error, for the tray icon's colour."""
        if self.paused:
            return "paused"
        if self.failures or self.printer_problem or \
                not self.last_sync.startswith(("ok", "not synced")):
            return "error"
        return "running"


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
        self.auto_print_paused = False  # a packer's pause: orders are still queued, not sent
        self.printer_problem: str | None = None  # from the last check_printer()
        self._db: Database | None = None
        self._db_log: DatabaseLog | None = None
        self._shippo: ShippoClient | None = None
        self._printnode: PrintNodeClient | None = None
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
        for client in (self._shippo, self._printnode):
            if client is not None:
                client.close()
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
        """The one pooled Shippo client of this station (made on first use)."""
        if self._shippo is None:
            self._shippo = ShippoClient(self._key(Secret.SHIPPO), stop=self.stop,
                                        policy=self.retry_policy, timeout=self.http_timeout)
        return self._shippo

    def sync(self) -> SyncSummary:
        """One cycle: pull orders from Shippo into the store, queue and print what is due."""
        summary = ShippoSync(self.db, self.shippo()).run_cycle()
        if summary.new or summary.updated:
            self.audit.record("orders.synced", new=summary.new, updated=summary.updated,
                              skipped=summary.skipped)
        self.queue.plan_auto()
        if self.auto_print_paused:
            summary.print_problem = "auto-print paused"
            return summary
        result = self.queue.process()
        summary.printed = result.submitted
        summary.print_problem = result.problem
        if result.submitted:  # PrintNode usually has them done at once: show it now
            self.queue.refresh_states()
        return summary

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
            paused=self.auto_print_paused, printer_problem=self.printer_problem)

    # -- PrintNode -----------------------------------------------------------------------------
    def printnode(self) -> PrintNodeClient:
        if self._printnode is None:
            self._printnode = PrintNodeClient(self._key(Secret.PRINTNODE), stop=self.stop,
                                              policy=self.retry_policy, timeout=self.http_timeout)
        return self._printnode

    @property
    def queue(self) -> PrintQueue:
        if self._queue is None:
            self._queue = PrintQueue(self.db, self.printnode, station_name=self.station_name,
                                     policy=self.queue_policy)
        return self._queue

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
        if not self.auto_print_paused:
            self.queue.process()
        return self.queue.refresh_states()

    def print_order(self, number: str, *, copies: int = 1, printer: int | None = None) -> JobRow:
        """A person's print or reprint: recorded as such, sent now through the same queue."""
        stored = self.find_order(number)
        printer = printer or self.settings.get("printer")
        if printer is None:
            raise SlipStationError("No printer chosen: `slipstation config set printer ID` "
                                   "(see `slipstation printers`) or pass --printer.")
        if not 1 <= copies <= 20:
            raise UsageError("Copies must be from 1 to 20.")
        earlier = [j for j in self.queue.jobs(order_id=stored.id) if j.state in ("done",
                                                                                "submitted")]
        kind = "reprint" if earlier else "manual"
        job_id = self.queue.enqueue(stored.id, stored.order, kind=kind, printer=printer,
                                    paper=str(self.settings.get("paper")), copies=copies)
        self.audit.record(f"print.{kind}", copies=copies)
        result = self.queue.process()
        job = self.queue.job(job_id)
        if job.state not in ("submitted", "done"):
            raise SlipStationError(f"Print job {job_id} is {job.state}: "
                                   f"{job.last_error or result.problem or 'not sent yet'}")
        return job

    def print_orders(self, numbers: list[str],
                     report: Callable[[int, int], None] | None = None) -> BatchResult:
        """Print several orders (the GUI's multi-select); one failure never stops the rest."""
        result = BatchResult()
        for done, number in enumerate(numbers, 1):
            try:
                self.print_order(number)
                result.sent += 1
            except SlipStationError as exc:
                result.problems.append(f"{number}: {exc.message}")
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

    def requeue(self, job_id: int) -> JobRow:
        self.queue.requeue(job_id)
        self.audit.record("print.requeue", job=job_id)
        self.queue.process()
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
