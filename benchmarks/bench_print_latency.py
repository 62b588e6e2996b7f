"""Latency from a Shippo poll reply holding a new PAID order to the PrintNode job submitted,
over 200 orders, each arriving alone (loopback servers, real store, real rendering), beside the
floor in the same run: the same poll, the order parsed, a bare ReportLab canvas drawn and the
job POSTed, with nothing stored and nothing checked."""

from __future__ import annotations

import base64
import os
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx
from bench_slips import bare_canvas

from slipstation.app import Station
from slipstation.credentials import Credentials, Secret
from slipstation.loopback import samples
from slipstation.loopback.printnode import PrintNodeServer
from slipstation.loopback.shippo import ShippoServer
from slipstation.orders.models import parse_order
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
            floor = floor_latencies(shippo.url, printnode.url, count)
        finally:
            for name in Secret:
                Credentials(data_dir).delete(name)
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    ours, bare = _p50_p95(latencies), _p50_p95(floor)
    return [(f"poll → PrintNode submit latency, {count} orders",
             f"p50 {ours[0] * 1000:.0f} ms, p95 {ours[1] * 1000:.0f} ms (goal p95 < 1 s) vs the "
             f"poll+parse+bare canvas+POST floor p50 {bare[0] * 1000:.0f} ms: "
             f"{ours[0] / bare[0]:.1f}×")]


def _p50_p95(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def floor_latencies(shippo_url: str, printnode_url: str, count: int) -> list[float]:
    """What any station must do per order at least: poll, parse, draw, submit."""
    found = []
    with httpx.Client(timeout=30) as client:
        for i in range(count):
            started = time.perf_counter()
            page = client.get(f"{shippo_url}/orders/", params={"results": "1"},
                              headers={"Authorization": f"ShippoToken {SHIPPO_KEY}"}).json()
            order = parse_order(page["results"][0])
            client.post(f"{printnode_url}/printjobs", auth=(PRINTNODE_KEY, ""),
                        headers={"X-Idempotency-Key": f"floor-{i}"},
                        json={"printerId": 71, "title": f"floor {i}", "source": "floor",
                              "contentType": "pdf_base64",
                              "content": base64.b64encode(bare_canvas(order)).decode()}
                        ).raise_for_status()
            found.append(time.perf_counter() - started)
    return found


def main() -> None:
    for name, figure in measure():
        print(f"{name}: {figure}")


if __name__ == "__main__":
    main()
