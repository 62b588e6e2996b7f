"""Kill `slipstation run` with SIGKILL at random moments while it prints a few hundred orders,
restart it, and check the promise: every eligible order printed exactly once, nothing lost,
the store intact."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

from slipstation.app import Station
from slipstation.app.engine import PRINT_REFRESH_ENV
from slipstation.credentials import Secret
from slipstation.loopback import samples
from slipstation.loopback.printnode import PrintNodeServer
from slipstation.loopback.shippo import ShippoServer
from slipstation.printing.queue import GRACE_ENV
from slipstation.timeutil import utc_now
from tests.conftest import PRINTNODE_KEY, SHIPPO_KEY

ORDERS = 240
KILLS = 6


def start_service(data_dir: Path, services: dict[str, str],
                  log: Path) -> subprocess.Popen[bytes]:
    # The in-doubt grace and the print refresh (which settles in-doubt jobs) shortened from
    # minutes to seconds: loopback answers in milliseconds.
    env = {**os.environ, **services, GRACE_ENV: "3", PRINT_REFRESH_ENV: "2"}
    env.pop("SLIPSTATION_DATA_DIR", None)
    with log.open("ab") as stderr:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([sys.executable, "-m", "slipstation", "--data-dir",
                                 str(data_dir), "run"], env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=stderr)


def printed_numbers(server: PrintNodeServer) -> Counter[str]:
    with server.lock:
        titles = [job.payload["title"] for job in server.jobs.values()]
    # "Packing slip #C0042 [abcdef0123]" -> "#C0042"
    return Counter(title.split(" [")[0].split(" ")[-1] for title in titles)


def test_sigkill_at_random_moments_prints_every_order_exactly_once(
        data_dir: Path, services: dict[str, str], shippo_server: ShippoServer,
        printnode_server: PrintNodeServer) -> None:
    now = utc_now()
    eligible = {f"#C{i:04d}" for i in range(ORDERS)}
    shippo_server.add_orders(
        [samples.order(number, now - timedelta(minutes=5 + i)) for i, number in
         enumerate(sorted(eligible))] +
        [samples.order(f"#X{i}", now - timedelta(minutes=i), status="SHIPPED")
         for i in range(20)])  # never eligible: must never print
    printnode_server.latency = 0.02  # a round trip, so kills land mid-request too
    shippo_server.latency = 0.02
    with Station(data_dir) as station:
        station.credentials.set(Secret.SHIPPO, SHIPPO_KEY)
        station.credentials.set(Secret.PRINTNODE, PRINTNODE_KEY)
        station.config.set("printer", "71")

    log = data_dir.parent / "service.log"
    rng = random.Random(20261124)

    def posts() -> int:
        return sum(r.method == "POST" and r.path == "/printjobs"
                   for r in printnode_server.requests)

    def jobs_made() -> int:
        return len(printnode_server.jobs)

    # Each kill lands on progress, not after a sleep: when this life's k-th POST /printjobs
    # arrives (the row is claimed and the request is in flight: the reply is not sent yet), or
    # just after PrintNode made the job (the reply may or may not have reached the service).
    after_each_kill = []
    for life in range(KILLS):
        process = start_service(data_dir, services, log)
        progress = posts if life % 2 else jobs_made
        target = progress() + rng.randint(3, 30)
        landed = printnode_server.wait_until(
            lambda progress=progress, target=target: progress() >= target, timeout=90)
        assert landed and process.poll() is None, (
            "the service must be printing when killed: "
            + log.read_text(errors="replace")[-2000:])
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        printed_so_far = printed_numbers(printnode_server)
        assert max(printed_so_far.values(), default=1) == 1
        after_each_kill.append(sum(printed_so_far.values()))

    assert all(0 < n < ORDERS for n in after_each_kill), after_each_kill

    process = start_service(data_dir, services, log)
    try:
        printnode_server.wait_until(lambda: set(printed_numbers(printnode_server)) >= eligible,
                                    timeout=120)
        # Anything wrong would show as an extra job now: let the service talk to PrintNode a
        # few more times (its state polls, every 2 s past the 3 s grace) before stopping it.
        seen = len(printnode_server.requests)
        printnode_server.wait_until(lambda: len(printnode_server.requests) >= seen + 3,
                                    timeout=45)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    assert process.returncode == 0, log.read_text(errors="replace")[-2000:]

    printed = printed_numbers(printnode_server)
    assert set(printed) == eligible, f"missing: {sorted(eligible - set(printed))[:10]}"
    duplicates = {number: n for number, n in printed.items() if n > 1}
    assert not duplicates, f"printed more than once: {duplicates}"

    with Station(data_dir) as station:
        assert station.db.scalar("PRAGMA integrity_check") == "ok"
        assert station.orders.count() == ORDERS + 20
        states = Counter(row["state"] for row in station.db.query(
            "SELECT state FROM print_jobs WHERE kind = 'auto'"))
        assert set(states) <= {"submitted", "done"}, states
        assert sum(states.values()) == ORDERS
