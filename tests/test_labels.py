"""Shippo labels beside the slip: the transaction read with the Shippo key, its file fetched
from another origin without it, sent to the label printer byte for byte (PDF as pdf_base64,
ZPL as raw_base64) through the exactly-once outbox; never for a cancelled order."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from slipstation.api.labels import check_label_url
from slipstation.errors import ServiceError
from slipstation.loopback import samples
from slipstation.loopback.label_storage import LabelStorageServer
from slipstation.loopback.printnode import PrintNodeServer
from slipstation.loopback.server import Fault
from slipstation.loopback.shippo import ShippoServer
from slipstation.printing.queue import GRACE_ENV
from slipstation.timeutil import utc_now
from tests.conftest import PRINTNODE_KEY, SHIPPO_KEY, Cli, one_line_error, open_printing_station

PDF_LABEL = b"%PDF-1.4\n% a 4x6 label from the carrier\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
ZPL_LABEL = b"^XA^FO50,50^A0N,50,50^FDUSPS 9205 5901^FS^BY3^BCN,100,Y,N,N^FD9205590164^FS^XZ"


def _order_with_labels(shippo_server: ShippoServer, storage: LabelStorageServer, number: str,
                       files: list[tuple[bytes, str]], status: str = "SHIPPED"
                       ) -> dict[str, Any]:
    order = samples.order(number, utc_now() - timedelta(minutes=5), status=status)
    for index, (data, file_type) in enumerate(files):
        url = storage.add_file(f"{number.strip('#')}-{index}",
                               data, "application/pdf" if data.startswith(b"%PDF") else
                               "text/plain")
        shippo_server.add_label(order, url, file_type)
    shippo_server.add_orders([order])
    return order


def _set_up(cli: Cli) -> None:
    assert cli("keys", "set", "shippo", input=SHIPPO_KEY).returncode == 0
    assert cli("keys", "set", "printnode", input=PRINTNODE_KEY).returncode == 0
    assert cli("config", "set", "label_printer", "72").returncode == 0
    assert cli("sync").returncode == 0


def test_pdf_and_zpl_labels_print_byte_for_byte_without_the_key_leaving_shippo(
        cli: Cli, services: dict[str, str], shippo_server: ShippoServer,
        printnode_server: PrintNodeServer, storage: LabelStorageServer) -> None:
    _order_with_labels(shippo_server, storage, "#LB1", [(PDF_LABEL, "PDF_4x6"),
                                                         (ZPL_LABEL, "ZPLII")])
    _set_up(cli)
    result = cli("label", "#LB1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("label of #LB1 sent to") == 2
    jobs = sorted(printnode_server.jobs.values(), key=lambda job: job.id)
    assert [job.payload["contentType"] for job in jobs] == ["pdf_base64", "raw_base64"]
    assert [job.content() for job in jobs] == [PDF_LABEL, ZPL_LABEL], "unchanged"
    assert {job.payload["printerId"] for job in jobs} == {72}, "on the label printer"
    assert storage.seen_headers, "the files came from the other origin"
    for headers in storage.seen_headers:
        assert "authorization" not in headers and SHIPPO_KEY not in json.dumps(headers)
    transaction_reads = [r for r in shippo_server.requests if "/transactions/" in r.path]
    assert transaction_reads and all(r.headers.get("authorization", "").startswith(
        "ShippoToken ") for r in transaction_reads)
    listed = json.loads(cli("jobs", "--json").stdout)
    assert sorted(job["kind"] for job in listed) == ["label", "label"]


def test_an_order_without_a_label_or_cancelled_prints_nothing(
        cli: Cli, services: dict[str, str], shippo_server: ShippoServer,
        printnode_server: PrintNodeServer, storage: LabelStorageServer) -> None:
    shippo_server.add_orders([samples.order("#NL", utc_now() - timedelta(minutes=3),
                                            status="SHIPPED")])
    cancelled = _order_with_labels(shippo_server, storage, "#CX", [(PDF_LABEL, "PDF")])
    _set_up(cli)
    cancelled["order_status"] = "CANCELLED"  # cancelled in Shippo after the sync
    before = len(printnode_server.jobs)
    none = cli("label", "#NL")
    assert none.returncode == 1 and "has no label in Shippo" in one_line_error(none)
    refused = cli("label", "#CX")
    assert refused.returncode == 1
    assert "is CANCELLED in Shippo: no label is printed" in one_line_error(refused)
    assert len(printnode_server.jobs) == before


def test_a_label_that_cannot_be_fetched_fails_its_job_in_one_line(
        cli: Cli, services: dict[str, str], shippo_server: ShippoServer,
        printnode_server: PrintNodeServer, storage: LabelStorageServer) -> None:
    order = samples.order("#GONE", utc_now() - timedelta(minutes=3), status="SHIPPED")
    shippo_server.add_label(order, f"{storage.url}/labels/expired?X-Amz-Signature=x")
    shippo_server.add_orders([order])
    _set_up(cli)
    result = cli("label", "#GONE")
    assert result.returncode == 1
    assert "The label's link answered HTTP 404" in one_line_error(result)
    assert not printnode_server.jobs


def test_label_links_must_be_https_off_this_machine() -> None:
    assert check_label_url("https://shippo-delivery.s3.amazonaws.com/x.pdf?sig=1")
    assert check_label_url("http://127.0.0.1:8080/labels/x")
    for bad in ("http://shippo-delivery.s3.amazonaws.com/x.pdf", "file:///etc/passwd",
                "ftp://example.com/x", "javascript:alert(1)", "http://10.0.0.1/x"):
        with pytest.raises(ServiceError, match="not an HTTPS address"):
            check_label_url(bad)


def test_a_lost_reply_never_prints_a_label_twice(
        data_dir: Path, services: dict[str, str], shippo_server: ShippoServer,
        printnode_server: PrintNodeServer, storage: LabelStorageServer) -> None:
    _order_with_labels(shippo_server, storage, "#LR", [(ZPL_LABEL, "ZPLII")])
    with open_printing_station(data_dir) as station:
        station.sync.run()
        printnode_server.lose_next_replies = 1
        outcomes = station.printing.print_label("#LR", printer=72)
        if not all(outcome.accepted for outcome in outcomes):
            station.printing.refresh()
            station.sync.run()
        labels = [j for j in printnode_server.jobs.values()
                  if j.payload["contentType"] == "raw_base64"]
        assert len(labels) == 1, "found on PrintNode by its title, not sent again"


def test_a_label_submit_killed_mid_request_is_sent_exactly_once(
        cli: Cli, data_dir: Path, services: dict[str, str], shippo_server: ShippoServer,
        printnode_server: PrintNodeServer, storage: LabelStorageServer) -> None:
    """SIGKILL while the POST is in flight (PrintNode makes the job after the process died):
    the next pass finds the job by its title and records it; nothing is sent twice."""
    _order_with_labels(shippo_server, storage, "#KL", [(ZPL_LABEL, "ZPLII")])
    _set_up(cli)
    printnode_server.add_fault(Fault(path="/printjobs", method="POST", delay=2.0,
                                     then_respond=True))
    env = {**os.environ, **services, GRACE_ENV: "1"}
    env.pop("SLIPSTATION_DATA_DIR", None)
    process = subprocess.Popen([sys.executable, "-m", "slipstation", "--data-dir",
                                str(data_dir), "label", "#KL"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert printnode_server.wait_until(
            lambda: any(r.method == "POST" and r.path == "/printjobs"
                        for r in printnode_server.requests), timeout=60)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=10)
    assert printnode_server.wait_until(lambda: len(printnode_server.jobs) == 1, timeout=30)
    settled = cli("sync", env={GRACE_ENV: "1"})  # the queue's pass settles the unknown submit
    assert settled.returncode == 0, settled.stderr
    jobs = json.loads(cli("jobs", "--json").stdout)
    assert [(job["kind"], job["state"]) for job in jobs] in (
        [("label", "submitted")], [("label", "done")]), jobs
    posts = [r for r in printnode_server.requests if r.method == "POST"]
    assert len(posts) == 1 and len(printnode_server.jobs) == 1, "never sent twice"


def test_a_routing_rule_chooses_the_label_printer_apart_from_the_slips(
        cli: Cli, services: dict[str, str], shippo_server: ShippoServer,
        printnode_server: PrintNodeServer, storage: LabelStorageServer) -> None:
    _order_with_labels(shippo_server, storage, "#RT", [(ZPL_LABEL, "ZPLII")])
    _set_up(cli)  # label_printer 72
    rules = json.dumps([{"name": "US labels on the Zebra", "when": {"country": ["US"]},
                         "label_printer": 71}])
    assert cli("config", "set", "rules", rules).returncode == 0
    assert cli("label", "#RT").returncode == 0
    assert [job.payload["printerId"] for job in printnode_server.jobs.values()] == [71]
    bad = cli("config", "set", "rules", json.dumps([{"name": "x", "label_printer": "zebra"}]))
    assert bad.returncode == 2 and "label_printer is a PrintNode printer id" in bad.stderr
