"""The typed values the services hand the faces: a station's status and its level, what became
of a person's print, a batch's result, a setting with its value. Faces branch on these, never on
message text."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from slipstation.config import Setting
from slipstation.printing.queue import JobRow
from slipstation.sync import SyncOutcome


class Level(StrEnum):
    """The station's state at a glance: the tray colour and the header's word."""

    RUNNING = "running"
    PAUSED = "paused"
    ERROR = "error"
    SETUP = "setup"  # keys or printer missing, or the first-run window not finished


@dataclass(frozen=True)
class StationStatus:
    last_sync: str
    queued: int
    printed_today: int
    failures: int
    paused: bool
    printer_problem: str | None = None
    sync_outcome: SyncOutcome = SyncOutcome.NEVER
    missing: tuple[str, ...] = ()  # what setup still needs: "Shippo key", "printer"…
    per_hour: tuple[int, ...] = ()  # slips sent in each local hour of today, 0:00 first
    packed_today: int = 0  # orders packed at this station today (pack mode)

    @property
    def needs_setup(self) -> bool:
        return bool(self.missing)

    @property
    def level(self) -> Level:
        """Something broken first, then what setup lacks, then a pause."""
        if self.failures or self.printer_problem or self.sync_outcome.is_problem:
            return Level.ERROR
        if self.missing:
            return Level.SETUP
        if self.paused:
            return Level.PAUSED
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
        what = {"reprint": "reprint", "manual": "manual print", "label": "label"}.get(
            self.kind, "slip")
        number = self.job.order_number  # a pick list's: its title
        subject = number if self.kind == "picklist" else f"{what} of {number}"
        printer = f"{self.printer_name} " if self.printer_name else ""
        if self.state is PrintState.SENT:
            copies = f", {self.job.copies} copies" if self.job.copies > 1 else ""
            text = (f"{subject} sent to {printer}(printer {self.job.printer_id}, "
                    f"PrintNode job {self.job.printnode_job_id}{copies})")
            if self.printer_offline:
                text += f"; the printer is {self.printer_offline}: it prints when it is back"
            return text
        if self.state is PrintState.ALREADY:
            return f"{number} was already printed: {self.reason}"
        if self.state is PrintState.SKIPPED:
            return f"{number} not printed: {self.reason}"
        if self.state is PrintState.WAITING:
            return f"{subject} not sent yet (job {self.job.id}): {self.reason}"
        return f"{subject} not printed (job {self.job.id}): {self.reason}"


class ScanQuestion(StrEnum):
    """Why a scan did not print at once: a person scans the same order again to go ahead."""

    NOT_ELIGIBLE = "not_eligible"      # not in the statuses that print (unpaid, shipped…)
    PRINTED_BEFORE = "printed_before"  # its slip already went: another would be a reprint


@dataclass(frozen=True)
class ScanHold:
    """A scan held for a second scan, with what the packer needs to decide."""

    order_number: str
    question: ScanQuestion
    status: str                   # the order's status in the store
    printed_at: str | None = None  # when its last slip was sent (UTC, ISO 8601)

    def line(self, printed_at_local: str = "") -> str:
        if self.question is ScanQuestion.PRINTED_BEFORE:
            when = f" at {printed_at_local}" if printed_at_local else ""
            return f"{self.order_number} printed before{when} — scan again to reprint"
        unpaid = " (not paid)" if self.status in ("AWAITPAY", "UNKNOWN") else ""
        return f"{self.order_number} is {self.status}{unpaid} — scan again to print anyway"


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
