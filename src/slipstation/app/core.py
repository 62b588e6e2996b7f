"""What the services of one station share: its data directory, keyring entries, encrypted store
and the pooled Shippo and PrintNode clients. The engine's parts hang here; faces never touch
them (they call the services on `Station`)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from slipstation.api.http import ApiClient, RetryPolicy, StopToken
from slipstation.api.labels import LabelFile, download_label
from slipstation.api.printnode import PrintNodeClient
from slipstation.api.shippo import ShippoClient
from slipstation.config import Settings
from slipstation.credentials import Credentials, Secret
from slipstation.errors import NotFound, Remedy, ServiceUnavailable, SlipStationError
from slipstation.orders.models import Order, parse_order
from slipstation.paths import StationPaths
from slipstation.printing.queue import PrintQueue, QueuePolicy
from slipstation.store.app_log import DatabaseLog
from slipstation.store.audit import AuditLog
from slipstation.store.database import Database, open_database
from slipstation.store.orders import OrderRepository, StoredOrder
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
        self._opening = threading.RLock()
        self._db_log: DatabaseLog | None = None
        self._clients: dict[Secret, tuple[str, ApiClient]] = {}  # (the key it was made with,
        #                                                           the client), per service
        self._queue: PrintQueue | None = None

    # -- store ---------------------------------------------------------------------------------
    @property
    def db(self) -> Database:
        with self._opening:  # the window's first reads come from several worker threads
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

    def find_order(self, number: str) -> StoredOrder:
        """A stored order by its number (or Shippo id), or one line saying it is not here."""
        found = self.order_store.find(number)
        if found is None:
            raise NotFound(f"No order {number.strip()!r} in the local store",
                           fix="sync first, or check the number")
        return found

    def order_finder(self, numbers: Sequence[str]) -> Callable[[str], StoredOrder]:
        """`find_order` for a batch (the window's selections come as Shippo ids): those given
        by Shippo id are read together, in one query; any other number on its own."""
        found = self.order_store.by_object_ids([number.strip() for number in numbers])
        return lambda number: found.get(number.strip()) or self.find_order(number)

    @property
    def state(self) -> SyncState:
        return SyncState(self.db)

    @property
    def queue(self) -> PrintQueue:
        if self._queue is None:
            self._queue = PrintQueue(self.db, self.printnode, station_name=self.station_name,
                                     policy=self.queue_policy, order_check=self.recheck_order,
                                     label_source=self.fetch_label)
        return self._queue

    def close(self) -> None:
        self.stop.stop()
        for _key, client in self._clients.values():
            client.close()
        self._clients.clear()
        self._queue = None
        with self._opening:
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
                                   fix=f"run `slipstation keys set {which.value}`",
                                   remedy=Remedy.SET_SHIPPO_KEY if which is Secret.SHIPPO
                                   else Remedy.SET_PRINTNODE_KEY)
        return key

    def shippo(self) -> ShippoClient:
        client = self._pooled(Secret.SHIPPO, ShippoClient)
        assert isinstance(client, ShippoClient)
        return client

    def printnode(self) -> PrintNodeClient:
        client = self._pooled(Secret.PRINTNODE, PrintNodeClient)
        assert isinstance(client, PrintNodeClient)
        return client

    def _pooled(self, which: Secret,
                make: type[ShippoClient] | type[PrintNodeClient]) -> ApiClient:
        """The service's pooled client, made with the key the keyring holds now: a key stored
        or cleared by another process takes effect at the next call (every cycle)."""
        key = self.api_key(which)
        made = self._clients.get(which)
        if made is None or made[0] != key:
            if made is not None:
                made[1].close()
            made = (key, make(key, stop=self.stop, policy=self.retry_policy,
                              timeout=self.http_timeout))
            self._clients[which] = made
        return made[1]

    def key_changed(self, which: Secret) -> bool:
        """After a 401: does the keyring hold another key than the client used?"""
        made = self._clients.get(which)
        return made is not None and self.credentials.get(which) not in (None, made[0])

    def fetch_label(self, transaction_id: str) -> LabelFile:
        """A label's file: the transaction read with the Shippo key, then its signed link
        fetched without it. Only a label Shippo reports as bought (SUCCESS) prints."""
        transaction = self.shippo().transaction(transaction_id)
        if transaction.status != "SUCCESS":
            raise ServiceUnavailable(f"The label is {transaction.status.lower() or 'not ready'} "
                                     "in Shippo; not printed.", service="Shippo")
        if not transaction.label_url:
            raise ServiceUnavailable("Shippo has no file for this label; not printed.",
                                     service="Shippo")
        return download_label(transaction.label_url, transaction.file_type)

    def recheck_order(self, order: Order) -> Order:
        """Read an order again from Shippo and store what it says now."""
        raw = self.shippo().order(order.object_id)
        fresh = parse_order(raw)
        self.order_store.upsert([(fresh, raw)])
        return fresh
