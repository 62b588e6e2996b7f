"""Table models for the growing histories — print jobs, the audit log, the activity log — fed by
the application layer's change feed: only rows that changed are touched (a job's row is updated
in place, new rows are inserted at the top), so selection and scroll position stay put and a
refresh costs what changed, not what is stored."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from slipstation.app import ATTENTION_STATES, AuditEntry, JobRow, LogLine, local_time

Index = QModelIndex | QPersistentModelIndex
Row = TypeVar("Row")


class HistoryModel(QAbstractTableModel, Generic[Row]):
    """Rows newest first, each with a key; `merge` updates known keys in place and inserts new
    ones at the top. `cells(row)` gives the texts of one row."""

    def __init__(self, headers: Sequence[str], key: Callable[[Row], Any],
                 cells: Callable[[Row], Sequence[object]], *, limit: int = 20_000) -> None:
        super().__init__()
        self._headers = tuple(headers)
        self._key = key
        self._cells = cells
        self._limit = limit
        self._rows: list[Row] = []
        self._where: dict[Any, int] = {}  # key -> row number

    # -- feeding -------------------------------------------------------------------------------
    def merge(self, rows: Sequence[Row]) -> None:
        """Rows as the store has them now (any order). Known keys change in place; new keys go
        on top, newest first (the order of `rows` is kept for them)."""
        fresh: list[Row] = []
        for row in rows:
            at = self._where.get(self._key(row))
            if at is None:
                fresh.append(row)
            elif self._rows[at] != row:
                self._rows[at] = row
                self.dataChanged.emit(self.index(at, 0),
                                      self.index(at, len(self._headers) - 1))
        if fresh:
            self.beginInsertRows(QModelIndex(), 0, len(fresh) - 1)
            self._rows[:0] = fresh
            self._reindex()
            self.endInsertRows()
        if len(self._rows) > self._limit:  # the oldest fall off the bottom
            self.beginRemoveRows(QModelIndex(), self._limit, len(self._rows) - 1)
            del self._rows[self._limit:]
            self._reindex()
            self.endRemoveRows()

    def _reindex(self) -> None:
        self._where = {self._key(row): number for number, row in enumerate(self._rows)}

    def row_at(self, number: int) -> Row:
        return self._rows[number]

    def rows(self) -> list[Row]:
        return list(self._rows)

    # -- Qt --------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole,
                                               Qt.ItemDataRole.ToolTipRole):
            return None
        value = self._cells(self._rows[index.row()])[index.column()]
        return "" if value is None else str(value)


def job_cells(job: JobRow) -> tuple[object, ...]:
    remote = f"{job.printnode_job_id} {job.printnode_state}".strip() \
        if job.printnode_job_id else ""
    return (job.id, job.order_number, job.kind, job.state, remote, job.printer_id or "",
            job.copies, local_time(job.updated_at), job.last_error)


JOB_HEADERS = ("Job", "Order", "Kind", "State", "PrintNode", "Printer", "Copies", "Updated",
               "Problem")


def jobs_model() -> HistoryModel[JobRow]:
    return HistoryModel(JOB_HEADERS, lambda job: job.id, job_cells)


def audit_model() -> HistoryModel[AuditEntry]:
    return HistoryModel(("When", "Station", "Action", "Detail"), lambda entry: entry.id,
                        lambda e: (local_time(e.at), e.station, e.action,
                                   ", ".join(f"{k}={v}" for k, v in e.detail.items())))


def activity_model() -> HistoryModel[LogLine]:
    return HistoryModel(("When", "Level", "Message"), lambda line: line.id,
                        lambda line: (local_time(line.at), line.level, line.message))


class AttentionFilter(QSortFilterProxyModel):
    """Every job, or only the ones that need a person (failed, unconfirmed)."""

    def __init__(self, source: HistoryModel[JobRow]) -> None:
        super().__init__()
        self._jobs = source
        self.only_attention = False
        self.setSourceModel(source)

    def set_only_attention(self, only: bool) -> None:
        self.beginFilterChange()
        self.only_attention = only
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        return not self.only_attention or \
            self._jobs.row_at(source_row).state in ATTENTION_STATES


def history_view(model: QAbstractTableModel | QSortFilterProxyModel,
                 widths: Sequence[int]) -> QTableView:
    """A read-only table for a growing history: fixed, person-resizable column widths (never
    sized to contents, which costs a pass over every row), whole-row selection."""
    view = QTableView()
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    for column, width in enumerate(widths):
        view.setColumnWidth(column, width)
    view.setWordWrap(False)
    view.setTabKeyNavigation(False)  # Tab leaves the table
    return view
