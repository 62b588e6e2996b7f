"""App log records copied into the encrypted database, for the GUI's activity view.

Records are queued and written by a listener thread with its own connection, so logging from
inside a write transaction can never wait on itself.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import queue
from dataclasses import dataclass
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


@dataclass(frozen=True)
class LogLine:
    id: int
    at: str
    level: str
    logger: str
    message: str


def recent(db: Database, limit: int = 500, *, after_id: int = 0) -> list[LogLine]:
    """The newest lines first (only those after `after_id`, when given)."""
    rows = db.query("SELECT id, at, level, logger, message FROM app_log WHERE id > ? "
                    "ORDER BY id DESC LIMIT ?", (after_id, limit))
    return [LogLine(r["id"], r["at"], r["level"], r["logger"], r["message"]) for r in rows]

