"""Read-mostly views: print jobs (with re-queue), the activity log and the audit log."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from slipstation.app import (
    ATTENTION_STATES,
    CANCELLABLE_STATES,
    DISMISSABLE_STATES,
    REQUEUEABLE_STATES,
    AuditEntry,
    JobRow,
    Station,
)
from slipstation.gui.tab import Feedback, Tab
from slipstation.gui.tasks import Tasks


def read_only_table(headers: Sequence[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def fill_table(table: QTableWidget, rows: Sequence[Sequence[object]]) -> None:
    table.setUpdatesEnabled(False)
    table.setRowCount(len(rows))
    for row, values in enumerate(rows):
        for column, value in enumerate(values):
            table.setItem(row, column, QTableWidgetItem("" if value is None else str(value)))
    table.setUpdatesEnabled(True)


class JobsTab(Tab):
    HEADERS = ("Job", "Order", "Kind", "State", "PrintNode", "Printer", "Copies", "Updated",
               "Problem")

    def __init__(self, station: Station, tasks: Tasks, feedback: Feedback,
                 changed: Callable[[], None]) -> None:
        super().__init__(station, tasks, feedback, changed)
        self.jobs: list[JobRow] = []
        self.table = read_only_table(self.HEADERS)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.requeue_button = QPushButton("Re-queue")
        self.requeue_button.setToolTip("Send a failed, unconfirmed, skipped, cancelled or "
                                       "dismissed job again, to the printer chosen now")
        self.requeue_button.clicked.connect(self.requeue_selected)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Cancel a job that has not been sent")
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.setToolTip("Settle a failed job: it stops needing attention")
        self.dismiss_button.clicked.connect(self.dismiss_selected)
        self.hint = QLabel()
        buttons = QHBoxLayout()
        buttons.addWidget(self.hint, 1)
        for button in (self.cancel_button, self.dismiss_button, self.requeue_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._selection_changed()

    def show_jobs(self, jobs: list[JobRow]) -> None:
        chosen = {job.id for job in self.selected()}
        self.jobs = jobs
        fill_table(self.table, [
            (job.id, job.order_number, job.kind, job.state,
             f"{job.printnode_job_id or ''} {job.printnode_state}".strip(), job.printer_id,
             job.copies, job.updated_at[:19].replace("T", " "), job.last_error)
            for job in jobs])
        for row, job in enumerate(jobs):
            if job.id in chosen:
                self.table.selectRow(row)
        self._selection_changed()

    def selected(self) -> list[JobRow]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.jobs[row] for row in rows if row < len(self.jobs)]

    def _selection_changed(self) -> None:
        chosen = {job.state for job in self.selected()}
        self.requeue_button.setEnabled(bool(chosen & REQUEUEABLE_STATES))
        self.cancel_button.setEnabled(bool(chosen & CANCELLABLE_STATES))
        self.dismiss_button.setEnabled(bool(chosen & DISMISSABLE_STATES))
        problems = sum(job.state in ATTENTION_STATES for job in self.jobs)
        self.hint.setText(f"{problems} job(s) need a decision" if problems else "")

    def _act(self, states: frozenset[str], action: Callable[[int], JobRow], done_word: str,
             label: str) -> None:
        """Re-queue, cancel or dismiss the selected jobs that allow it (on a worker thread)."""
        ids = [job.id for job in self.selected() if job.state in states]
        if not ids:
            return

        def work() -> list[JobRow]:
            return [action(job_id) for job_id in ids]

        def done(rows: object) -> None:
            assert isinstance(rows, list)
            states_text = ", ".join(f"job {row.id} {row.state}" for row in rows)
            self._feedback(f"{done_word}: {states_text}.", True)
            self._changed()

        self.tasks.run(work, done, lambda message: self._feedback(message, False),
                       label=label)

    def requeue_selected(self) -> None:
        self._act(REQUEUEABLE_STATES, self.station.printing.requeue, "Re-queued", "Re-queueing")

    def cancel_selected(self) -> None:
        self._act(CANCELLABLE_STATES, self.station.printing.cancel, "Cancelled", "Cancelling")

    def dismiss_selected(self) -> None:
        self._act(DISMISSABLE_STATES, self.station.printing.dismiss, "Dismissed", "Dismissing")


class ActivityTab(QPlainTextEdit):
    """The scrubbed application log, newest first."""

    def __init__(self) -> None:
        super().__init__()
        self.setReadOnly(True)

    def show_entries(self, entries: list[tuple[str, str, str, str]]) -> None:
        text = "\n".join(f"{at[:19].replace('T', ' ')}  {level:<7} {message}"
                         for at, level, _name, message in entries)
        if text != self.toPlainText():
            self.setPlainText(text)


class AuditTab(QWidget):
    HEADERS = ("When (UTC)", "Station", "Action", "Detail")

    def __init__(self) -> None:
        super().__init__()
        self.table = read_only_table(self.HEADERS)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Every change to keys, settings and data, by whom and when "
                                "(no customer data, no secrets)."))
        layout.addWidget(self.table, 1)

    def show_entries(self, entries: list[AuditEntry]) -> None:
        fill_table(self.table, [
            (e.at[:19].replace("T", " "), e.station, e.action,
             ", ".join(f"{k}={v}" for k, v in e.detail.items()))
            for e in entries])
