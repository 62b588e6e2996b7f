"""Slips and pick lists read back as PDFs: text, page size, pages, fonts, barcodes, colour."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from slipstation.loopback import samples
from slipstation.orders.models import Order, parse_order, scan_key
from slipstation.slips.picklist import pick_lines, render_picklist
from slipstation.slips.slip import SlipOptions, render_slip
from tests.slip_reading import barcodes, embedded_fonts, page_sizes, page_texts, pdf_text, raster

PLACED = datetime(2026, 11, 20, 10, tzinfo=UTC)


def make_order(number: str | None = "#1068", *, name: str = "Mr Hippo", city: str = "Leeds",
               items: list[dict[str, object]] | None = None, **extra: object) -> Order:
    raw = samples.order(number, PLACED, to=samples.address(name, "1 High St", city, "LS1 1AA",
                                                            "GB", seed=str(number)),
                        items=items, seed=f"slip-{number}-{name}")
    raw.update(extra)
    return parse_order(raw)


def five_items() -> list[dict[str, object]]:
    return [samples.line_item(f"Product {i}", f"SKU-{i}", i + 1, variant=f"Size {i}")
            for i in range(5)]


@pytest.mark.parametrize(("name", "city", "faces"), [
    ("Zoë Müller-Lüdenscheidt", "München", set()),        # WinAnsi: built-in Helvetica only
    ("Łukasz Żółć", "Kraków", {"DejaVu"}),                 # accents beyond WinAnsi
    ("Анна Петрова", "Москва", {"DejaVu"}),                # Cyrillic
    ("Γιώργος Παπαδόπουλος", "Αθήνα", {"DejaVu"}),         # Greek
    ("山田 太郎", "東京都", {"Droid"}),                      # Japanese / Chinese
    ("王小明", "北京市", {"Droid"}),
    ("김민준", "서울특별시", {"Nanum"}),                      # Korean
])
def test_every_script_prints_with_only_the_fonts_it_needs(name: str, city: str,
                                                         faces: set[str]) -> None:
    pdf = render_slip(make_order(name=name, city=city))
    text = pdf_text(pdf).replace("\n", " ")
    assert name in text and city in text
    embedded = {face for face in ("DejaVu", "Droid", "Nanum")
                if any(face in font for font in embedded_fonts(pdf))}
    assert embedded == faces


def test_plain_latin_slip_is_small() -> None:
    pdf = render_slip(make_order(items=five_items()))
    assert len(pdf) < 10_000, "built-in fonts: nothing embedded"


@pytest.mark.parametrize(("paper", "size"), [
    ("4x6", (288.0, 432.0)), ("a4", (595.28, 841.89)), ("letter", (612.0, 792.0))])
def test_exact_page_size_and_scannable_barcode(paper: str, size: tuple[float, float]) -> None:
    pdf = render_slip(make_order(items=five_items()), SlipOptions(paper=paper))
    assert page_sizes(pdf) == [size]
    assert barcodes(pdf) == ["#1068"]
    text = pdf_text(pdf)
    for expected in ("#1068", "Order date: 2026-11-20", "Ship via: USPS First Class Package",
                     "Mr Hippo", "1 High St", "LS1 1AA Leeds", "Product 4", "Size 4", "SKU: SKU-4",
                     "Total items: 15", "Page 1 of 1"):
        assert expected in text


def test_forty_items_flow_onto_pages_with_header_and_page_numbers() -> None:
    items = [samples.line_item(f"Item {i:02d} " + "with a long descriptive title " * (i % 3),
                               f"SKU-{i:03d}", 1, variant="Blue" if i % 2 else None)
             for i in range(40)]
    pdf = render_slip(make_order("#BIG-40", items=items), SlipOptions(paper="4x6"))
    pages = page_texts(pdf)
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "#BIG-40" in text
    assert "(continued)" in pages[1]
    joined = "\n".join(pages)
    assert all(joined.count(f"SKU: SKU-{i:03d}") == 1 for i in range(40))
    assert "Total items: 40" in pages[-1]
    assert barcodes(pdf, page=2) == ["#BIG-40"]


def test_long_text_wraps_inside_the_margins() -> None:
    items = [samples.line_item("Supercalifragilisticexpialidocious" * 6, "LONG-1", 1),
             samples.line_item("長い商品名" * 30, "LONG-2", 1)]
    order = make_order(items=items, notes="Wrap " * 120)
    for paper in ("4x6", "a4"):
        pdf = render_slip(order, SlipOptions(paper=paper))
        image = raster(pdf)
        edge = image.crop((image.width - 20, 0, image.width, image.height))
        assert edge.getextrema() == (255, 255), f"ink in the right margin on {paper}"
        flat = pdf_text(pdf).replace("\n", "")
        assert "Supercalifragilisticexpialidocious" * 6 in flat


def test_missing_optional_fields() -> None:
    order = make_order(None, items=[], shipping_method=None, notes=None, total_price=None,
                       from_address=None, currency=None)
    pdf = render_slip(order, SlipOptions(show_prices=True))
    text = pdf_text(pdf)
    key = scan_key(order.object_id)  # no number: a short key the scan box finds
    assert key is not None and key in text
    assert "Ship via" not in text and "NOTES" not in text
    assert "Total items: 0" in text
    assert barcodes(pdf) == [key]


def test_prices_only_when_asked() -> None:
    order = make_order(items=five_items())
    hidden = pdf_text(render_slip(order, SlipOptions(show_prices=False)))
    shown = pdf_text(render_slip(order, SlipOptions(show_prices=True)))
    assert "USD" not in hidden and "Total:" not in hidden
    assert "12.10 USD" in shown and f"Total: {order.total_price} USD" in shown


def test_text_that_looks_like_markup_prints_literally() -> None:
    notes = "Gift: <b>Happy</b> birthday &amp; <font color=red>love</font> &lt;3"
    items = [samples.line_item("<i>Mug</i> & <br/> co", "M&M<1>", 1)]
    text = pdf_text(render_slip(make_order(items=items, notes=notes), SlipOptions(paper="a4")))
    flat = text.replace("\n", " ")
    assert "<b>Happy</b> birthday &amp; <font color=red>love</font> &lt;3" in flat
    assert "<i>Mug</i> & <br/> co" in flat and "SKU: M&M<1>" in flat




def test_only_pure_black_is_used() -> None:
    pdf = render_slip(make_order(name="Анна Петрова", items=five_items(), notes="note"),
                      SlipOptions(paper="a4", show_prices=True))
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        content = page.get_contents().get_data().decode("latin-1")
        for match in re.finditer(r"((?:[\d.]+\s+){1,4})(g|G|rg|RG|k|K)\b", content):
            values = [float(v) for v in match.group(1).split()]
            assert all(v == 0 for v in values), match.group(0)


def test_logo_is_scaled_and_greyscale(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGBA", (600, 200), (200, 30, 30, 255)).save(logo)
    pdf = render_slip(make_order(), SlipOptions(logo=str(logo)))
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    images = list(page.images)
    assert len(images) == 1
    assert images[0].image.mode == "L"
    assert barcodes(pdf) == ["#1068"]
    missing = render_slip(make_order(), SlipOptions(logo=str(tmp_path / "gone.png")))
    assert not list(pypdf.PdfReader(io.BytesIO(missing)).pages[0].images)


def test_picklist_sums_quantities_per_sku() -> None:
    first = make_order("#1", items=[samples.line_item("Mug", "MUG", 2, variant="Red"),
                                    samples.line_item("Tea", "TEA", 1)])
    second = make_order("#2", items=[samples.line_item("Mug", "MUG", 3, variant="Red"),
                                     samples.line_item("Card", "", 1)])
    lines = pick_lines([first, second])
    assert [(p.sku, p.quantity, p.orders) for p in lines] == [
        ("MUG", 5, 2), ("TEA", 1, 1), ("", 1, 1)]
    pdf = render_picklist([first, second])
    text = pdf_text(pdf)
    assert "2 orders · 7 items · 3 SKUs" in text
    assert "Orders: #1, #2" in text
    assert "in 2 orders" in text
    assert page_sizes(pdf) == [(595.28, 841.89)]
