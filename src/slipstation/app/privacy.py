"""Retention and the user's data rights: the purge by tier, exports (keys masked, files 0600),
redaction, deletions, reset and delete-all. The table work is `store/privacy.py` and
`store/retention.py`."""

from __future__ import annotations

import contextlib
import logging
import shutil
from datetime import timedelta
from pathlib import Path

from slipstation.app.core import Core
from slipstation.credentials import API_KEYS, Secret
from slipstation.errors import UsageError
from slipstation.fileio import write_private
from slipstation.logs import shutdown_logging
from slipstation.service_lock import ServiceLock
from slipstation.store import privacy
from slipstation.store.retention import LAST_PURGE, PurgeCounts, purge
from slipstation.timeutil import now_iso, parse_timestamp, utc_now

log = logging.getLogger(__name__)


class PrivacyService:
    def __init__(self, core: Core) -> None:
        self._core = core

    def purge(self, *, dry_run: bool = False) -> PurgeCounts:
        core = self._core
        tier = str(core.settings.get("tier"))
        counts = purge(core.db, tier, utc_now(), dry_run=dry_run)
        if not dry_run:
            core.state.set(LAST_PURGE, now_iso())
            core.audit.record("data.purge", tier=tier, orders=counts.orders,
                              print_jobs=counts.print_jobs, app_log=counts.app_log,
                              audit_log=counts.audit_log)
        return counts

    def purge_if_due(self) -> PurgeCounts | None:
        """The daily retention run; catches up after the station was off."""
        last = parse_timestamp(self._core.state.get(LAST_PURGE))
        if last is not None and utc_now() - last < timedelta(days=1):
            return None
        return self.purge()

    def export(self, fmt: str, path: Path) -> int:
        """Everything (JSON, keys masked) or the orders alone (CSV) into an owner-only file."""
        core = self._core
        if fmt == "csv":
            data = privacy.export_csv(core.db)
        else:
            station = {"name": core.station_name(), "data_dir": str(core.paths.data_dir),
                       "demo": core.demo, "keyring": core.credentials.location}
            keys = {s.name.value: s.masked for s in core.credentials.status()}
            data = privacy.export_json(core.db, station=station, settings=core.settings.all(),
                                       keys=keys)
        write_private(path, data)
        count = core.order_store.count()
        core.audit.record("data.export", format=fmt, orders=count)
        return count

    def export_customer(self, email: str, path: Path) -> int:
        data, count = privacy.export_customer(self._core.db, email)
        write_private(path, data)
        self._core.audit.record("data.export_customer", orders=count)
        return count

    def redact(self, email: str) -> int:
        count = privacy.redact_customer(self._core.db, email)
        self._core.audit.record("data.redact", orders=count)
        log.info("redacted one customer in %d order(s)", count)
        return count

    def delete_order(self, number: str) -> None:
        self.delete_orders([number])

    def delete_orders(self, numbers: list[str]) -> int:
        """Several orders (the window's selection, by Shippo id; numbers work too), read
        together and deleted in one transaction and one compaction, not one each. An order
        not here stops it before anything is deleted."""
        core = self._core
        find = core.order_finder(numbers)
        ids = [find(number).id for number in numbers]
        count = privacy.delete_orders(core.db, list(dict.fromkeys(ids)))
        core.audit.record("data.delete_order", orders=count)
        return count

    def delete_all_orders(self) -> int:
        count = privacy.delete_orders(self._core.db, privacy.all_order_ids(self._core.db))
        self._core.audit.record("data.delete_orders", orders=count)
        return count

    def reset_config(self) -> int:
        """Both API keys and every setting go; orders, print history and the database stay."""
        core = self._core
        cleared = [name.value for name in API_KEYS if core.credentials.delete(name)]
        count = core.settings.reset()
        core.audit.record("config.reset", settings=count, keys=",".join(cleared) or "none")
        return count

    def delete_all(self, confirmation: str | None, *, lock_held: bool = False) -> None:
        """The database, its key, both API keys and the logs: everything of this station.
        `lock_held`: the caller is the running service itself (the GUI), stopped already."""
        if confirmation != "DELETE":
            raise UsageError("Deleting all data needs `--confirm DELETE` (exactly); "
                             "nothing was changed.")
        core = self._core
        # Refused while a service runs on this data dir (unless that service is the caller).
        with contextlib.nullcontext() if lock_held else ServiceLock(core.paths):
            core.close()
            shutdown_logging()
            for path in sorted(core.paths.data_dir.glob("slipstation.db*")):
                path.unlink()
            shutil.rmtree(core.paths.log_dir, ignore_errors=True)
            for name in Secret:
                core.credentials.delete(name)
