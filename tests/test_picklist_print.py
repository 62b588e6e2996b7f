"""A pick list printed through the same outbox as slips: one PrintNode job, read back as a pick
list, listed with the jobs, never sent twice when the reply is lost, and the outcome told."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import pypdf

from slipstation.loopback import samples
from slipstation.loopback.printnode import PrintNodeServer
from slipstation.loopback.shippo import ShippoServer
from slipstation.timeutil import utc_now
from tests.conftest import PRINTNODE_KEY, SHIPPO_KEY, Cli, one_line_error, open_printing_station


def _synced(cli: Cli, shippo_server: ShippoServer) -> None:
    now = utc_now()
    shippo_server.add_orders([samples.order(f"#K{i}", now - timedelta(minutes=i + 1),
                                            status="SHIPPED") for i in range(3)])
    assert cli("keys", "set", "shippo", input=SHIPPO_KEY).returncode == 0
    assert cli("keys", "set", "printnode", input=PRINTNODE_KEY).returncode == 0
    assert cli("sync").returncode == 0


def test_picklist_print_goes_through_the_outbox_once(
        cli: Cli, services: dict[str, str], shippo_server: ShippoServer,
        printnode_server: PrintNodeServer, tmp_path: Path) -> None:
    _synced(cli, shippo_server)
    refused = cli("picklist", "#K0", "#K1", "--print")
    assert refused.returncode == 1 and "No printer chosen" in one_line_error(refused)
    saved = tmp_path / "pick.pdf"
    result = cli("picklist", "#K0", "#K1", "#K2", "--print", "--printer", "71",
                 "-o", str(saved))
    assert result.returncode == 0, result.stderr
    assert "Pick list 3 orders" in result.stdout and "sent to" in result.stdout
    assert saved.exists()
    jobs = list(printnode_server.jobs.values())
    assert len(jobs) == 1 and jobs[0].payload["printerId"] == 71
    text = "".join(page.extract_text() for page in
                   pypdf.PdfReader(io.BytesIO(jobs[0].pdf())).pages)
    assert "PICK LIST" in text and "3 orders" in text
    listed = json.loads(cli("jobs", "--json").stdout)
    assert [job["kind"] for job in listed] == ["picklist"]
    assert listed[0]["state"] in ("submitted", "done")
    assert cli("picklist", "#K0").returncode == 2, "-o or --print: one of them"


def test_a_lost_reply_never_prints_a_pick_list_twice(
        data_dir: Path, services: dict[str, str], shippo_server: ShippoServer,
        printnode_server: PrintNodeServer) -> None:
    now = utc_now()
    shippo_server.add_orders([samples.order(f"#L{i}", now - timedelta(minutes=i + 1),
                                            status="SHIPPED") for i in range(2)])
    with open_printing_station(data_dir) as station:
        station.sync.run()
        printnode_server.lose_next_replies = 1
        outcome = station.printing.print_picklist(["#L0", "#L1"], printer=71)
        assert len(printnode_server.jobs) == 1
        if not outcome.accepted:  # the reply was lost: the next pass finds it by title
            station.printing.refresh()
            station.sync.run()
        assert len(printnode_server.jobs) == 1, "found on PrintNode, not sent again"
        job = station.printing.jobs()[0]
        assert job.kind == "picklist" and job.state in ("submitted", "done")
