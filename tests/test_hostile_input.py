"""Hostile order payloads (hypothesis) through parsing, storage, rendering and a sync cycle:
huge strings, control characters, RTL text, emoji, 1,000 line items, numbers out of range.
Nothing crashes, nothing is lost silently, and nothing is drawn outside the page's margins."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from slipstation.app import Station
from slipstation.credentials import Secret
from slipstation.loopback import samples
from slipstation.loopback.shippo import ShippoServer
from slipstation.orders.models import MalformedOrder, parse_order
from slipstation.slips import fonts
from slipstation.slips.paper import paper
from slipstation.slips.slip import SlipOptions, render_slip
from slipstation.timeutil import utc_now
from tests.conftest import SHIPPO_KEY
from tests.slip_reading import page_sizes, page_texts, pdf_text, raster

NASTY = list("שלום مرحبا 😀👍🏽\u200f\u202e\u200b\x00\x07\t\n\r<>&%\"'\\ـ字ß")
text_values = st.one_of(
    st.text(max_size=120),
    st.text(alphabet=st.sampled_from(NASTY), max_size=200),
    st.builds(lambda piece, n: piece * n, st.sampled_from(["W", "字", "😀", "ـ", "a b ", "\x00"]),
              st.integers(0, 5000)),
)
loose_values = st.one_of(st.none(), text_values, st.integers(-10**40, 10**40),
                         st.floats(allow_nan=True, allow_infinity=True),
                         st.sampled_from(["1e400", "-0", "NaN", "", "0x10", "12,50"]),
                         st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3),
                                                                              st.integers(),
                                                                              max_size=2))


def mostly_text(draw: Any) -> Any:
    """Usually a hostile string, sometimes a value of the wrong type altogether."""
    return draw(text_values) if draw(st.integers(0, 4)) else draw(loose_values)


@st.composite
def line_items(draw: Any) -> Any:
    item = samples.line_item("x", "y", seed=str(draw(st.integers())))
    for key in ("title", "variant_title", "sku"):
        item[key] = mostly_text(draw)
    item["quantity"] = draw(st.integers(0, 999_999)) if draw(st.integers(0, 5)) else \
        draw(loose_values)
    for key in ("total_price", "weight", "currency"):
        item[key] = draw(loose_values)
    return item


@st.composite
def payloads(draw: Any) -> dict[str, Any]:
    seed = draw(st.text(min_size=1, max_size=8))
    payload = samples.order("#1", utc_now() - timedelta(minutes=1), seed=f"hostile-{seed}")
    payload["order_number"] = mostly_text(draw)
    for key in ("notes", "shipping_method", "shop_app"):
        payload[key] = mostly_text(draw)
    for key in ("total_price", "subtotal_price", "weight", "shipping_cost", "total_tax"):
        payload[key] = draw(loose_values)
    address = dict(payload["to_address"])
    for key in ("name", "company", "street1", "street2", "city", "state", "zip", "country",
                "phone", "email"):
        address[key] = mostly_text(draw)
    payload["to_address"] = address if draw(st.integers(0, 9)) else draw(loose_values)
    payload["line_items"] = (draw(st.lists(line_items(), max_size=8)) if draw(st.integers(0, 9))
                             else draw(loose_values))
    return payload


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(payload=payloads(), paper_name=st.sampled_from(["4x6", "a4", "letter"]))
def test_any_payload_parses_or_is_refused_then_stores_and_renders(
        payload: dict[str, Any], paper_name: str, station: Station) -> None:
    try:
        order = parse_order(payload)
    except MalformedOrder as exc:
        assert "\n" not in str(exc)
        event(f"refused: {str(exc).split(': ', 1)[-1][:40]}")
        return
    event("stored and rendered")
    station.order_store.upsert([(order, payload)])
    stored = station.orders.find(order.object_id)
    # Stored to the second (the documented precision of placed_at); all else exactly.
    assert stored is not None
    assert stored.order == replace(order, placed_at=order.placed_at.replace(microsecond=0))
    pdf = render_slip(stored.order, SlipOptions(paper=paper_name))
    expected = paper(paper_name).size
    sizes = page_sizes(pdf)
    assert sizes and all(size == (round(expected[0], 2), round(expected[1], 2)) for size in sizes)
    texts = page_texts(pdf)
    assert all(f"Page {n} of {len(texts)}" in text for n, text in enumerate(texts, 1))


@settings(max_examples=300, deadline=None)
@given(text=st.from_regex(r"-?(0|[0-9]{1,14})(\.(0{0,7}[0-9]{0,2}|[0-9]{0,8}))?", fullmatch=True))
@example(text="0.0000001")
@example(text="-0.0000000")
@example(text="1000000000000")
def test_money_reads_as_its_normal_decimal_whatever_the_digits(text: str) -> None:
    """Plain amounts take a fast path: it must give what the Decimal path gives."""
    payload = samples.order("#1", utc_now(), seed="money")
    payload["total_price"] = text
    number = Decimal(text)
    expected = str(number) if abs(number) < Decimal(10) ** 12 else None
    assert parse_order(payload).total_price == expected


@settings(max_examples=80, deadline=None)
@given(text=text_values, size=st.floats(6, 30), max_width=st.floats(20, 600))
def test_wrapped_and_fitted_lines_never_exceed_their_width(text: str, size: float,
                                                           max_width: float) -> None:
    for line in fonts.wrap(text, size, max_width):
        assert fonts.width(line, size) <= max_width + 0.01 or len(line) == 1
    fitted, fitted_size = fonts.fit(text, size, max_width)
    assert fonts.width(fitted, fitted_size) <= max_width + 0.01 or len(fitted) <= 2
    # Wrapping loses nothing: the words are all there, in order.
    assert "".join("".join(fonts.wrap(text, size, max_width)).split()) == \
        "".join(text.split())


def _ink_outside_margins(pdf: bytes, paper_name: str) -> list[int]:
    """Columns of the first page, outside the content area, that carry any ink."""
    spec = paper(paper_name)
    image = raster(pdf, dpi=72)
    width, height = image.size
    scale = width / spec.width
    inside = range(int((spec.margin - 1) * scale), int((spec.width - spec.margin + 1) * scale))
    pixels = image.load()
    return [x for x in range(width) if x not in inside and
            any(pixels[x, y] < 200 for y in range(height))]


EXTREMES = {
    "long order number": {"order_number": "#" + "8" * 180},
    "endless name": {"to_address": {**samples.address("N" * 20000, "S" * 5000, "C" * 3000,
                                                      "Z" * 400, "US")}},
    "rtl and emoji": {"order_number": "#שלום😀", "notes": "مرحبا بالعالم 👍🏽 " * 200,
                      "shipping_method": "ـ" * 3000},
    "huge numbers": {"line_items": [samples.line_item("Big", "B-1", 1) | {
        "quantity": 999_999, "total_price": "9" * 60}], "total_price": "9" * 80},
}


@pytest.mark.parametrize("case", list(EXTREMES))
@pytest.mark.parametrize("paper_name", ["4x6", "a4"])
def test_extreme_orders_stay_inside_the_margins(case: str, paper_name: str) -> None:
    payload = samples.order("#1", utc_now(), seed=f"extreme-{case}") | EXTREMES[case]
    order = parse_order(payload)
    pdf = render_slip(order, SlipOptions(paper=paper_name, show_prices=True))
    assert _ink_outside_margins(pdf, paper_name) == []
    assert len(page_sizes(pdf)) < 60


def test_a_thousand_line_items_flow_over_pages() -> None:
    items = [samples.line_item(f"Item {i} " + "مرحبا 😀 " * (i % 5), f"SKU-{i:04d}", i % 7 + 1)
             for i in range(1000)]
    order = parse_order(samples.order("#1000", utc_now(), items=items, seed="thousand"))
    pdf = render_slip(order)
    texts = page_texts(pdf)
    assert len(texts) > 20
    assert all(f"Page {n} of {len(texts)}" in text for n, text in enumerate(texts, 1))
    whole = pdf_text(pdf)
    assert all(f"SKU-{i:04d}" in whole for i in range(1000))
    assert _ink_outside_margins(pdf, "4x6") == []


@settings(max_examples=4, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(batch=st.lists(payloads(), min_size=15, max_size=15))
def test_a_sync_of_hostile_orders_completes_and_counts_what_it_skipped(
        batch: list[dict[str, Any]], data_dir: Path, shippo_server: ShippoServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLIPSTATION_SHIPPO_URL", shippo_server.url)
    shippo_server.orders.clear()
    shippo_server.add_orders(batch)
    with Station(data_dir) as station:
        station.credentials.set(Secret.SHIPPO, SHIPPO_KEY)
        before = station.orders.count()
        summary = station.sync.run()  # never raises for bad orders: they are skipped and counted
        assert summary.fetched == len(batch)
        assert summary.new + summary.updated + summary.unchanged + summary.skipped == len(batch)
        assert station.orders.count() - before == summary.new
