"""Sync cycles from the loopback Shippo into the real encrypted store."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from slipstation.api.shippo import ShippoClient
from slipstation.app import Station
from slipstation.errors import ServiceAuthError
from slipstation.loopback import samples
from slipstation.loopback.shippo import ShippoServer
from slipstation.sync import LAST_STATUS, WATERMARK, ShippoSync
from slipstation.timeutil import parse_timestamp
from tests.conftest import load_fixture

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def _sync(station: Station, client: ShippoClient, clock: Clock) -> ShippoSync:
    return ShippoSync(station.db, client, clock=clock)


def test_international_page_with_malformed_orders(station: Station, shippo_server: ShippoServer,
                                                  shippo_client: ShippoClient,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    page = load_fixture("shippo", "orders_international.json")
    assert isinstance(page, dict)
    shippo_server.add_orders(page["results"])
    caplog.set_level(logging.WARNING, logger="slipstation")
    summary = _sync(station, shippo_client, Clock(datetime(2026, 11, 21, tzinfo=UTC))).run_cycle()
    assert (summary.fetched, summary.new, summary.skipped) == (8, 5, 3)
    skipped_ids = {"a1000000000000000000000000000006", "a1000000000000000000000000000007",
                   "a1000000000000000000000000000008"}
    for object_id in skipped_ids:
        assert object_id in caplog.text

    anna = station.orders.find("#2002").order
    assert anna.to_address.name == "Анна Петрова" and anna.to_address.city == "Москва"
    assert anna.placed_at == datetime(2026, 11, 20, 9, 5, tzinfo=UTC)  # offset applied; to the s
    taro = station.orders.find("2003").order
    assert taro.to_address.name == "山田 太郎" and taro.line_items[0].variant_title == "大"
    assert taro.item_count == 3
    zoe = station.orders.find("2001").order
    assert zoe.to_address.country == "DE" and zoe.line_items[0].title == "Kaffeebecher „Größe“"
    greek = station.orders.find("#2004").order
    assert greek.placed_at == datetime(2026, 11, 20, 12, tzinfo=UTC)
    no_number = station.orders.search(text="no items")[0].order
    assert no_number.order_number == "" and no_number.key == "A1000000000000000000000000000005"
    assert no_number.weight == "12.5" and no_number.line_items == ()
    assert [s.order.display_number for s in station.orders.search(text="петрова")] == ["#2002"]
    assert [s.order.display_number for s in station.orders.search(text="tea-3")] == ["#2003"]
    raw = json.loads(station.db.scalar("SELECT raw FROM orders WHERE order_key = '2001'"))
    assert raw["to_address"]["object_owner"] == "owner@example.com", "raw JSON is kept"


def test_forty_item_order(station: Station, shippo_server: ShippoServer,
                          shippo_client: ShippoClient) -> None:
    items = [samples.line_item(f"Item number {i} with a rather long descriptive title",
                               f"SKU-{i:03d}", quantity=1 + i % 3, seed="big")
             for i in range(40)]
    shippo_server.add_orders([samples.order("#BIG-40", NOW - timedelta(hours=1), items=items)])
    _sync(station, shippo_client, Clock(NOW)).run_cycle()
    big = station.orders.find("big-40").order
    assert len(big.line_items) == 40
    assert [i.sku for i in big.line_items][:3] == ["SKU-000", "SKU-001", "SKU-002"]
    assert big.item_count == sum(1 + i % 3 for i in range(40))
    assert station.orders.search(text="sku-039")[0].order.line_items[39].sku == "SKU-039"


def test_resync_is_idempotent_and_tracks_status_changes(station: Station,
                                                        shippo_server: ShippoServer,
                                                        shippo_client: ShippoClient) -> None:
    orders = [samples.order(f"#{i}", NOW - timedelta(minutes=i)) for i in range(30)]
    shippo_server.add_orders(orders)
    clock = Clock(NOW)
    first = _sync(station, shippo_client, clock).run_cycle()
    assert (first.new, first.updated) == (30, 0)
    clock.moment += timedelta(minutes=1)
    again = _sync(station, shippo_client, clock).run_cycle()
    # The window overlaps the last cycle by 15 minutes: 16 orders are read again, none changed.
    assert (again.fetched, again.new, again.updated, again.unchanged) == (16, 0, 0, 16)
    assert station.orders.count() == 30

    shippo_server.set_status(orders[3]["object_id"], "SHIPPED")
    clock.moment += timedelta(minutes=1)
    changed = _sync(station, shippo_client, clock).run_cycle()
    assert (changed.new, changed.updated) == (0, 1)
    assert station.orders.count() == 30
    stored = station.orders.find("#3")
    assert stored.order.status == "SHIPPED"
    assert [status for status, _ in station.orders.status_history(stored.id)] == \
        ["PAID", "SHIPPED"]


def test_an_order_stored_by_an_older_parser_is_parsed_again_once(
        station: Station, shippo_server: ShippoServer, shippo_client: ShippoClient) -> None:
    """Unchanged orders are skipped by the digest of what Shippo sent and the parser's
    revision, not by reading them back: a row without a digest (as every row of a station
    upgraded from schema 9 is) or with another parser's is rewritten, once."""
    shippo_server.add_orders([samples.order(f"#{i}", NOW - timedelta(minutes=i))
                              for i in range(3)])
    clock = Clock(NOW)
    _sync(station, shippo_client, clock).run_cycle()
    digests = dict(station.db.query("SELECT order_key, digest FROM orders"))
    assert len(set(digests.values())) == 3 and all(digests.values())
    with station.db.transaction() as conn:
        conn.execute("UPDATE orders SET digest = NULL WHERE order_key = '0'")
        conn.execute("UPDATE orders SET digest = 'parsed-by-another-revision' "
                     "WHERE order_key = '1'")
    clock.moment += timedelta(minutes=1)
    again = _sync(station, shippo_client, clock).run_cycle()
    assert (again.new, again.updated, again.unchanged) == (0, 2, 1)
    assert dict(station.db.query("SELECT order_key, digest FROM orders")) == digests
    clock.moment += timedelta(minutes=1)
    third = _sync(station, shippo_client, clock).run_cycle()
    assert (third.new, third.updated, third.unchanged) == (0, 0, 3)
    assert [s for s, _ in station.orders.status_history(station.orders.find("#0").id)] == \
        ["PAID"], "a rewrite with the same status adds no history"


def test_an_order_listed_twice_in_one_cycle_ends_as_the_later_page_has_it(
        station: Station, shippo_server: ShippoServer, shippo_client: ShippoClient) -> None:
    """Pages are stored several at a time; an order that comes again on a later page of the
    same cycle (the list moved under its pages) is compared with what the earlier page stored,
    so the copy read last stays, as when each page was stored on its own."""
    orders = [samples.order(f"#{i}", NOW - timedelta(seconds=5 * i)) for i in range(120)]
    shippo_server.add_orders(orders)
    clock = Clock(NOW)
    _sync(station, shippo_client, clock).run_cycle()
    moved = {**orders[110], "order_status": "SHIPPED",
             "placed_at": (NOW + timedelta(seconds=30)).isoformat()}
    shippo_server.add_orders([moved])  # first on page 1; the PAID copy is still on page 2
    clock.moment += timedelta(minutes=1)
    again = _sync(station, shippo_client, clock).run_cycle()
    assert (again.pages, again.fetched, again.new) == (2, 121, 0)
    stored = station.orders.find("#110")
    assert stored.order.status == "PAID"
    assert [s for s, _ in station.orders.status_history(stored.id)] == \
        ["PAID", "SHIPPED", "PAID"]


def test_first_sync_reaches_back_as_far_as_the_tier(station: Station,
                                                    shippo_server: ShippoServer,
                                                    shippo_client: ShippoClient) -> None:
    shippo_server.add_orders([samples.order("#six", NOW - timedelta(days=6)),
                              samples.order("#eight", NOW - timedelta(days=8))])
    summary = _sync(station, shippo_client, Clock(NOW)).run_cycle()
    assert summary.first_sync and summary.window_start == NOW - timedelta(days=7)
    assert [s.order.display_number for s in station.orders.search()] == ["#six"]
    station.config.set("tier", "growth")
    station.state.delete(WATERMARK)
    _sync(station, shippo_client, Clock(NOW)).run_cycle()
    assert station.orders.count() == 2


def test_watermark_catches_up_after_a_weekend_off(station: Station, shippo_server: ShippoServer,
                                                  shippo_client: ShippoClient) -> None:
    clock = Clock(NOW)
    sync = _sync(station, shippo_client, clock)
    sync.run_cycle()
    assert parse_timestamp(station.state.get(WATERMARK)) == NOW

    # Sixty seconds later, a normal poll reads a short overlapping window.
    clock.moment = NOW + timedelta(seconds=60)
    assert sync.run_cycle().window_start == NOW - timedelta(minutes=15)

    # The station is off for the weekend while orders keep coming.
    weekend = [samples.order(f"#W{i}", NOW + timedelta(hours=6 * i)) for i in range(1, 10)]
    shippo_server.add_orders(weekend)
    clock.moment = NOW + timedelta(days=3)
    summary = sync.run_cycle()
    assert summary.new == 9
    assert summary.window_start <= NOW


def test_late_import_with_old_placed_at_is_found_by_the_deep_pass(
        station: Station, shippo_server: ShippoServer, shippo_client: ShippoClient) -> None:
    clock = Clock(NOW)
    sync = _sync(station, shippo_client, clock)
    sync.run_cycle()
    shippo_server.add_orders([samples.order("#late", NOW - timedelta(days=2))])
    clock.moment = NOW + timedelta(minutes=1)
    assert sync.run_cycle().new == 0  # short window: not yet
    clock.moment = NOW + timedelta(hours=1, minutes=1)
    assert sync.run_cycle().new == 1  # the hourly deep pass reaches back three days


def test_rejected_key_stops_the_cycle_with_a_status(station: Station,
                                                    shippo_server: ShippoServer) -> None:
    client = ShippoClient("shippo_test_revokedrevoked", base_url=shippo_server.url)
    with pytest.raises(ServiceAuthError):
        _sync(station, client, Clock(NOW)).run_cycle()
    client.close()
    assert station.state.get(LAST_STATUS) == "Shippo key rejected"
    assert station.state.get(WATERMARK) is None


def test_store_holds_no_plaintext_after_sync(station: Station, data_dir: Path,
                                             shippo_server: ShippoServer,
                                             shippo_client: ShippoClient) -> None:
    page = load_fixture("shippo", "orders_international.json")
    assert isinstance(page, dict)
    shippo_server.add_orders(page["results"])
    _sync(station, shippo_client, Clock(datetime(2026, 11, 21, tzinfo=UTC))).run_cycle()
    station.close()
    everything = b"".join(p.read_bytes() for p in data_dir.rglob("*") if p.is_file())
    for text in ("Петрова", "zoe@example.de", "Königstraße", "山田"):
        assert text.encode("utf-8") not in everything
