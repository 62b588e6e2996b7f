"""Read-mostly views over growing histories: print jobs (cancel, dismiss, re-queue, a "needs
attention" filter), the activity log and the audit log — each a model fed with what changed."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from slipstation.app import (
    CANCELLABLE_STATES,
    DISMISSABLE_STATES,
    REQUEUEABLE_STATES,
    AuditEntry,
    JobRow,
    LogLine,
    Station,
)
from slipstation.gui.tab import Feedback, Tab
from slipstation.gui.table_models import (
    AttentionFilter,
    activity_model,
    audit_model,
    history_view,
    jobs_model,
)
from slipstation.gui.tasks import Tasks


class JobsTab(Tab):
    def __init__(self, station: Station, tasks: Tasks, feedback: Feedback,
                 changed: Callable[[], None]) -> None:
        super().__init__(station, tasks, feedback, changed)
        self.model = jobs_model()
        self.filter = AttentionFilter(self.model)
        self.table = history_view(self.filter, (60, 110, 70, 95, 150, 80, 55, 150))
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.attention_only = QCheckBox("Only jobs that need attention")
        self.attention_only.toggled.connect(self.filter.set_only_attention)
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
        buttons.addWidget(self.attention_only)
        buttons.addWidget(self.hint, 1)
        for button in (self.cancel_button, self.dismiss_button, self.requeue_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._attention = 0
        self._selection_changed()

    @property
    def jobs(self) -> list[JobRow]:
        """The jobs as shown, newest first."""
        return self.model.rows()

    def show_jobs(self, changed: list[JobRow], *, attention: int | None = None) -> None:
        """Merge jobs that are new or changed; the rest of the table is left alone."""
        self.model.merge(changed)
        if attention is not None:
            self._attention = attention
        self._selection_changed()

    def selected(self) -> list[JobRow]:
        rows = {self.filter.mapToSource(index).row()
                for index in self.table.selectionModel().selectedRows()}
        return [self.model.row_at(row) for row in sorted(rows)]

    def _selection_changed(self) -> None:
        chosen = {job.state for job in self.selected()}
        self.requeue_button.setEnabled(bool(chosen & REQUEUEABLE_STATES))
        self.cancel_button.setEnabled(bool(chosen & CANCELLABLE_STATES))
        self.dismiss_button.setEnabled(bool(chosen & DISMISSABLE_STATES))
        self.hint.setText(f"{self._attention} job(s) need a decision" if self._attention else "")

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


class ActivityTab(QWidget):
    """The scrubbed application log, newest first."""

    def __init__(self) -> None:
        super().__init__()
        self.model = activity_model()
        self.table = history_view(self.model, (150, 70))
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)

    def show_entries(self, lines: list[LogLine]) -> None:
        self.model.merge(lines)


class AuditTab(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.model = audit_model()
        self.table = history_view(self.model, (150, 140, 170))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Every change to keys, settings and data, by whom and when "
                                "(no customer data, no secrets)."))
        layout.addWidget(self.table, 1)

    def show_entries(self, entries: list[AuditEntry]) -> None:
        self.model.merge(entries)
