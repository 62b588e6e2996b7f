"""What the header, the tray and `slipstation status` show, and the two histories (the scrubbed
activity log and the audit log). Local reads only: cheap enough for every refresh."""

from __future__ import annotations

from slipstation.app.core import Core
from slipstation.app.outcomes import StationStatus
from slipstation.app.printing import PrintingService
from slipstation.domain import ATTENTION_STATES, WAITING_STATES
from slipstation.store.app_log import recent
from slipstation.store.audit import AuditEntry
from slipstation.sync import LAST_OUTCOME, LAST_STATUS, SyncOutcome
from slipstation.timeutil import utc_now

LogLine = tuple[str, str, str, str]  # at, level, logger, message


class StatusService:
    def __init__(self, core: Core, printing: PrintingService) -> None:
        self._core = core
        self._printing = printing

    def now(self) -> StationStatus:
        core = self._core
        counts = core.queue.state_counts()
        midnight = utc_now().replace(hour=0, minute=0, second=0, microsecond=0)
        return StationStatus(
            last_sync=core.state.get(LAST_STATUS) or "not synced yet",
            queued=sum(counts.get(s, 0) for s in WAITING_STATES),
            printed_today=core.queue.sent_since(midnight),
            failures=sum(counts.get(s, 0) for s in ATTENTION_STATES),
            paused=self._printing.paused, printer_problem=self._printing.printer_problem,
            sync_outcome=SyncOutcome.parse(core.state.get(LAST_OUTCOME)))

    def activity(self, limit: int = 300) -> list[LogLine]:
        """The newest lines of the scrubbed log kept in the database."""
        return recent(self._core.db, limit)

    def audit(self, limit: int = 300) -> list[AuditEntry]:
        """The newest audit entries: who changed what, when (no PII, no secrets)."""
        return self._core.audit.entries(limit)
