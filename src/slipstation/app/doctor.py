"""`slipstation doctor` and the GUI's "Test connection": one line per part of the setup, each
with what is wrong and how to fix it. Checks only read; none creates or changes anything."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from slipstation.api.http import RetryPolicy
from slipstation.api.printnode import PrintNodeClient
from slipstation.api.shippo import ShippoClient
from slipstation.app.core import Core
from slipstation.credentials import Secret, mask_secret
from slipstation.errors import (
    START_OVER_FIX,
    InstallDamaged,
    Remedy,
    ServiceAuthError,
    SlipStationError,
)
from slipstation.resources import REINSTALL

log = logging.getLogger(__name__)
# A check answers in seconds: a couple of quick retries, never the service's long backoff.
CHECK_POLICY = RetryPolicy(attempts=2, initial_wait=0.5, max_wait=1.0, max_retry_after=5.0)
CHECK_TIMEOUT = 10.0


class Level(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "FAIL"


@dataclass(frozen=True)
class Check:
    name: str
    level: Level
    detail: str
    fix: str = ""                # in command-line words
    remedy: Remedy | None = None  # the same as a value, for the window's own words

    @property
    def line(self) -> str:
        text = f"{self.level.value:<4}  {self.name:<10} {self.detail}"
        return f"{text} — fix: {self.fix}" if self.fix else text


def _check_key(name: str, key: str | None, client_class: type[ShippoClient] | type[PrintNodeClient],
               probe: Callable[[Any], str]) -> Check:
    """Does the service accept this key? `probe` makes one cheap call and says what it saw."""
    service = client_class.service
    remedy = client_class.key_remedy
    if not key:
        return Check(name, Level.FAIL, "no API key set",
                     f"`slipstation keys set {name}` (paste the key from {service})", remedy)
    client = client_class(key, policy=CHECK_POLICY, timeout=CHECK_TIMEOUT)
    try:
        seen = probe(client)
    except ServiceAuthError:
        return Check(name, Level.FAIL, f"{service} key rejected ({mask_secret(key)})",
                     f"create a new key in {service} and run `slipstation keys set {name}`",
                     remedy)
    except SlipStationError as exc:
        return Check(name, Level.FAIL, exc.message, f"check the network and {client.base_url}")
    finally:
        client.close()
    return Check(name, Level.OK, f"key accepted ({seen}{mask_secret(key)})")


def check_shippo_key(key: str | None) -> Check:
    """Is this Shippo key accepted? (the stored one, or one typed into Settings)"""
    def probe(client: ShippoClient) -> str:
        client.whoami()  # Shippo has no account endpoint for a token; one order proves it
        return ""
    return _check_key("shippo", key, ShippoClient, probe)


def check_printnode_key(key: str | None) -> Check:
    # The account id only: whoami also carries the owner's name and email.
    return _check_key("printnode", key, PrintNodeClient,
                      lambda client: f"account {client.whoami().get('id', '?')}, ")


def _keyring(station: Core) -> Check:
    station.credentials.get(Secret.DATABASE)  # raises KeyringError with its own fix
    return Check("keyring", Level.OK, station.credentials.location.split(",")[0])


def _database(station: Core) -> Check:
    path = station.paths.database
    if not path.exists():
        return Check("database", Level.OK, f"not created yet ({path} is made on first use)")
    from slipstation.store.migrations import schema_version

    db = station.db
    result = db.integrity()
    if result != "ok":
        return Check("database", Level.FAIL, f"integrity check failed: {result[:80]}",
                     START_OVER_FIX, Remedy.START_OVER)
    orders = station.order_store.count()
    return Check("database", Level.OK, f"opened, encrypted, schema v{schema_version(db)}, "
                 f"{orders} order(s), integrity ok")


def _fonts(_station: Core) -> Check:
    from slipstation.slips import fonts

    try:
        files = fonts.load_all()
    except InstallDamaged as exc:  # names the missing file and how to reinstall
        return Check("fonts", Level.FAIL, exc.reason, exc.fix or REINSTALL)
    except Exception as exc:  # a damaged file shows as any of several errors
        return Check("fonts", Level.FAIL, f"a bundled font cannot be loaded ({exc})", REINSTALL)
    return Check("fonts", Level.OK, f"{len(files) + 1} faces: Helvetica, " + ", ".join(files))


def _printer(station: Core) -> Check:
    printer_id = station.settings.get("printer")
    if printer_id is None:
        return Check("printer", Level.FAIL, "no printer chosen; orders wait in the queue",
                     "`slipstation printers`, then `slipstation config set printer ID`",
                     Remedy.CHOOSE_PRINTER)
    key = station.credentials.get(Secret.PRINTNODE)
    if not key:
        return Check("printer", Level.WARN, f"printer {printer_id} chosen; state unknown "
                     "without a PrintNode key")
    client = PrintNodeClient(key, policy=CHECK_POLICY, timeout=CHECK_TIMEOUT)
    try:
        printer = client.printer(int(printer_id))
    except SlipStationError as exc:
        return Check("printer", Level.WARN, f"printer {printer_id}: state unknown "
                     f"({exc.message})")
    finally:
        client.close()
    if printer is None:
        return Check("printer", Level.FAIL, f"printer {printer_id} is not on this PrintNode "
                     "account", "`slipstation printers`, then `slipstation config set printer ID`",
                     Remedy.CHOOSE_PRINTER)
    where = f"{printer.name} on {printer.computer_name or 'unknown computer'}"
    if not printer.ready:
        return Check("printer", Level.FAIL, f"{where}: {printer.condition}",
                     "switch the printer and its computer on and start the PrintNode client")
    return Check("printer", Level.OK, f"{where}: online")


def _display(_station: Core) -> Check:
    from slipstation.desktop import check_display

    try:
        check_display()
    except SlipStationError as exc:
        return Check("desktop", Level.WARN, exc.message)
    return Check("desktop", Level.OK, "the window can open here")


def _steps(station: Core) -> list[tuple[str, Callable[[], Check]]]:
    return [
        ("keyring", lambda: _keyring(station)),
        ("database", lambda: _database(station)),
        ("fonts", lambda: _fonts(station)),
        ("desktop", lambda: _display(station)),
        ("shippo", lambda: check_shippo_key(station.credentials.get(Secret.SHIPPO))),
        ("printnode", lambda: check_printnode_key(station.credentials.get(Secret.PRINTNODE))),
        ("printer", lambda: _printer(station)),
    ]


def run_checks(station: Core) -> Iterator[Check]:
    """Every check in order; one that fails never stops the rest (a broken keyring still lets
    the fonts be checked)."""
    for name, step in _steps(station):
        try:
            yield step()
        except SlipStationError as exc:
            yield Check(name, Level.FAIL, exc.message)
        except Exception as exc:
            log.exception("doctor check %s crashed", name)
            yield Check(name, Level.FAIL, f"unexpected error ({type(exc).__name__}); "
                        "rerun with --debug for details")
