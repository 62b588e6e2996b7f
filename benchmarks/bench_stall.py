"""The GUI thread's longest stall while the station works: the main window with 100k stored
orders, 10k print jobs and 10k audit entries, the Print jobs and Audit tabs on screen in turn,
while a sync brings new orders and a 200-slip batch prints. A 10 ms timer on the GUI thread is
the probe: its longest gap is the longest time a scan would have waited for the window.
The same probe over a bare Qt window with one empty table, in the same run, is the floor.

`scripts/with-keyring .venv/bin/python benchmarks/bench_stall.py [--orders N]`
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_gui import populate
from PySide6.QtCore import QElapsedTimer, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QTableWidget

from slipstation.app import Station
from slipstation.credentials import Credentials, Secret
from slipstation.loopback import samples
from slipstation.loopback.printnode import PrintNodeServer
from slipstation.loopback.shippo import ShippoServer
from slipstation.timeutil import to_iso, utc_now

SHIPPO_KEY = "shippo_test_benchmark00000000"
PRINTNODE_KEY = "printnode-benchmark-key"


class Probe:
    """Ticks every 10 ms on the GUI thread; the longest gap between ticks is the stall."""

    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.longest = 0
        self._last = 0

    def _tick(self) -> None:
        now = self.clock.elapsed()
        self.longest = max(self.longest, now - self._last)
        self._last = now

    def start(self) -> None:
        self.clock.start()
        self._last = 0
        self.longest = 0
        self.timer.start()

    def stop(self) -> int:
        self.timer.stop()
        return self.longest


def seed_history(station: Station, jobs: int, audit: int) -> None:
    """A busy day's jobs (done, a few failed) and audit entries, written in bulk."""
    ids = [row[0] for row in station.db.query("SELECT id FROM orders LIMIT ?", (jobs,))]
    now = to_iso(utc_now())
    with station.db.transaction() as conn:
        conn.executemany(
            "INSERT INTO print_jobs (order_id, kind, rule, state, printer_id, paper, copies, "
            "title, source, idempotency_key, printnode_job_id, attempts, last_error, "
            "created_at, updated_at) VALUES (?, 'auto', 'default', ?, 71, '4x6', 1, ?, "
            "'SlipStation bench', ?, ?, 1, ?, ?, ?)",
            [(order_id, "failed" if n % 97 == 0 else "done", f"Packing slip {n} [{n:010d}]",
              f"{n:032d}", 10_000_000 + n, "Paper jam" if n % 97 == 0 else None, now, now)
             for n, order_id in enumerate(ids)])
        conn.executemany(
            "INSERT INTO audit_log (at, station, action, detail) VALUES (?, 'bench', ?, ?)",
            [(now, "print.manual", json.dumps({"copies": 1})) for _ in range(audit)])


def bare_window_stall(app: QApplication, seconds: float) -> int:
    window = QMainWindow()
    window.setCentralWidget(QTableWidget(0, 5))
    window.show()
    probe = Probe()
    probe.start()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.001)
    window.close()
    return probe.stop()


def measure(orders: int = 100_000, jobs: int = 10_000, audit: int = 10_000,
            batch: int = 200) -> list[tuple[str, str]]:
    from slipstation.gui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    with ShippoServer((SHIPPO_KEY,)) as shippo, PrintNodeServer((PRINTNODE_KEY,)) as printnode, \
            tempfile.TemporaryDirectory() as tmp:
        os.environ["SLIPSTATION_SHIPPO_URL"] = shippo.url
        os.environ["SLIPSTATION_PRINTNODE_URL"] = printnode.url
        data_dir = (Path(tmp) / "station").resolve()
        try:
            populate(data_dir, orders)
            station = Station(data_dir)
            station.credentials.set(Secret.SHIPPO, SHIPPO_KEY)
            station.credentials.set(Secret.PRINTNODE, PRINTNODE_KEY)
            station.config.set("printer", "71")
            seed_history(station, jobs, audit)
            shippo.add_orders([samples.order(f"#NEW{i}", utc_now() - timedelta(minutes=1),
                                             seed=f"stall-{i}") for i in range(50)])
            window = MainWindow(station, start_engine=False, first_run=False)
            window.show()
            probe = Probe()
            started = time.perf_counter()
            probe.start()
            window.sync_now()  # a sync on a worker thread
            numbers = [s.order.display_number for s in station.orders.search(limit=batch)]
            window.tasks.run(lambda: station.printing.print_orders(numbers), lambda _r: None,
                             lambda _m: None, label="Printing the batch")
            tabs = (window.jobs, window.audit, window.orders, window.activity)
            switches = 0
            while window.tasks.running or switches < len(tabs):
                window.tabs.setCurrentWidget(tabs[switches % len(tabs)])
                switches += 1
                window.refresh()
                deadline = time.monotonic() + 0.5
                while time.monotonic() < deadline:
                    app.processEvents()
                    time.sleep(0.001)
            elapsed = time.perf_counter() - started
            busy = probe.stop()
            window.tasks.wait(60_000)
            window.quit()
            station.close()
            floor = bare_window_stall(app, min(elapsed, 10.0))
        finally:
            for name in Secret:
                Credentials(data_dir).delete(name)
    ratio = busy / max(floor, 1)
    return [(f"GUI thread's longest stall: {orders:,} orders, {jobs:,} jobs, {audit:,} audit, "
             f"sync + {batch}-slip batch over {elapsed:.0f} s",
             f"{busy} ms vs {floor} ms for a bare Qt window = {ratio:.1f}× (goal < 100 ms)")]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--audit", type=int, default=10_000)
    args = parser.parse_args()
    for name, figure in measure(args.orders, args.jobs, args.audit):
        print(f"{name}: {figure}", flush=True)
    os._exit(0)  # PySide's teardown at interpreter exit is not what is measured here


if __name__ == "__main__":
    main()
