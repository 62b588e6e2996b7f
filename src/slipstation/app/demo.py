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
from slipstation.loopback.printnode import Job, PrintNodeServer
from slipstation.loopback.shippo import ShippoServer

log = logging.getLogger(__name__)
DEMO_SHIPPO_KEY = "shippo_test_demo0000000000000000"
DEMO_PRINTNODE_KEY = "demo-printnode-key-00000000"
DEMO_PRINTER = 71
ARRIVAL_SECONDS = 20.0


@dataclass
class Demo:
    shippo: ShippoServer
    printnode: PrintNodeServer
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


def start_demo(station: Core) -> Demo:
    """Start the embedded services and point this process's clients at them."""
    orders = list(sample_orders.specs())
    shippo = ShippoServer((DEMO_SHIPPO_KEY,))
    shippo.add_orders([sample_orders.payload(s, s["minutes_ago"])
                       for s in orders if s["minutes_ago"] > 0])
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
    demo = Demo(shippo, printnode, printed_dir,
                [s for s in orders if s["minutes_ago"] <= 0], threading.Event())
    demo._thread = threading.Thread(target=demo._arrivals, daemon=True, name="demo-arrivals")
    demo._thread.start()
    return demo


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
