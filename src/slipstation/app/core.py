"""What the services of one station share: its data directory, keyring entries, encrypted store
and the pooled Shippo and PrintNode clients. The engine's parts hang here; faces never touch
them (they call the services on `Station`)."""

from __future__ import annotations

import logging
from pathlib import Path

from slipstation.api.http import RetryPolicy, StopToken
from slipstation.api.printnode import PrintNodeClient
from slipstation.api.shippo import ShippoClient
from slipstation.config import Settings
from slipstation.credentials import Credentials, Secret
from slipstation.errors import SlipStationError
from slipstation.orders.models import Order, parse_order
from slipstation.paths import StationPaths
from slipstation.printing.queue import PrintQueue, QueuePolicy
from slipstation.store.app_log import DatabaseLog
from slipstation.store.audit import AuditLog
from slipstation.store.database import Database, open_database
from slipstation.store.orders import OrderRepository
from slipstation.store.sync_state import SyncState

log = logging.getLogger(__name__)


class Core:
    """One data directory's engine parts, opened lazily (nothing is touched until used)."""

    def __init__(self, data_dir: Path, *, demo: bool = False,
                 retry_policy: RetryPolicy | None = None,
                 queue_policy: QueuePolicy | None = None, http_timeout: float = 20.0) -> None:
        self.paths = StationPaths(data_dir)
        self.http_timeout = http_timeout
        self.retry_policy = retry_policy
        self.queue_policy = queue_policy
        self.demo = demo
        self.credentials = Credentials(data_dir)
        self.stop = StopToken()
        self._db: Database | None = None
        self._db_log: DatabaseLog | None = None
        self._shippo: tuple[str, ShippoClient] | None = None      # (the key it was made with,
        self._printnode: tuple[str, PrintNodeClient] | None = None  # the client)
        self._queue: PrintQueue | None = None

    # -- store ---------------------------------------------------------------------------------
    @property
    def db(self) -> Database:
        if self._db is None:
            self.paths.ensure()
            self._db = open_database(self.paths.database, self.credentials)
            self._db_log = DatabaseLog(self._db)
            self._db_log.start()
        return self._db

    @property
    def settings(self) -> Settings:
        return Settings(self.db)

    @property
    def audit(self) -> AuditLog:
        return AuditLog(self.db, self.station_name)

    def station_name(self) -> str:
        return str(self.settings.get("station"))

    @property
    def order_store(self) -> OrderRepository:
        return OrderRepository(self.db)

    @property
    def state(self) -> SyncState:
        return SyncState(self.db)

    @property
    def queue(self) -> PrintQueue:
        if self._queue is None:
            self._queue = PrintQueue(self.db, self.printnode, station_name=self.station_name,
                                     policy=self.queue_policy, order_check=self.recheck_order)
        return self._queue

    def close(self) -> None:
        self.stop.stop()
        for made in (self._shippo, self._printnode):
            if made is not None:
                made[1].close()
        self._shippo = self._printnode = None
        self._queue = None
        if self._db_log is not None:
            self._db_log.stop()
            self._db_log = None
        if self._db is not None:
            self._db.close()
            self._db = None

    # -- clients -------------------------------------------------------------------------------
    def api_key(self, which: Secret) -> str:
        """The key the keyring holds now, or one line saying how to set it."""
        key = self.credentials.get(which)
        if not key:
            service = {Secret.SHIPPO: "Shippo", Secret.PRINTNODE: "PrintNode"}[which]
            raise SlipStationError(f"No {service} API key is set",
                                   fix=f"run `slipstation keys set {which.value}`")
        return key

    def shippo(self) -> ShippoClient:
        """The pooled Shippo client, made with the key the keyring holds now: a key stored or
        cleared by another process takes effect at the next call (every cycle)."""
        key = self.api_key(Secret.SHIPPO)
        if self._shippo is None or self._shippo[0] != key:
            if self._shippo is not None:
                self._shippo[1].close()
            self._shippo = (key, ShippoClient(key, stop=self.stop, policy=self.retry_policy,
                                              timeout=self.http_timeout))
        return self._shippo[1]

    def printnode(self) -> PrintNodeClient:
        """The pooled PrintNode client, made with the key the keyring holds now."""
        key = self.api_key(Secret.PRINTNODE)
        if self._printnode is None or self._printnode[0] != key:
            if self._printnode is not None:
                self._printnode[1].close()
            self._printnode = (key, PrintNodeClient(key, stop=self.stop, policy=self.retry_policy,
                                                    timeout=self.http_timeout))
        return self._printnode[1]

    def key_changed(self, which: Secret) -> bool:
        """After a 401: does the keyring hold another key than the client used?"""
        made = self._shippo if which is Secret.SHIPPO else self._printnode
        return made is not None and self.credentials.get(which) not in (None, made[0])

    def recheck_order(self, order: Order) -> Order:
        """Read an order again from Shippo and store what it says now."""
        raw = self.shippo().order(order.object_id)
        fresh = parse_order(raw)
        self.order_store.upsert([(fresh, raw)])
        return fresh
