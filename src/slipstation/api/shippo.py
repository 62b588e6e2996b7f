"""Shippo's orders API: `GET /orders/` with filters and pagination.

Every call carries `Shippo-API-Version: 2018-02-08`; without it an account pinned to an old
version gets a legacy order shape.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

from slipstation.api.http import ApiClient, RetryPolicy, StopToken, same_origin_url
from slipstation.errors import Remedy, ServiceUnavailable
from slipstation.timeutil import to_iso

SHIPPO_URL_ENV = "SLIPSTATION_SHIPPO_URL"
DEFAULT_SHIPPO_URL = "https://api.goshippo.com"
API_VERSION = "2018-02-08"
PAGE_SIZE = 100
MAX_PAGES = 1000  # a guard against a `next` link that never ends


@dataclass(frozen=True)
class OrderPage:
    number: int
    results: list[Any]
    has_next: bool


def shippo_base_url() -> str:
    return os.environ.get(SHIPPO_URL_ENV) or DEFAULT_SHIPPO_URL


@dataclass(frozen=True)
class Transaction:
    """A label bought for an order: where its file is (a signed link on another origin) and
    what kind of file it is (chosen when it was bought)."""

    object_id: str
    status: str          # SUCCESS, ERROR, REFUNDED, REFUNDPENDING, QUEUED, WAITING
    label_url: str
    file_type: str       # PDF, PDF_4x6, PDF_A4…, PNG, ZPLII
    tracking_number: str

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> Transaction:
        def text(name: str) -> str:
            value = raw.get(name)
            return value if isinstance(value, str) else ""
        return cls(text("object_id"), (text("status") or text("object_status")).upper(),
                   text("label_url"), text("label_file_type").upper(), text("tracking_number"))


class ShippoClient(ApiClient):
    service = "Shippo"
    key_hint = "set a new key with `slipstation keys set shippo`"
    key_remedy = Remedy.SET_SHIPPO_KEY

    def __init__(self, api_key: str, *, base_url: str | None = None, timeout: float = 20.0,
                 policy: RetryPolicy | None = None, stop: StopToken | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        super().__init__(
            base_url or shippo_base_url(),
            headers={"Authorization": f"ShippoToken {api_key}",
                     "Shippo-API-Version": API_VERSION, "Accept": "application/json",
                     "User-Agent": "SlipStation"},
            timeout=timeout, policy=policy, stop=stop, transport=transport,
        )

    def iter_order_pages(self, *, start: datetime | None = None, end: datetime | None = None,
                         statuses: Sequence[str] = (), shop_app: str = "",
                         page_size: int = PAGE_SIZE) -> Iterator[OrderPage]:
        """Every page of orders matching the filters, following `next` on our own base URL."""
        params: list[tuple[str, str]] = [("results", str(min(max(page_size, 1), 100)))]
        params += [("order_status[]", status) for status in statuses]
        if shop_app:
            params.append(("shop_app", shop_app))
        if start is not None:
            params.append(("start_date", to_iso(start)))
        if end is not None:
            params.append(("end_date", to_iso(end)))

        url: str | None = "/orders/"
        query: list[tuple[str, str]] | None = params
        seen: set[str] = set()
        number = 0
        while url is not None:
            number += 1
            if number > MAX_PAGES or url in seen:
                raise ServiceUnavailable("Shippo's pagination did not end; stopped.",
                                         service=self.service)
            seen.add(url)
            what = f"order list (page {number})"
            body = (self.get_json(url, params=query, what=what) if query is not None
                    else self.get_json(url, what=what))
            if not isinstance(body, dict) or not isinstance(body.get("results"), list):
                raise ServiceUnavailable("Shippo sent an order list without `results`.",
                                         service=self.service)
            next_link = body.get("next")
            has_next = isinstance(next_link, str) and bool(next_link)
            yield OrderPage(number, body["results"], has_next)
            url = same_origin_url(self.base_url, str(next_link)) if has_next else None
            query = None  # the next link carries the query

    def order(self, object_id: str) -> dict[str, Any]:
        """One order as Shippo has it now (`GET /orders/{id}`): the check before a slip that
        waited is sent."""
        if not object_id.isalnum():  # an id that is not Shippo's shape never reaches a URL
            raise ServiceUnavailable("The order's Shippo id is not valid.", service=self.service)
        body = self.get_json(f"/orders/{object_id}")
        if not isinstance(body, dict):
            raise ServiceUnavailable("Shippo sent an unexpected reply for an order.",
                                     service=self.service)
        return body

    def transaction(self, object_id: str) -> Transaction:
        """One label as Shippo has it (`GET /transactions/{id}`): its file's signed link."""
        if not object_id.isalnum():
            raise ServiceUnavailable("The label's Shippo id is not valid.", service=self.service)
        body = self.get_json(f"/transactions/{object_id}")
        if not isinstance(body, dict):
            raise ServiceUnavailable("Shippo sent an unexpected reply for a label.",
                                     service=self.service)
        return Transaction.parse(body)

    def whoami(self) -> int:
        """A cheap authenticated call for `doctor` and "Test connection": one order, page 1."""
        body = self.get_json("/orders/", params={"results": "1"})
        return len(body.get("results", [])) if isinstance(body, dict) else 0
