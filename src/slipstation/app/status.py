"""What the header, the tray and `slipstation status` show, and the two histories (the scrubbed
activity log and the audit log). Local reads only: cheap enough for every refresh."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from slipstation.app.core import Core
from slipstation.app.outcomes import StationStatus
from slipstation.app.printing import PrintingService
from slipstation.domain import ATTENTION_STATES, WAITING_STATES
from slipstation.printing.queue import JobRow
from slipstation.store.app_log import LogLine, recent
from slipstation.store.audit import AuditEntry
from slipstation.store.packing import PackedStore
from slipstation.sync import LAST_OUTCOME, LAST_STATUS, SyncOutcome
from slipstation.timeutil import parse_timestamp, to_iso, utc_now

FIRST_LOOK = 20_000  # rows of each history a face is given on its first look


@dataclass(frozen=True)
class ChangeCursor:
    """Where a face's last look ended; the empty cursor means "never looked"."""

    jobs_at: str = ""   # the newest job update seen (jobs updated at or after it come again)
    audit_id: int = 0
    log_id: int = 0


@dataclass(frozen=True)
class Changes:
    """What changed since a cursor: the status now, and the jobs, audit entries and log lines
    that are new or changed (newest first). `cursor` is where the next look starts."""

    status: StationStatus
    cursor: ChangeCursor
    jobs: list[JobRow] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)
    activity: list[LogLine] = field(default_factory=list)


def _local_hours(by_utc_hour: dict[str, int], midnight: datetime) -> tuple[int, ...]:
    """UTC-hour counts laid out over today's local hours (0:00 first)."""
    hours = [0] * 24
    for hour, count in by_utc_hour.items():
        moment = parse_timestamp(f"{hour}:00:00Z")
        if moment is not None:
            index = int((moment - midnight.astimezone(moment.tzinfo)).total_seconds() // 3600)
            hours[min(max(index, 0), 23)] += count
    return tuple(hours)


class StatusService:
    def __init__(self, core: Core, printing: PrintingService) -> None:
        self._core = core
        self._printing = printing

    def now(self) -> StationStatus:
        core = self._core
        counts = core.queue.state_counts()
        midnight = utc_now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
        return StationStatus(
            last_sync=core.state.get(LAST_STATUS) or "not synced yet",
            queued=sum(counts.get(s, 0) for s in WAITING_STATES),
            printed_today=core.queue.sent_since(midnight),
            per_hour=_local_hours(core.queue.sent_per_hour(midnight), midnight),
            failures=sum(counts.get(s, 0) for s in ATTENTION_STATES),
            paused=self._printing.paused, printer_problem=self._printing.printer_problem,
            sync_outcome=SyncOutcome.parse(core.state.get(LAST_OUTCOME)),
            missing=self._printing.missing_setup(),
            packed_today=PackedStore(core.db).count_since(to_iso(midnight),
                                                          core.station_name()))

    def changes(self, since: ChangeCursor, *, audit: bool = True,
                activity: bool = True) -> Changes:
        """The change feed faces refresh from: cheap when little changed (each history is read
        from where the last look ended, by index). Leave out the logs nobody is looking at."""
        core = self._core
        status = self.now()
        if since.jobs_at:
            jobs = core.queue.jobs(limit=FIRST_LOOK, changed_since=since.jobs_at)
        else:
            jobs = core.queue.jobs(limit=FIRST_LOOK)
        times = [moment for job in jobs if (moment := parse_timestamp(job.updated_at))]
        newest = max(times, default=None)
        # A second of overlap: a job updated later within the newest second is not missed.
        jobs_at = to_iso(newest) if newest is not None else since.jobs_at
        entries = core.audit.entries(FIRST_LOOK, after_id=since.audit_id) if audit else []
        lines = recent(core.db, FIRST_LOOK, after_id=since.log_id) if activity else []
        cursor = ChangeCursor(
            jobs_at=jobs_at,
            audit_id=entries[0].id if entries else since.audit_id,
            log_id=lines[0].id if lines else since.log_id)
        return Changes(status, cursor, jobs, entries, lines)

    def activity(self, limit: int = 300) -> list[LogLine]:
        """The newest lines of the scrubbed log kept in the database."""
        return recent(self._core.db, limit)

    def audit(self, limit: int = 300) -> list[AuditEntry]:
        """The newest audit entries: who changed what, when (no PII, no secrets)."""
        return self._core.audit.entries(limit)
