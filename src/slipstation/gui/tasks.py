"""Run engine calls off the GUI thread and hand results (or errors) back on it.

Every piece of network or disk work a person starts goes through `Tasks.run`; the window shows
what is running (and how far a batch has got) from the `activity` signal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from slipstation.app import Remedy, SlipStationError

log = logging.getLogger(__name__)
Report = Callable[[int, int], None]


# What the window offers for each typed remedy: its own screens, never a terminal command.
WINDOW_REMEDIES = {
    Remedy.SET_SHIPPO_KEY: "paste the Shippo key in Settings → API keys",
    Remedy.SET_PRINTNODE_KEY: "paste the PrintNode key in Settings → API keys",
    Remedy.CHOOSE_PRINTER: "choose one in Settings → Printer",
    Remedy.START_OVER: "restore the data folder from a backup, or start over with Privacy → "
                       "Delete all data (Shippo still has the orders; slips PrintNode already "
                       "printed are not printed again)",
}


def in_window_words(error: SlipStationError) -> str:
    """The one line the window shows: the reason, and the fix in the window's own terms."""
    if error.remedy is not None and error.remedy in WINDOW_REMEDIES:
        return f"{error.reason}; {WINDOW_REMEDIES[error.remedy]}"
    return error.message


def window_fix(fix: str, remedy: Remedy | None) -> str:
    """A check's fix as the window says it (its screens), or as given when it names none."""
    return WINDOW_REMEDIES.get(remedy, fix) if remedy is not None else fix


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(str)
    progress = Signal(int, int)


class _Task(QRunnable):
    def __init__(self, fn: Callable[..., Any], relay: _Relay, wants_report: bool) -> None:
        super().__init__()
        self._fn = fn
        self._relay = relay
        self._wants_report = wants_report

    def run(self) -> None:
        try:
            result = self._fn(self._relay.progress.emit) if self._wants_report else self._fn()
        except SlipStationError as exc:
            self._relay.failed.emit(in_window_words(exc))
        except Exception as exc:  # shown as one line; the log has the traceback
            log.exception("background task failed")
            self._relay.failed.emit(f"Unexpected error ({type(exc).__name__}); see the log.")
        else:
            self._relay.done.emit(result)


class Tasks(QObject):
    """Keeps relays alive until their task reports back, and says what is running."""

    # (label of the newest running task or "", running count, done, total) — total 0: busy
    activity = Signal(str, int, int, int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool.globalInstance()
        self._running: dict[_Relay, str] = {}
        self._closed = False

    @property
    def running(self) -> int:
        return len(self._running)

    def run(self, fn: Callable[..., Any], on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[str], None] | None = None, *, label: str = "",
            progress: bool = False) -> None:
        """Run `fn` on a worker thread. With `progress`, `fn` is called with a
        `report(done, total)` callable that drives the window's progress bar. After `close`
        nothing new starts (a timer that fires while the window closes must not reopen the
        store)."""
        if self._closed:
            log.debug("not started after close: %s", label or "a task")
            return
        relay = _Relay()
        self._running[relay] = label

        def finish(*_args: object) -> None:
            self._running.pop(relay, None)
            self._announce()

        # A reply that arrives after its window closed is dropped: its widgets are gone.
        if on_done:
            relay.done.connect(lambda result: on_done(result) if self._alive() else None)
        if on_error:
            relay.failed.connect(lambda message: on_error(message) if self._alive() else None)
        relay.done.connect(finish)
        relay.failed.connect(finish)
        relay.progress.connect(lambda done, total: self.activity.emit(
            label, self.running, done, total))
        self._announce()
        self._pool.start(_Task(fn, relay, progress))

    def _alive(self) -> bool:
        return shiboken6.isValid(self)

    def _announce(self) -> None:
        if not self._alive():
            return  # the window closed while the task ran; nobody is listening any more
        labels = [label for label in self._running.values() if label]
        self.activity.emit(labels[-1] if labels else "", self.running, 0, 0)

    def close(self) -> None:
        """Start nothing more; what runs may finish (`wait`)."""
        self._closed = True

    def wait(self, msecs: int = 10_000) -> bool:
        return self._pool.waitForDone(msecs)
