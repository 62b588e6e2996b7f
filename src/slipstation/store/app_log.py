"""App log records copied into the encrypted database, for the GUI's activity view.

Records are queued and written by a listener thread with its own connection, so logging from
inside a write transaction can never wait on itself.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import queue
from typing import TYPE_CHECKING

from slipstation.logs import add_handler
from slipstation.timeutil import from_epoch_iso

if TYPE_CHECKING:
    from slipstation.store.database import Database


class _DatabaseWriter(logging.Handler):
    def __init__(self, db: Database) -> None:
        super().__init__(logging.INFO)
        self._db = db

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.exc_text:
            message = f"{message}\n{record.exc_text}"
        with contextlib.suppress(Exception):  # a busy or closed store must not break logging
            self._db.execute(
                "INSERT INTO app_log (at, level, logger, message) VALUES (?, ?, ?, ?)",
                (from_epoch_iso(record.created), record.levelname, record.name, message),
            )


class DatabaseLog:
    """Attach with `start()`, detach (flushing the queue) with `stop()`."""

    def __init__(self, db: Database) -> None:
        self._queue: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
        self._handler = logging.handlers.QueueHandler(self._queue)
        self._handler.setLevel(logging.INFO)
        self._listener = logging.handlers.QueueListener(self._queue, _DatabaseWriter(db))

    def start(self) -> None:
        self._listener.start()
        add_handler(self._handler)

    def stop(self) -> None:
        logging.getLogger("slipstation").removeHandler(self._handler)
        self._listener.stop()


def recent(db: Database, limit: int = 500) -> list[tuple[str, str, str, str]]:
    rows = db.query("SELECT at, level, logger, message FROM app_log ORDER BY id DESC LIMIT ?",
                    (limit,))
    return [(r["at"], r["level"], r["logger"], r["message"]) for r in rows]

