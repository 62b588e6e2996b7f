"""A `Station` is one data directory — its keyring entries, encrypted database, settings and
audit log — and the services the faces call on it:

    station.sync       one cycle: pull, store, print what is due
    station.printing   pause, a person's print, jobs to settle, printers
    station.orders     find, search, slips and pick lists
    station.keys       API keys in the OS keyring
    station.config     the declared settings
    station.privacy    retention, exports, redaction, deletions
    station.status     the header and tray's state, the activity and audit logs

Nothing here imports Qt, and no face talks SQL or HTTP itself. The engine parts (`db`,
`queue`, `credentials`…) come from `Core`; they are for the engine and its tests, not for faces.
"""

from __future__ import annotations

from pathlib import Path

from slipstation.api.http import RetryPolicy
from slipstation.app.bins import BinsService
from slipstation.app.core import Core
from slipstation.app.keys import KeysService
from slipstation.app.orders import OrdersService
from slipstation.app.packing import PackingService
from slipstation.app.printing import PrintingService
from slipstation.app.privacy import PrivacyService
from slipstation.app.settings import ConfigService
from slipstation.app.status import StatusService
from slipstation.app.syncing import SyncService
from slipstation.printing.queue import QueuePolicy


class Station(Core):
    def __init__(self, data_dir: Path, *, demo: bool = False,
                 retry_policy: RetryPolicy | None = None,
                 queue_policy: QueuePolicy | None = None, http_timeout: float = 20.0) -> None:
        super().__init__(data_dir, demo=demo, retry_policy=retry_policy,
                         queue_policy=queue_policy, http_timeout=http_timeout)
        self.printing = PrintingService(self)
        self.sync = SyncService(self, self.printing)
        self.orders = OrdersService(self)
        self.keys = KeysService(self)
        self.config = ConfigService(self)
        self.privacy = PrivacyService(self)
        self.bins = BinsService(self)
        self.packing = PackingService(self, self.printing)
        self.status = StatusService(self, self.printing)

    def __enter__(self) -> Station:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
