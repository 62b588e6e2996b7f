"""Scan-to-verify packing from the command line: complete (by SKU or by a product barcode from
the bins file) prints what pack_prints says and records the order; short, wrong or extra
prints nothing and names what is off; packed before asks; cancelled never ships."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from slipstation.app import Secret, Station
from slipstation.loopback import samples
from slipstation.loopback.label_storage import LabelStorageServer
from slipstation.loopback.printnode import PrintNodeServer
from slipstation.loopback.shippo import ShippoServer
from slipstation.orders.models import parse_order
from slipstation.orders.packing import verify
from slipstation.timeutil import utc_now
from tests.conftest import PRINTNODE_KEY, SHIPPO_KEY, Cli, one_line_error
from tests.test_labels import ZPL_LABEL

ITEMS = [("Mug", "MUG-1", 2), ("Tea", "TEA-1", 1)]


@pytest.fixture
def packing(data_dir: Path, services: dict[str, str], shippo_server: ShippoServer,
            storage: LabelStorageServer, tmp_path: Path) -> dict[str, object]:
    """#PK1 with a ZPL label, #PK2 without; printers set; a bins file with barcodes."""
    now = utc_now()
    items = [samples.line_item(title, sku, qty) for title, sku, qty in ITEMS]
    labelled = samples.order("#PK1", now - timedelta(minutes=2), status="SHIPPED", items=items)
    shippo_server.add_label(labelled, storage.add_file("pk1", ZPL_LABEL, "text/plain"),
                            "ZPLII")
    plain = samples.order("#PK2", now - timedelta(minutes=3), status="SHIPPED", items=items)
    shippo_server.add_orders([labelled, plain])
    bins = tmp_path / "bins.csv"
    bins.write_text("sku,barcode,bin\nMUG-1,4006381333931,A-1\nTEA-1,5012345678900,B-2\n",
                    encoding="utf-8")
    # Set up in this process through the station's own services (the tests' commands run as
    # children): keys, both printers, a first sync, the bins file.
    with Station(data_dir) as station:
        station.credentials.set(Secret.SHIPPO, SHIPPO_KEY)
        station.credentials.set(Secret.PRINTNODE, PRINTNODE_KEY)
        station.config.set("printer", "71")
        station.config.set("label_printer", "72")
        station.sync.run()
        station.bins.import_csv(bins)
    return {"labelled": labelled}


def scans(*codes: str) -> list[str]:
    return [part for code in codes for part in ("--scan", code)]


def test_a_complete_pack_prints_label_and_slip_and_is_recorded(
        cli: Cli, packing: dict[str, object], printnode_server: PrintNodeServer,
        data_dir: Path) -> None:
    result = cli("pack", "#PK1", *scans("MUG-1", "4006381333931", "tea-1"), "--packer", "Sam")
    assert result.returncode == 0, result.stderr
    assert "#PK1 packed" in result.stdout
    jobs = sorted(printnode_server.jobs.values(), key=lambda job: job.id)
    assert [(j.payload["printerId"], j.payload["contentType"]) for j in jobs] == [
        (72, "raw_base64"), (71, "pdf_base64")], "the label on the label printer, the slip"
    assert jobs[0].content() == ZPL_LABEL
    assert jobs[1].payload["title"].startswith("Packing slip"), "a label is not a slip"
    with Station(data_dir) as station:
        _order, packed = station.packing.order("#PK1")
        assert packed is not None and packed.verified and packed.packer == "Sam"
        audit = [entry for entry in station.status.audit() if entry.action.startswith("pack.")]
        assert [entry.action for entry in audit] == ["pack.verified"]
        assert "Mug" not in json.dumps([entry.detail for entry in audit])


@pytest.mark.parametrize(("codes", "said"), [
    (("MUG-1", "TEA-1"), "missing 1 × MUG-1"),
    (("MUG-1", "MUG-1", "TEA-1", "PEN-9"), "not in this order or one too many: PEN-9"),
    (("MUG-1", "MUG-1", "MUG-1", "TEA-1"), "not in this order or one too many: MUG-1"),
])
def test_a_short_wrong_or_extra_pack_prints_nothing(
        codes: tuple[str, ...], said: str, cli: Cli, packing: dict[str, object],
        printnode_server: PrintNodeServer) -> None:
    result = cli("pack", "#PK2", *scans(*codes))
    assert result.returncode == 1
    line = one_line_error(result)
    assert said in line and "nothing was printed" in line, line
    assert not printnode_server.jobs


def test_packed_before_asks_and_cancelled_never_ships(
        cli: Cli, packing: dict[str, object], printnode_server: PrintNodeServer) -> None:
    assert cli("pack", "#PK2", *scans("MUG-1", "MUG-1", "TEA-1")).returncode == 0
    again = cli("pack", "#PK2", *scans("MUG-1", "MUG-1", "TEA-1"))
    assert again.returncode == 1 and "was packed before" in one_line_error(again)
    assert cli("pack", "#PK2", *scans("MUG-1", "MUG-1", "TEA-1"), "--again").returncode == 0
    before = len(printnode_server.jobs)
    labelled = packing["labelled"]
    assert isinstance(labelled, dict)
    labelled["order_status"] = "CANCELLED"
    refused = cli("pack", "#PK1", *scans("MUG-1", "MUG-1", "TEA-1"))
    assert refused.returncode == 1 and "CANCELLED in Shippo: do not ship" in \
        one_line_error(refused)
    assert len(printnode_server.jobs) == before


def test_skipping_verification_needs_a_reason(cli: Cli, packing: dict[str, object],
                                              printnode_server: PrintNodeServer) -> None:
    assert cli("pack", "#PK2").returncode == 2
    assert cli("pack", "#PK2", "--skip-verification", "  ").returncode == 2
    result = cli("pack", "#PK2", "--skip-verification", "scanner broken")
    assert result.returncode == 0, result.stderr
    assert len(printnode_server.jobs) == 1


def test_verify_counts_up_to_each_quantity() -> None:
    order = parse_order(samples.order("#V", utc_now(), items=[
        samples.line_item("Mug", "MUG-1", 2), samples.line_item("Card", "", 1)]))
    check = verify(order, ["MUG-1", "0123"], {"0123": "MUG-1"})
    assert [line.scanned for line in check.lines] == [2, 0]
    assert not check.complete and "missing 1 × Card" in check.summary()


def test_packed_orders_show_in_status_and_exports(cli: Cli, packing: dict[str, object],
                                                  tmp_path: Path) -> None:
    assert cli("pack", "#PK2", *scans("MUG-1", "MUG-1", "TEA-1")).returncode == 0
    status = json.loads(cli("status", "--json").stdout)
    assert status["packed_today"] == 1
    csv_path, json_path = tmp_path / "orders.csv", tmp_path / "all.json"
    assert cli("export", "--format", "csv", "-o", str(csv_path)).returncode == 0
    rows = csv_path.read_text(encoding="utf-8").splitlines()
    assert rows[0].endswith(",packed_at")
    packed_rows = [row for row in rows[1:] if row.startswith("#PK2,")]
    assert packed_rows and packed_rows[0].rsplit(",", 1)[1].startswith("20")
    assert cli("export", "--format", "json", "-o", str(json_path)).returncode == 0
    document = json.loads(json_path.read_text(encoding="utf-8"))
    assert len(document["packed"]) == 1 and document["packed"][0]["verified"] == 1
    assert {b["sku"] for b in document["bins"]} == {"MUG-1", "TEA-1"}
