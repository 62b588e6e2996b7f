"""The operator's commands mean what they say (DESIGN.md, "What the operator's commands mean"):
pause is stored and seen by every process; a manual print goes first, alone, and reports what
PrintNode answered; a slip that waited is checked with Shippo before it prints; jobs can be
cancelled, dismissed and re-queued to the printer chosen now; keys changed by another process
take effect at the next cycle; two stations on one account print each order once in all.
Real store, real keyring, loopback Shippo and PrintNode, the real CLI in child processes."""

from __future__ import annotations

import json
import logging
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from slipstation.app import Level, PrintState, Station
from slipstation.credentials import Credentials, Secret
from slipstation.errors import SlipStationError
from slipstation.loopback import samples
from slipstation.loopback.printnode import PrintNodeServer
from slipstation.loopback.shippo import ShippoServer
from slipstation.printing.queue import QueuePolicy
from slipstation.sync import SyncOutcome
from slipstation.timeutil import utc_now
from tests.conftest import PRINTNODE_KEY, SHIPPO_KEY, Cli, one_line_error, open_printing_station


def _orders(server: ShippoServer, count: int, prefix: str = "O", status: str = "PAID",
            minutes_ago: float = 30) -> list[dict[str, object]]:
    now = utc_now()
    orders = [samples.order(f"#{prefix}{i}", now - timedelta(minutes=minutes_ago + i),
                            status=status,
                            seed=f"{prefix}{i}") for i in range(count)]
    server.add_orders(orders)
    return orders


def _printed(server: PrintNodeServer) -> Counter[str]:
    """How many PrintNode jobs each order got (titles start `Packing slip #N [` or `Reprint`)."""
    return Counter(job.payload["title"].split(" [")[0].split(" ")[-1]
                   for job in server.jobs.values())


def _keys(cli: Cli) -> None:
    assert cli("keys", "set", "shippo", input=SHIPPO_KEY).returncode == 0
    assert cli("keys", "set", "printnode", input=PRINTNODE_KEY).returncode == 0


def test_pause_is_stored_and_holds_in_every_process(cli: Cli, data_dir: Path,
                                                    services: dict[str, str],
                                                    shippo_server: ShippoServer,
                                                    printnode_server: PrintNodeServer) -> None:
    _keys(cli)
    assert cli("config", "set", "printer", "71").returncode == 0
    paused = cli("pause")
    assert paused.returncode == 0 and "paused" in paused.stdout
    status = json.loads(cli("status", "--json").stdout)
    assert status["paused"] is True and status["level"] == "paused"
    _orders(shippo_server, 5)
    synced = cli("sync")
    assert synced.returncode == 0 and "auto-print paused" in synced.stdout, synced.stdout
    assert not printnode_server.jobs, "paused: queued, never sent"
    with Station(data_dir) as other:  # another process (a restart, the GUI) sees it too
        assert other.printing.paused
        assert other.status.now().level is Level.PAUSED
    # A person's print goes alone: the four other paused slips stay paused.
    printed = cli("print", "#O2")
    assert printed.returncode == 0, printed.stderr
    assert _printed(printnode_server) == Counter({"#O2": 1})
    assert "slip of #O2 sent to" in printed.stdout  # it was that order's own slip
    assert cli("sync").returncode == 0
    assert _printed(printnode_server) == Counter({"#O2": 1})
    assert cli("resume").returncode == 0
    assert cli("sync").returncode == 0
    assert _printed(printnode_server) == Counter({f"#O{i}": 1 for i in range(5)})
    actions = [entry.action for entry in Station(data_dir).audit.entries()]
    assert "print.pause" in actions and "print.resume" in actions


def test_manual_print_sends_only_itself_and_is_the_waiting_slip(
        station: Station, data_dir: Path, shippo_server: ShippoServer,
        printnode_server: PrintNodeServer, services: dict[str, str]) -> None:
    station.close()
    station = open_printing_station(data_dir)
    try:
        _orders(shippo_server, 120)
        station.printing.set_paused(True)
        station.config.set("printer", "71")
        station.sync.run()
        assert not printnode_server.jobs
        outcome = station.printing.print_order("#O7")
        assert outcome.state is PrintState.SENT and outcome.accepted
        assert outcome.kind == "auto", "the order's waiting slip is the manual print"
        assert outcome.printer_name == "Zebra ZD420 (4x6)"
        assert len(printnode_server.jobs) == 1, "only its own job, not the other 119"
        again = station.printing.print_order("#O7")
        assert again.kind == "reprint" and again.accepted
        assert _printed(printnode_server)["#O7"] == 2
        station.printing.set_paused(False)
        station.printing.refresh()  # a hundred at a time
        station.printing.refresh()
        counts = _printed(printnode_server)
        assert counts["#O7"] == 2 and len(counts) == 120, "#O7's slip never goes a third time"
    finally:
        station.close()


def test_a_manual_print_reports_the_truth_and_exit_code(cli: Cli, services: dict[str, str],
                                                        shippo_server: ShippoServer,
                                                        printnode_server: PrintNodeServer
                                                        ) -> None:
    _keys(cli)
    _orders(shippo_server, 1, status="SHIPPED")
    assert cli("sync").returncode == 0
    printnode_server.set_printer_state(71, "offline")
    offline = cli("print", "#O0", "--printer", "71")
    assert offline.returncode == 0, offline.stderr  # PrintNode accepted it
    assert "offline" in offline.stdout and "prints when it is back" in offline.stdout
    gone = cli("print", "#O0", "--printer", "99")
    assert gone.returncode == 1
    line = one_line_error(gone)
    assert "not printed" in line and "printer 99 not found" in line


def test_a_slip_that_waited_is_checked_with_shippo_first(
        data_dir: Path, services: dict[str, str], shippo_server: ShippoServer,
        printnode_server: PrintNodeServer) -> None:
    orders = _orders(shippo_server, 3)
    station = open_printing_station(data_dir)
    try:
        station.sync.run()  # no printer yet: the slips wait
        assert {j.state for j in station.queue.jobs()} == {"no_printer"}
        shippo_server.set_status(str(orders[0]["object_id"]), "CANCELLED")
        shippo_server.set_status(str(orders[1]["object_id"]), "REFUNDED")
        station.config.set("printer", "71")
        summary = station.sync.run()
        assert _printed(printnode_server) == Counter({"#O2": 1})
        assert summary.printed == 1
        jobs = {j.order_number: j for j in station.queue.jobs()}
        assert jobs["#O0"].state == "skipped" and "CANCELLED" in jobs["#O0"].last_error
        assert jobs["#O1"].state == "skipped" and "REFUNDED" in jobs["#O1"].last_error
        assert station.orders.find("#O0").order.status == "CANCELLED"  # the store learnt it
        checks = [r for r in shippo_server.requests if r.path.startswith("/orders/") and
                  r.path.rstrip("/") != "/orders"]
        assert len(checks) == 3, "one cheap GET /orders/{id} per waiting slip"
    finally:
        station.close()


def test_a_fresh_slip_is_not_checked_again(data_dir: Path, services: dict[str, str],
                                           shippo_server: ShippoServer,
                                           printnode_server: PrintNodeServer) -> None:
    _orders(shippo_server, 2)
    station = open_printing_station(data_dir)
    try:
        station.config.set("printer", "71")
        assert station.sync.run().printed == 2
        assert not [r for r in shippo_server.requests if r.path.rstrip("/") != "/orders"]
    finally:
        station.close()


def test_a_batch_print_reads_its_orders_together_and_asks_for_its_printer_once(
        data_dir: Path, services: dict[str, str], shippo_server: ShippoServer,
        printnode_server: PrintNodeServer) -> None:
    orders = _orders(shippo_server, 5, status="SHIPPED")  # not auto-printed: only the batch
    station = open_printing_station(data_dir)
    try:
        station.config.set("printer", "71")
        station.sync.run()
        printnode_server.requests.clear()
        chosen = [str(raw["object_id"]) for raw in orders[:4]] + ["#O4", "#nope"]
        seen: list[tuple[int, int]] = []
        result = station.printing.print_orders(chosen, lambda done, of: seen.append((done, of)))
        assert result.sent == 5 and len(result.problems) == 1
        assert result.problems[0].startswith("#nope: No order '#nope' in the local store")
        assert seen == [(n, 6) for n in range(1, 7)]
        assert _printed(printnode_server) == {f"#O{i}": 1 for i in range(5)}
        asked = Counter(f"{r.method} {r.path.rstrip('/').split('/')[1]}"
                        for r in printnode_server.requests)
        assert asked["POST printjobs"] == 5 and asked["GET printers"] == 1, asked
    finally:
        station.close()


def test_jobs_can_be_cancelled_dismissed_and_requeued_to_the_printer_chosen_now(
        cli: Cli, data_dir: Path, services: dict[str, str], shippo_server: ShippoServer,
        printnode_server: PrintNodeServer) -> None:
    _keys(cli)
    _orders(shippo_server, 2)
    assert cli("sync").returncode == 0  # no printer: both wait
    jobs = {j["order_number"]: j for j in json.loads(cli("jobs", "--json").stdout)}
    cancelled = cli("jobs", "--cancel", str(jobs["#O0"]["id"]))
    assert cancelled.returncode == 0 and "cancelled" in cancelled.stdout
    assert cli("config", "set", "printer", "71").returncode == 0
    printnode_server.set_printer_state(71, "offline")  # the job waits at PrintNode
    assert cli("sync").returncode == 0
    assert _printed(printnode_server) == Counter({"#O1": 1}), "a cancelled slip never goes"
    [remote_id] = printnode_server.jobs
    printnode_server.set_job_state(remote_id, "error", "Paper jam")
    with Station(data_dir) as station:
        station.printing.refresh()
        assert station.status.now().failures == 1
        assert station.status.now().level is Level.ERROR
    failed_id = str(jobs["#O1"]["id"])
    twice = cli("jobs", "--cancel", failed_id)
    assert twice.returncode == 2 and "only waiting" in one_line_error(twice)
    assert cli("jobs", "--dismiss", failed_id).returncode == 0
    with Station(data_dir) as station:
        assert station.status.now().failures == 0, "a dismissed failure needs no attention"
    # The printer is changed; a re-queue goes to the one chosen now, and alone.
    assert cli("config", "set", "printer", "72").returncode == 0
    requeued = cli("jobs", "--requeue", str(jobs["#O0"]["id"]))
    assert requeued.returncode == 0, requeued.stderr
    mine = [j for j in printnode_server.jobs.values() if "#O0" in j.payload["title"]]
    assert len(mine) == 1 and mine[0].payload["printerId"] == 72
    assert _printed(printnode_server) == Counter({"#O1": 1, "#O0": 1})


def test_keys_changed_by_another_process_take_effect_at_the_next_cycle(
        cli: Cli, data_dir: Path, services: dict[str, str], shippo_server: ShippoServer,
        printnode_server: PrintNodeServer) -> None:
    _keys(cli)
    assert cli("config", "set", "printer", "71").returncode == 0
    running = Station(data_dir)  # a running service: its clients made with the first keys
    try:
        _orders(shippo_server, 1, prefix="A")
        assert running.sync.run().printed == 1
        new_key = "printnode-rotated-key-1111"
        printnode_server.api_keys = {new_key}  # the old key is revoked at PrintNode
        assert cli("keys", "set", "printnode", input=new_key).returncode == 0
        _orders(shippo_server, 1, prefix="B", minutes_ago=1)
        summary = running.sync.run()
        assert summary.printed == 1 and summary.print_problem is None
        assert _printed(printnode_server) == Counter({"#A0": 1, "#B0": 1})
        assert cli("keys", "clear").returncode == 0
        _orders(shippo_server, 1, prefix="C", minutes_ago=1)
        with pytest.raises(SlipStationError, match="No Shippo API key"):
            running.sync.run()
        before = len(shippo_server.requests)
        with pytest.raises(SlipStationError, match="No PrintNode API key"):
            running.printing.printers()
        assert len(shippo_server.requests) == before, "a cleared key is never used again"
    finally:
        running.close()


def test_a_rejected_key_is_a_typed_status(cli: Cli, data_dir: Path, services: dict[str, str],
                                          shippo_server: ShippoServer) -> None:
    assert cli("keys", "set", "shippo", input="shippo_test_wrong00000000000000").returncode == 0
    assert cli("sync").returncode == 1
    with Station(data_dir) as station:
        status = station.status.now()
        assert status.sync_outcome is SyncOutcome.KEY_REJECTED and status.key_rejected
        assert status.level is Level.ERROR
    assert json.loads(cli("status", "--json").stdout)["sync_outcome"] == "key_rejected"


def test_two_stations_on_one_account_print_each_order_once(
        tmp_path: Path, services: dict[str, str], shippo_server: ShippoServer,
        printnode_server: PrintNodeServer) -> None:
    _orders(shippo_server, 13)
    dirs = [tmp_path / "bench-1", tmp_path / "bench-2"]
    stations = [open_printing_station(d) for d in dirs]
    try:
        for name, station in zip(("Bench-1", "Bench-2"), stations, strict=True):
            station.config.set("station", name)
            station.config.set("printer", "71")
        first = stations[0].sync.run()
        second = stations[1].sync.run()
        assert first.printed == 13 and second.printed == 0
        assert _printed(printnode_server) == Counter({f"#O{i}": 1 for i in range(13)})
        jobs = stations[1].queue.jobs()
        assert {j.state for j in jobs} == {"submitted"}
        assert "printed by SlipStation Bench-1" in stations[1].queue.last_event(jobs[0].id)
        # A reprint is a person's choice: it gets its own job.
        assert stations[1].printing.print_order("#O3").kind == "reprint"
        assert _printed(printnode_server)["#O3"] == 2
    finally:
        for station, directory in zip(stations, dirs, strict=True):
            station.close()
            for name in Secret:
                Credentials(directory).delete(name)


def test_two_stations_racing_meet_at_printnodes_idempotency_key(
        tmp_path: Path, services: dict[str, str], shippo_server: ShippoServer,
        printnode_server: PrintNodeServer) -> None:
    """Both stations plan the same order before either sends: the second's submit carries the
    same idempotency key, PrintNode answers 409, and the job is found by its title."""
    _orders(shippo_server, 1)
    dirs = [tmp_path / "a", tmp_path / "b"]
    stations = [open_printing_station(d, QueuePolicy(reconcile_grace=timedelta(0),
                                                     lookup_pages=1)) for d in dirs]
    try:
        for station in stations:
            station.config.set("printer", "71")
            station.printing.set_paused(True)
            station.sync.run()  # both have the order queued, nothing sent
        stations[0].printing.set_paused(False)
        stations[0].printing.refresh()
        printnode_server.faults.clear()
        # Station b's look-up misses (PrintNode's list is briefly empty for it): its submit
        # meets the shared idempotency key instead.
        from slipstation.loopback.server import Fault
        printnode_server.add_fault(Fault(200, "[]", path="/printjobs", method="GET"))
        stations[1].printing.set_paused(False)
        stations[1].printing.refresh()
        assert _printed(printnode_server) == Counter({"#O0": 1})
        [job] = stations[1].queue.jobs()
        assert job.state in ("submitted", "done") and job.printnode_job_id is not None
    finally:
        for station, directory in zip(stations, dirs, strict=True):
            station.close()
            for name in Secret:
                Credentials(directory).delete(name)


def test_sync_now_asked_while_a_cycle_ends_runs_again_after_it(
        data_dir: Path, shippo_server: ShippoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sync now pressed while a cycle is still running (its report is on screen, the job not yet
    returned) is not dropped as a second instance: a cycle follows at once, not a poll
    interval (a minute) later."""
    from slipstation.app import Engine

    monkeypatch.setenv("SLIPSTATION_SHIPPO_URL", shippo_server.url)
    _orders(shippo_server, 2)
    reports: list[str] = []
    second, refused = threading.Event(), threading.Event()

    class Refusals(logging.Handler):  # APScheduler says when it skips a run still going
        def emit(self, record: logging.LogRecord) -> None:
            if "maximum number of running instances" in record.getMessage():
                refused.set()

    refusals = Refusals()
    logging.getLogger("apscheduler.scheduler").addHandler(refusals)
    with Station(data_dir) as station:
        station.credentials.set(Secret.SHIPPO, SHIPPO_KEY)
        assert station.config.get("poll_seconds") == 60

        def on_cycle(report: object) -> None:
            reports.append(str(report))
            if len(reports) == 1:  # inside the running cycle, as a click lands at its end
                _orders(shippo_server, 1, prefix="N", minutes_ago=1)
                engine.run_now("sync")
                assert refused.wait(10), "the cycle stays running until the scheduler said no"
            else:
                second.set()

        engine = Engine(station, on_cycle=on_cycle)
        engine.start()
        try:
            assert second.wait(30), reports
        finally:
            engine.stop(wait=True)
            logging.getLogger("apscheduler.scheduler").removeHandler(refusals)
        assert station.orders.count() == 3
