"""Latency from a Shippo poll reply holding a new PAID order to the PrintNode job submitted,
over 200 orders, each arriving alone (loopback servers, real store, real rendering)."""

from __future__ import annotations

import os
import statistics
import tempfile
from datetime import timedelta
from pathlib import Path

from slipstation.app import Station
from slipstation.credentials import Credentials, Secret
from slipstation.loopback import samples
from slipstation.loopback.printnode import PrintNodeServer
from slipstation.loopback.shippo import ShippoServer
from slipstation.timeutil import utc_now

SHIPPO_KEY = "shippo_test_benchmark00000000"
PRINTNODE_KEY = "printnode-benchmark-key"


def measure(count: int = 200) -> list[tuple[str, str]]:
    with ShippoServer((SHIPPO_KEY,)) as shippo, PrintNodeServer((PRINTNODE_KEY,)) as printnode, \
            tempfile.TemporaryDirectory() as tmp:
        saved = {k: os.environ.get(k) for k in ("SLIPSTATION_SHIPPO_URL",
                                                "SLIPSTATION_PRINTNODE_URL")}
        os.environ["SLIPSTATION_SHIPPO_URL"] = shippo.url
        os.environ["SLIPSTATION_PRINTNODE_URL"] = printnode.url
        data_dir = Path(tmp) / "station"
        latencies = []
        try:
            with Station(data_dir) as station:
                station.credentials.set(Secret.SHIPPO, SHIPPO_KEY)
                station.credentials.set(Secret.PRINTNODE, PRINTNODE_KEY)
                station.config.set("printer", "71")
                station.sync.run()  # the first sync: history and baseline
                for i in range(count):
                    shippo.add_orders([samples.order(f"#L{i}", utc_now() - timedelta(seconds=5),
                                                     seed=f"latency-{i}")])
                    station.sync.run()
                    polls = shippo.list_requests()
                    posts = [r for r in printnode.requests if r.method == "POST"]
                    latencies.append(posts[-1].received - polls[-1].received)
                assert len(printnode.jobs) == count
        finally:
            for name in Secret:
                Credentials(data_dir).delete(name)
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    ordered = sorted(latencies)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return [(f"poll → PrintNode submit latency, {count} orders",
             f"p50 {statistics.median(ordered) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms "
             "(goal p95 < 1 s)")]


def main() -> None:
    for name, figure in measure():
        print(f"{name}: {figure}")


if __name__ == "__main__":
    main()
