"""What every tab of the main window is given: the station's services, the task runner that
keeps their work off the GUI thread, and two ways to report back to the window."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from slipstation.app import Station
from slipstation.gui.tasks import Tasks

Feedback = Callable[[str, bool], None]  # (one-line result, ok?) for the status bar


class Tab(QWidget):
    def __init__(self, station: Station, tasks: Tasks, feedback: Feedback,
                 changed: Callable[[], None]) -> None:
        super().__init__()
        self.station = station
        self.tasks = tasks
        self._feedback = feedback
        self._changed = changed  # the window refreshes its header and lists
