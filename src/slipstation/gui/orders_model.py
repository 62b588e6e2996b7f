"""A lazy table model over the stored orders: pages of rows are fetched as the view scrolls, so
100,000 orders open as fast as 100."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from slipstation.app import OrdersService, StoredOrder, local_time, to_iso

COLUMNS = ("Order", "Status", "Placed", "Ship to", "Country", "Items", "Printed")
PAGE = 500
Index = QModelIndex | QPersistentModelIndex


def filters(text: str | None, status: str | None, printed: bool | None) -> dict[str, Any]:
    return {"status": status or None, "text": (text or "").strip() or None, "printed": printed}


class OrdersModel(QAbstractTableModel):
    def __init__(self, orders: OrdersService) -> None:
        super().__init__()
        self._orders = orders
        self._rows: list[StoredOrder] = []
        self._total = 0
        self._status: str | None = None
        self._text: str | None = None
        self._printed: bool | None = None
        self.reload()

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
        self._status, self._text, self._printed = (wanted["status"], wanted["text"],
                                                   wanted["printed"])
        self._total, self._rows = total, rows
        self.endResetModel()

    def reload(self) -> None:
        self.show(*self.fetch(self._orders, self._filters()))

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
        more = self._orders.search(**self._filters(), limit=PAGE, offset=len(self._rows))
        if not more:
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(more) - 1)
        self._rows.extend(more)
        self.endInsertRows()

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
