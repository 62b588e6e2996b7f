"""The orders view: search and filters over the lazy model, multi-select actions (print or
reprint, pick list, delete) and a detail pane with the slip exactly as it prints."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from slipstation.app import (
    ORDER_STATUSES,
    BatchResult,
    PrintOutcome,
    Station,
    StoredOrder,
    address_lines,
    local_time,
    to_iso,
)
from slipstation.gui.orders_model import OrdersModel, filters
from slipstation.gui.slip_preview import SlipPreview
from slipstation.gui.tab import Feedback, Tab
from slipstation.gui.tasks import Tasks

PRINTED_FILTERS = {"Printed or not": None, "Not printed": False, "Printed": True}


def batch_question(chosen: list[StoredOrder], printing: set[str]) -> str | None:
    """What a person should know before printing these: how many, how many are not in the
    statuses that print (by status) and how many printed before. None for one plain slip."""
    unusual: dict[str, int] = {}
    for stored in chosen:
        if stored.order.status not in printing:
            unusual[stored.order.status] = unusual.get(stored.order.status, 0) + 1
    printed = sum(stored.print_count > 0 for stored in chosen)
    if len(chosen) == 1 and not unusual and not printed:
        return None
    parts = [f"{count} {'not paid' if status == 'AWAITPAY' else status}"
             for status, count in sorted(unusual.items())]
    if printed:
        parts.append(f"{printed} printed before (reprints)")
    detail = f": {', '.join(parts)}" if parts else ""
    return f"Print {len(chosen)} slip(s){detail}?"


class OrdersTab(Tab):
    def __init__(self, station: Station, tasks: Tasks, feedback: Feedback,
                 changed: Callable[[], None]) -> None:
        super().__init__(station, tasks, feedback, changed)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search: order number, name, email, city, SKU or item")
        self.search.setClearButtonEnabled(True)
        self.status_filter = QComboBox()
        self.status_filter.addItems(["All statuses", *ORDER_STATUSES])
        self.printed_filter = QComboBox()
        self.printed_filter.addItems(list(PRINTED_FILTERS))
        def load_page(work: Callable[[], object], done: Callable[[object], None],
                      failed: Callable[[str], None]) -> None:
            def fail(message: str) -> None:
                failed(message)
                self._feedback(message, False)
            tasks.run(work, done, fail, label="Loading orders")

        self.model = OrdersModel(station.orders, load_page)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((90, 80, 150, 170, 60, 50)):
            self.view.setColumnWidth(column, width)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 8)
        self.view.setTabKeyNavigation(False)  # Tab leaves the table
        self.count_label = QLabel()
        self.print_button = QPushButton("Print / reprint")
        self.picklist_button = QPushButton("Pick list…")
        self.print_picklist_button = QPushButton("Print pick list")
        self.label_button = QPushButton("Print label")
        self.label_button.setToolTip("Print the order's Shippo shipping label(s) on the label "
                                     "printer")
        self.delete_button = QPushButton("Delete…")
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.preview = SlipPreview()

        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.status_filter)
        filters.addWidget(self.printed_filter)
        actions = QHBoxLayout()
        actions.addWidget(self.count_label, 1)
        for button in (self.print_button, self.label_button, self.print_picklist_button,
                       self.picklist_button, self.delete_button):
            actions.addWidget(button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.view, 1)
        left_layout.addLayout(actions)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.details)
        right_layout.addWidget(self.preview, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self._preview_timer = QTimer(self)  # a held arrow key renders once, not per row
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(120)
        self._preview_timer.timeout.connect(self._render_preview)
        self._shown: str | None = None
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(200)
        self._filter_timer.timeout.connect(self._run_filter)
        self.search.textChanged.connect(self.apply_filter)
        self.status_filter.currentIndexChanged.connect(self.apply_filter)
        self.printed_filter.currentIndexChanged.connect(self.apply_filter)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.print_button.clicked.connect(self.print_selected)
        self.picklist_button.clicked.connect(self._ask_picklist_path)
        self.print_picklist_button.clicked.connect(self.print_picklist)
        self.label_button.clicked.connect(self.print_label)
        self.delete_button.clicked.connect(self.delete_selected)
        self._selection_changed()

    # -- filters and selection -----------------------------------------------------------------
    def wanted(self) -> dict[str, Any]:
        status = self.status_filter.currentText()
        return filters(self.search.text(), None if status == "All statuses" else status,
                       PRINTED_FILTERS[self.printed_filter.currentText()])

    def apply_filter(self) -> None:
        """Search on a worker thread, a moment after the last keystroke; only the answer for
        what is in the boxes now is shown."""
        self._filter_timer.start()

    def _run_filter(self) -> None:
        wanted = self.wanted()
        orders = self.station.orders

        def show(result: object) -> None:
            assert isinstance(result, tuple)
            got, total, rows = result
            if got != self.wanted():
                return  # the boxes changed meanwhile; their own search is on its way
            selected = {o.order.object_id for o in self.selected()}
            self.model.show(got, total, rows)
            selection = self.view.selectionModel()
            for row, stored in enumerate(rows):
                if stored.order.object_id in selected:
                    selection.select(self.model.index(row, 0), selection.SelectionFlag.Select |
                                     selection.SelectionFlag.Rows)
            self._selection_changed()

        self.tasks.run(lambda: OrdersModel.fetch(orders, wanted), show,
                       lambda message: self._feedback(message, False), label="Searching")

    def reload(self) -> None:
        """Fresh rows after a sync or an action (on a worker thread), keeping the selection."""
        self._run_filter()

    def selected(self) -> list[StoredOrder]:
        rows = sorted({index.row() for index in self.view.selectionModel().selectedRows()})
        return [self.model.order_at(row) for row in rows if row < self.model.rowCount()]

    def select_rows(self, rows: list[int]) -> None:
        self.view.clearSelection()
        selection = self.view.selectionModel()
        for row in rows:
            selection.select(self.model.index(row, 0),
                             selection.SelectionFlag.Select | selection.SelectionFlag.Rows)

    def _selection_changed(self, *_args: object) -> None:
        chosen = self.selected()
        total = self.model.total
        self.count_label.setText(f"{total} order{'s' if total != 1 else ''}" +
                                 (f" · {len(chosen)} selected" if chosen else ""))
        for button in (self.print_button, self.print_picklist_button, self.picklist_button,
                       self.delete_button):
            button.setEnabled(bool(chosen))
        self.label_button.setEnabled(len(chosen) == 1)
        if len(chosen) == 1:
            self._show_details(chosen[0])
            self._preview_timer.start()
        else:
            self._shown = None
            self.details.setText(f"{len(chosen)} orders selected." if chosen else
                                 "Select an order to see its slip.")
            self.preview.show_message("")

    def _show_details(self, stored: StoredOrder) -> None:
        order = stored.order
        to = order.to_address
        items = "".join(f"<li>{item.quantity} × {html.escape(item.title)}"
                        f"{' — ' + html.escape(item.variant_title) if item.variant_title else ''}"
                        f"{' · ' + html.escape(item.sku) if item.sku else ''}</li>"
                        for item in order.line_items[:12])
        more = len(order.line_items) - 12
        if more > 0:
            items += f"<li>… and {more} more</li>"
        address = "<br>".join(html.escape(line) for line in [to.name, *address_lines(to)])
        printed = (f"printed {stored.print_count}×" if stored.print_count else "not printed")
        self.details.setText(
            f"<b>{html.escape(order.display_number)}</b> · {html.escape(order.status)} · "
            f"{local_time(to_iso(order.placed_at))} · {printed}"
            f"{' · redacted' if stored.redacted else ''}<br>{address}<ul>{items}</ul>")

    def _render_preview(self) -> None:
        chosen = self.selected()
        if len(chosen) != 1:
            return
        object_id = chosen[0].order.object_id
        number = chosen[0].order.display_number
        self._shown = object_id
        self.preview.show_message(f"Rendering {number}…")

        def show(data: object) -> None:
            if self._shown == object_id:  # the selection may have moved on meanwhile
                assert isinstance(data, bytes)
                self.preview.show_pdf(data, f"Slip for {number}")

        self.tasks.run(lambda: self.station.orders.preview_slip(object_id), show,
                       lambda message: self.preview.show_message(message))

    # -- actions -------------------------------------------------------------------------------
    def print_selected(self) -> None:
        chosen = self.selected()
        if not chosen:
            return
        # Which statuses print is a read of the store: off the GUI thread, then the question.
        self.tasks.run(lambda: set(self.station.config.get("statuses")),
                       lambda statuses: self._confirm_and_print(chosen, statuses),
                       lambda message: self._feedback(message, False))

    def _confirm_and_print(self, chosen: list[StoredOrder], statuses: set[str]) -> None:
        question = batch_question(chosen, statuses)
        if question is not None:
            answer = QMessageBox.question(
                self, "Print slips", question,
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Yes:
                return
        ids = [stored.order.object_id for stored in chosen]
        self.print_button.setEnabled(False)

        def finished(result: object) -> None:
            assert isinstance(result, BatchResult)
            self.print_button.setEnabled(True)
            text = f"Sent {result.sent} of {len(ids)} slip(s) to the printer."
            if result.problems:
                text += f" {len(result.problems)} failed: {result.problems[0]}"
            self._feedback(text, not result.problems)
            self._changed()

        self.tasks.run(lambda report: self.station.printing.print_orders(ids, report), finished,
                       lambda message: self._feedback(message, False),
                       label=f"Printing {len(ids)} slip(s)", progress=True)

    def _ask_picklist_path(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save pick list", str(Path.home() /
                                              "picklist.pdf"), "PDF (*.pdf)")
        if name:
            self.save_picklist(Path(name))

    def save_picklist(self, path: Path) -> None:
        ids = [stored.order.object_id for stored in self.selected()]

        def work() -> Path:
            return self.station.orders.save_picklist(ids, path)

        self.tasks.run(work, lambda written: self._feedback(
            f"Pick list for {len(ids)} order(s) saved to {written}.", True),
            lambda message: self._feedback(message, False), label="Making the pick list")

    def print_label(self) -> None:
        """The selected order's Shippo label(s), through the outbox, on the label printer."""
        chosen = self.selected()
        if len(chosen) != 1:
            return
        object_id = chosen[0].order.object_id

        def done(outcomes: object) -> None:
            assert isinstance(outcomes, list)
            self._feedback("; ".join(o.line() for o in outcomes),
                           all(o.accepted for o in outcomes))
            self._changed()

        self.tasks.run(lambda: self.station.printing.print_label(object_id), done,
                       lambda message: self._feedback(message, False), label="Printing label")

    def print_picklist(self) -> None:
        """The selected orders' pick list to the station's printer, through the outbox."""
        ids = [stored.order.object_id for stored in self.selected()]
        if not ids:
            return

        def done(outcome: object) -> None:
            assert isinstance(outcome, PrintOutcome)
            self._feedback(outcome.line(), outcome.accepted)
            self._changed()

        self.tasks.run(lambda: self.station.printing.print_picklist(ids), done,
                       lambda message: self._feedback(message, False),
                       label=f"Printing a pick list for {len(ids)} order(s)")

    def delete_selected(self) -> None:
        chosen = self.selected()
        if not chosen:
            return
        numbers = ", ".join(stored.order.display_number for stored in chosen[:5])
        if len(chosen) > 5:
            numbers += f" and {len(chosen) - 5} more"
        answer = QMessageBox.question(
            self, "Delete orders",
            f"Delete {len(chosen)} order(s) ({numbers}) from this station, with their print "
            "history? A later sync will not bring them back. Shippo keeps its copy.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        ids = [stored.order.object_id for stored in chosen]

        def work() -> int:
            return self.station.privacy.delete_orders(ids)

        def done(count: object) -> None:
            self._feedback(f"Deleted {count} order(s).", True)
            self.reload()
            self._changed()

        self.tasks.run(work, done, lambda message: self._feedback(message, False),
                       label="Deleting orders")
