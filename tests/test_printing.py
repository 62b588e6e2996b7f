"""Printing exactly once through the loopback PrintNode: queue, reconcile, route, re-queue."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from slipstation.app import Station
from slipstation.loopback import samples
from slipstation.loopback.printnode import PrintNodeServer
from slipstation.loopback.server import Fault
from slipstation.loopback.shippo import ShippoServer
from slipstation.printing.queue import QueuePolicy
from slipstation.timeutil import utc_now
from tests.conftest import open_printing_station
from tests.slip_reading import barcodes, page_sizes, pdf_text


@pytest.fixture
def station(data_dir: Path, services: dict[str, str]) -> Iterator[Station]:
    opened = open_printing_station(data_dir)
    opened.config.set("printer", "71")
    yield opened
    opened.close()


def _paid(server: ShippoServer, count: int, *, hours_ago: float = 1, status: str = "PAID",
          prefix: str = "P", **kwargs: object) -> list[dict[str, object]]:
    now = utc_now()
    orders = [samples.order(f"#{prefix}{i}", now - timedelta(hours=hours_ago, minutes=i),
                            status=status, seed=f"{prefix}{i}", **kwargs)  # type: ignore[arg-type]
              for i in range(count)]
    server.add_orders(orders)
    return orders


def _states(station: Station) -> dict[str, str]:
    return {job.order_number: job.state for job in station.queue.jobs()}


def test_every_paid_order_prints_exactly_once(station: Station, shippo_server: ShippoServer,
                                              printnode_server: PrintNodeServer) -> None:
    _paid(shippo_server, 5)
    _paid(shippo_server, 1, status="AWAITPAY", prefix="W")
    for _ in range(3):
        station.sync.run()
    assert len(printnode_server.jobs) == 5
    for i in range(5):
        [job] = printnode_server.jobs_for(f"#P{i} ")
        payload = job.payload
        assert payload["printerId"] == 71 and payload["qty"] == 1
        assert payload["expireAfter"] == 3600
        assert payload["contentType"] == "pdf_base64"
        assert payload["source"] == f"SlipStation {station.station_name()}"
        assert payload["options"] == {"fit_to_page": False, "paper": "User defined"}
        pdf = base64.b64decode(payload["content"])
        assert page_sizes(pdf) == [(288.0, 432.0)]
        assert barcodes(pdf) == [f"#P{i}"]
    assert set(_states(station).values()) == {"done"}  # polled right after submitting
    assert station.printing.refresh() == 0
    assert [s.print_count for s in station.orders.search(status="PAID")] == [1] * 5


def test_an_order_that_becomes_paid_later_prints_once(station: Station,
                                                      shippo_server: ShippoServer,
                                                      printnode_server: PrintNodeServer) -> None:
    [waiting] = _paid(shippo_server, 1, status="AWAITPAY", prefix="L", hours_ago=30)
    station.sync.run()
    assert not printnode_server.jobs
    shippo_server.set_status(str(waiting["object_id"]), "PAID")
    station.sync.run()
    station.sync.run()
    assert len(printnode_server.jobs_for("#L0 ")) == 1


def test_first_sync_prints_only_the_backlog_window(station: Station,
                                                   shippo_server: ShippoServer,
                                                   printnode_server: PrintNodeServer) -> None:
    _paid(shippo_server, 1, prefix="OLD", hours_ago=48)
    _paid(shippo_server, 1, prefix="NEW", hours_ago=2)
    summary = station.sync.run()
    assert summary.printed == 1
    assert [j.payload["title"].split(" [")[0] for j in printnode_server.jobs.values()] == \
        ["Packing slip #NEW0"]
    assert _states(station)["#OLD0"] == "skipped"


def test_a_500_before_acceptance_is_retried_into_one_job(
        station: Station, shippo_server: ShippoServer, printnode_server: PrintNodeServer) -> None:
    _paid(shippo_server, 1)
    printnode_server.add_fault(Fault(500, {"uid": "x", "code": "Internal", "message": "boom"},
                                     path="/printjobs", method="POST"))
    summary = station.sync.run()
    assert summary.printed == 0 and not printnode_server.jobs
    assert _states(station)["#P0"] == "queued"
    station.printing.refresh()
    assert len(printnode_server.jobs) == 1
    assert _states(station)["#P0"] == "done"


def test_a_lost_reply_is_reconciled_not_resent(station: Station, shippo_server: ShippoServer,
                                               printnode_server: PrintNodeServer) -> None:
    _paid(shippo_server, 1)
    printnode_server.lose_next_replies = 1
    station.sync.run()
    assert len(printnode_server.jobs) == 1, "PrintNode kept the job though the reply was lost"
    assert _states(station)["#P0"] == "submitting"
    station.printing.refresh()
    assert len(printnode_server.jobs) == 1
    [job] = station.queue.jobs()
    assert job.state == "done" and job.printnode_job_id == next(iter(printnode_server.jobs))


def test_after_a_crash_mid_submit_the_restart_prints_once(
        data_dir: Path, services: dict[str, str], shippo_server: ShippoServer,
        printnode_server: PrintNodeServer) -> None:
    _paid(shippo_server, 2)
    first = open_printing_station(data_dir)
    first.config.set("printer", "71")
    printnode_server.lose_next_replies = 1  # the first job lands; we never hear of it
    first.sync.run()
    first.close()  # the process dies here, one row still 'submitting'

    second = open_printing_station(data_dir)
    try:
        for _ in range(2):
            second.sync.run()
            second.printing.refresh()
        assert sorted(j.payload["title"].split(" [")[0] for j in printnode_server.jobs.values()) \
            == ["Packing slip #P0", "Packing slip #P1"]
        assert set(_states(second).values()) == {"done"}
    finally:
        second.close()


def test_queue_rows_written_before_a_crash_print_after_restart(
        data_dir: Path, services: dict[str, str], shippo_server: ShippoServer,
        printnode_server: PrintNodeServer) -> None:
    _paid(shippo_server, 3)
    first = open_printing_station(data_dir)
    first.config.set("printer", "71")
    first.shippo()
    from slipstation.sync import ShippoSync
    ShippoSync(first.db, first.shippo()).run_cycle()
    assert first.queue.plan_auto() == 3  # decided and persisted ...
    first.close()                        # ... and the process dies before submitting
    assert not printnode_server.jobs
    second = open_printing_station(data_dir)
    try:
        second.sync.run()
        second.sync.run()
        assert len(printnode_server.jobs) == 3
    finally:
        second.close()


def test_without_settling_nothing_is_resent(data_dir: Path, services: dict[str, str],
                                            shippo_server: ShippoServer,
                                            printnode_server: PrintNodeServer) -> None:
    _paid(shippo_server, 1)
    station = open_printing_station(data_dir, QueuePolicy(unconfirmed_after=timedelta(0)))
    try:
        station.config.set("printer", "71")
        printnode_server.lose_next_replies = 1
        station.sync.run()
        for _ in range(3):  # PrintNode's job list is down: the job cannot be looked up
            printnode_server.add_fault(Fault(503, "<html>down</html>", "text/html",
                                             path="/printjobs", method="GET"))
        station.printing.refresh()
        assert _states(station)["#P0"] == "unconfirmed"
        station.printing.refresh()
        assert len(printnode_server.jobs) == 1
    finally:
        station.close()


def test_rejected_printnode_key_waits_and_recovers(station: Station,
                                                   shippo_server: ShippoServer,
                                                   printnode_server: PrintNodeServer) -> None:
    _paid(shippo_server, 1)
    printnode_server.api_keys = {"another-key-entirely"}
    summary = station.sync.run()
    assert summary.print_problem == "PrintNode key rejected"
    assert _states(station)["#P0"] == "queued"
    printnode_server.api_keys = {"printnode-loopback-key-0000"}
    station.printing.refresh()
    assert len(printnode_server.jobs) == 1


def test_routing_rules_and_copies(station: Station, shippo_server: ShippoServer,
                                  printnode_server: PrintNodeServer) -> None:
    station.config.set("rules", """[
        {"name": "Russia on A4", "when": {"country": ["RU"]}, "printer": 72, "paper": "a4",
         "copies": 2},
        {"name": "no gift cards", "when": {"sku_prefix": "gift-"}, "skip": true},
        {"name": "heavy", "when": {"min_weight": "5kg"}, "copies": 3}
    ]""")
    now = utc_now() - timedelta(hours=1)
    shippo_server.add_orders([
        samples.order("#RU1", now, to=samples.address("Анна", "Тверская 7", "Москва", "125009",
                                                      "RU")),
        samples.order("#GIFT1", now, items=[samples.line_item("Gift card", "GIFT-50", 1)]),
        {**samples.order("#HEAVY1", now), "weight": "12", "weight_unit": "lb"},
        samples.order("#PLAIN1", now),
    ])
    station.sync.run()
    by_title = {j.payload["title"].split(" [")[0]: j.payload
                for j in printnode_server.jobs.values()}
    assert set(by_title) == {"Packing slip #RU1", "Packing slip #HEAVY1", "Packing slip #PLAIN1"}
    russia = by_title["Packing slip #RU1"]
    assert (russia["printerId"], russia["qty"], russia["options"]["paper"]) == (72, 2, "A4")
    assert page_sizes(base64.b64decode(russia["content"])) == [(595.28, 841.89)]
    assert by_title["Packing slip #HEAVY1"]["qty"] == 3
    assert by_title["Packing slip #PLAIN1"]["printerId"] == 71
    jobs = {j.order_number: j for j in station.queue.jobs()}
    assert jobs["#GIFT1"].state == "skipped" and jobs["#GIFT1"].rule == "no gift cards"


def test_offline_printer_expires_and_the_operator_requeues(
        station: Station, shippo_server: ShippoServer, printnode_server: PrintNodeServer) -> None:
    printnode_server.set_printer_state(71, "offline")
    _paid(shippo_server, 1)
    station.sync.run()
    station.printing.refresh()
    [job] = station.queue.jobs()
    assert (job.state, job.printnode_state) == ("submitted", "sent_to_client")
    assert [p.state for p in station.printing.printers() if p.id == 71] == ["offline"]
    printnode_server.expire_jobs()
    station.printing.refresh()
    [job] = station.queue.jobs()
    assert job.state == "failed" and "expired" in job.last_error
    station.sync.run()
    assert len(printnode_server.jobs) == 1, "an expired job is never resent by itself"
    printnode_server.set_printer_state(71, "online")
    requeued = station.printing.requeue(job.id)
    assert requeued.state == "submitted"
    assert len(printnode_server.jobs) == 2


def test_orders_wait_for_a_printer_then_print(data_dir: Path, services: dict[str, str],
                                              shippo_server: ShippoServer,
                                              printnode_server: PrintNodeServer) -> None:
    _paid(shippo_server, 1)
    station = open_printing_station(data_dir)
    try:
        station.sync.run()
        [job] = station.queue.jobs()
        assert job.state == "no_printer"
        station.config.set("printer", "71")
        station.sync.run()
        assert len(printnode_server.jobs) == 1
    finally:
        station.close()


def test_manual_print_and_reprint_are_recorded(station: Station, shippo_server: ShippoServer,
                                               printnode_server: PrintNodeServer) -> None:
    _paid(shippo_server, 1, status="SHIPPED", prefix="S")
    station.sync.run()
    assert not printnode_server.jobs
    first = station.printing.print_order("S0", copies=2, printer=72).job
    again = station.printing.print_order("#S0").job
    assert (first.kind, first.copies, first.printer_id) == ("manual", 2, 72)
    assert again.kind == "reprint"
    assert len(printnode_server.jobs) == 2
    actions = [entry.action for entry in station.audit.entries()]
    assert "print.manual" in actions and "print.reprint" in actions
    pdf = printnode_server.jobs[first.printnode_job_id].pdf()  # type: ignore[index]
    assert "#S0" in pdf_text(pdf)
