"""Start the GUI: one QApplication, the main window (or just the tray with --tray)."""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from slipstation import __version__
from slipstation.app import Remedy, SlipStationError, StationBusy, check_display

if TYPE_CHECKING:
    import socket

    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from slipstation.app import ServiceLock, Station
    from slipstation.gui.main_window import MainWindow

log = logging.getLogger(__name__)


def prepare_application(app: QCoreApplication) -> None:
    """What every SlipStation window needs: names and the version (before the first window:
    the X11 window class is read from them once) and the bundled fonts (so names in every
    script show as letters, not boxes)."""
    from PySide6.QtGui import QGuiApplication

    from slipstation.gui.fonts import register_bundled_fonts

    _name_application(app)
    if isinstance(app, QGuiApplication):
        register_bundled_fonts()


def _name_application(app: QCoreApplication) -> None:
    from PySide6.QtGui import QGuiApplication

    app.setApplicationName("SlipStation")
    app.setApplicationVersion(__version__)
    if isinstance(app, QGuiApplication):
        app.setQuitOnLastWindowClosed(False)


def show_frame(*, demo: bool = False) -> MainWindow:
    """The window's frame on screen at once, from Qt alone: the station, its store and its
    tabs load after it (`run_gui` attaches them). A scan typed meanwhile waits its turn."""
    from slipstation.gui.main_window import MainWindow

    app = _application()
    frame = MainWindow(demo=demo)
    frame.show()
    app.processEvents()  # painted now, not when the loop starts
    log.info("SlipStation window shown")
    return frame


def _application() -> QApplication:
    try:
        from PySide6.QtWidgets import QApplication
    except ImportError as exc:  # a broken Qt install names itself, not a traceback
        raise SlipStationError(f"The GUI cannot start: {exc}.") from None
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    check_display()
    app = QApplication(sys.argv[:1])
    _name_application(app)  # before any window (the fonts wait: the frame shows no names)
    return app


def run_gui(station: Station, *, tray_only: bool = False,
            frame: MainWindow | None = None) -> int:
    """The window (or the tray alone) over `station`, in the frame `show_frame` put on
    screen if there is one; returns the exit code."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QDialog

    from slipstation.app import ServiceLock
    from slipstation.gui.main_window import MainWindow

    app = _application()
    prepare_application(app)
    window = frame
    stopped = False

    def stop() -> None:  # SIGINT/SIGTERM, from Qt's loop (the start-up check's too)
        nonlocal stopped
        stopped = True
        dialog = app.activeModalWidget()
        if isinstance(dialog, QDialog):  # a start-up problem's: it answers Close
            dialog.reject()
        if window is not None:
            window.quit()

    try:
        with _signals_wake_qt(stop):
            # A station launched from a desktop has no terminal: a keyring that is missing or
            # locked, or a database that is damaged or gone, is explained in a window with its
            # fix. The check reads the keyring and opens the database: on a worker, the frame
            # stays alive (and can be closed, or the process stopped, meanwhile).
            # Another SlipStation already running here (a window in the tray, the service)
            # is explained the same way: Retry once it is closed.
            lock = ServiceLock(station.paths)
            while (problem := startup_problem(station) or busy(lock)) is not None:
                if stopped or (window is not None and window.quitting):
                    return 0
                if tray_only and isinstance(problem, StationBusy):
                    raise problem  # started at login beside the service: nothing to ask, a line
                log.error("cannot start: %s", problem.message)
                if not explain_startup_problem(problem, lambda: start_over(station)):
                    return problem.exit_code
            try:
                if stopped or (window is not None and window.quitting):
                    return 0  # closed or stopped while the station loaded
                window = window or MainWindow(demo=station.demo)
                window.attach(station)
                if not (tray_only and window.tray is not None):
                    window.show()
                QTimer.singleShot(0, lambda: log.info("SlipStation window ready"))
                return app.exec()
            finally:
                lock.release()
    finally:  # however it ends (the frame too): children before the application, in Qt's
        if window is not None:  # order, not Python's at exit
            window.hide()
            window.deleteLater()
            app.processEvents()


def busy(lock: ServiceLock) -> StationBusy | None:
    """Take the station's service lock; what stops it, if another SlipStation holds it."""
    try:
        lock.acquire()
    except StationBusy as exc:
        return exc
    return None


def startup_problem(station: Station) -> SlipStationError | None:
    """What stops the station from opening (the keyring, the database), or None. While a
    worker reads the keyring and opens the database, this thread loads the window's modules."""
    from slipstation.gui.main_window import load_attached_modules

    try:
        off_the_gui_thread(station.status.now, meanwhile=load_attached_modules)
    except SlipStationError as exc:
        station.close()  # a retry opens everything afresh
        return exc
    return None


START_OVER_WORDS = (
    "Put back what is missing or damaged (restore the data folder, or the keyring entry, from a "
    "backup, with SlipStation closed) and press Retry; or Start over: this station's database, "
    "its key and both API keys are deleted, and setup begins again. Shippo still has the "
    "orders, and slips PrintNode already printed are not printed again.")


BUSY_WORDS = (
    "Only one SlipStation runs on a station's data at a time, so nothing prints twice. Use the "
    "one that is running (its window, or its icon in the system tray); or quit it (its tray "
    "icon's Quit, or stop the SlipStation service) and press Retry.")


def explain_startup_problem(problem: SlipStationError, start_over: Callable[[], None]) -> bool:
    """The problem and its fix in a window, in the window's words (no terminal commands); a
    database that cannot be used offers Start over. True when the station should try again."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Critical, "SlipStation cannot start", problem.reason)
    offer_start_over = problem.remedy is Remedy.START_OVER
    if offer_start_over:
        box.setInformativeText(START_OVER_WORDS)
    elif isinstance(problem, StationBusy):
        box.setInformativeText(BUSY_WORDS)
    else:
        box.setInformativeText(f"What to do: {problem.fix}." if problem.fix else
                               "Nothing was changed. Fix the cause, then try again.")
    box.setStandardButtons(QMessageBox.StandardButton.Retry | QMessageBox.StandardButton.Close)
    box.setDefaultButton(QMessageBox.StandardButton.Retry)
    again = box.addButton("Start over…", QMessageBox.ButtonRole.DestructiveRole) \
        if offer_start_over else None
    answer = box.exec()
    if again is not None and box.clickedButton() is again:
        sure = QMessageBox.warning(
            None, "Start over", "Delete this station's database, its key and both API keys? "
            "The order history on this PC cannot be recovered afterwards.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if sure == QMessageBox.StandardButton.Yes:
            try:
                off_the_gui_thread(start_over)
            except SlipStationError as exc:  # e.g. a service still runs on this data dir
                from slipstation.gui.tasks import in_window_words

                QMessageBox.critical(None, "Start over", in_window_words(exc))
        return True
    return answer == QMessageBox.StandardButton.Retry


def start_over(station: Station) -> None:
    """Delete-all from the start-up window, then keep logging for the new start."""
    from slipstation.app import configure_logging

    station.privacy.delete_all("DELETE")
    configure_logging(station.paths.log_file)
    log.info("started over from the start-up window")


def off_the_gui_thread(work: Callable[[], object],
                       meanwhile: Callable[[], None] | None = None) -> None:
    """Run disk and keyring work on a worker thread while the window stays responsive (and
    this thread does `meanwhile`, if given); the work's error, if any, is raised here."""
    from concurrent.futures import ThreadPoolExecutor

    from PySide6.QtCore import QEventLoop, QTimer

    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(work)
        if meanwhile is not None:
            meanwhile()
        loop = QEventLoop()
        poll = QTimer()
        poll.timeout.connect(lambda: loop.quit() if future.done() else None)
        poll.start(5)
        if not future.done():
            loop.exec()
        poll.stop()
        future.result()


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def _signals_wake_qt(quit_window: Callable[[], None]) -> Iterator[None]:
    """SIGINT/SIGTERM close the window soon, even while Qt's loop sleeps: the C handler writes
    the signal's number to a socket Qt watches, and the window closes from Qt's loop. The
    Python handler does nothing: it runs wherever the main thread happens to be, and closing
    from there once stopped it inside the log's lock, then waited forever for the engine's
    thread, which wanted that lock to log."""
    import socket  # with the station, after the frame shows

    from PySide6.QtCore import QSocketNotifier

    reader, writer = socket.socketpair()
    writer.setblocking(False)
    reader.setblocking(False)
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read)
    notifier.activated.connect(lambda *_: _drain(reader, quit_window))
    previous_fd = signal.set_wakeup_fd(writer.fileno())
    previous = {sig: signal.signal(sig, lambda *_: None) for sig in _STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        signal.set_wakeup_fd(previous_fd)
        notifier.setEnabled(False)
        reader.close()
        writer.close()


def _drain(reader: socket.socket, quit_window: Callable[[], None]) -> None:
    """On Qt's loop, a safe place: close the window if a stop signal's number came."""
    try:
        numbers = reader.recv(64)
    except OSError:
        return
    if any(number in _STOP_SIGNALS for number in numbers):
        quit_window()
