"""Printing as a person sees it: pause and resume (stored, so every process of the station
obeys), a person's print that goes first and alone and reports PrintNode's answer, jobs that
can be cancelled, dismissed and re-queued, and the printers. The exactly-once machinery itself
is `printing/queue.py`."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from slipstation.api.printnode import Printer
from slipstation.app.core import Core
from slipstation.app.outcomes import (
    BatchResult,
    PrintOutcome,
    PrintState,
    ScanHold,
    ScanQuestion,
)
from slipstation.credentials import Secret
from slipstation.domain import JobState
from slipstation.errors import NotFound, Remedy, SlipStationError, UsageError
from slipstation.orders.routing import route
from slipstation.printing.queue import LABEL, SENT, JobRow, ProcessResult, job_payload
from slipstation.sample_orders import sample_order
from slipstation.store.orders import StoredOrder

log = logging.getLogger(__name__)
NO_LABEL_STATUSES = frozenset(("CANCELLED", "REFUNDED"))  # never a label for these
PAUSED = "print.paused"
SETUP_PENDING = "setup.pending"
MAX_COPIES = 20
_OUTCOMES = {JobState.SUBMITTED: PrintState.SENT, JobState.DONE: PrintState.SENT,
             JobState.SKIPPED: PrintState.SKIPPED, JobState.FAILED: PrintState.REFUSED,
             JobState.UNCONFIRMED: PrintState.REFUSED}


class PrintingService:
    def __init__(self, core: Core) -> None:
        self._core = core
        self.printer_problem: str | None = None  # from the last check_printer()

    # -- pause ---------------------------------------------------------------------------------
    @property
    def paused(self) -> bool:
        """Auto-print paused: stored, so every process of this station (GUI, tray, `run`, the
        CLI) sees it within one cycle, and it survives a restart."""
        return self._core.state.get(PAUSED) == "1"

    def set_paused(self, paused: bool) -> None:
        if paused == self.paused:
            return
        if paused:
            self._core.state.set(PAUSED, "1")
        else:
            self._core.state.delete(PAUSED)
        self._core.audit.record("print.pause" if paused else "print.resume")
        log.info("auto-print %s", "paused" if paused else "resumed")

    # -- setup -----------------------------------------------------------------------------------
    @property
    def setup_pending(self) -> bool:
        """A first-run window is open and not finished: nothing prints automatically yet."""
        return self._core.state.get(SETUP_PENDING) == "1"

    def begin_setup(self) -> None:
        self._core.state.set(SETUP_PENDING, "1")

    def finish_setup(self) -> None:
        self._core.state.delete(SETUP_PENDING)
        self._core.audit.record("setup.finished")

    def clear_stale_setup(self) -> None:
        """No first-run window is open in this process: a pending mark is a leftover."""
        if self.setup_pending:
            self.finish_setup()

    def missing_setup(self) -> tuple[str, ...]:
        """What this station still needs before it can print on its own (local reads only)."""
        core = self._core
        missing = [name for name, secret in (("Shippo key", Secret.SHIPPO),
                                             ("PrintNode key", Secret.PRINTNODE))
                   if not core.credentials.get(secret)]
        if core.settings.get("printer") is None:
            missing.append("printer")
        if self.setup_pending:
            missing.append("first-run steps")
        return tuple(missing)

    # -- the automatic loop ----------------------------------------------------------------------
    def work_queue(self, *, plan: bool = False) -> ProcessResult:
        """Plan automatic slips for new orders (`plan`), then send what is due — only what a
        person asked for while auto-print is paused. A 401 re-reads the keyring first."""
        self._core.db.check_identity()
        queue = self._core.queue
        if plan:
            queue.plan_auto()
        paused, setting_up = self.paused, self.setup_pending
        automatic = not (paused or setting_up)
        result = queue.process(automatic=automatic)
        if result.auth_rejected and self._core.key_changed(Secret.PRINTNODE):
            log.info("PrintNode key changed in the keyring; printing with the new one")
            result = queue.process(automatic=automatic)
        if setting_up:
            result.problem = "set-up not finished"
        elif paused:
            result.problem = "auto-print paused"
        return result

    def refresh(self) -> int:
        """Retry what is due and poll PrintNode for job states; returns state changes."""
        self.check_printer()
        self.work_queue()
        return self._core.queue.refresh_states()

    # -- printers ------------------------------------------------------------------------------
    def printers(self) -> list[Printer]:
        return self._core.printnode().printers()

    def check_printer(self) -> str | None:
        """Is the chosen printer there and online? Kept for the header, the tray and its
        notification; None when all is well (or no printer is chosen yet)."""
        printer_id = self._core.settings.get("printer")
        problem = None
        if printer_id is not None:
            printer = self._core.printnode().printer(int(printer_id))
            if printer is None:
                problem = f"printer {printer_id} is not on this PrintNode account"
            elif not printer.ready:
                problem = f"printer {printer.name} is {printer.condition}"
        if problem != self.printer_problem:  # each change said once (the journal of `run`)
            if problem:
                log.warning("%s; slips wait at PrintNode until it is back", problem)
            else:
                log.info("printer %s is ready again", printer_id)
        self.printer_problem = problem
        return problem

    def print_test_page(self, printer_id: int, paper: str | None = None) -> int:
        """A sample slip straight to a printer (first run, Settings): proves the key, the
        printer and the paper before any real order. Not an order, so not in the queue."""
        core = self._core
        printer = core.printnode().printer(printer_id)
        if printer is None:
            raise NotFound(f"Printer {printer_id} is not on this PrintNode account.")
        paper = paper or str(core.settings.get("paper"))
        payload = job_payload(core.settings.all(), sample_order(), printer, paper=paper,
                              title=f"Test print [{uuid.uuid4().hex[:10]}]",
                              source=f"SlipStation {core.station_name()}"[:100], copies=1)
        job_id = core.printnode().submit(payload, uuid.uuid4().hex)
        core.audit.record("print.test", printer=printer_id, paper=paper)
        return job_id

    # -- a person's prints -----------------------------------------------------------------------
    def print_order(self, number: str, *, copies: int = 1,
                    printer: int | None = None) -> PrintOutcome:
        """A person's print: it goes first and alone (paused automatic slips stay paused),
        and the outcome says what PrintNode answered. If the order's automatic slip has not
        gone yet, this print is that slip (one job, not two); after a slip printed, it is a
        reprint, recorded as one."""
        return self._print_stored(self._core.find_order(number), copies=copies,
                                  printer=printer)

    def _print_stored(self, stored: StoredOrder, *, copies: int = 1, printer: int | None = None,
                      printers: dict[int, Printer | None] | None = None) -> PrintOutcome:
        core = self._core
        if not 1 <= copies <= MAX_COPIES:
            raise UsageError(f"Copies must be from 1 to {MAX_COPIES}.")
        chosen = printer or core.settings.get("printer")
        if chosen is None:
            raise SlipStationError("No printer chosen", fix="`slipstation config set printer "
                                   "ID` (see `slipstation printers`) or pass --printer",
                                   remedy=Remedy.CHOOSE_PRINTER)
        target = int(chosen)
        queue = core.queue
        earlier = self._slips_sent(stored.id)
        job_id = None if earlier else queue.take_over_auto(stored.id, printer=target,
                                                            copies=copies)
        kind = "auto" if job_id is not None else "reprint" if earlier else "manual"
        if job_id is None:
            job_id = queue.enqueue(stored.id, stored.order, kind=kind, printer=target,
                                   paper=str(core.settings.get("paper")), copies=copies)
        core.audit.record("print.reprint" if kind == "reprint" else "print.manual",
                          copies=copies)
        printers = {} if printers is None else printers
        job, result = queue.send(job_id, printers)
        return self._outcome(job, kind, result, printers)

    def print_picklist(self, numbers: list[str], *, printer: int | None = None,
                       paper: str | None = None) -> PrintOutcome:
        """A pick list for these orders, printed now through the outbox (exactly once, like a
        slip), on the station's printer and paper unless told otherwise."""
        core = self._core
        find = core.order_finder(numbers)
        ids = list(dict.fromkeys(find(number).id for number in numbers))
        chosen = printer or core.settings.get("printer")
        if chosen is None:
            raise SlipStationError("No printer chosen", fix="`slipstation config set printer "
                                   "ID` (see `slipstation printers`) or pass --printer",
                                   remedy=Remedy.CHOOSE_PRINTER)
        job_id = core.queue.enqueue_picklist(ids, printer=int(chosen),
                                             paper=paper or str(core.settings.get("paper")))
        core.audit.record("print.picklist", orders=len(ids))
        job, result = core.queue.send(job_id)
        return self._outcome(job, "picklist", result)

    def print_label(self, number: str, *, printer: int | None = None) -> list[PrintOutcome]:
        """The order's Shippo label(s), now, on the label printer (else the slip printer):
        read again from Shippo first, so a cancelled or refunded order never gets one."""
        core = self._core
        stored = core.find_order(number)
        order = core.recheck_order(stored.order)
        if order.status in NO_LABEL_STATUSES:
            raise SlipStationError(f"Order {order.display_number} is {order.status} in Shippo: "
                                   "no label is printed for it")
        if not order.transactions:
            raise NotFound(f"Order {order.display_number} has no label in Shippo",
                           fix="buy one in Shippo first (the next sync sees it)")
        routed = route(order, core.settings.get("rules"), None, "4x6").label_printer
        chosen = (printer or routed or core.settings.get("label_printer")
                  or core.settings.get("printer"))
        if chosen is None:
            raise SlipStationError("No label printer chosen",
                                   fix="`slipstation config set label_printer ID` (see "
                                   "`slipstation printers`) or pass --printer",
                                   remedy=Remedy.CHOOSE_PRINTER)
        outcomes = []
        for transaction in order.transactions:
            job_id = core.queue.enqueue_label(stored.id, order, transaction,
                                              printer=int(chosen))
            job, result = core.queue.send(job_id)
            outcomes.append(self._outcome(job, "label", result))
        core.audit.record("print.label", labels=len(outcomes))
        return outcomes

    def scan(self, number: str, *, go_ahead: bool = False) -> PrintOutcome | ScanHold:
        """A packer's scan. An order that is not in the statuses that print, or whose slip
        already went, is held until the same order is scanned again (`go_ahead`); anything
        else prints at once, like `print_order`."""
        core = self._core
        stored = core.find_order(number)
        if not go_ahead:
            order = stored.order
            sent = self._slips_sent(stored.id)
            if sent:
                return ScanHold(order.display_number, ScanQuestion.PRINTED_BEFORE,
                                order.status, max(j.updated_at for j in sent))
            if order.status not in core.settings.get("statuses"):
                return ScanHold(order.display_number, ScanQuestion.NOT_ELIGIBLE, order.status)
        return self.print_order(number)

    def _slips_sent(self, order_id: int) -> list[JobRow]:
        """The order's slips that went to PrintNode (a label is not a slip)."""
        return [job for job in self._core.queue.jobs(order_id=order_id)
                if job.state in SENT and job.kind != LABEL]

    def _outcome(self, job: JobRow, kind: str, result: ProcessResult,
                 printers: dict[int, Printer | None] | None = None) -> PrintOutcome:
        """What became of the job, in words; `printers` keeps the printers looked up (a
        batch asks PrintNode about its printer once, not once per slip)."""
        state = _OUTCOMES.get(JobState(job.state), PrintState.WAITING)
        if state is PrintState.SENT and result.already_printed:
            state = PrintState.ALREADY
        name, offline = "", None
        if job.printer_id is not None:
            printers = {} if printers is None else printers
            found = printers.get(job.printer_id)
            if job.printer_id not in printers:
                try:
                    found = printers[job.printer_id] = \
                        self._core.printnode().printer(job.printer_id)
                except SlipStationError:  # only the words go without it: not remembered, so
                    found = None          # the batch's next submit does not take it as absent
            if found is not None:
                name = found.name
                offline = None if found.ready else found.condition
        reason = ""
        if state is PrintState.ALREADY:
            reason = self._core.queue.last_event(job.id)
        elif state is not PrintState.SENT:
            reason = job.last_error or result.problem or self._core.queue.last_event(job.id)
        return PrintOutcome(state, job, kind, name, offline, reason)

    def print_orders(self, numbers: list[str],
                     report: Callable[[int, int], None] | None = None) -> BatchResult:
        """Print several orders (the GUI's multi-select, by Shippo id; numbers work too); one
        failure never stops the rest. The orders are read together and the printer is looked
        up once."""
        result = BatchResult()
        find = self._core.order_finder(numbers)
        printers: dict[int, Printer | None] = {}
        for done, number in enumerate(numbers, 1):
            try:
                stored = find(number)
                outcome = self._print_stored(stored, printers=printers)
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

    # -- jobs ----------------------------------------------------------------------------------
    def jobs(self, limit: int = 1000) -> list[JobRow]:
        """The newest jobs first."""
        return self._core.queue.jobs(limit=limit)

    def job(self, job_id: int) -> JobRow:
        return self._core.queue.job(job_id)

    def last_event(self, job_id: int) -> str:
        return self._core.queue.last_event(job_id)

    def requeue(self, job_id: int, printer: int | None = None) -> JobRow:
        """Send a failed, unconfirmed, skipped, cancelled or dismissed job again, to the
        printer chosen now (or `printer`): that job alone, at once."""
        core = self._core
        target = printer or core.settings.get("printer")
        core.queue.requeue(job_id, int(target) if target is not None else None)
        core.audit.record("print.requeue", job=job_id)
        if target is None:
            return core.queue.job(job_id)
        return core.queue.send(job_id)[0]

    def cancel(self, job_id: int) -> JobRow:
        """Cancel a job that has not been sent (an automatic slip is not planned again)."""
        self._core.queue.cancel(job_id)
        self._core.audit.record("print.cancel", job=job_id)
        return self._core.queue.job(job_id)

    def dismiss(self, job_id: int) -> JobRow:
        """Settle a failure a person has seen: it stops needing attention."""
        self._core.queue.dismiss(job_id)
        self._core.audit.record("print.dismiss", job=job_id)
        return self._core.queue.job(job_id)
