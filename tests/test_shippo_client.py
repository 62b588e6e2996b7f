"""The Shippo client against a real HTTP server on 127.0.0.1: headers, paging, filters, faults."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from slipstation.api.http import RetryPolicy, retry_after_seconds, same_origin_url
from slipstation.api.shippo import API_VERSION, ShippoClient
from slipstation.errors import ServiceAuthError, ServiceError, ServiceUnavailable
from slipstation.loopback import samples
from slipstation.loopback.server import Fault
from slipstation.loopback.shippo import ShippoServer
from tests.conftest import SHIPPO_KEY

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)


def _orders(count: int, **kwargs: object) -> list[dict[str, object]]:
    return [samples.order(f"#{1000 + i}", NOW - timedelta(minutes=i), **kwargs)  # type: ignore[arg-type]
            for i in range(count)]


def test_every_call_carries_token_and_api_version(shippo_server: ShippoServer,
                                                  shippo_client: ShippoClient) -> None:
    shippo_server.add_orders(_orders(1))
    list(shippo_client.iter_order_pages())
    request = shippo_server.list_requests()[0]
    assert request.headers["authorization"] == f"ShippoToken {SHIPPO_KEY}"
    assert request.headers["shippo-api-version"] == API_VERSION == "2018-02-08"


def test_pagination_follows_next_across_pages(shippo_server: ShippoServer,
                                              shippo_client: ShippoClient) -> None:
    shippo_server.add_orders(_orders(250))
    pages = list(shippo_client.iter_order_pages(page_size=100))
    assert [len(p.results) for p in pages] == [100, 100, 50]
    assert len({o["object_id"] for p in pages for o in p.results}) == 250
    sent = shippo_server.list_requests()
    assert [r.params("page") for r in sent] == [[], ["2"], ["3"]]
    assert all(r.params("results") == ["100"] for r in sent)


def test_filters_are_sent_and_honoured(shippo_server: ShippoServer,
                                       shippo_client: ShippoClient) -> None:
    shippo_server.add_orders(_orders(3, status="PAID") + _orders(2, status="SHIPPED")
                             + _orders(2, status="CANCELLED", shop_app="Shopify"))
    start = NOW - timedelta(minutes=1, seconds=30)
    pages = list(shippo_client.iter_order_pages(statuses=["PAID", "SHIPPED"], start=start))
    results = [o for p in pages for o in p.results]
    assert {o["order_status"] for o in results} == {"PAID", "SHIPPED"}
    assert len(results) == 4  # minutes 0 and 1 of each status
    request = shippo_server.list_requests()[0]
    assert request.params("order_status[]") == ["PAID", "SHIPPED"]
    assert request.params("start_date") == ["2026-11-24T05:58:30Z"]
    only_shop = list(shippo_client.iter_order_pages(shop_app="Shopify"))
    assert [o["shop_app"] for p in only_shop for o in p.results] == ["Shopify", "Shopify"]


def test_next_link_never_downgrades_or_leaves_the_base() -> None:
    link = "http://api.goshippo.com/orders/?results=1&page=2"
    assert same_origin_url("https://api.goshippo.com", link) == \
        "https://api.goshippo.com/orders/?results=1&page=2"
    assert same_origin_url("https://api.goshippo.com/", "http://evil.example/orders/?page=3") == \
        "https://api.goshippo.com/orders/?page=3"


def test_429_honours_retry_after(shippo_server: ShippoServer,
                                 shippo_client: ShippoClient) -> None:
    shippo_server.add_orders(_orders(2))
    shippo_server.add_fault(Fault(429, b"Too Many Requests", "text/plain",
                                  {"Retry-After": "1"}))
    started = time.monotonic()
    pages = list(shippo_client.iter_order_pages())
    waited = time.monotonic() - started
    assert len(pages[0].results) == 2
    assert len(shippo_server.list_requests()) == 2
    assert waited >= 0.9, "the client must wait as long as Retry-After asks"


def test_rate_limit_reset_header_is_understood() -> None:
    assert retry_after_seconds({"x-ratelimit-reset": "1000012"}, now=1000000) == 12
    assert retry_after_seconds({"retry-after": "3"}) == 3
    assert retry_after_seconds({}) is None


def test_500_then_success_and_a_timeout_are_retried(shippo_server: ShippoServer,
                                                    shippo_client: ShippoClient) -> None:
    shippo_server.add_orders(_orders(1))
    shippo_server.add_fault(Fault(500, {"detail": "Server error"}))
    shippo_server.add_fault(Fault(delay=3.0))  # longer than the client's 2 s timeout
    shippo_server.add_fault(Fault(502, "<html>Bad gateway</html>", "text/html"))
    pages = list(shippo_client.iter_order_pages())
    assert len(pages[0].results) == 1


def test_persistent_failure_becomes_one_clear_error(shippo_server: ShippoServer) -> None:
    client = ShippoClient(SHIPPO_KEY, base_url=shippo_server.url,
                          policy=RetryPolicy(attempts=2, initial_wait=0.01, max_wait=0.01))
    for _ in range(2):
        shippo_server.add_fault(Fault(503, "<html>down</html>", "text/html"))
    with pytest.raises(ServiceUnavailable, match="Shippo is unavailable: HTTP 503"):
        list(client.iter_order_pages())
    client.close()


def test_connection_refused_is_unavailable() -> None:
    client = ShippoClient(SHIPPO_KEY, base_url="http://127.0.0.1:9",
                          policy=RetryPolicy(attempts=2, initial_wait=0.01, max_wait=0.01))
    with pytest.raises(ServiceUnavailable, match="cannot connect"):
        list(client.iter_order_pages())
    client.close()


def test_401_is_a_rejected_key_and_not_retried(shippo_server: ShippoServer) -> None:
    client = ShippoClient("shippo_test_wrongwrongwrong", base_url=shippo_server.url)
    with pytest.raises(ServiceAuthError, match=r"Shippo key rejected.*Token does not exist"):
        list(client.iter_order_pages())
    assert len(shippo_server.list_requests()) == 1
    client.close()


def test_html_404_is_read_without_json_errors(shippo_server: ShippoServer,
                                              shippo_client: ShippoClient) -> None:
    with pytest.raises(ServiceError, match="HTTP 404: Not Found"):
        shippo_client.get_json("/orders/EXAMPLE_OF_INVALID_ID")


def test_200_with_html_is_a_clear_error(shippo_server: ShippoServer,
                                        shippo_client: ShippoClient) -> None:
    shippo_server.add_fault(Fault(200, "<html>maintenance</html>", "text/html"))
    with pytest.raises(ServiceUnavailable, match="non-JSON reply"):
        list(shippo_client.iter_order_pages())
