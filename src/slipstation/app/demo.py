"""`--demo`: an offline Shippo and PrintNode inside the process, so a new user sees the whole
flow with no accounts. They are the same loopback servers the tests use, reached by the real
clients over 127.0.0.1 — the demo exercises every code path a real station does. Sample orders
(resources/sample/demo_orders.json) are there at start and more arrive while it runs; each
"printed" slip lands as a PDF in the demo's `printed/` folder.

The demo lives in its own data directory (`<data dir>/demo`), so its keyring scope and its
database never mix with a real station's.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keyring
import keyring.errors
from jaraco.classes import properties
from keyring.backend import KeyringBackend

from slipstation import sample_orders
from slipstation.api.printnode import PRINTNODE_URL_ENV
from slipstation.api.shippo import SHIPPO_URL_ENV
from slipstation.app.core import Core
from slipstation.credentials import Credentials, Secret
from slipstation.errors import KeyringError
from slipstation.fileio import write_private
from slipstation.loopback.label_storage import LabelStorageServer
from slipstation.loopback.printnode import Job, PrintNodeServer
from slipstation.loopback.shippo import ShippoServer
from slipstation.resources import resource

log = logging.getLogger(__name__)
DEMO_SHIPPO_KEY = "shippo_test_demo0000000000000000"
DEMO_PRINTNODE_KEY = "demo-printnode-key-00000000"
DEMO_PRINTER = 71
DEMO_LABEL_PRINTER = 71  # the Zebra: labels and slips on one 4x6 printer
ARRIVAL_SECONDS = 20.0


@dataclass
class Demo:
    shippo: ShippoServer
    printnode: PrintNodeServer
    storage: LabelStorageServer
    printed_dir: Path
    pending: list[dict[str, Any]]
    _stop: threading.Event
    _thread: threading.Thread | None = None

    def _arrivals(self) -> None:
        while self.pending and not self._stop.wait(ARRIVAL_SECONDS):
            spec = self.pending.pop(0)
            self.shippo.add_orders([sample_orders.payload(spec, 0)])
            log.info("demo: a new order arrived in the demo shop")

    def stop(self) -> None:
        self._stop.set()
        self.shippo.close()
        self.printnode.close()
        self.storage.close()


def start_demo(station: Core) -> Demo:
    """Start the embedded services and point this process's clients at them."""
    orders = list(sample_orders.specs())
    shippo = ShippoServer((DEMO_SHIPPO_KEY,))
    storage = LabelStorageServer()
    storage.start()
    placed, shipped = [], 0
    for spec in (s for s in orders if s["minutes_ago"] > 0):
        payload = sample_orders.payload(spec, spec["minutes_ago"])
        if spec["status"] == "SHIPPED":  # the shipped ones have labels, PDF and ZPL in turn
            number = spec["number"].strip("#")
            shipped += 1
            if shipped % 2 == 0:
                url = storage.add_file(f"{number}.zpl", demo_label_zpl(spec), "text/plain")
                shippo.add_label(payload, url, "ZPLII")
            else:
                url = storage.add_file(f"{number}.pdf", demo_label_pdf(spec))
                shippo.add_label(payload, url, "PDF_4x6")
        placed.append(payload)
    shippo.add_orders(placed)
    if not station.settings.get("label_printer"):
        station.settings.put("label_printer", DEMO_LABEL_PRINTER)
    _import_demo_bins(station)
    printnode = PrintNodeServer((DEMO_PRINTNODE_KEY,))
    printed_dir = station.paths.data_dir / "printed"
    printed_dir.mkdir(parents=True, exist_ok=True, mode=0o700)

    def save(job: Job) -> None:
        name = "".join(c if c.isalnum() or c in "-_" else "_" for c in job.payload["title"])
        suffix = ".zpl" if job.payload.get("contentType") == "raw_base64" else ".pdf"
        write_private(printed_dir / f"{job.id}-{name[:60]}{suffix}", job.content())

    printnode.on_job = save
    shippo.start()
    printnode.start()
    os.environ[SHIPPO_URL_ENV] = shippo.url
    os.environ[PRINTNODE_URL_ENV] = printnode.url
    if station.credentials.get(Secret.SHIPPO) != DEMO_SHIPPO_KEY:
        station.credentials.set(Secret.SHIPPO, DEMO_SHIPPO_KEY)
        station.credentials.set(Secret.PRINTNODE, DEMO_PRINTNODE_KEY)
    if station.settings.get("printer") is None:
        station.settings.put("printer", DEMO_PRINTER)
        station.settings.put("ship_from", "SlipStation Demo Shop|1 Sample Street|"
                                          "Springfield, OR 97477|US")
    demo = Demo(shippo, printnode, storage, printed_dir,
                [s for s in orders if s["minutes_ago"] <= 0], threading.Event())
    demo._thread = threading.Thread(target=demo._arrivals, daemon=True, name="demo-arrivals")
    demo._thread.start()
    return demo


def _import_demo_bins(station: Core) -> None:
    """The sample bins file (resources/sample/demo_bins.csv), once: pack mode by barcode."""
    from slipstation.app.bins import parse_bins_csv
    from slipstation.store.bins import BinStore

    bins = BinStore(station.db)
    if bins.count() == 0:
        bins.replace_all(parse_bins_csv(resource("sample", "demo_bins.csv").read_bytes()))


def _tracking(spec: dict[str, Any]) -> str:
    return f"9205590164{zlib.crc32(spec['number'].encode()) % 10**12:012d}"


def demo_label_pdf(spec: dict[str, Any]) -> bytes:
    """A carrier-style 4x6 label for a demo order (a real one comes from Shippo)."""
    import io

    from reportlab.graphics.barcode.code128 import Code128
    from reportlab.pdfgen.canvas import Canvas

    tracking = _tracking(spec)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(288, 432), invariant=1)
    canvas.setLineWidth(2)
    canvas.rect(8, 8, 272, 416)
    canvas.setFont("Helvetica-Bold", 30)
    canvas.drawString(20, 385, "P")
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawString(60, 392, "USPS PRIORITY MAIL (DEMO)")
    canvas.setFont("Helvetica", 10)
    y = 330
    for line in ("SHIP TO:", spec["name"], spec["street1"], f"{spec['city']} {spec['zip']}",
                 spec["country"]):
        canvas.drawString(24, y, line)
        y -= 14
    Code128(tracking, barWidth=72 / 203 * 3, barHeight=80, humanReadable=True).drawOn(
        canvas, 20, 60)
    canvas.drawString(24, 40, f"Order {spec['number']} · demo label, not postage")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def demo_label_zpl(spec: dict[str, Any]) -> bytes:
    """The same as ZPL II, the language of Zebra printers."""
    tracking = _tracking(spec)
    name = "".join(c if c.isascii() and c.isprintable() and c not in "^~" else "?"
                   for c in spec["name"])
    return (f"^XA^CI28^FO40,40^A0N,40,40^FDUSPS PRIORITY MAIL (DEMO)^FS"
            f"^FO40,120^A0N,30,30^FDSHIP TO: {name}^FS"
            f"^FO40,800^BY3^BCN,160,Y,N,N^FD{tracking}^FS"
            f"^FO40,1100^A0N,24,24^FDOrder {spec['number']} - demo label^FS^XZ").encode()


class _MemoryKeyring(KeyringBackend):
    """The demo's keyring when the machine has none: it lives and dies with the process, so the
    demo then also uses a throwaway data directory. Never used outside --demo."""

    @properties.classproperty
    def priority(cls) -> float:
        # keyring offers every backend class it can see; this one must never be chosen by
        # itself, only set explicitly by demo_data_dir().
        raise RuntimeError("only for an explicit --demo fallback")

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # keyring's own, untyped
        self._values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self._values.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not set")


def demo_data_dir(data_dir: Path) -> tuple[Path, Callable[[], None]]:
    """The demo's data dir, and what to do at exit. Without an OS keyring the demo runs in a
    temporary folder with an in-memory keyring, and says so."""
    try:
        Credentials(data_dir).get(Secret.DATABASE)
        return data_dir, lambda: None
    except KeyringError:
        pass
    keyring.set_keyring(_MemoryKeyring())
    temporary = Path(tempfile.mkdtemp(prefix="slipstation-demo-")).resolve()
    print("demo: no OS keyring here, so this demo keeps its keys in memory and its data in "
          f"{temporary} until it exits", file=sys.stderr, flush=True)
    return temporary, lambda: shutil.rmtree(temporary, ignore_errors=True)
