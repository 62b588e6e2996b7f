"""Sync N orders from a loopback Shippo (in its own process) into a fresh encrypted store,
beside the floor in the same run: the same pages fetched by the same client, each order's JSON
parsed and inserted into a SQLCipher table, one transaction per page.

Prints orders/s, the ratio to the floor, and the syncing process's peak RSS. Run through
`benchmarks/run`.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from slipstation.api.shippo import ShippoClient
from slipstation.app import Station
from slipstation.credentials import Credentials, Secret
from slipstation.loopback import samples
from slipstation.loopback.shippo import ShippoServer
from slipstation.sync import ShippoSync
from slipstation.timeutil import utc_now

KEY = "shippo_test_benchmark00000000"


def _serve(count: int, url_queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    now = utc_now()
    names = [("Zoë Müller", "DE"), ("Анна Петрова", "RU"), ("山田 太郎", "JP"), ("Mr Hippo", "US")]
    orders = []
    for i in range(count):
        name, country = names[i % len(names)]
        items = [samples.line_item(f"Product {j}", f"SKU-{j:04d}", 1 + j % 2, seed=str(i))
                 for j in range(i % 5 + 1)]
        to = samples.address(name, f"{i} Long Street", "City", "12345", country, seed=str(i))
        orders.append(samples.order(f"#{100000 + i}", now - timedelta(seconds=5 * i),
                                    to=to, items=items, seed=f"bench-{i}"))
    server = ShippoServer((KEY,))
    server.add_orders(orders)
    server.start()
    url_queue.put(server.url)
    time.sleep(3600)


def run(count: int) -> dict[str, float]:
    urls: multiprocessing.Queue[str] = multiprocessing.Queue()
    server = multiprocessing.Process(target=_serve, args=(count, urls), daemon=True)
    server.start()
    url = urls.get(timeout=120)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "station"
        try:
            first_floor = floor_seconds(url, Path(tmp) / "floor-1.db")
            with Station(data_dir) as station:
                station.db  # noqa: B018 - create the store outside the timed part
                client = ShippoClient(KEY, base_url=url)
                started = time.perf_counter()
                summary = ShippoSync(station.db, client).run_cycle()
                elapsed = time.perf_counter() - started
                client.close()
                assert summary.new == count, summary
            # The faster of a floor before and one after (the server warms up): a fair floor.
            floor = min(first_floor, floor_seconds(url, Path(tmp) / "floor-2.db"))
        finally:
            for name in Secret:
                Credentials(data_dir).delete(name)
    server.terminate()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"orders": count, "seconds": elapsed, "orders_per_s": count / elapsed,
            "peak_rss_mb": peak_mb, "floor_seconds": floor}


def floor_seconds(url: str, path: Path) -> float:
    """What any sync must do at least: fetch the pages, parse them, insert each order's JSON
    into an encrypted table, one transaction per page."""
    import secrets

    import sqlcipher3

    conn = sqlcipher3.connect(str(path), isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{secrets.token_hex(32)}'\"")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("CREATE TABLE orders (object_id TEXT PRIMARY KEY, data TEXT NOT NULL)")
    client = ShippoClient(KEY, base_url=url)
    started = time.perf_counter()
    for page in client.iter_order_pages():
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO orders VALUES (?, ?)",
                         [(raw["object_id"], json.dumps(raw)) for raw in page.results])
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    client.close()
    conn.close()
    return elapsed


def measure(sizes: list[int]) -> list[tuple[str, str]]:
    rows = []
    for count in sizes:  # each in a fresh process, so peak RSS is this size's own
        child = subprocess.run([sys.executable, __file__, "--raw", "--orders", str(count)],
                               capture_output=True, text=True, check=True)
        result = json.loads(child.stdout)
        floor_rate = count / result["floor_seconds"]
        rows.append((f"sync ingest from loopback Shippo, {count:,} orders",
                     f"{result['orders_per_s']:,.0f} orders/s ({result['seconds']:.1f} s) vs "
                     f"the fetch+parse+insert floor {floor_rate:,.0f}/s: "
                     f"{result['orders_per_s'] / floor_rate:.2f}× (goal ≥ 0.5×), "
                     f"peak RSS {result['peak_rss_mb']:.0f} MB"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, nargs="+", default=[10_000])
    parser.add_argument("--raw", action="store_true", help="one size, figures as JSON")
    args = parser.parse_args()
    if args.raw:
        print(json.dumps(run(args.orders[0])))
        return
    for name, figure in measure(args.orders):
        print(f"{name}: {figure}")


if __name__ == "__main__":
    main()
