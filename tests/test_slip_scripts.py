"""Slips in every script, read back as a person and a scanner would: the letters (NFKC), their
visual order on the line from the glyph positions, the fonts embedded, the placeholder and its
one warning for what no font has, and how a thermal printer's 203 dpi sees them."""

from __future__ import annotations

import logging
import subprocess
import tempfile
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pytest

from slipstation.loopback import samples
from slipstation.slips.slip import SlipOptions, render_slip
from tests.slip_reading import embedded_fonts, pdf_text, raster
from tests.test_slips import make_order


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("\u200b", "")


@dataclass(frozen=True)
class Word:
    text: str  # as drawn, left to right (a right-to-left word comes out reversed)
    x: float
    y: float


def drawn_words(pdf: bytes) -> list[Word]:
    """Every word on page 1 with where it is drawn (pdftotext -bbox: glyph positions)."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "slip.pdf"
        source.write_bytes(pdf)
        xhtml = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(source), "-"],
                               capture_output=True, text=True, check=True).stdout
    root = ElementTree.fromstring(xhtml)
    return [Word(element.text or "", float(element.get("xMin", 0)),
                 round(float(element.get("yMax", 0))))
            for element in root.iter() if element.tag.endswith("word")]


def logical(word: Word) -> str:
    """A right-to-left word as written (pdftotext gives its glyphs left to right)."""
    return nfkc(word.text[::-1])


def right_to_left(pdf: bytes, words: list[str]) -> None:
    """These words (as written) stand on one line, each to the left of the one before."""
    found = {logical(word): word for word in drawn_words(pdf)}
    missing = [w for w in words if w not in found]
    assert not missing, (missing, sorted(found))
    xs = [found[w].x for w in words]
    assert xs == sorted(xs, reverse=True), list(zip(words, xs, strict=True))
    assert len({found[w].y for w in words}) == 1, "one line"


SCRIPTS = {
    "arabic": dict(name="محمد العلي", city="دبي", item="قميص قطن أزرق",
                   notes="الرجاء التغليف كهدية شكرا", font="NotoSansArabic"),
    "hebrew": dict(name="דוד כהן", city="תל אביב", item="כוס קפה", notes="משלוח מהיר בבקשה",
                   font="NotoSansHebrew"),
    "thai": dict(name="สมชาย ใจดี", city="กรุงเทพมหานคร", item="เสื้อยืด สีขาว",
                 notes="ขอบคุณครับ", font="NotoSansThai"),
    "devanagari": dict(name="प्रिया शर्मा", city="नई दिल्ली", item="सूती कुर्ता",
                       notes="कृपया उपहार के रूप में पैक करें", font="NotoSansDevanagari"),
}


def scripted_slip(script: str, paper: str = "4x6") -> bytes:
    case = SCRIPTS[script]
    order = make_order(name=case["name"], city=case["city"], notes=case["notes"],
                       items=[samples.line_item(case["item"], "SKU-1", 2)])
    return render_slip(order, SlipOptions(paper=paper))


@pytest.mark.parametrize("script", list(SCRIPTS))
@pytest.mark.parametrize("paper", ["4x6", "a4"])
def test_every_script_reads_back_as_written(script: str, paper: str,
                                            caplog: pytest.LogCaptureFixture) -> None:
    case = SCRIPTS[script]
    with caplog.at_level(logging.WARNING):
        pdf = scripted_slip(script, paper)
    assert not [r for r in caplog.records if "no bundled font" in r.getMessage()]
    assert any(case["font"] in font for font in embedded_fonts(pdf))
    text = nfkc(pdf_text(pdf))
    assert "\ufffd" not in text and "[U+" not in text
    for field in ("name", "city", "item", "notes"):
        wanted = nfkc(case[field])
        if script == "devanagari":  # conjuncts read back in drawing order: the same letters
            assert not Counter(wanted.replace(" ", "")) - Counter(text), (wanted, text)
        else:
            assert wanted in text.replace("\n", " "), (field, wanted, text)


@pytest.mark.parametrize("script", ["arabic", "hebrew"])
def test_right_to_left_lines_are_in_visual_order(script: str) -> None:
    case = SCRIPTS[script]
    pdf = scripted_slip(script)
    for field in ("name", "notes", "item"):
        right_to_left(pdf, case[field].split())


def test_digits_latin_and_brackets_inside_hebrew_keep_their_places() -> None:
    pdf = render_slip(make_order(notes="משלוח מהיר (דחוף) 5 יחידות"))
    words = {w.text: w for w in drawn_words(pdf)}
    order = ["חולשמ", "ריהמ", "(ףוחד)", "5", "תודיחי"]  # as drawn, right to left
    assert all(w in words for w in order), sorted(words)
    xs = [words[w].x for w in order]
    assert xs == sorted(xs, reverse=True), list(zip(order, xs, strict=True))


def test_arabic_letters_join() -> None:
    """Joined Arabic uses the contextual forms (isolated letters would read back unchanged):
    the drawn text holds presentation forms, which NFKC folds back to the letters."""
    drawn = "".join(w.text for w in drawn_words(scripted_slip("arabic")))
    forms = [c for c in drawn if "\ufe70" <= c <= "\ufeff"]
    assert len(forms) >= 8, drawn


def test_thai_and_devanagari_are_shaped_not_code_points() -> None:
    for script in ("thai", "devanagari"):
        pdf = scripted_slip(script)
        assert "U+" not in pdf_text(pdf)
        image = raster(pdf)
        assert image.getextrema()[0] == 0  # black ink


def test_emoji_print_as_black_glyphs() -> None:
    pdf = render_slip(make_order(notes="Happy birthday 🎉🎁❤️ 👍🏽"))
    text = pdf_text(pdf)
    assert "🎉" in text and "🎁" in text and "❤" in text and "👍" in text
    assert "[U+" not in text and "\ufffd" not in text
    assert any("Symbola" in font for font in embedded_fonts(pdf))


def test_a_glyph_no_font_has_is_a_placeholder_and_one_warning_naming_the_script(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        pdf = render_slip(make_order(name="ሰላም ዓለም", notes="ሰላም ሰላም ሰላም ᠮᠣᠩᠭᠣᠯ"))
    text = pdf_text(pdf)
    assert "\ufffd" in text and "[U+" not in text
    warnings = [r.getMessage() for r in caplog.records if "no bundled font" in r.getMessage()]
    assert len(warnings) == 1, warnings
    assert "Ethiopic" in warnings[0] and "Mongolian" in warnings[0]
    assert "ሰ" not in warnings[0], "the customer's text stays out of the log"


def test_fonts_cost_what_they_draw() -> None:
    """Every byte goes to PrintNode: one letter outside Latin-1 embeds its glyph, not a font
    (was 21 KB: all of ASCII and DejaVu's name and hinting tables rode along)."""
    plain = len(render_slip(make_order(city="Lodz")))
    one_letter = len(render_slip(make_order(city="Łodz")))
    assert one_letter - plain < 3_000, one_letter - plain
    for script in SCRIPTS:
        assert len(scripted_slip(script)) < 12_000, script
