"""Run engine calls off the GUI thread and hand results (or errors) back on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from slipstation.errors import SlipStationError


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(str)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn()
        except SlipStationError as exc:
            self._relay.failed.emit(exc.message)
        except Exception as exc:  # shown as one line; the log has the traceback
            import logging

            logging.getLogger(__name__).exception("background task failed")
            self._relay.failed.emit(f"Unexpected error ({type(exc).__name__}); see the log.")
        else:
            self._relay.done.emit(result)


class Tasks(QObject):
    """Keeps relays alive until their task reports back."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool.globalInstance()
        self._relays: set[_Relay] = set()

    def run(self, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[str], None] | None = None) -> None:
        relay = _Relay()
        self._relays.add(relay)

        def finish() -> None:
            self._relays.discard(relay)

        if on_done:
            relay.done.connect(on_done)
        if on_error:
            relay.failed.connect(on_error)
        relay.done.connect(finish)
        relay.failed.connect(finish)
        self._pool.start(_Task(fn, relay))

    def wait(self, msecs: int = 10_000) -> bool:
        return self._pool.waitForDone(msecs)
