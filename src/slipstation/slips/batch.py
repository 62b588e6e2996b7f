"""Many slips at once, each into its own owner-only file: on every core (at most 4) when the
batch is large enough to pay for starting the workers, in order, as they are written."""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from logging.handlers import QueueHandler, QueueListener
from pathlib import Path
from typing import TYPE_CHECKING

from slipstation.fileio import write_private
from slipstation.logs import app_logger
from slipstation.orders.models import Order

if TYPE_CHECKING:
    from slipstation.slips.slip import SlipOptions

PARALLEL_FROM = 200  # slips: below this, starting workers (~0.4 s) costs more than it saves
MAX_WORKERS = 4
CHUNK = 25  # slips per message to a worker

Job = tuple[Order, "SlipOptions", Path]


Writer = Callable[[Sequence[Job]], Iterator[Path]]


@contextlib.contextmanager
def slip_writer(expected: int) -> Iterator[Writer]:
    """What renders each order's slip into its path (not yet flushed to disk: `sync_files`
    when the batch is done), yielding each path once its file is written, in the order given.
    For `expected` slips or more it starts the workers now, so their start-up (~0.3 s, loading
    ReportLab and the fonts) overlaps the caller's reading of the orders. A file that cannot
    be written raises its error from the writer (from a worker too: errors cross intact)."""
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    if expected < PARALLEL_FROM or workers < 2:
        yield lambda jobs: map(_write, jobs)
        return
    # Spawned, not forked: a fork would copy this process's threads' locks (the store's log
    # writer, a keyring call) half-held. The orders go to the workers through pipes only, and
    # what the workers log comes back here, to this process's log and its filters.
    context = multiprocessing.get_context("spawn")
    records: multiprocessing.Queue[logging.LogRecord] = context.Queue()
    listener = QueueListener(records, *app_logger().handlers, respect_handler_level=True)
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_log_to,
                               initargs=(records, app_logger().getEffectiveLevel()))
    listener.start()
    try:
        for _worker in range(workers):
            pool.submit(_load_renderer)
        yield lambda jobs: pool.map(_write, jobs, chunksize=CHUNK)
    finally:  # also when the caller stops early: what has not started is dropped
        pool.shutdown(wait=True, cancel_futures=True)
        listener.stop()


def _load_renderer() -> None:
    import slipstation.slips.slip  # noqa: F401  # ReportLab and the fonts, before the slips


def _write(job: Job) -> Path:
    from slipstation.slips.slip import render_slip

    order, options, path = job
    return write_private(path, render_slip(order, options), sync=False)


def _log_to(records: multiprocessing.Queue[logging.LogRecord], level: int) -> None:
    logger = app_logger()
    logger.handlers = [QueueHandler(records)]
    logger.setLevel(level)
    logger.propagate = False
