"""Shared fixtures: a real Secret Service keyring, a fresh data dir per test, a CLI runner."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import keyring
import pytest
from pytestqt.qtbot import QtBot

from slipstation.api.http import RetryPolicy
from slipstation.api.shippo import ShippoClient
from slipstation.app import Station
from slipstation.credentials import Credentials, Secret
from slipstation.gui.main_window import MainWindow
from slipstation.loopback import samples
from slipstation.loopback.label_storage import LabelStorageServer
from slipstation.loopback.printnode import PrintNodeServer
from slipstation.loopback.shippo import ShippoServer
from slipstation.printing.queue import QueuePolicy
from slipstation.timeutil import utc_now

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
FIXTURES = Path(__file__).parent / "fixtures"
SHARED_FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist (`scripts/test -n 2`) each worker gets a D-Bus session and
    gnome-keyring of its own, set up as scripts/with-keyring sets up the suite's: one worker's
    tests run one at a time, as the whole suite does in one process."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and os.environ.get("SLIPSTATION_IN_KEYRING_SESSION") == "1":
        _private_keyring_session(worker)


def _private_keyring_session(worker: str) -> None:
    home = tempfile.mkdtemp(prefix=f"slipstation-keyring-{worker}-")
    bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert bus.stdout is not None
    address = bus.stdout.readline().strip()
    os.environ.update(DBUS_SESSION_BUS_ADDRESS=address, XDG_DATA_HOME=home)
    subprocess.run(["gnome-keyring-daemon", "--unlock", "--components=secrets"],
                   input="slipstation-session", capture_output=True, text=True, check=True)
    # As scripts/with-keyring does: wait for the daemon's name, keys in its memory.
    subprocess.run([str(Path(__file__).resolve().parents[1] / "scripts" /
                        "keyring-session-ready")], check=True)

    def stop() -> None:  # the keyring daemon leaves with its bus
        bus.terminate()
        bus.wait(timeout=10)
        shutil.rmtree(home, ignore_errors=True)

    atexit.register(stop)


def pytest_sessionstart(session: pytest.Session) -> None:
    backend = keyring.get_keyring()
    if "SecretService" not in type(backend).__module__:
        raise pytest.UsageError(
            f"The tests need a real Secret Service keyring, found {backend!r}. "
            "Run them through scripts/test (it starts a private D-Bus session with gnome-keyring)."
        )


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    path = (tmp_path / "station").resolve()
    yield path
    _forget_keys(path)


def _forget_keys(path: Path) -> None:
    credentials = Credentials(path)
    for name in Secret:
        credentials.delete(name)


@pytest.fixture
def station(data_dir: Path) -> Iterator[Station]:
    with Station(data_dir) as opened:
        yield opened


class Cli:
    """Runs the real `slipstation` entry point in a child process, as a user or script would."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    def __call__(self, *args: str, input: str | None = None, env: dict[str, str] | None = None,
                 timeout: float = 60, data_dir: Path | None = None
                 ) -> subprocess.CompletedProcess[str]:
        full_env = {**os.environ, **(env or {})}
        full_env.pop("SLIPSTATION_DATA_DIR", None)
        command = [sys.executable, "-m", "slipstation",
                   "--data-dir", str(data_dir or self.data_dir), *args]
        return subprocess.run(command, input=input if input is not None else "",
                              capture_output=True, text=True, env=full_env, timeout=timeout)


@pytest.fixture
def cli(data_dir: Path) -> Cli:
    return Cli(data_dir)


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The stderr of a failed command: exactly one line, no traceback."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("slipstation: ")
    return lines[0]


SHIPPO_KEY = "shippo_test_loopback0000000000"


@pytest.fixture
def shippo_server() -> Iterator[ShippoServer]:
    with ShippoServer((SHIPPO_KEY,)) as server:
        yield server  # type: ignore[misc]


@pytest.fixture
def shippo_client(shippo_server: ShippoServer) -> Iterator[ShippoClient]:
    """The real client against the loopback server, with short backoff so tests stay quick."""
    client = ShippoClient(SHIPPO_KEY, base_url=shippo_server.url, timeout=2.0,
                          policy=RetryPolicy(attempts=4, initial_wait=0.05, max_wait=0.2))
    yield client
    client.close()


@pytest.fixture
def shippo_env(shippo_server: ShippoServer, cli: Cli) -> dict[str, str]:
    assert cli("keys", "set", "shippo", input=SHIPPO_KEY).returncode == 0
    now = utc_now()
    shippo_server.add_orders([
        samples.order("#3001", now - timedelta(hours=1), to=samples.address(
            "Ольга Смирнова", "Невский проспект 28", "Санкт-Петербург", "191186", "RU",
            email="olga@example.ru"), items=[samples.line_item("Чай", "TEA-9", 2)]),
        samples.order("#3002", now - timedelta(hours=2), status="SHIPPED"),
        {**samples.order("#3003", now - timedelta(hours=3)), "line_items": "oops"},
    ])
    return {"SLIPSTATION_SHIPPO_URL": shippo_server.url}


PRINTNODE_KEY = "printnode-loopback-key-0000"
FAST_RETRY = RetryPolicy(attempts=3, initial_wait=0.01, max_wait=0.05)


@pytest.fixture
def storage() -> Iterator[LabelStorageServer]:
    """The other origin a label's signed link points at (no Shippo key may arrive there)."""
    with LabelStorageServer() as server:
        yield server  # type: ignore[misc]


@pytest.fixture
def printnode_server() -> Iterator[PrintNodeServer]:
    with PrintNodeServer((PRINTNODE_KEY,)) as server:
        yield server  # type: ignore[misc]


@pytest.fixture
def services(shippo_server: ShippoServer, printnode_server: PrintNodeServer,
             monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Both loopback services, with the environment pointing SlipStation at them."""
    env = {"SLIPSTATION_SHIPPO_URL": shippo_server.url,
           "SLIPSTATION_PRINTNODE_URL": printnode_server.url}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def open_printing_station(data_dir: Path, policy: QueuePolicy | None = None) -> Station:
    """A station with both keys set, quick retries, and (unless given) a queue that resends
    as soon as a lookup proves a job absent."""
    station = Station(data_dir, retry_policy=FAST_RETRY,
                      queue_policy=policy or QueuePolicy(reconcile_grace=timedelta(0),
                                                         retry_initial=timedelta(0)))
    station.credentials.set(Secret.SHIPPO, SHIPPO_KEY)
    station.credentials.set(Secret.PRINTNODE, PRINTNODE_KEY)
    return station


def synced_printing_station(data_dir: Path, shippo_server: ShippoServer,
                            orders: list[dict[str, object]]) -> Station:
    """A printing station (printer 71) that has synced these orders from the loopback Shippo."""
    shippo_server.add_orders(orders)
    station = open_printing_station(data_dir)
    station.config.set("printer", "71")
    station.sync.run()
    return station


@pytest.fixture
def window(qtbot: QtBot, station: Station) -> Iterator[MainWindow]:
    """The real main window over the module's `station`, its engine not started (tests drive
    each cycle), closed at the end after its worker tasks finish."""
    main = MainWindow(station, start_engine=False)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitUntil(lambda: main.orders.model.loaded and main.settings.loaded,
                    timeout=10_000)  # its first page and the stored settings
    yield main
    main.tasks.wait(10_000)
    main.quit()


def load_fixture(*parts: str) -> object:
    return json.loads((FIXTURES.joinpath(*parts)).read_text(encoding="utf-8"))
