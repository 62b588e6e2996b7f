"""Slips and pick lists read back as PDFs: text, page size, pages, fonts, barcodes, colour."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from slipstation.domain import SLIP_LANGUAGES
from slipstation.loopback import samples
from slipstation.orders.models import Order, parse_order, scan_key
from slipstation.slips.picklist import pick_lines, render_picklist
from slipstation.slips.slip import SlipOptions, render_slip
from slipstation.slips.words import LANGUAGES
from tests.slip_reading import (
    barcodes,
    embedded_fonts,
    page_sizes,
    page_texts,
    pdf_text,
    quantity_sizes,
    raster,
)

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
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "#BIG-40" in text
    assert "(continued)" in pages[1]
    assert "Items: 40 in 40 lines" in pages[0], "the count is on the first label"
    joined = "\n".join(pages)
    assert all(joined.count(f"SKU-{i:03d}") == 1 for i in range(40))
    assert "Total items: 40" in pages[-1]
    assert barcodes(pdf, page=2) == ["#BIG-40"]


def test_a_long_order_prints_compact_labels() -> None:
    """150 lines: one line an item, at least 20 items on every continuation label (it was
    ~11 a label, 15 labels)."""
    items = [samples.line_item(f"Widget {i:03d}", f"W-{i:03d}", 1 + i % 3) for i in range(150)]
    pdf = render_slip(make_order("#LONG", items=items), SlipOptions(paper="4x6"))
    pages = page_texts(pdf)
    per_page = [sum(f"W-{i:03d}" in text for i in range(150)) for text in pages]
    assert sum(per_page) == 150
    assert all(count >= 20 for count in per_page[1:-1]), per_page
    assert len(pages) <= 7, per_page


def test_huge_quantities_keep_their_size() -> None:
    """A quantity of 12000 is as large as a quantity of 2 (its column widens)."""
    pdf = render_slip(make_order(items=[samples.line_item("Screws", "S-1", 12000),
                                        samples.line_item("Nuts", "N-1", 2)]))
    sizes = quantity_sizes(pdf, {"12000", "2"})
    assert sizes["12000"] == sizes["2"] >= 9 * 1.15 - 0.01, sizes


def test_a_long_note_breaks_across_labels_and_says_so() -> None:
    note = " ".join(f"word{i}" for i in range(220))  # ~1,500 characters
    pdf = render_slip(make_order(notes=note), SlipOptions(paper="4x6"))
    pages = page_texts(pdf)
    assert len(pages) == 2
    assert "NOTES" in pages[0] and "word0" in pages[0], "the note starts on the first label"
    assert "note continues on page 2" in pages[0]
    assert "word219" in pages[1]
    words = " ".join(pages).split()
    assert all(words.count(f"word{i}") == 1 for i in range(220)), "nothing lost or repeated"


@pytest.mark.parametrize(("changes", "warning"), [
    ({"line_items": []}, "NO ITEMS ON THIS ORDER"),
    ({"to_address": {"name": "Ada Lovelace"}}, "ADDRESS INCOMPLETE — no street, city, country, "
                                                "postcode"),
])
def test_orders_that_cannot_be_packed_as_they_are_print_a_black_strip(
        changes: dict[str, object], warning: str, caplog: pytest.LogCaptureFixture) -> None:
    raw = samples.order("#W1", PLACED)
    raw.update(changes)
    with caplog.at_level("WARNING"):
        pdf = render_slip(parse_order(raw))
    assert warning in " ".join(pdf_text(pdf).split())
    assert any(warning in record.getMessage() for record in caplog.records)
    assert "Ada" not in caplog.text
    image = raster(pdf)
    strip_rows = [y for y in range(image.height)
                  if sum(image.getpixel((x, y)) < 64 for x in range(0, image.width, 4))
                  > image.width // 4 * 0.8]
    assert len(strip_rows) > 20, "a solid black strip across the label"


def test_chinese_japanese_and_korean_addresses_read_from_the_region_down() -> None:
    to = samples.address("山田 太郎", "千代田1-1", "千代田区", "100-0001", "JP", state="東京都")
    raw = samples.order("#JP1", PLACED, to=to)
    lines = [line for line in pdf_text(render_slip(parse_order(raw))).splitlines() if line]
    start = lines.index("お届け先")  # a Japanese address: Japanese headings
    assert lines[start + 1:start + 5] == ["山田 太郎", "〒100-0001", "東京都 千代田区",
                                          "千代田1-1"], lines[start:start + 6]


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


def test_logo_is_pure_black_at_print_resolution(tmp_path: Path) -> None:
    """A colour logo with a soft edge becomes the printer's dots: black or white, as many
    pixels as the 203-dpi head has across the drawn width (no grey for the head to dither)."""
    logo = tmp_path / "logo.png"
    source = Image.new("RGBA", (600, 200), (255, 255, 255, 0))
    for x in range(600):  # a gradient: every grey from dark red to white
        for y in range(40, 160):
            source.putpixel((x, y), (200, 30, 30, 255 - x * 255 // 600))
    source.save(logo)
    pdf = render_slip(make_order(), SlipOptions(logo=str(logo)))
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    images = list(page.images)
    assert len(images) == 1
    pixels = images[0].image.convert("L")
    assert set(pixels.get_flattened_data()) == {0, 255}
    assert abs(pixels.width - 108 / 72 * 203) <= 1  # drawn 108 pt wide (36 pt tall × 3)
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


@pytest.mark.parametrize(("country", "setting", "expected"), [
    ("DE", "auto", ["LIEFERSCHEIN", "LIEFERADRESSE", "MENGE", "ARTIKEL", "Seite 1 von 1"]),
    ("FR", "auto", ["BON DE LIVRAISON", "LIVRER À", "QTÉ", "Page 1 sur 1"]),
    ("BR", "auto", ["GUIA DE REMESSA", "ENVIAR PARA", "Página 1 de 1"]),
    ("JP", "auto", ["納品書", "お届け先", "数量", "1 / 1 ページ"]),
    ("CN", "auto", ["装箱单", "收货地址", "第 1 页，共 1 页"]),
    ("US", "auto", ["PACKING SLIP", "SHIP TO", "QTY", "Page 1 of 1"]),
    ("DE", "en", ["PACKING SLIP", "SHIP TO", "Page 1 of 1"]),
    ("US", "pl", ["LISTA PAKOWANIA", "ADRES DOSTAWY", "Strona 1 z 1"]),
])
def test_headings_are_in_the_customers_language(country: str, setting: str,
                                                expected: list[str]) -> None:
    to = samples.address("Kim Doe", "1 Main St", "Town", "12345", country)
    order = parse_order(samples.order("#L1", PLACED, to=to))
    text = " ".join(pdf_text(render_slip(order, SlipOptions(language=setting))).split())
    for words in expected:
        assert words in text, (words, text)


def test_every_language_says_every_heading() -> None:
    assert ("auto", *LANGUAGES) == SLIP_LANGUAGES
    for language, said in LANGUAGES.items():
        for name, value in vars(said).items():
            assert value.strip(), (language, name)
        assert "{n}" in said.in_lines and "{page}" in said.note_continues
        assert "{page}" in said.page and "{pages}" in said.page


def test_the_shops_optional_fields() -> None:
    items = [samples.line_item("Engraved mug", "MUG-1", 1), samples.line_item("Tea", "T-1", 3)]
    items[0]["description"] = "Engraving: For Grandma, with love"
    items[1]["weight"], items[1]["weight_unit"] = "0.25", "kg"
    to = samples.address("Ada Lovelace", "1 High St", "Leeds", "LS1 1AA", "GB",
                         phone="+44 113 496 0000", email="ada@example.com")
    order = parse_order(samples.order("#F1", PLACED, to=to, items=items * 5))
    plain = render_slip(order, SlipOptions(descriptions=False))
    full = render_slip(order, SlipOptions(contact=True, weights=True, tick_boxes=True,
                                          footer="Returns within 30 days: shop.example/returns"))
    plain_text, full_text = pdf_text(plain), pdf_text(full)
    assert "Engraving: For Grandma" not in plain_text and "ada@example.com" not in plain_text
    assert "Engraving: For Grandma, with love" in full_text
    assert "Phone: +44 113 496 0000" in full_text and "Email: ada@example.com" in full_text
    assert "Weight: 0.25 kg" in full_text
    pages = page_texts(full)
    assert all("Returns within 30 days: shop.example/returns" in page for page in pages)
    def outlined_boxes(pdf: bytes) -> int:  # rectangles stroked, not filled (bars are filled)
        return sum(len(re.findall(rb"\bre\s+S\b", page.get_contents().get_data()))
                   for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert outlined_boxes(full) - outlined_boxes(plain) == len(order.line_items)
