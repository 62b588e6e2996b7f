"""A lazy table model over the stored orders: pages of rows are fetched as the view scrolls, so
100,000 orders open as fast as 100. Every page is read on a worker thread (`Runner`) and lands
on the GUI thread; a page meant for filters that changed meanwhile is dropped."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from slipstation.app import OrdersService, StoredOrder, local_time, to_iso

COLUMNS = ("Order", "Status", "Placed", "Ship to", "Country", "Items", "Printed")
PAGE = 200  # rows per read: a screenful many times over; scrolling reads the next
Index = QModelIndex | QPersistentModelIndex
# Runs the work off the GUI thread, then on it the first callback with its result, or the second
# with the one-line error (`Tasks.run`).
Runner = Callable[[Callable[[], list[StoredOrder]], Callable[[Any], None], Callable[[str], None]],
                  None]


def filters(text: str | None, status: str | None, printed: bool | None) -> dict[str, Any]:
    return {"status": status or None, "text": (text or "").strip() or None, "printed": printed}


class OrdersModel(QAbstractTableModel):
    def __init__(self, orders: OrdersService, run: Runner) -> None:
        super().__init__()
        self._orders = orders
        self._run = run
        self._rows: list[StoredOrder] = []
        self._total = 0
        self._status: str | None = None
        self._text: str | None = None
        self._printed: bool | None = None
        self._generation = 0  # which `show` a page in flight belongs to
        self._loading = False  # one page in flight at a time
        self.loaded = False  # the first page has landed

    def _filters(self) -> dict[str, Any]:
        return {"status": self._status, "text": self._text, "printed": self._printed}

    @staticmethod
    def fetch(orders: OrdersService, wanted: dict[str, Any]
              ) -> tuple[dict[str, Any], int, list[StoredOrder]]:
        """The first page for some filters: safe on a worker thread (a text search over
        100k orders scans them all)."""
        return wanted, orders.count(**wanted), orders.search(**wanted, limit=PAGE)

    def show(self, wanted: dict[str, Any], total: int, rows: list[StoredOrder]) -> None:
        self.beginResetModel()
        self._generation += 1
        self._loading = False
        self.loaded = True
        self._status, self._text, self._printed = (wanted["status"], wanted["text"],
                                                   wanted["printed"])
        self._total, self._rows = total, rows
        self.endResetModel()

    @property
    def total(self) -> int:
        return self._total

    def order_at(self, row: int) -> StoredOrder:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: Index) -> None:
        if self._loading or parent.isValid():
            return
        self._loading = True
        wanted, offset, generation = self._filters(), len(self._rows), self._generation

        def landed(more: Any) -> None:
            if generation != self._generation:
                return  # the filters changed: this page belongs to rows no longer shown
            self._loading = False
            if more:
                self.beginInsertRows(QModelIndex(), offset, offset + len(more) - 1)
                self._rows.extend(more)
                self.endInsertRows()

        def failed(_message: str) -> None:
            if generation == self._generation:
                self._loading = False  # the next scroll tries again

        self._run(lambda: self._orders.search(**wanted, limit=PAGE, offset=offset), landed,
                  failed)

    @property
    def loading(self) -> bool:
        return self._loading

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        stored = self._rows[index.row()]
        order = stored.order
        return (order.display_number, order.status, local_time(to_iso(order.placed_at)),
                order.to_address.name, order.to_address.country, order.item_count,
                stored.print_count)[index.column()]
