"""The main window: status header, scan box, orders, print jobs and the activity log."""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QSystemTrayIcon,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from slipstation.gui.orders_model import OrdersModel
from slipstation.gui.tasks import Tasks
from slipstation.gui.tray import Tray
from slipstation.service import Engine
from slipstation.station import Station, StationStatus
from slipstation.store.app_log import recent
from slipstation.store.settings import ORDER_STATUSES

log = logging.getLogger(__name__)
OK_STYLE = "QLineEdit { background: #c8e6c9; }"
BAD_STYLE = "QLineEdit { background: #ffcdd2; }"
NOTIFY_EVERY_SECONDS = 300


class _Bridge(QObject):
    """Scheduler threads report here; Qt queues the signal onto the GUI thread."""

    cycle = Signal(str)


class MainWindow(QMainWindow):
    def __init__(self, station: Station, *, start_engine: bool = True) -> None:
        super().__init__()
        self.station = station
        self.tasks = Tasks(self)
        self.quitting = False
        self._last_notice: dict[str, float] = {}
        self.setWindowTitle("SlipStation")
        self.resize(1100, 700)

        self.status_label = QLabel()
        self.sync_label = QLabel()
        self.sync_label.setWordWrap(True)
        self.pause_button = QPushButton("Pause auto-print")
        self.pause_button.clicked.connect(self.toggle_pause)
        self.sync_button = QPushButton("Sync now")
        self.sync_button.clicked.connect(self.sync_now)
        header = QHBoxLayout()
        header.addWidget(self.status_label, 1)
        header.addWidget(self.pause_button)
        header.addWidget(self.sync_button)

        self.scan = QLineEdit()
        self.scan.setPlaceholderText("Scan or type an order number and press Enter to print")
        self.scan.returnPressed.connect(self.print_scanned)
        self.scan_result = QLabel()

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search order number, name, email or SKU")
        self.search.textChanged.connect(self._filter)
        self.status_filter = QComboBox()
        self.status_filter.addItems(["All statuses", *ORDER_STATUSES])
        self.status_filter.currentIndexChanged.connect(self._filter)
        self.orders_model = OrdersModel(station.orders)
        self.orders_view = QTableView()
        self.orders_view.setModel(self.orders_model)
        self.orders_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.orders_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.orders_count = QLabel()
        orders_tab = QWidget()
        orders_layout = QVBoxLayout(orders_tab)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.status_filter)
        orders_layout.addLayout(filters)
        orders_layout.addWidget(self.orders_view)
        orders_layout.addWidget(self.orders_count)

        self.jobs_table = QTableWidget(0, 6)
        self.jobs_table.setHorizontalHeaderLabels(
            ["Job", "Order", "Kind", "State", "PrintNode", "Problem"])
        self.jobs_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.activity = QPlainTextEdit()
        self.activity.setReadOnly(True)
        tabs = QTabWidget()
        tabs.addTab(orders_tab, "Orders")
        tabs.addTab(self.jobs_table, "Print jobs")
        tabs.addTab(self.activity, "Activity")

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addLayout(header)
        layout.addWidget(self.sync_label)
        layout.addWidget(QLabel("Print by order number:"))
        layout.addWidget(self.scan)
        layout.addWidget(self.scan_result)
        layout.addWidget(tabs, 1)
        self.setCentralWidget(body)
        self.scan.setFocus()

        self.tray: Tray | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = Tray(self, is_paused=lambda: self.station.auto_print_paused,
                             on_open=self.bring_up, on_pause=self.toggle_pause,
                             on_sync=self.sync_now, on_print=self.bring_up,
                             on_quit=self.quit)
            self.tray.show()
        else:
            log.info("no system tray on this desktop; SlipStation stays a normal window")

        self._bridge = _Bridge()
        self._bridge.cycle.connect(self._after_cycle)
        self.engine = Engine(station, on_cycle=self._bridge.cycle.emit)
        if start_engine:
            self.engine.start()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(5000)
        self.refresh()

    # -- actions -------------------------------------------------------------------------------
    def toggle_pause(self) -> None:
        self.station.auto_print_paused = not self.station.auto_print_paused
        self.pause_button.setText("Resume auto-print" if self.station.auto_print_paused
                                  else "Pause auto-print")
        self.station.audit.record("print.pause" if self.station.auto_print_paused
                                  else "print.resume")
        self.refresh()

    def sync_now(self) -> None:
        self.sync_button.setEnabled(False)
        self.tasks.run(self.station.sync, lambda s: self._after_cycle(f"sync: {s.line()}"),
                       lambda message: self._after_cycle(f"sync failed: {message}"))

    def print_scanned(self) -> None:
        number = self.scan.text().strip()
        if not number:
            return
        self.scan.setEnabled(False)
        self.tasks.run(lambda: self.station.print_order(number), self._printed,
                       self._print_failed)

    def _printed(self, job: object) -> None:
        self.scan.setEnabled(True)
        self.scan.setStyleSheet(OK_STYLE)
        self.scan_result.setText(f"Sent {getattr(job, 'order_number', '')} to the printer "
                                 f"({getattr(job, 'kind', '')}).")
        self.scan.clear()
        self.scan.setFocus()
        self.refresh()

    def _print_failed(self, message: str) -> None:
        self.scan.setEnabled(True)
        self.scan.setStyleSheet(BAD_STYLE)
        self.scan_result.setText(message)
        self.scan.selectAll()
        self.scan.setFocus()
        self.notify("print", "Print failed", message)

    def bring_up(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()
        self.scan.setFocus()

    def quit(self) -> None:
        self.quitting = True
        self.close()

    # -- state ---------------------------------------------------------------------------------
    def _filter(self) -> None:
        status = self.status_filter.currentText()
        self.orders_model.set_filter(self.search.text(),
                                     None if status == "All statuses" else status)
        self._update_count()

    def _update_count(self) -> None:
        self.orders_count.setText(f"{self.orders_model.total} orders")

    def _after_cycle(self, message: str) -> None:
        self.sync_button.setEnabled(True)
        self.sync_label.setText(message)
        if "rejected" in message:
            self.notify("key", "Key rejected", message)
        self.orders_model.reload()
        self._update_count()
        self.refresh()

    def refresh(self) -> None:
        status: StationStatus = self.station.status()
        state = {"running": "Running", "paused": "Paused", "error": "Needs attention"}[
            status.level]
        self.status_label.setText(
            f"<b>{state}</b> · queue {status.queued} · printed today {status.printed_today}"
            f" · failures {status.failures}")
        if not self.sync_label.text():
            self.sync_label.setText(f"Last sync: {status.last_sync}")
        if self.tray is not None:
            self.tray.show_level(status.level, f"SlipStation: {state}")
        jobs = self.station.queue.jobs(limit=200)
        self.jobs_table.setRowCount(len(jobs))
        for row, job in enumerate(jobs):
            values = (job.id, job.order_number, job.kind, job.state,
                      f"{job.printnode_job_id or ''} {job.printnode_state}".strip(),
                      job.last_error)
            for column, value in enumerate(values):
                self.jobs_table.setItem(row, column, QTableWidgetItem(str(value)))
        self.activity.setPlainText("\n".join(
            f"{at} {level} {message}" for at, level, _name, message in recent(self.station.db,
                                                                              200)))
        self._update_count()

    def notify(self, kind: str, title: str, message: str) -> None:
        """A tray balloon, at most once per kind every few minutes; never a modal dialog."""
        now = time.monotonic()
        if now - self._last_notice.get(kind, -NOTIFY_EVERY_SECONDS) < NOTIFY_EVERY_SECONDS:
            return
        self._last_notice[kind] = now
        if self.tray is not None:
            self.tray.showMessage(title, message, QSystemTrayIcon.MessageIcon.Warning, 8000)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.tray is not None and not self.quitting:
            event.ignore()  # closing the window keeps the station printing from the tray
            self.hide()
            return
        self._timer.stop()
        self.engine.stop()
        self.tasks.wait(5000)
        event.accept()
        app = QApplication.instance()
        if app is not None:
            app.quit()


