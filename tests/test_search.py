"""Search over stored orders through the FTS5 trigram index in the encrypted database: any 3+
characters of number, name, company, email, city, SKU or title, accents folded; nothing of a
redacted, deleted or purged customer stays findable."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from slipstation.app import Station
from slipstation.loopback import samples
from slipstation.orders.models import parse_order
from slipstation.timeutil import utc_now


@pytest.fixture
def station(tmp_path: Path) -> Station:
    opened = Station(tmp_path / "station")
    now = utc_now()
    people = [("Zoë Müller-Lüdenscheidt", "München", "zoe@example.de", "Kaffeebohnen"),
              ("Ada Lovelace", "London", "ada@example.org", "Analytical engine"),
              ("山田 太郎", "東京都", "taro@example.jp", "抹茶")]
    raws = []
    for index, (name, city, email, title) in enumerate(people):
        to = samples.address(name, "1 Main St", city, "12345", "DE", email=email,
                             company=f"Firma {index}")
        raws.append(samples.order(f"#S{1060 + index}", now - timedelta(days=index), to=to,
                                  items=[samples.line_item(title, f"SKU-{index}AB", 1)],
                                  seed=f"search{index}"))
    opened.order_store.upsert([(parse_order(raw), raw) for raw in raws])
    return opened


def numbers(station: Station, text: str) -> list[str]:
    return [s.order.display_number for s in station.orders.search(text=text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("zoe", ["#S1060"]), ("MULLER-lud", ["#S1060"]), ("münchen", ["#S1060"]),
    ("lovelace", ["#S1061"]), ("example.org", ["#S1061"]), ("firma 1", ["#S1061"]),
    ("analytical", ["#S1061"]), ("sku-2ab", ["#S1062"]), ("1062", ["#S1062"]),
    ("#S1060", ["#S1060"]), ("山田 太郎", ["#S1062"]), ("太郎", ["#S1062"]),
    ("example", ["#S1060", "#S1061", "#S1062"]), ("nobody", []),
])
def test_search_finds_orders_by_any_part(station: Station, text: str,
                                         expected: list[str]) -> None:
    assert numbers(station, text) == expected
    assert station.orders.count(text=text) == len(expected)
    station.close()


def test_nothing_of_a_redacted_deleted_or_purged_customer_stays_findable(
        station: Station) -> None:
    assert station.privacy.redact("ada@example.org") == 1
    for text in ("lovelace", "ada@example", "firma 1"):  # items are not customer data
        assert numbers(station, text) == [], text
    station.privacy.delete_order("#S1060")
    assert numbers(station, "müller") == [] and numbers(station, "zoe") == []
    station.config.set("tier", "starter")
    old = samples.order("#OLD", utc_now() - timedelta(days=30), seed="old",
                        to=samples.address("Grace Hopper", "1 Navy Rd", "Arlington", "22201",
                                           "US"))
    station.order_store.upsert([(parse_order(old), old)])
    assert numbers(station, "hopper") == ["#OLD"]
    station.privacy.purge()
    assert numbers(station, "hopper") == []
    for term in ('"lovelace"', '"hopper"', '"zoe@"'):  # the index itself, not only the rows
        assert station.db.scalar("SELECT count(*) FROM orders_fts WHERE orders_fts MATCH ?",
                                 (term,)) == 0, term
    station.close()


def test_a_search_matching_many_orders_pages_newest_first(station: Station) -> None:
    """Past MANY_MATCHES the page walks the date index: the same orders, in the same order,
    as the plain listing filtered by hand; the count comes from the index alone."""
    from slipstation.store.orders import MANY_MATCHES

    now = utc_now()
    raws = [samples.order(f"#W{i}", now - timedelta(minutes=i * 7 % 1500, seconds=i),
                          items=[samples.line_item("Tote", "BULK-9" if i % 3 else "ODD-1")],
                          status="SHIPPED" if i % 5 == 0 else "PAID", seed=f"walk{i}")
            for i in range(MANY_MATCHES * 3 // 2 + 30)]
    station.order_store.upsert([(parse_order(raw), raw) for raw in raws])
    everything = station.orders.search(limit=-1)
    bulk = [s.order.display_number for s in everything
            if any(item.sku == "BULK-9" for item in s.order.line_items)]
    assert len(bulk) > MANY_MATCHES
    assert station.orders.count(text="bulk-9") == len(bulk)
    assert [s.order.display_number for s in station.orders.search(text="bulk-9", limit=500)] \
        == bulk[:500]
    assert [s.order.display_number for s in station.orders.search(
        text="bulk-9", limit=500, offset=600)] == bulk[600:1100]
    paid = [s.order.display_number for s in everything if s.order.status == "PAID"
            and s.order.display_number in set(bulk)]
    assert station.orders.count(text="bulk-9", status="paid") == len(paid)
    assert [s.order.display_number for s in station.orders.search(
        text="bulk-9", status="paid", limit=300)] == paid[:300]


@pytest.mark.parametrize("stored", ["in date order", "shuffled"])
def test_every_page_of_many_matches_is_the_plain_listing_filtered(station: Station,
                                                                  stored: str) -> None:
    """Orders three to a second, the newest 150 printed: each page of a search with many
    matches, read a chunk of the date index at a time or all at once, is the plain newest-first
    listing filtered by hand, with the printed filter too."""
    import random

    from slipstation.store.print_jobs import PrintJobStore

    now = utc_now()
    raws = [samples.order(f"#T{i}", now - timedelta(hours=1, seconds=i // 3),
                          items=[samples.line_item("Mug", "MUG-7" if i % 4 else "CUP-2")],
                          seed=f"tie{i}") for i in range(1400)]
    if stored == "shuffled":  # row ids no longer follow the dates
        random.Random(5).shuffle(raws)
    station.order_store.upsert([(parse_order(raw), raw) for raw in raws])
    statements: list[str] = []
    station.db.connection().set_trace_callback(statements.append)
    everything = station.orders.search(limit=-1)
    with PrintJobStore(station.db, utc_now).transaction() as tx:
        for stored in everything[:150]:
            tx.insert(order_id=stored.id, kind="manual", rule="manual", state="done",
                      printer=None, paper="4x6", copies=1, title="slip", source="test",
                      key=f"tie-{stored.id}", note=None)
    printed = {s.order.display_number for s in everything[:150]}
    mugs = [s.order.display_number for s in everything
            if any(item.sku == "MUG-7" for item in s.order.line_items)]
    assert len(mugs) > 1000
    assert len({s.order.placed_at for s in everything}) < len(everything) // 2  # ties

    def page(limit: int, offset: int = 0, printed_only: bool | None = None) -> list[str]:
        return [s.order.display_number for s in station.orders.search(
            text="mug-7", printed=printed_only, limit=limit, offset=offset)]

    for limit, offset in [(200, 0), (200, 200), (1, 999), (300, 700), (200, 900), (5, 972)]:
        assert page(limit, offset) == mugs[offset:offset + limit], (limit, offset)
    assert page(1000, printed_only=True) == [n for n in mugs if n in printed]
    assert page(1000, printed_only=False) == [n for n in mugs if n not in printed][:1000]
    assert any("rowid BETWEEN" in sql for sql in statements), "read a chunk at a time"
    station.close()
