"""Every benchmark, one table: `benchmarks/run` (add --quick for small sizes and a short idle).

Figures vary with the machine; the README's performance section keeps the latest ones.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import bench_gui
import bench_print_latency
import bench_slips
import bench_stall
import bench_sync


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="1k/10k orders, 10 s idle")
    args = parser.parse_args()
    sizes = [1000, 10_000] if args.quick else [1000, 10_000, 100_000]
    idle = 10.0 if args.quick else 60.0
    started = time.perf_counter()
    rows: list[tuple[str, str]] = []
    for label, run in (("slips", bench_slips.measure),
                       ("sync", lambda: bench_sync.measure(sizes)),
                       ("latency", bench_print_latency.measure),
                       ("gui", lambda: bench_gui.measure(sizes, idle)),
                       ("stall", lambda: bench_stall.measure(orders=max(sizes)))):
        print(f"running {label}…", file=sys.stderr, flush=True)
        rows += run()
    width = max(len(name) for name, _ in rows)
    print(f"| {'benchmark':<{width}} | figure |")
    print(f"|{'-' * (width + 2)}|--------|")
    for name, figure in rows:
        print(f"| {name:<{width}} | {figure} |")
    print(f"\n({time.perf_counter() - started:.0f} s in all)", file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    # The GUI and stall benchmarks leave Qt windows behind in this process: PySide's teardown
    # at interpreter exit (which can crash) is not what is measured (as in bench_stall.py).
    os._exit(0)


if __name__ == "__main__":
    main()
