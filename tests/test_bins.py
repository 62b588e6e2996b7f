"""Bin locations: a CSV imported whole or not at all (the bad line named), exported back, kept
in the encrypted database, and followed by slips and pick lists (shown, and in walking order)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdf
import pytest

from slipstation.app import Station
from slipstation.loopback import samples
from slipstation.orders.bins import bin_order
from slipstation.orders.models import parse_order
from slipstation.slips.picklist import render_picklist
from slipstation.slips.slip import SlipOptions, render_slip
from tests.conftest import Cli, one_line_error
from tests.slip_reading import page_sizes, page_texts, pdf_text
from tests.test_slips import PLACED

BINS = "sku,barcode,bin,supplier\nMUG-1,4006381333931,A-10-2,x\nTEA-1,,A-2-1,y\nPEN-1,,B-1,\n"


def _order(number: str = "#B1") -> dict[str, object]:
    return samples.order(number, PLACED, items=[
        samples.line_item("Pen", "PEN-1", 1), samples.line_item("Mug", "MUG-1", 2),
        samples.line_item("Tea", "TEA-1", 3), samples.line_item("Card", "CARD-9", 1)])


def test_import_export_round_trip_and_encrypted(cli: Cli, data_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "bins.csv"
    source.write_text(BINS, encoding="utf-8")
    result = cli("bins", "import", str(source))
    assert result.returncode == 0, result.stderr
    assert "imported 3 bin location(s)" in result.stdout
    exported = tmp_path / "out.csv"
    assert cli("bins", "export", "-o", str(exported)).returncode == 0
    assert exported.read_text(encoding="utf-8").splitlines() == [
        "sku,barcode,bin", "MUG-1,4006381333931,A-10-2", "PEN-1,,B-1", "TEA-1,,A-2-1"]
    assert exported.stat().st_mode & 0o077 == 0, "owner-only"
    database = (data_dir / "slipstation.db").read_bytes()
    assert b"4006381333931" not in database and b"A-10-2" not in database


@pytest.mark.parametrize(("content", "said"), [
    ("sku,bin\nA,1\n,2\n", "Line 3 of the bins file has no sku"),
    ("sku,bin\nA,1\nB,\n", "Line 3 of the bins file has no bin"),
    ("sku,bin\nA,1\nB,2\nA,3\n", "Line 4 of the bins file repeats SKU 'A' (first on line 2)"),
    ("name,place\nA,1\n", "needs a header line with the columns sku and bin"),
    ("sku,bin\nA,\"unclosed\n", "is not valid CSV"),
    ("", "needs a header line"),
])
def test_a_bad_bins_file_is_named_and_nothing_is_half_imported(
        content: str, said: str, cli: Cli, tmp_path: Path) -> None:
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(BINS, encoding="utf-8")
    bad.write_text(content, encoding="utf-8")
    assert cli("bins", "import", str(good)).returncode == 0
    result = cli("bins", "import", str(bad))
    assert result.returncode == 2
    line = one_line_error(result)
    assert said in line and "nothing was imported" in line, line
    exported = tmp_path / "after.csv"
    assert cli("bins", "export", "-o", str(exported)).returncode == 0
    assert len(exported.read_text(encoding="utf-8").splitlines()) == 4, "the old bins stand"


def test_not_utf8_and_missing_files_are_one_line(cli: Cli, tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"sku,bin\nA,1\nB,Gr\xfcn\n")
    line = one_line_error(cli("bins", "import", str(latin)))
    assert "not UTF-8 text (line 3)" in line
    assert "Cannot read the bins file" in one_line_error(cli("bins", "import",
                                                             str(tmp_path / "gone.csv")))


def test_bins_sort_in_walking_order() -> None:
    assert sorted(["A-10-2", "", "A-2-1", "B-1", "a-3"], key=bin_order) == [
        "A-2-1", "a-3", "A-10-2", "B-1", ""]


def test_slips_show_each_lines_bin_and_sort_by_it(tmp_path: Path) -> None:
    with Station(tmp_path / "station") as station:
        (tmp_path / "bins.csv").write_text(BINS, encoding="utf-8")
        station.bins.import_csv(tmp_path / "bins.csv")
        raw = _order()
        station.order_store.upsert([(parse_order(raw), raw)])
        _stored, pdf = station.orders.render_slip("#B1")
    text = pdf_text(pdf)
    for bin_line in ("Bin: A-2-1", "Bin: A-10-2", "Bin: B-1"):
        assert bin_line in text
    order = [text.index(title) for title in ("Tea", "Mug", "Pen", "Card")]
    assert order == sorted(order), "A-2-1, A-10-2, B-1, then the line with no bin"


def test_pick_list_has_a_bin_column_walking_order_headings_and_boxes() -> None:
    orders = [parse_order(_order(f"#P{i}")) for i in range(3)]
    more = [samples.line_item(f"Thing {i}", f"T-{i:03d}", 1) for i in range(60)]
    orders.append(parse_order(samples.order("#P9", PLACED, items=more)))
    bins = {"MUG-1": "A-10-2", "TEA-1": "A-2-1", "PEN-1": "B-1"}
    pdf = render_picklist(orders, "4x6", bins)
    assert page_sizes(pdf)[0] == (288.0, 432.0), "on the station's 4x6 labels"
    pages = page_texts(pdf)
    assert len(pages) > 2
    assert all("QTY" in page and "SKU" in page and "ITEM" in page and "BIN" in page
               for page in pages), "the headings on every page"
    first = pages[0]
    assert first.index("A-2-1") < first.index("A-10-2") < first.index("B-1")
    ticked = sum(len(re.findall(rb"\bre\s+S\b", page.get_contents().get_data()))
                 for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert ticked == 3 + 1 + 60, "a box to tick per pick line"


def test_slip_without_bins_is_unchanged() -> None:
    order = parse_order(_order())
    text = pdf_text(render_slip(order, SlipOptions()))
    assert "Bin:" not in text
    assert text.index("Pen") < text.index("Mug"), "no bins: the order's own order"


def test_a_bins_file_too_large_is_refused_before_it_is_read(cli: Cli, tmp_path: Path) -> None:
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as handle:  # sparse: 21 MB on paper, nothing on disk
        handle.truncate(21 * 1024 * 1024)
    result = cli("bins", "import", str(huge))
    assert result.returncode == 2
    assert "larger than 20 MB; nothing was imported" in one_line_error(result)
