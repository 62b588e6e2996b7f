"""The tray icon: its colour is the station's state; its menu is rebuilt each time it opens,
so it always shows the current state (as Vorta does)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

COLOURS = {"running": "#2e7d32", "paused": "#f9a825", "error": "#c62828", "setup": "#1565c0"}


def state_icon(level: str) -> QIcon:
    pixmap = QPixmap(64, 64)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(COLOURS.get(level, COLOURS["error"])))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(6, 6, 52, 52)
    painter.setBrush(QColor("white"))
    painter.drawRect(22, 18, 20, 28)  # a slip of paper
    painter.end()
    return QIcon(pixmap)


class Tray(QSystemTrayIcon):
    def __init__(self, parent: QWidget, *, is_paused: Callable[[], bool],
                 on_open: Callable[[], None], on_pause: Callable[[], None],
                 on_sync: Callable[[], None], on_print: Callable[[], None],
                 on_quit: Callable[[], None]) -> None:
        super().__init__(state_icon("running"), parent)
        self.level = "running"
        self._is_paused = is_paused
        self._actions = (on_open, on_pause, on_sync, on_print, on_quit)
        self._menu = QMenu(parent)
        self._menu.aboutToShow.connect(self._rebuild)
        self.setContextMenu(self._menu)
        self._rebuild()
        self.activated.connect(lambda reason: on_open()
                               if reason == QSystemTrayIcon.ActivationReason.Trigger else None)

    def _rebuild(self) -> None:
        on_open, on_pause, on_sync, on_print, on_quit = self._actions
        self._menu.clear()
        entries = (("Open SlipStation", on_open),
                   ("Resume auto-print" if self._is_paused() else "Pause auto-print", on_pause),
                   ("Sync now", on_sync), ("Print by order number…", on_print),
                   (None, None), ("Quit", on_quit))
        for label, handler in entries:
            if label is None:
                self._menu.addSeparator()
                continue
            action = QAction(label, self._menu)
            action.triggered.connect(handler)
            self._menu.addAction(action)

    def show_level(self, level: str, tooltip: str) -> None:
        if level != self.level:
            self.level = level
            self.setIcon(state_icon(level))
        self.setToolTip(tooltip)
