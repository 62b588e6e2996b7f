"""Pack mode in the window, typed as a wedge scanner types: the order, then each item; a wrong
item is refused (its own banner and sound) and not counted; a complete order prints its label
and slip and is recorded; packed before asks for a second scan."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from slipstation.app import Station
from slipstation.gui.banners import Tone
from slipstation.gui.main_window import MainWindow
from slipstation.loopback import samples
from slipstation.loopback.label_storage import LabelStorageServer
from slipstation.loopback.printnode import PrintNodeServer
from slipstation.loopback.shippo import ShippoServer
from slipstation.timeutil import utc_now
from tests.conftest import synced_printing_station
from tests.test_labels import ZPL_LABEL

WAIT = 10_000


@pytest.fixture
def station(data_dir: Path, services: dict[str, str], shippo_server: ShippoServer,
            storage: LabelStorageServer, tmp_path: Path) -> Iterator[Station]:
    items = [samples.line_item("Mug", "MUG-1", 2), samples.line_item("Tea", "TEA-1", 1)]
    order = samples.order("#PM1", utc_now() - timedelta(minutes=2), status="SHIPPED",
                          items=items)
    shippo_server.add_label(order, storage.add_file("pm1", ZPL_LABEL, "text/plain"), "ZPLII")
    opened = synced_printing_station(data_dir, shippo_server, [order])
    opened.config.set("label_printer", "72")
    bins = tmp_path / "bins.csv"
    bins.write_text("sku,barcode,bin\nMUG-1,4006381333931,A-1\n", encoding="utf-8")
    opened.bins.import_csv(bins)
    yield opened
    opened.close()


def scan(window: MainWindow, qtbot: QtBot, code: str) -> None:
    qtbot.keyClicks(window.scan, code)
    qtbot.keyClick(window.scan, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window._scans and not window._scanning, timeout=WAIT)


def test_pack_mode_verifies_then_prints_label_and_slip(
        window: MainWindow, qtbot: QtBot, station: Station,
        printnode_server: PrintNodeServer) -> None:
    window.pack_button.click()
    assert window.pack.isVisible() and not window.tabs.isVisible()
    scan(window, qtbot, "#PM1")
    assert window.pack.model.rowCount() == 2 and "Packing #PM1" in window.pack.title.text()
    scan(window, qtbot, "PEN-9")
    assert window.scan_result.tone is Tone.BAD and window.sounds.last is Tone.BAD
    assert "PEN-9 is not in this order" in window.scan_result.text()
    scan(window, qtbot, "MUG-1")
    assert window.pack.model.item(0, 1).text() == "1 / 2"
    assert window.scan_result.tone is Tone.OK
    scan(window, qtbot, "4006381333931")  # the mug's barcode, from the bins file
    assert window.pack.model.item(0, 1).text() == "2 / 2"
    assert not printnode_server.jobs, "nothing prints before the order is complete"
    scan(window, qtbot, "TEA-1")
    qtbot.waitUntil(lambda: "packed" in window.scan_result.text(), timeout=WAIT)
    assert window.scan_result.tone is Tone.OK
    kinds = sorted(job.payload["contentType"] for job in printnode_server.jobs.values())
    assert kinds == ["pdf_base64", "raw_base64"], "the slip and the label"
    assert window.pack.number is None and window.pack.model.rowCount() == 0, "ready"
    _order, packed = station.packing.order("#PM1")
    assert packed is not None and packed.verified

    scan(window, qtbot, "#PM1")  # packed before: a question, then a second scan
    assert window.scan_result.tone is Tone.ASK and "packed before" in window.scan_result.text()
    scan(window, qtbot, "#PM1")
    assert window.pack.number == "#PM1"
    window.set_pack_mode(False)
    assert window.tabs.isVisible() and not window.pack.isVisible()


def test_print_label_from_the_orders_tab(window: MainWindow, qtbot: QtBot,
                                         printnode_server: PrintNodeServer) -> None:
    window.orders.select_rows([0])
    assert window.orders.label_button.isEnabled()
    window.orders.label_button.click()
    qtbot.waitUntil(lambda: "label of #PM1 sent to" in window.statusBar().currentMessage(),
                    timeout=WAIT)
    labels = [j for j in printnode_server.jobs.values()
              if j.payload["contentType"] == "raw_base64"]
    assert len(labels) == 1 and labels[0].content() == ZPL_LABEL
    assert labels[0].payload["printerId"] == 72
    window.orders.select_rows([])
    assert not window.orders.label_button.isEnabled()
