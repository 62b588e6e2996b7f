"""The application layer: everything the faces (the command line, the window, the tray and
`run`) may use, and nothing else — an import-linter contract in `pyproject.toml` keeps them to
this module. Open a `Station` and call its services; results come back as the typed values
below; errors are `SlipStationError`s carrying a one-line message and, where there is one, a fix.
See docs/architecture.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Loaded at once: small modules every face needs before it does anything (errors, logging,
# the data dir, the names of states and papers, timestamps, the keyring's names).
from slipstation.credentials import KeyStatus, Secret
from slipstation.desktop import check_display
from slipstation.domain import (
    ATTENTION_STATES,
    CANCELLABLE_STATES,
    DISMISSABLE_STATES,
    ORDER_STATUSES,
    PAPERS,
    REQUEUEABLE_STATES,
    TIERS,
    JobState,
)
from slipstation.errors import NotFound, Remedy, SlipStationError, StationBusy, UsageError
from slipstation.logs import configure_logging, scrub, shutdown_logging
from slipstation.paths import StationPaths, resolve_data_dir
from slipstation.timeutil import local_time, to_iso

if TYPE_CHECKING:
    from slipstation.api.printnode import Printer
    from slipstation.app.demo import Demo, demo_data_dir, start_demo
    from slipstation.app.doctor import Check, run_checks
    from slipstation.app.doctor import Level as CheckLevel
    from slipstation.app.engine import CycleReport, Engine, run_service
    from slipstation.app.orders import OrdersService
    from slipstation.app.outcomes import (
        BatchResult,
        ConfigItem,
        Level,
        PrintOutcome,
        PrintState,
        ScanHold,
        ScanQuestion,
        StationStatus,
    )
    from slipstation.app.packing import PackedBefore, PackIncomplete, PackReport
    from slipstation.app.station import Station
    from slipstation.app.status import ChangeCursor, Changes
    from slipstation.config import SETTINGS, Setting, lookup
    from slipstation.orders.addresses import address_lines
    from slipstation.orders.packing import PackCheck, PackLine
    from slipstation.printing.queue import JobRow
    from slipstation.resources import resources_dir
    from slipstation.service_lock import ServiceLock
    from slipstation.store.app_log import LogLine
    from slipstation.store.audit import AuditEntry
    from slipstation.store.orders import StoredOrder
    from slipstation.sync import SyncOutcome, SyncSummary

# Loaded on first use: the station and its services (the store, the clients, the print queue,
# the scheduler, the demo's loopback servers, the checks) cost a tenth of a second or more to
# import, and a window shows its frame before it needs them.
_LAZY_MODULES = {
    "slipstation.api.printnode": ("Printer",),
    "slipstation.app.demo": ("Demo", "demo_data_dir", "start_demo"),
    "slipstation.app.doctor": ("Check", "run_checks"),
    "slipstation.app.engine": ("CycleReport", "Engine", "run_service"),
    "slipstation.app.orders": ("OrdersService",),
    "slipstation.app.outcomes": ("BatchResult", "ConfigItem", "Level", "PrintOutcome",
                                 "PrintState", "ScanHold", "ScanQuestion", "StationStatus"),
    "slipstation.app.packing": ("PackedBefore", "PackIncomplete", "PackReport"),
    "slipstation.app.station": ("Station",),
    "slipstation.app.status": ("ChangeCursor", "Changes"),
    "slipstation.config": ("SETTINGS", "Setting", "lookup"),
    "slipstation.orders.addresses": ("address_lines",),
    "slipstation.orders.packing": ("PackCheck", "PackLine"),
    "slipstation.printing.queue": ("JobRow",),
    "slipstation.resources": ("resources_dir",),
    "slipstation.service_lock": ("ServiceLock",),
    "slipstation.store.app_log": ("LogLine",),
    "slipstation.store.audit": ("AuditEntry",),
    "slipstation.store.orders": ("StoredOrder",),
    "slipstation.sync": ("SyncOutcome", "SyncSummary"),
}
_LAZY = {name: (module, name) for module, names in _LAZY_MODULES.items() for name in names}
_LAZY["CheckLevel"] = ("slipstation.app.doctor", "Level")


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = _LAZY[name]
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


__all__ = [
    "ATTENTION_STATES",
    "CANCELLABLE_STATES",
    "DISMISSABLE_STATES",
    "ORDER_STATUSES",
    "PAPERS",
    "REQUEUEABLE_STATES",
    "SETTINGS",
    "TIERS",
    "AuditEntry",
    "BatchResult",
    "ChangeCursor",
    "Changes",
    "Check",
    "CheckLevel",
    "ConfigItem",
    "CycleReport",
    "Demo",
    "Engine",
    "JobRow",
    "JobState",
    "KeyStatus",
    "Level",
    "LogLine",
    "NotFound",
    "OrdersService",
    "PackCheck",
    "PackIncomplete",
    "PackLine",
    "PackReport",
    "PackedBefore",
    "PrintOutcome",
    "PrintState",
    "Printer",
    "Remedy",
    "ScanHold",
    "ScanQuestion",
    "Secret",
    "ServiceLock",
    "Setting",
    "SlipStationError",
    "Station",
    "StationBusy",
    "StationPaths",
    "StationStatus",
    "StoredOrder",
    "SyncOutcome",
    "SyncSummary",
    "UsageError",
    "address_lines",
    "check_display",
    "configure_logging",
    "demo_data_dir",
    "local_time",
    "lookup",
    "resolve_data_dir",
    "resources_dir",
    "run_checks",
    "run_service",
    "scrub",
    "shutdown_logging",
    "start_demo",
    "to_iso",
]
