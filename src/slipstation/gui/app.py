"""Start the GUI: one QApplication, the main window (or just the tray with --tray)."""

from __future__ import annotations

import signal
import sys
from typing import TYPE_CHECKING

from slipstation import __version__
from slipstation.app import ServiceLock, SlipStationError, Station, check_display

if TYPE_CHECKING:
    from PySide6.QtCore import QCoreApplication


def prepare_application(app: QCoreApplication) -> None:
    """What every SlipStation window needs before the first one opens: names, the version, and
    the bundled fonts (so names in every script show as letters, not boxes)."""
    from PySide6.QtGui import QGuiApplication

    from slipstation.gui.fonts import register_bundled_fonts

    app.setApplicationName("SlipStation")
    app.setApplicationVersion(__version__)
    if isinstance(app, QGuiApplication):
        app.setQuitOnLastWindowClosed(False)
        register_bundled_fonts()


def run_gui(station: Station, *, tray_only: bool = False) -> int:
    try:
        from PySide6.QtWidgets import QApplication
    except ImportError as exc:  # a broken Qt install names itself, not a traceback
        raise SlipStationError(f"The GUI cannot start: {exc}.") from None
    from slipstation.gui.main_window import MainWindow

    check_display()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    prepare_application(app)
    with ServiceLock(station.paths):
        window = MainWindow(station)
        if not (tray_only and window.tray is not None):
            window.show()
        signal.signal(signal.SIGINT, lambda *_: window.quit())
        signal.signal(signal.SIGTERM, lambda *_: window.quit())
        return app.exec()
