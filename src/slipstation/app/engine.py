"""The headless service behind `slipstation run` (and the GUI's background engine).

APScheduler runs the sync every `poll_seconds` (one at a time, missed runs coalesced). A job
never lets an exception escape: each failure is one log line and the next run tries again.
One service per data directory, enforced by a lock file.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from apscheduler.events import JobExecutionEvent, JobSubmissionEvent
    from apscheduler.schedulers.background import BackgroundScheduler

from slipstation.app.station import Station
from slipstation.errors import Cancelled, SlipStationError
from slipstation.logs import add_handler
from slipstation.service_lock import ServiceLock
from slipstation.sync import SyncSummary
from slipstation.timeutil import env_seconds

log = logging.getLogger(__name__)
PRINT_REFRESH_ENV = "SLIPSTATION_PRINT_REFRESH_SECONDS"  # default 20; the crash test shortens it


@dataclass(frozen=True)
class CycleReport:
    """How one scheduled sync cycle ended: its summary, or the error that stopped it (None
    for both: an unexpected error, in the log)."""

    summary: SyncSummary | None = None
    error: SlipStationError | None = None

    def line(self) -> str:
        if self.summary is not None:
            return f"sync: {self.summary.line()}"
        if self.error is not None:
            return f"sync failed: {self.error.message}"
        return "sync failed unexpectedly (see the log)"


class Engine:
    """The scheduled background work of one station."""

    def __init__(self, station: Station,
                 on_cycle: Callable[[CycleReport], None] | None = None,
                 on_cycle_start: Callable[[], None] | None = None) -> None:
        self.station = station
        self._on_cycle = on_cycle
        self._on_cycle_start = on_cycle_start
        self._scheduler: BackgroundScheduler | None = None  # made by start()
        self._starting = threading.Lock()  # a window starts it on a worker; it may close first
        self._poll_seconds = 0
        self._last_problem: str | None = None
        self._last_print_problem: str | None = None
        self.cycle_done = threading.Event()
        self._asked: set[str] = set()  # jobs asked to run now and not begun since
        self._asked_lock = threading.Lock()

    def start(self) -> None:
        # APScheduler is imported here, by the first start, not by every window and command.
        from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_SUBMITTED
        from apscheduler.schedulers.background import BackgroundScheduler
        from apscheduler.triggers.interval import IntervalTrigger

        if self.station.stop.stopped:  # closed before it began: the store is not reopened
            return
        poll_seconds = int(self.station.config.get("poll_seconds"))
        with self._starting:
            if self.station.stop.stopped:  # stopped before it started: it never starts
                return
            self._poll_seconds = poll_seconds
            scheduler = BackgroundScheduler(timezone=UTC)
            scheduler.add_job(
                self._sync_job, IntervalTrigger(seconds=poll_seconds), id="sync",
                max_instances=1, coalesce=True, misfire_grace_time=None,
                next_run_time=datetime.now(UTC))
            scheduler.add_job(
                self._print_job, IntervalTrigger(seconds=env_seconds(PRINT_REFRESH_ENV, 20)),
                id="printing", max_instances=1, coalesce=True, misfire_grace_time=None)
            # Hourly check, daily purge: a station that was off catches up when it starts.
            scheduler.add_job(
                self._retention_job, IntervalTrigger(hours=1), id="retention",
                max_instances=1, coalesce=True, misfire_grace_time=None,
                next_run_time=datetime.now(UTC) + timedelta(minutes=1))
            scheduler.add_listener(self._began, EVENT_JOB_SUBMITTED)
            scheduler.add_listener(self._ended, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
            scheduler.start()
            self._scheduler = scheduler

    @property
    def running(self) -> bool:
        return self._scheduler is not None and bool(self._scheduler.running)

    def run_now(self, job: str = "sync") -> None:
        """Run a scheduled job (sync | printing | retention) now instead of at its next tick;
        asked while it runs (Sync now as a cycle ends), it runs again as soon as that run ends,
        rather than the request being dropped as a second instance."""
        if self._scheduler is not None:
            with self._asked_lock:
                self._asked.add(job)
            self._scheduler.modify_job(job, next_run_time=datetime.now(UTC))

    def _began(self, event: JobSubmissionEvent) -> None:
        with self._asked_lock:
            self._asked.discard(event.job_id)

    def _ended(self, event: JobExecutionEvent) -> None:
        """A run ended (the scheduler counts it as ended now): one asked for meanwhile goes."""
        with self._asked_lock:
            again = event.job_id in self._asked
        if not again:
            return
        from apscheduler.jobstores.base import JobLookupError

        with self._scheduling() as scheduler, contextlib.suppress(JobLookupError):
            if scheduler is not None:
                scheduler.modify_job(event.job_id, next_run_time=datetime.now(UTC))

    def stop(self, *, wait: bool = False) -> None:
        """Stop scheduling; with `wait`, also let a running job end (the stop token makes it
        end at its next network call)."""
        with self._starting:  # a job's own rescheduling (`_scheduling`) is over, or never starts
            self.station.stop.stop()
            scheduler = self._scheduler
        if scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=wait)

    @contextlib.contextmanager
    def _scheduling(self) -> Iterator[BackgroundScheduler | None]:
        """The scheduler, for a job to change its own schedule from its worker thread, or None
        once stopping began. Held against `stop`: a shutdown that waits for the worker holds
        the scheduler's lock, which the change would wait for, for ever."""
        with self._starting:
            scheduler = self._scheduler
            yield scheduler if scheduler is not None and scheduler.running \
                and not self.station.stop.stopped else None

    def _sync_job(self) -> None:
        if self._on_cycle_start:
            self._on_cycle_start()
        try:
            report = CycleReport(summary=self.station.sync.run())
            self._last_problem = None
        except Cancelled:
            return
        except SlipStationError as exc:
            report = CycleReport(error=exc)
            if report.line() != self._last_problem:
                log.error("%s", report.line())
            self._last_problem = report.line()
        except Exception:  # the loop never dies; the traceback goes to the scrubbed log
            log.exception("sync failed unexpectedly")
            report = CycleReport()
        self.cycle_done.set()
        if self._on_cycle:
            self._on_cycle(report)
        self._follow_poll_setting()

    def _print_job(self) -> None:
        """Retries due print jobs and follows submitted ones to done/failed."""
        try:
            self.station.printing.refresh()
        except Cancelled:
            return
        except SlipStationError as exc:
            if exc.message != self._last_print_problem:  # once per distinct problem
                log.warning("print refresh failed: %s", exc.message)
            self._last_print_problem = exc.message
            return
        except Exception:
            log.exception("print refresh failed unexpectedly")
            return
        self._last_print_problem = None

    def _retention_job(self) -> None:
        try:
            counts = self.station.privacy.purge_if_due()
            if counts is not None:
                log.info("retention purge: %s", counts.line())
        except Cancelled:
            return
        except Exception:
            log.exception("retention purge failed")

    def _follow_poll_setting(self) -> None:
        try:
            wanted = int(self.station.config.get("poll_seconds"))
        except SlipStationError:
            return
        if wanted == self._poll_seconds:
            return
        from apscheduler.triggers.interval import IntervalTrigger

        with self._scheduling() as scheduler:
            if scheduler is None:
                return
            self._poll_seconds = wanted
            scheduler.reschedule_job("sync", trigger=IntervalTrigger(seconds=wanted))
        log.info("poll interval now %d s", wanted)


def run_service(station: Station, on_cycle: Callable[[CycleReport], None] | None = None, *,
                log_to_stderr: bool = False) -> int:
    """Run until SIGINT/SIGTERM; returns the exit code."""
    stopping = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s; stopping", signal.Signals(signum).name)
        stopping.set()

    with ServiceLock(station.paths):
        station.db  # noqa: B018 - open (and migrate) the store before the first job runs
        if log_to_stderr:  # a headless service's journal
            add_handler(logging.StreamHandler(sys.stderr)).setLevel(logging.INFO)
        engine = Engine(station, on_cycle)
        previous = {sig: signal.signal(sig, request_stop)
                    for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            engine.start()
            log.info("service started on %s", station.paths.data_dir)
            while not stopping.wait(0.5):
                pass
        finally:
            # Let a running cycle end (the stop token ends it at its next network call)
            # before the store closes under it: closing SQLite connections while another
            # thread runs a statement on them crashed the process at exit (SIGSEGV).
            engine.stop(wait=True)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        log.info("service stopped")
    return 0

