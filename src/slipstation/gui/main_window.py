"""The main window: status header, scan box, and the tabs (orders, print jobs, activity, audit,
settings, privacy). It only arranges; the tabs call the station's services through `Tasks`."""

from __future__ import annotations

import importlib
import logging
import time
from collections import deque
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from slipstation import __version__
from slipstation.app import SlipStationError
from slipstation.gui.banners import PauseBanner, ScanBanner, TodayStrip, Tone

if TYPE_CHECKING:  # loaded by `attach`: the frame shows before the station and its tabs load
    # (PySide6 builds each Qt class's enums when it is first imported: a few ms for these)
    from PySide6.QtGui import QCloseEvent
    from PySide6.QtWidgets import QTabWidget

    from slipstation.app import (
        Changes,
        CycleReport,
        Engine,
        PrintOutcome,
        ScanHold,
        Station,
    )
    from slipstation.gui.first_run import FirstRunWizard
    from slipstation.gui.history_tabs import ActivityTab, AuditTab, JobsTab
    from slipstation.gui.orders_tab import OrdersTab
    from slipstation.gui.pack_panel import PackPanel
    from slipstation.gui.privacy_tab import PrivacyTab
    from slipstation.gui.settings_tab import SettingsTab
    from slipstation.gui.sounds import Sounds
    from slipstation.gui.tasks import Tasks
    from slipstation.gui.tray import Tray

log = logging.getLogger(__name__)
OK_STYLE = "QLineEdit { background: #c8e6c9; }"
BAD_STYLE = "QLineEdit { background: #ffcdd2; }"
NOTIFY_EVERY_SECONDS = 300
STATE_TEXT = {"running": "Running", "paused": "Paused", "error": "Needs attention",
              "setup": "Needs setup"}


# What `attach` loads: the station's side of the window (the app layer comes with them).
_ATTACHED_MODULES = ("slipstation.app.engine", "slipstation.gui.first_run",
                     "slipstation.gui.history_tabs", "slipstation.gui.orders_tab",
                     "slipstation.gui.pack_panel", "slipstation.gui.privacy_tab",
                     "slipstation.gui.settings_tab", "slipstation.gui.sounds",
                     "slipstation.gui.tasks", "slipstation.gui.tray")


def load_attached_modules() -> None:
    """Import what `attach` needs ahead of it (while a worker opens the station)."""
    for name in _ATTACHED_MODULES:
        importlib.import_module(name)


class _Bridge(QObject):
    """Scheduler threads report here; Qt queues the signal onto the GUI thread."""

    cycle = Signal(object)  # a CycleReport
    started = Signal()


class MainWindow(QMainWindow):
    """The frame (header, scan field, menu) is built from Qt alone, so a starting
    station shows it before the station and its tabs load; `attach` then fills it. Built
    with a station, it attaches at once."""

    station: Station
    tasks: Tasks
    sounds: Sounds
    orders: OrdersTab
    jobs: JobsTab
    activity: ActivityTab
    audit: AuditTab
    settings: SettingsTab
    privacy: PrivacyTab
    tabs: QTabWidget
    pack: PackPanel
    engine: Engine
    wizard: FirstRunWizard | None

    def __init__(self, station: Station | None = None, *, start_engine: bool = True,
                 first_run: bool = True, demo: bool = False) -> None:
        super().__init__()
        self.attached = False
        self.quitting = False
        self._deleted = False
        self._refreshing = False  # one refresh at a time
        self._refresh_again = False
        self._last_notice: dict[str, float] = {}
        self._paused = False  # as the last refresh read it from the store
        self._pause_pending = 0  # pause/resume clicks not stored yet
        self._pause_clicks = 0  # every click; a look begun before the last one is stale
        self.setWindowTitle("SlipStation" + (" — demo" if demo or (
            station is not None and station.demo) else ""))
        self._fit_to_screen(1200, 760)

        self.status_label = QLabel("<b>Starting</b> · opening the station…")
        self.sync_label = QLabel()
        self.sync_label.setWordWrap(True)
        self.pause_button = QPushButton("Pause auto-print")
        self.sync_button = QPushButton("Sync now")
        self.pack_button = QPushButton("Pack mode")
        self.pack_button.setCheckable(True)
        self.pack_button.setToolTip("Scan an order, then each item: the label and slip print "
                                    "when every item is in (Ctrl+K)")
        for button in (self.pause_button, self.sync_button, self.pack_button):
            button.setEnabled(False)  # until the station is attached
        header = QHBoxLayout()
        self.today = TodayStrip()
        header.addWidget(self.status_label)
        header.addWidget(self.today, 1)
        header.addWidget(self.pack_button)
        header.addWidget(self.pause_button)
        header.addWidget(self.sync_button)

        self.scan = QLineEdit()
        self.scan.setPlaceholderText("Scan or type an order number and press Enter to print")
        self.scan.returnPressed.connect(self.print_scanned)
        self.scan_result = ScanBanner(self._play)
        self.pause_banner = PauseBanner()
        self._scans: deque[str] = deque()  # scanned, not yet handled: none is ever dropped
        self._scanning = False
        self._held: str | None = None  # an order held for a second scan

        self._body = QVBoxLayout()
        self._opening = QWidget()  # where the tabs go (the header says it is starting)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addLayout(header)
        layout.addWidget(self.pause_banner)
        layout.addWidget(self.sync_label)
        layout.addWidget(self.scan)
        layout.addWidget(self.scan_result)
        layout.addLayout(self._body, 1)
        self._body.addWidget(self._opening, 1)
        self.pause_banner.hide()
        self.setCentralWidget(body)

        # The menu now (the window does not shift when it fills), its actions with the
        # station: the first shortcut costs Qt a tenth of the frame's time.
        self._help_menu = self.menuBar().addMenu("&Help")
        self.scan.setFocus()
        # The scan field owns the keyboard: typing that lands on a button, a table or a tab
        # (after any click) goes to the scan field, so a scanner's digits are never lost. The
        # filter sits on this window's own QWindow, where its key presses arrive first; one on
        # the whole application would run Python for every event of every widget.
        self.winId()  # make the QWindow now
        handle = self.windowHandle()
        if handle is not None:
            handle.installEventFilter(self)
        self.tray: Tray | None = None
        if station is not None:
            self.attach(station, start_engine=start_engine, first_run=first_run)

    def attach(self, station: Station, *, start_engine: bool = True,
               first_run: bool = True) -> None:
        """Load the station's side into the frame: the tabs, the pack panel, the tray, the
        engine; then handle what was scanned meanwhile."""
        from PySide6.QtWidgets import QProgressBar, QScrollArea, QSystemTrayIcon, QTabWidget

        from slipstation.app import ChangeCursor, Engine
        from slipstation.gui.first_run import FirstRunWizard, needs_first_run
        from slipstation.gui.history_tabs import ActivityTab, AuditTab, JobsTab
        from slipstation.gui.orders_tab import OrdersTab
        from slipstation.gui.pack_panel import PackPanel
        from slipstation.gui.privacy_tab import PrivacyTab
        from slipstation.gui.settings_tab import SettingsTab
        from slipstation.gui.sounds import Sounds
        from slipstation.gui.tasks import Tasks

        self.station = station
        self.tasks = Tasks(self)
        # The status bar comes with the station (below the blank body: nothing moves); the
        # frame shows a fifth sooner without it.
        self.busy_label = QLabel()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.hide()
        self.statusBar().addPermanentWidget(self.busy_label)
        self.statusBar().addPermanentWidget(self.progress)
        self.version_label = QLabel(f"SlipStation {__version__}")
        self.statusBar().addPermanentWidget(self.version_label)
        self._cursor = ChangeCursor()  # where the last look at the change feed ended
        self.sounds = Sounds(station.paths.sounds_dir)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.sync_button.clicked.connect(self.sync_now)
        self.pack_button.toggled.connect(self.set_pack_mode)
        self.pause_banner.resume.connect(self.toggle_pause)

        self.orders = OrdersTab(station, self.tasks, self.feedback, self.refresh)
        self.jobs = JobsTab(station, self.tasks, self.feedback, self.refresh)
        self.activity = ActivityTab()
        self.audit = AuditTab()
        self.settings = SettingsTab(station, self.tasks, self.feedback, self.refresh)
        self.privacy = PrivacyTab(station, self.tasks, self.feedback, self.refresh,
                                  self.delete_all_data)
        self.tabs = QTabWidget()
        privacy_page = QScrollArea()  # a tall form: it scrolls rather than push the window
        privacy_page.setWidgetResizable(True)  # taller than a 1366×768 screen at 150 %
        privacy_page.setWidget(self.privacy)
        for widget, title in ((self.orders, "Orders"), (self.jobs, "Print jobs"),
                              (self.activity, "Activity"), (self.audit, "Audit"),
                              (self.settings, "Settings"), (privacy_page, "Privacy")):
            self.tabs.addTab(widget, title)
        self.tabs.currentChanged.connect(lambda _index: self.refresh())
        self.pack = PackPanel(station, self.tasks, self.scan_result, self.refresh)
        self.pack.hide()
        self._body.removeWidget(self._opening)
        self._opening.deleteLater()
        self._body.addWidget(self.tabs, 1)
        self._body.addWidget(self.pack, 1)
        self.tasks.activity.connect(self._show_activity)
        self._add_shortcuts()
        for button in (self.pause_button, self.sync_button, self.pack_button):
            button.setEnabled(True)
        self.status_label.setText("")

        if QSystemTrayIcon.isSystemTrayAvailable():
            self.make_tray()
        else:  # said once, where the person looks; closing the window then quits
            log.info("no system tray on this desktop; SlipStation stays a normal window")
            self.statusBar().showMessage("No system tray on this desktop: SlipStation stays a "
                                         "normal window, and closing it stops printing.", 30_000)

        self._bridge = _Bridge()
        self._bridge.cycle.connect(self._after_report)
        self._bridge.started.connect(lambda: self.sync_label.setText("Syncing with Shippo…"))
        self.engine = Engine(station, on_cycle=self._bridge.cycle.emit,
                             on_cycle_start=self._bridge.started.emit)
        self._engine_starting = start_engine  # its first cycle runs as soon as it has started
        if start_engine:  # on a worker: its first read opens the database, after the window
            def started(_result: object) -> None:
                self._engine_starting = False

            def failed(message: str) -> None:
                self._engine_starting = False
                self.sync_button.setEnabled(True)  # a sync now runs here, by hand
                self.feedback(f"Printing did not start: {message}", False)

            self.tasks.run(self.engine.start, started, failed)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(5000)
        self.wizard = None
        if first_run and needs_first_run(station):
            self.wizard = FirstRunWizard(station, self.tasks, self, on_finished=self._set_up)
            self.wizard.show()
        else:  # a first-run window that never closed (a crash) must not block printing
            self.tasks.run(station.printing.clear_stale_setup)
        self.attached = True
        self.orders.reload()  # the first page, read on a worker thread
        self.refresh()
        self._next_scan()  # what was scanned while the station loaded

    def _play(self, tone: Tone) -> None:
        if self.attached:
            self.sounds.play(tone)

    def _fit_to_screen(self, width: int, height: int) -> None:
        """The wanted size, but never larger than the screen's free area (1024×768, or
        1366×768 at 150 %, leave no button or status bar off screen)."""
        screen = self.screen() or QApplication.primaryScreen()
        if screen is not None:
            free = screen.availableGeometry()
            width, height = min(width, free.width()), min(height, free.height() - 32)
            self.move(free.topLeft())
        self.resize(width, height)

    def make_tray(self) -> Tray:
        from slipstation.gui.tray import Tray

        self.tray = Tray(self, is_paused=lambda: self._paused,
                         on_open=self.bring_up, on_pause=self.toggle_pause,
                         on_sync=self.sync_now, on_print=self.bring_up, on_quit=self.quit)
        self.tray.show()
        return self.tray

    # -- actions -------------------------------------------------------------------------------
    def toggle_pause(self) -> None:
        """Pause or resume auto-print for the whole station (stored: every process sees it)."""
        wanted = not self._paused
        self._paused = wanted
        self._pause_pending += 1  # a look at the store taken before this lands is stale
        self._pause_clicks += 1
        self._show_pause(wanted)

        def landed(_result: object = None) -> None:
            self._pause_pending -= 1
            self.refresh()

        def failed(message: str) -> None:
            landed()
            self.feedback(f"Pause failed: {message}", False)

        self.tasks.run(lambda: self.station.printing.set_paused(wanted), landed, failed)

    def _show_pause(self, paused: bool) -> None:
        self.pause_button.setText("Resume auto-print" if paused else "Pause auto-print")
        self.pause_banner.setVisible(paused)

    def sync_now(self) -> None:
        self.sync_button.setEnabled(False)
        if self.engine.running:  # the scheduler's own cycle, now: never two at once
            self.engine.run_now("sync")
            return
        if self._engine_starting:  # its first cycle is about to run: that is this sync
            return
        self.tasks.run(self.station.sync.run, lambda s: self._after_cycle(f"sync: {s.line()}"),
                       lambda message: self._after_cycle(f"sync failed: {message}"),
                       label="Syncing with Shippo")

    def print_scanned(self) -> None:
        """Enter in the scan field: queue the scan (the field is free for the next one at
        once) and handle scans one at a time, in order."""
        number = self.scan.text().strip()
        self.scan.clear()
        self.scan.setFocus()
        if not number:
            return
        self._scans.append(number)
        if not self.attached:
            self.scan_result.show_result(
                Tone.BUSY, f"Opening the station: {len(self._scans)} scan(s) wait their turn")
        self._next_scan()

    def set_pack_mode(self, on: bool) -> None:
        """Pack mode: the scan field drives the pack checklist instead of printing at once."""
        self.pack_button.setChecked(on)
        self.pack.reset()
        self.pack.setVisible(on)
        self.tabs.setVisible(not on)
        self.scan.setPlaceholderText(
            "Pack mode: scan an order, then each item" if on else
            "Scan or type an order number and press Enter to print")
        self.scan_result.show_result(Tone.BUSY, "Pack mode: scan an order" if on
                                     else "Ready: scan an order")
        self.scan.setFocus()

    def _next_scan(self) -> None:
        if self._scanning or not self._scans or self.quitting or not self.attached:
            return  # (scanned while the station loads: handled once it is attached)
        self._scanning = True
        number = self._scans.popleft()
        if self.pack.isVisible():
            self.pack.handle(number, self._pack_scan_done)
            return
        go_ahead = self._held is not None and number.casefold() == self._held.casefold()
        self._held = None
        waiting = f" ({len(self._scans)} more scanned)" if self._scans else ""
        self.scan_result.show_result(Tone.BUSY, f"Printing {number}…{waiting}")
        self.tasks.run(lambda: self.station.printing.scan(number, go_ahead=go_ahead),
                       self._scanned, self._scan_failed, label=f"Printing {number}")

    def _pack_scan_done(self) -> None:
        self._scanning = False
        self._next_scan()

    def _scanned(self, result: PrintOutcome | ScanHold) -> None:
        from slipstation.app import ScanHold, local_time

        self._scanning = False
        if isinstance(result, ScanHold):
            self._held = result.order_number
            printed = local_time(result.printed_at) if result.printed_at else ""
            self.scan.setStyleSheet(BAD_STYLE)
            self.scan_result.show_result(Tone.ASK, result.line(printed))
        elif not result.accepted:
            self._scan_failed(result.line())
            return
        else:
            self.scan.setStyleSheet(OK_STYLE)
            self.scan_result.show_result(Tone.ASK if result.printer_offline else Tone.OK,
                                         result.line())
            self.refresh()
        self._next_scan()

    def _scan_failed(self, message: str) -> None:
        self._scanning = False
        self.scan.setStyleSheet(BAD_STYLE)
        self.scan_result.show_result(Tone.BAD, message)
        self.notify("print", "Print failed", message)
        self._next_scan()

    # -- the keyboard --------------------------------------------------------------------------
    def _add_shortcuts(self) -> None:
        """Ctrl+1…6 for the tabs, F5 to sync, Ctrl+P to pause or resume — listed (with their
        keys) in the Help menu."""
        from PySide6.QtGui import QAction, QKeySequence

        help_menu = self._help_menu
        titles = ("Orders", "Print jobs", "Activity", "Audit", "Settings", "Privacy")
        for number, title in enumerate(titles):
            action = QAction(f"Show {title}", self)
            action.setShortcut(QKeySequence(f"Ctrl+{number + 1}"))
            action.triggered.connect(lambda _=False, n=number: self._show_tab(n))
            help_menu.addAction(action)
            self.addAction(action)
        help_menu.addSeparator()
        for text, keys, slot in (("Sync now", "F5", self.sync_now),
                                 ("Pause / resume auto-print", "Ctrl+P", self.toggle_pause),
                                 ("Pack mode on / off", "Ctrl+K",
                                  lambda: self.set_pack_mode(not self.pack.isVisible())),
                                 ("Scan field", "Esc", self._focus_scan)):
            action = QAction(text, self)
            action.setShortcut(QKeySequence(keys))
            action.triggered.connect(slot)
            help_menu.addAction(action)
            self.addAction(action)

    def _show_tab(self, number: int) -> None:
        self.tabs.setCurrentIndex(number)
        self._focus_scan()

    def _focus_scan(self) -> None:
        self.scan.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Printable keys that reach a widget that takes no text go to the scan field."""
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and self.isActiveWindow():
            from PySide6.QtCore import Qt  # at the first key: Qt's namespace costs 25 ms
            from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QPlainTextEdit

            focus = QApplication.focusWidget()
            text = event.text()
            takes_text = isinstance(focus, QLineEdit | QPlainTextEdit | QAbstractSpinBox) or (
                isinstance(focus, QComboBox) and focus.isEditable())
            modifiers = event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier
            if focus is not None and focus is not self.scan and not takes_text and text \
                    and text.isprintable() and modifiers == Qt.KeyboardModifier.NoModifier \
                    and focus.window() is self:
                self.scan.setFocus()
                self.scan.insert(text)
                return True
        return super().eventFilter(watched, event)

    def feedback(self, text: str, ok: bool) -> None:
        """A tab's one-line result, in the status bar; failures also as a tray notice."""
        self.statusBar().showMessage(text, 15_000)
        if not ok:
            self.notify("action", "SlipStation", text)

    def delete_all_data(self) -> None:
        """Privacy's last step: stop the engine, delete everything, close the app."""
        self.engine.stop(wait=True)
        self.tasks.wait(10_000)
        self._timer.stop()
        try:
            self.station.privacy.delete_all("DELETE", lock_held=True)
        except SlipStationError as exc:
            self.feedback(f"Deleting all data failed: {exc.message}", False)
            return
        self._deleted = True
        self.quit()

    def bring_up(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()
        self.scan.setFocus()

    def quit(self) -> None:
        self.quitting = True
        self.close()

    def _set_up(self) -> None:
        self.settings.load()
        self.sync_now()

    # -- state ---------------------------------------------------------------------------------
    def _show_activity(self, label: str, running: int, done: int, total: int) -> None:
        if not running or not label:  # unlabelled work (a refresh) is too quick to show
            self.progress.hide()
            self.busy_label.setText("")
            return
        self.busy_label.setText(label + (f" ({done}/{total})" if total else "…") +
                                (f" +{running - 1} more" if running > 1 else ""))
        self.progress.setRange(0, total)  # 0..0 is Qt's busy indicator
        self.progress.setValue(done)
        self.progress.show()

    def _after_report(self, report: CycleReport) -> None:
        """The engine's cycle, said in the window's words (a fix names a screen, not a
        command)."""
        from slipstation.gui.tasks import in_window_words

        self._after_cycle(f"sync failed: {in_window_words(report.error)}"
                          if report.error is not None else report.line())

    def _after_cycle(self, message: str) -> None:
        if self.quitting:
            return
        self.sync_button.setEnabled(True)
        self.sync_label.setText(message)
        self.orders.reload()
        self.refresh()

    def refresh(self) -> None:
        """Re-read the header, the jobs and the visible log (on a worker thread), every few
        seconds and after each action."""
        if self._deleted or self.quitting:
            return  # delete-all: nothing left to show, and reading would recreate the store
        if self._refreshing:  # one at a time; what changed meanwhile is read right after
            self._refresh_again = True
            return
        self._refreshing, self._refresh_again = True, False
        current = self.tabs.currentWidget()
        station, since = self.station, self._cursor

        def gather() -> Changes:
            return station.status.changes(since, audit=current is self.audit,
                                          activity=current is self.activity)

        def failed(message: str) -> None:
            self._refreshing = False
            self.status_label.setText(f"<b>Needs attention</b> · {message}")
            if self._refresh_again:
                self.refresh()

        clicks = self._pause_clicks
        self.tasks.run(gather, lambda changes: self._show_changes(changes, clicks), failed)

    def _show_changes(self, changes: Changes, pause_clicks: int | None = None) -> None:
        self._refreshing = False
        if self._deleted or self.quitting:
            return
        self._cursor = changes.cursor  # (a log not read this time keeps its old place)
        if self._refresh_again:  # this look may predate a change: look again
            self.refresh()
        status = changes.status
        state = STATE_TEXT[status.level]
        problem = f" · {status.printer_problem}" if status.printer_problem else ""
        if status.missing:
            problem = f" · missing: {', '.join(status.missing)} (Settings)" + problem
        self.status_label.setText(
            f"<b>{state}</b>{problem}")
        self.today.show_today(status.printed_today, status.per_hour, status.queued,
                              status.failures, status.printer_problem, status.packed_today)
        if not self.sync_label.text():
            self.sync_label.setText(f"Last sync: {status.last_sync}")
        if status.printer_problem:
            self.notify("printer", "Printer offline", status.printer_problem)
        if status.key_rejected:
            self.notify("key", "Key rejected", status.last_sync)
        fresh = not self._pause_pending and pause_clicks in (None, self._pause_clicks)
        if status.paused != self._paused and fresh:
            self._paused = status.paused  # paused or resumed by another process
            self._show_pause(status.paused)
        if self.tray is not None:
            self.tray.show_level(status.level, f"SlipStation: {state}{problem}")
        self.jobs.show_jobs(changes.jobs, attention=status.failures)
        if changes.activity:
            self.activity.show_entries(changes.activity)
        if changes.audit:
            self.audit.show_entries(changes.audit)

    def notify(self, kind: str, title: str, message: str) -> None:
        """A tray balloon, at most once per kind every few minutes; never a modal dialog."""
        now = time.monotonic()
        if now - self._last_notice.get(kind, -NOTIFY_EVERY_SECONDS) < NOTIFY_EVERY_SECONDS:
            return
        self._last_notice[kind] = now
        if self.tray is not None:
            self.tray.showMessage(title, message, self.tray.MessageIcon.Warning, 8000)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.attached:  # closed while the station loads: it never starts
            self.quitting = True
            event.accept()
            return
        if self.tray is not None and not self.quitting:
            event.ignore()  # closing the window keeps the station printing from the tray
            self.hide()
            return
        self._timer.stop()
        self.tasks.close()
        self.engine.stop(wait=True)  # a running cycle ends before the store closes under it
        self.tasks.wait(5000)
        if self.wizard is not None:
            self.wizard.close()
        event.accept()
        app = QApplication.instance()
        if app is not None:
            app.quit()
