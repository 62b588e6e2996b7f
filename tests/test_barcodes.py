"""Slip barcodes as a thermal printer prints them and a scanner reads them: every bar a whole
number of the head's dots on its dot grid, decodable at 150 dpi, blurred, and with bars grown
by a dot; numbers Code 128 cannot carry in few bars get a short key the scan box finds."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image, ImageChops, ImageFilter

from slipstation.app import Station
from slipstation.loopback import samples
from slipstation.orders.models import object_id_prefix, parse_order, scan_key
from slipstation.slips.slip import SlipOptions, barcode_value, render_slip
from tests.slip_reading import pdf_text, quantity_sizes, raster
from tests.test_slips import PLACED, make_order

NUMBERS = {
    "plain": "#1068",
    "null": None,
    "non-ASCII": "№ 4711",
    "CJK": "注文-123",
    "long": "ORDER-2026-11-20-000000123456",
}


def code128(image: Image.Image) -> list[zxingcpp.Barcode]:
    return [b for b in zxingcpp.read_barcodes(image)
            if b.format == zxingcpp.BarcodeFormat.Code128]


def bar_runs(image: Image.Image, barcode: zxingcpp.Barcode) -> list[int]:
    """The widths in pixels of the bars and spaces along the barcode's middle row."""
    pos = barcode.position
    y = (pos.top_left.y + pos.bottom_left.y) // 2
    left, right = min(pos.top_left.x, pos.bottom_left.x), max(pos.top_right.x, pos.bottom_right.x)
    row = [image.getpixel((x, y)) < 128 for x in range(left, right + 1)]
    runs, count = [], 1
    for before, now in itertools.pairwise(row):
        if now == before:
            count += 1
        else:
            runs.append(count)
            count = 1
    runs.append(count)
    return runs[1:-1]  # the edges may be cut by the located corners


@pytest.mark.parametrize("kind", list(NUMBERS))
@pytest.mark.parametrize("paper", ["4x6", "a4"])
def test_every_barcode_is_whole_dots_and_survives_a_real_print(kind: str, paper: str) -> None:
    order = make_order(NUMBERS[kind], items=[samples.line_item("Mug", "M-1", 1)])
    value = barcode_value(order)
    assert value.isascii() and len(value) <= 20, value
    pdf = render_slip(order, SlipOptions(paper=paper))
    assert value in pdf_text(pdf), "what the bars hold is printed under them"
    page = raster(pdf, dpi=203)
    found = code128(page)
    assert [b.text for b in found] == [value]
    runs = bar_runs(page, found[0])
    module = min(runs)
    assert module >= 2, runs
    assert all(run % module == 0 for run in runs), runs  # crisp: whole dots, on the grid
    assert [b.text for b in code128(raster(pdf, dpi=150))] == [value], "at 150 dpi"
    blurred = page.filter(ImageFilter.GaussianBlur(1))
    assert [b.text for b in code128(blurred)] == [value], "slightly blurred"
    shifted = ImageChops.offset(page, 1, 0)
    grown = ImageChops.darker(page, shifted)  # each bar one dot wider (a hot head)
    assert [b.text for b in code128(grown)] == [value], "bars grown by a dot"
    shrunk = ImageChops.lighter(page, shifted)  # each bar one dot narrower (a cold head)
    assert [b.text for b in code128(shrunk)] == [value], "bars shrunk by a dot"


def test_bars_follow_the_heads_resolution() -> None:
    pdf = render_slip(make_order("#1068"), SlipOptions(dpi=300))
    page = raster(pdf, dpi=300)
    found = code128(page)
    runs = bar_runs(page, found[0])
    assert min(runs) >= 2 and all(run % min(runs) == 0 for run in runs), runs


def test_a_short_key_finds_its_order_from_the_scan_box(tmp_path: Path) -> None:
    raw = samples.order(None, PLACED, seed="keyed")
    order = parse_order(raw)
    key = scan_key(order.object_id)
    assert key is not None and key == barcode_value(order)
    assert object_id_prefix(key) == order.object_id[:12]
    assert object_id_prefix("S12") is None and object_id_prefix("#1068") is None
    with Station(tmp_path / "station") as station:
        station.order_store.upsert([(order, raw)])
        assert station.orders.find(key).order.object_id == order.object_id
        assert station.orders.find(f"  {key} ").order.object_id == order.object_id


@pytest.mark.parametrize("number", ["ORDER-2026-11-20-000000123456", None, "#1068"])
def test_the_order_number_is_never_smaller_than_the_name(number: str | None) -> None:
    order = make_order(number, name="Alexandra Featherstonehaugh")
    pdf = render_slip(order)
    heading = order.order_number or barcode_value(order)
    sizes = quantity_sizes(pdf, {heading, order.to_address.name})
    assert sizes[heading] >= sizes[order.to_address.name], sizes
