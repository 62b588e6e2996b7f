"""The window with 1k, 10k and 100k stored orders: `slipstation gui` to its window shown and
ready (a fresh process), opening and searching the orders view, and idle CPU and memory in the tray.

Run through `benchmarks/run` (all benchmarks, one table) or alone:
`scripts/with-keyring .venv/bin/python benchmarks/bench_gui.py --sizes 1000 --idle-seconds 10`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from slipstation.app import Station
from slipstation.credentials import Credentials, Secret
from slipstation.loopback import samples
from slipstation.orders.models import parse_order
from slipstation.timeutil import utc_now

# The idle child: the main window over the station with its engine, hidden as in the tray
# (start-up itself is timed on `slipstation gui`, below).
CHILD = r"""
import sys, time
started = time.perf_counter()
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from slipstation.app import Station
from slipstation.gui.main_window import MainWindow
app = QApplication([])
station = Station(Path(sys.argv[1]))
window = MainWindow(station, first_run=False)
window.show()
def shown():
    print(f"shown {time.perf_counter() - started:.4f}", flush=True)
    window.hide()  # as in the tray
    if float(sys.argv[2]) <= 0:
        window.quit()
QTimer.singleShot(0, shown)
if float(sys.argv[2]) > 0:
    QTimer.singleShot(int(float(sys.argv[2]) * 1000) + 15000, window.quit)
app.exec()
station.close()
"""

# The yardstick, measured the same way in the same run: a bare PySide6 window with one table,
# shown and painted as `show_frame` shows and paints the frame (`show()`, then the events that
# paint it) before it says so.
BARE_CHILD = r"""
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView
app = QApplication([])
window = QMainWindow()
view = QTableView()
view.setModel(QStandardItemModel(20, 7))
window.setCentralWidget(view)
window.show()
app.processEvents()
import time
print(f"shown {time.time()}", flush=True)
"""


def populate(data_dir: Path, count: int) -> None:
    now = utc_now()
    names = [("Zoë Müller", "DE"), ("Анна Петрова", "RU"), ("山田 太郎", "JP"), ("Mr Hippo", "US")]
    with Station(data_dir) as station:
        batch = []
        for i in range(count):
            name, country = names[i % len(names)]
            items = [samples.line_item(f"Product {j}", f"SKU-{j:04d}", 1 + j % 2, seed=str(i))
                     for j in range(i % 5 + 1)]
            raw = samples.order(f"#{100000 + i}", now - timedelta(seconds=5 * i), items=items,
                                to=samples.address(name, f"{i} Long Street", "City", "12345",
                                                   country, seed=str(i)), seed=f"gui-{i}")
            batch.append((parse_order(raw), raw))
            if len(batch) == 2000:
                station.order_store.upsert(batch)
                batch = []
        if batch:
            station.order_store.upsert(batch)


def _child_env() -> dict[str, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    for name in ("SLIPSTATION_DATA_DIR", "SLIPSTATION_SHIPPO_URL", "SLIPSTATION_PRINTNODE_URL"):
        env.pop(name, None)
    return env


def bare_once() -> float:
    """The yardstick: process start to a bare PySide6 window with one table shown and painted,
    by the child's clock when it was (its exit is not timed)."""
    started = time.time()
    child = subprocess.Popen([sys.executable, "-c", BARE_CHILD], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=_child_env())
    assert child.stdout is not None
    line = child.stdout.readline()
    _out, err = child.communicate(timeout=120)
    if not line.startswith("shown"):
        raise RuntimeError(err[-2000:])
    return float(line.split()[1]) - started


def _logged_at(line: str) -> float:
    """When a log line's record was made (its timestamp, local time to the millisecond): what
    is timed is the moment the window said so, not how long its log handlers took after."""
    return datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()


def command_once(data_dir: Path) -> tuple[float, float]:
    """`slipstation gui` itself, process start to its log saying the window is shown (the
    frame: header, scan field, menu) and then ready (the station opened and checked, the
    service lock taken, the tabs and the engine attached, Qt's loop running)."""
    started = time.time()
    child = subprocess.Popen([sys.executable, "-m", "slipstation", "--debug", "--data-dir",
                              str(data_dir), "gui"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True, env=_child_env())
    assert child.stderr is not None
    shown = ready = None
    for line in child.stderr:
        if "SlipStation window shown" in line:
            shown = _logged_at(line) - started
        if "SlipStation window ready" in line:
            ready = _logged_at(line) - started
            break
    child.terminate()
    try:
        child.communicate(timeout=60)
    except subprocess.TimeoutExpired:  # its exit is not what is measured; say so, go on
        child.kill()
        child.communicate()
        print("slipstation gui took over 60 s to exit after SIGTERM", file=sys.stderr)
    if shown is None or ready is None:
        raise RuntimeError("slipstation gui never said its window was shown and ready")
    return shown, ready


@dataclass
class Startup:
    """Medians over runs taken in turn with the bare window, and the median and range of the
    paired ratios (each run against the bare window just before it: this machine is shared,
    and a slow moment lands on a pair, not on one side)."""

    shown: float
    ready: float
    bare: float
    shown_ratio: float
    shown_range: tuple[float, float]
    ready_ratio: float


def startup_seconds(data_dir: Path, runs: int = 9) -> Startup:
    shown, ready, bare = [], [], []
    for _ in range(runs):
        bare.append(bare_once())
        one_shown, one_ready = command_once(data_dir)
        shown.append(one_shown)
        ready.append(one_ready)
    shown_ratios = sorted(s / b for s, b in zip(shown, bare, strict=True))
    return Startup(statistics.median(shown), statistics.median(ready), statistics.median(bare),
                   statistics.median(shown_ratios), (shown_ratios[0], shown_ratios[-1]),
                   statistics.median(r / b for r, b in zip(ready, bare, strict=True)))


def view_seconds(data_dir: Path, needle: str = "sku-0003") -> tuple[float, float]:
    """Opening the orders view (count + first page, shown) and one search, in this process."""
    from PySide6.QtWidgets import QApplication

    from slipstation.gui.orders_model import OrdersModel, filters

    app = QApplication.instance() or QApplication([])
    from PySide6.QtWidgets import QTableView

    with Station(data_dir) as station:
        started = time.perf_counter()
        # The window reads pages on a worker thread; here the same reads, inline, are timed.
        model = OrdersModel(station.orders, lambda work, done, _failed: done(work()))
        model.show(*OrdersModel.fetch(station.orders, filters(None, None, None)))
        view = QTableView()
        view.setModel(model)
        view.show()
        app.processEvents()
        opened = time.perf_counter() - started
        started = time.perf_counter()
        model.show(*OrdersModel.fetch(station.orders, filters(needle, None, None)))
        app.processEvents()
        searched = time.perf_counter() - started
        view.close()
    return opened, searched


def idle(data_dir: Path, seconds: float) -> tuple[float, float]:
    """CPU % and RSS (MB) of the app hidden in the tray, its engine running, over `seconds`."""
    process = subprocess.Popen([sys.executable, "-c", CHILD, str(data_dir), str(seconds)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env=_child_env())
    assert process.stdout is not None
    process.stdout.readline()  # shown
    time.sleep(3)  # the first sync attempt and the print refresh settle
    tick = os.sysconf("SC_CLK_TCK")

    def cpu() -> float:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    before, started = cpu(), time.perf_counter()
    time.sleep(seconds)
    used, elapsed = cpu() - before, time.perf_counter() - started
    rss = next(int(line.split()[1]) for line in Path(f"/proc/{process.pid}/status").read_text()
               .splitlines() if line.startswith("VmRSS")) / 1024
    process.wait(timeout=60)  # it quits by itself a little later
    return 100 * used / elapsed, rss


def measure(sizes: list[int], idle_seconds: float) -> list[tuple[str, str]]:
    rows = []
    for count in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            data_dir = (Path(tmp) / "station").resolve()
            try:
                populate(data_dir, count)
                start = startup_seconds(data_dir)
                opened, searched = view_seconds(data_dir)
                _opened, one = view_seconds(data_dir, f"{100000 + count // 2}")
                low, high = start.shown_range
                rows.append((f"`slipstation gui` to its window shown, {count:,} orders",
                             f"{start.shown:.2f} s vs a bare PySide6 window with one table "
                             f"{start.bare:.2f} s: {start.shown_ratio:.2f}× (median of paired "
                             f"runs; {low:.2f}–{high:.2f}×) (goal ≤ 1.5×)"))
                rows.append((f"`slipstation gui` to its window ready, {count:,} orders",
                             f"{start.ready:.2f} s (the station checked and locked, tabs and "
                             f"engine attached) vs the bare window {start.bare:.2f} s: "
                             f"{start.ready_ratio:.1f}×"))
                rows.append((f"orders view open / text search (worker thread), {count:,} orders",
                             f"{opened * 1000:.0f} ms / one order by number {one * 1000:.0f} ms "
                             f"(goal < 50 ms), a SKU in 40 % of orders {searched * 1000:.0f} ms "
                             "(goal open < 1 s)"))
                if count == max(sizes) and idle_seconds > 0:
                    cpu, rss = idle(data_dir, idle_seconds)
                    rows.append((f"idle in the tray {idle_seconds:.0f} s, {count:,} orders",
                                 f"CPU {cpu:.2f} %, RSS {rss:.0f} MB (goals < 1 %, < 200 MB)"))
            finally:
                for name in Secret:
                    Credentials(data_dir).delete(name)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--idle-seconds", type=float, default=60)
    args = parser.parse_args()
    for name, figure in measure(args.sizes, args.idle_seconds):
        print(f"{name}: {figure}", flush=True)


if __name__ == "__main__":
    main()
