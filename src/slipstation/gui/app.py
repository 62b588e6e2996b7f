"""Start the GUI: one QApplication, the main window (or just the tray with --tray)."""

from __future__ import annotations

import signal
import sys

from slipstation.desktop import check_display
from slipstation.errors import SlipStationError
from slipstation.station import Station


def run_gui(station: Station, *, tray_only: bool = False) -> int:
    try:
        from PySide6.QtWidgets import QApplication
    except ImportError as exc:  # a broken Qt install names itself, not a traceback
        raise SlipStationError(f"The GUI cannot start: {exc}.") from None
    from slipstation.gui.main_window import MainWindow
    from slipstation.service import ServiceLock

    check_display()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("SlipStation")
    app.setQuitOnLastWindowClosed(False)
    with ServiceLock(station):
        window = MainWindow(station)
        if not (tray_only and window.tray is not None):
            window.show()
        signal.signal(signal.SIGINT, lambda *_: window.quit())
        signal.signal(signal.SIGTERM, lambda *_: window.quit())
        return app.exec()
