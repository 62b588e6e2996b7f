"""A Shippo stand-in: `GET /orders/` and `GET /orders/{id}` as the recorded payloads show them.

Filters `order_status[]` (repeated), `shop_app`, `start_date`/`end_date` on `placed_at`;
pagination with `page`/`results` and a `next` link that, like the real one, says `http://`.
No `count` key, as in real replies. Wrong token → 401 `{"detail": "Token does not exist"}`;
a malformed id → an HTML 404, as recorded.
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import urlencode

from slipstation.loopback.server import LoopbackServer, Reply, Request
from slipstation.timeutil import parse_timestamp

_HTML_404 = ("<!DOCTYPE html>\n<html lang=\"en\">\n<head><title>Not Found</title></head>\n"
             "<body><h1>Not Found</h1><p>The requested resource was not found on this server."
             "</p></body>\n</html>\n")
_OBJECT_ID = re.compile(r"^[0-9a-f]{32}$")
MAX_RESULTS = 100


class ShippoServer(LoopbackServer):
    def __init__(self, api_keys: tuple[str, ...] = ("shippo_test_loopback0000000000",),
                 port: int = 0) -> None:
        super().__init__(port)
        self.api_keys = set(api_keys)
        self.orders: list[dict[str, Any]] = []
        self._placed: dict[int, Any] = {}  # id(order) -> parsed placed_at, parsed once
        # One query's matching orders, kept while its pages are read (a 100k-order history
        # would otherwise be filtered again for each of its 1,000 pages).
        self._matching: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        self.transactions: dict[str, dict[str, Any]] = {}  # labels, by transaction id

    def add_label(self, order: dict[str, Any], label_url: str, file_type: str = "PDF_4x6",
                  status: str = "SUCCESS") -> str:
        """A label bought for this order (as Shippo's transaction), its file at `label_url`;
        returns the transaction id. Add labels before the order is added."""
        transaction_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{order['object_id']}:{label_url}").hex
        self.transactions[transaction_id] = {
            "object_id": transaction_id, "object_state": "VALID", "status": status,
            "label_url": label_url, "label_file_type": file_type,
            "tracking_number": "9205590164917312751089", "tracking_status": "UNKNOWN",
            "commercial_invoice_url": None}
        order.setdefault("transactions", []).append(
            {"object_id": transaction_id, "status": status})
        return transaction_id

    def add_orders(self, orders: list[dict[str, Any]]) -> None:
        with self.lock:
            self._matching.clear()
            self.orders.extend(orders)
            for order in orders:
                self._placed[id(order)] = parse_timestamp(order.get("placed_at"))
            # Newest first, as Shippo lists them.
            self.orders.sort(key=lambda o: str(o.get("placed_at")), reverse=True)

    def set_status(self, object_id: str, status: str) -> None:
        with self.lock:
            self._matching.clear()
            for order in self.orders:
                if order.get("object_id") == object_id:
                    order["order_status"] = status

    def list_requests(self) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.path.rstrip("/") == "/orders"]

    def handle(self, request: Request) -> Reply:
        auth = request.headers.get("authorization", "")
        if not auth.startswith("ShippoToken ") or auth.split(" ", 1)[1] not in self.api_keys:
            return Reply(401, {"detail": "Token does not exist"})
        path = request.path.rstrip("/")
        if request.method == "GET" and path == "/orders":
            return self._list(request)
        if request.method == "GET" and path.startswith("/transactions/"):
            found = self.transactions.get(path.split("/")[2])
            return Reply(200, found) if found else Reply(404, {"detail": "Not found."})
        if request.method == "GET" and path.startswith("/orders/"):
            object_id = path.split("/")[2]
            if not _OBJECT_ID.match(object_id):
                return Reply(404, _HTML_404, "text/html; charset=utf-8")
            found = next((o for o in self.orders if o.get("object_id") == object_id), None)
            return Reply(200, found) if found else Reply(404, {"detail": "Not found."})
        return Reply(404, {"detail": "Not found."})

    def _list(self, request: Request) -> Reply:
        try:
            page = int((request.params("page") or ["1"])[0])
            size = min(int((request.params("results") or ["25"])[0]), MAX_RESULTS)
        except ValueError:
            return Reply(404, {"detail": "Invalid page."})
        statuses = set(request.params("order_status[]"))
        shop_app = (request.params("shop_app") or [""])[0]
        start = parse_timestamp(next(iter(request.params("start_date")), None))
        end = parse_timestamp(next(iter(request.params("end_date")), None))

        def keep(order: dict[str, Any]) -> bool:
            placed = self._placed.get(id(order))
            if statuses and order.get("order_status") not in statuses:
                return False
            if shop_app and order.get("shop_app") != shop_app:
                return False
            if placed is None:  # let the client see (and skip) a broken timestamp
                return True
            if start and placed < start:
                return False
            return not (end and placed > end)

        key = (tuple(sorted(statuses)), shop_app, start, end, len(self.orders))
        if key not in self._matching:
            self._matching = {key: [o for o in self.orders if keep(o)]}
        matching = self._matching[key]
        first = (page - 1) * size
        if page < 1 or (first >= len(matching) and page != 1):
            return Reply(404, {"detail": "Invalid page."})
        results = matching[first:first + size]
        base_query = [(k, v) for k, v in request.query if k != "page"]

        def link(number: int) -> str:
            host = self.url.replace("http://", "")
            return f"http://{host}/orders/?{urlencode([*base_query, ('page', str(number))])}"

        return Reply(200, {
            "next": link(page + 1) if first + size < len(matching) else None,
            "previous": link(page - 1) if page > 1 else None,
            "results": results,
        })
