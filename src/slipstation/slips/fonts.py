"""Font choice per run of text, shaping and direction, so every script prints as its readers
write it and embedding costs only what it must.

Text that the PDF's built-in Helvetica can show (WinAnsi) uses it: nothing is embedded. Other
characters fall through Noto Sans Arabic, Hebrew, Thai and Devanagari, DejaVu Sans (accents
beyond WinAnsi, Cyrillic, Greek), Droid Sans Fallback (Chinese, Japanese), Nanum Gothic (Korean)
and Symbola (emoji, as black glyphs), each embedded as a subset only when a slip uses it.

Scripts whose letters change shape or order (Arabic, Hebrew, Thai, Devanagari) are shaped by
HarfBuzz (`uharfbuzz`, through ReportLab); a line holding right-to-left text is put in visual
order by the Unicode bidirectional algorithm (`python-bidi`), per run, after line breaking. A
character no bundled font has prints as a visible placeholder and is reported once per slip,
naming its script (`MissingGlyphs`).

Fonts are registered once per process, lazily.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bidi import algorithm as bidi
from bidi.mirror import MIRRORED
from reportlab.lib.abag import ABag
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import ShapedStr, TTFont, shapeFragWord
from reportlab.pdfgen.canvas import Canvas

from slipstation.resources import resource

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Face:
    key: str
    regular: str   # ReportLab font name
    bold: str
    files: tuple[str, ...] = ()  # (regular file, bold file) for TrueType faces
    shaped: bool = False  # letters join, reorder or stack: HarfBuzz places the glyphs


_BUILTIN = _Face("builtin", "Helvetica", "Helvetica-Bold")
_FALLBACKS = (
    _Face("arabic", "SlipArabic", "SlipArabic-Bold",
          ("NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf"), shaped=True),
    _Face("hebrew", "SlipHebrew", "SlipHebrew-Bold",
          ("NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf"), shaped=True),
    _Face("thai", "SlipThai", "SlipThai-Bold",
          ("NotoSansThai-Regular.ttf", "NotoSansThai-Bold.ttf"), shaped=True),
    _Face("devanagari", "SlipDevanagari", "SlipDevanagari-Bold",
          ("NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf"), shaped=True),
    _Face("dejavu", "SlipDejaVu", "SlipDejaVu-Bold", ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")),
    _Face("droid", "SlipDroid", "SlipDroid", ("DroidSansFallbackFull.ttf",)),
    _Face("nanum", "SlipNanum", "SlipNanum", ("NanumGothic.ttf",)),
    _Face("emoji", "SlipEmoji", "SlipEmoji", ("SymbolaEmoji.ttf",)),
)
# Faces with no bold of their own (Chinese, Japanese, Korean, emoji): bold is drawn by also
# stroking each glyph's outline, as word processors do.
_FAUX_BOLD = frozenset(face.regular for face in _FALLBACKS if face.regular == face.bold)
_SHAPED_FONTS = frozenset(name for face in _FALLBACKS if face.shaped
                          for name in (face.regular, face.bold))
PLACEHOLDER = "\ufffd"  # drawn by DejaVu as a black diamond with a question mark
# Presentation selectors and joiners of emoji sequences: nothing to draw on a slip.
_INVISIBLE = dict.fromkeys((0xFE0E, 0xFE0F, 0x200D, *range(0x1F3FB, 0x1F400)))
_FEATURES = {"kern": True, "liga": True}  # no discretionary ligatures: print what was typed
_lock = threading.Lock()
_TOKENS = re.compile(r"\s+|\S+")
_BLANKS = str.maketrans("\t\r\n", "   ")
_cmaps: dict[str, frozenset[int]] = {}


def _register(face: _Face) -> frozenset[int]:
    """Load a TrueType face once; returns the code points it covers."""
    with _lock:
        if face.key not in _cmaps:
            bold_file = face.files[1] if len(face.files) > 1 else face.files[0]
            for name, filename in ((face.regular, face.files[0]), (face.bold, bold_file)):
                if name not in pdfmetrics.getRegisteredFontNames():
                    # Only the glyphs a slip draws: not all of ASCII in every subset as well.
                    pdfmetrics.registerFont(TTFont(name, str(resource("fonts", filename)),
                                                   asciiReadable=False))
            _cmaps[face.key] = frozenset(pdfmetrics.getFont(face.regular).face.charToGlyph)
        return _cmaps[face.key]


def _winansi(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return char.isprintable() or char == " "


@lru_cache(maxsize=8192)
def face_for(char: str) -> _Face | None:
    if _winansi(char):
        return _BUILTIN
    code = ord(char)
    for face in _FALLBACKS:
        if code in _register(face):
            return face
    return None


_missing = threading.local()  # characters no font had, per render on this thread


def _visible(char: str) -> str:
    """A character no bundled font has: a placeholder a person sees, noted for the render's
    one warning (`MissingGlyphs`)."""
    found = getattr(_missing, "chars", None)
    if found is not None:
        found.add(char)
    return PLACEHOLDER


def script_of(char: str) -> str:
    """A character's script, as well as Python knows it: the first word of its Unicode name
    ("ETHIOPIC SYLLABLE HA" → "Ethiopic")."""
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0].title() if name else f"U+{ord(char):04X}"


class MissingGlyphs:
    """Collects what no font could draw while a slip renders on this thread:
    `with MissingGlyphs() as missing: ...; missing.scripts`."""

    def __enter__(self) -> MissingGlyphs:
        self._outer = getattr(_missing, "chars", None)
        _missing.chars = set()
        self.chars: set[str] = set()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.chars = set(_missing.chars)
        _missing.chars = self._outer
        if self._outer is not None:
            self._outer.update(self.chars)

    @property
    def scripts(self) -> list[str]:
        return sorted({script_of(char) for char in self.chars})


@lru_cache(maxsize=16384)
def _word_face(word: str) -> _Face | None:
    """One face for a whole word when one covers it: a word never mixes type designs."""
    if all(_winansi(char) for char in word):
        return _BUILTIN
    for face in _FALLBACKS:
        cmap = _register(face)
        if all(ord(char) in cmap for char in word):
            return face
    return None


def runs(text: str, bold: bool = False) -> list[tuple[str, str]]:
    """Split text into (font name, substring) runs, each fully covered by its font."""
    result: list[tuple[str, str]] = []

    def add(font: str, part: str) -> None:
        if result and result[-1][0] == font:
            result[-1] = (font, result[-1][1] + part)
        else:
            result.append((font, part))

    text = unicodedata.normalize("NFC", text).translate(_BLANKS).translate(_INVISIBLE)
    for token in _TOKENS.findall(text):
        if token.isspace():  # every face has a space: stay in the current run
            add(result[-1][0] if result else _BUILTIN.regular, token)
            continue
        face = _word_face(token)
        if face is not None:
            add(face.bold if bold else face.regular, token)
            continue
        for char in token:  # a word no single face covers: choose per character
            char_face = face_for(char)
            if char_face is None:
                shown = _visible(char)
                placeholder_face = face_for(shown) or _BUILTIN
                add(placeholder_face.bold if bold else placeholder_face.regular, shown)
            else:
                add(char_face.bold if bold else char_face.regular, char)
    return result


def _plain(text: str) -> bool:
    return text.isascii() and text.isprintable()


# What each glyph without a character of its own draws (a Devanagari conjunct, an Arabic
# ligature): ReportLab gives such glyphs private-use codes; the PDF's ToUnicode map names the
# text instead, so a slip's text reads back (copy, search, tests) as it was written.
_GLYPH_TEXT: dict[tuple[str, int], str] = {}
_PRIVATE = range(0xE000, 0xF900)


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """ReportLab's ToUnicode CMap, with what it gets wrong put right: characters beyond the
    BMP (emoji) as UTF-16 pairs, not five hex digits; private-use glyphs as their text."""
    face = fontname.split("+", 1)[-1]

    def target(code: int) -> str:
        return (_GLYPH_TEXT.get((face, code)) or chr(code)).encode("utf-16-be").hex().upper()

    return "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        "/CIDSystemInfo", f"<< /Registry ({fontname})", f"/Ordering ({fontname})",
        "/Supplement 0", ">> def", f"/CMapName /{fontname} def", "/CMapType 2 def",
        "1 begincodespacerange", f"<00> <{len(subset) - 1:02X}>", "endcodespacerange",
        f"{len(subset)} beginbfchar",
        *(f"<{index:02X}> <{target(code)}>" for index, code in enumerate(subset)),
        "endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end",
    ])


ttfonts.makeToUnicodeCMap = _to_unicode_cmap


@lru_cache(maxsize=8192)
def _shape(part: str, font: str, size: float) -> tuple[str, float]:
    """HarfBuzz's glyphs for a run in one shaped font (in visual order: a right-to-left run
    comes back right to left) and their width."""
    word = shapeFragWord([pdfmetrics.stringWidth(part, font, size),
                          (ABag(fontName=font, fontSize=size), part)],
                         features=_FEATURES, force=True)
    shaped = word[1][1]
    if not isinstance(shaped, ShapedStr):
        return shaped, float(pdfmetrics.stringWidth(shaped, font, size))
    data = shaped.__shapeData__
    _name_private_glyphs(part, font, shaped, data)
    return shaped, sum(glyph.x_advance for glyph in data) * size / 1000


def _name_private_glyphs(part: str, font: str, shaped: str, data: list[Any]) -> None:
    """Note the text of each private-use glyph: its cluster's characters less those that
    other glyphs of the cluster already show (a vowel sign drawn apart keeps its own)."""
    starts = sorted({glyph.cluster for glyph in data if 0 <= glyph.cluster < len(part)})
    clusters: dict[int, list[str]] = {}
    for char, glyph in zip(shaped, data, strict=False):
        clusters.setdefault(glyph.cluster, []).append(char)
    face = pdfmetrics.getFont(font).face.name.decode("latin-1")
    for cluster, chars in clusters.items():
        private = [char for char in chars if ord(char) in _PRIVATE]
        if not private or cluster not in starts:
            continue
        after = starts.index(cluster) + 1
        rest = list(part[cluster:starts[after] if after < len(starts) else len(part)])
        for char in chars:
            if char not in private and char in rest:
                rest.remove(char)
        for index, char in enumerate(private):
            text = "".join(rest) if index == 0 else "\u200b"
            _GLYPH_TEXT.setdefault((face, ord(char)), text or "\u200b")


_STRONG_RTL = frozenset(("R", "AL"))


def _has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(char) in _STRONG_RTL for char in text)


def _levels(text: str) -> list[int]:
    """Each character's embedding level by the Unicode bidirectional algorithm (odd: right to
    left), the paragraph's direction taken from its first strong character."""
    storage = bidi.get_empty_storage()
    storage["base_level"] = bidi.get_base_level(text)
    storage["base_dir"] = ("L", "R")[storage["base_level"]]
    bidi.get_embedding_levels(text, storage)
    bidi.explicit_embed_and_overrides(storage)
    bidi.resolve_weak_types(storage)
    bidi.resolve_neutral_types(storage, False)
    bidi.resolve_implicit_levels(storage, False)
    return [int(char["level"]) for char in storage["chars"]]


def _visual(pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(font, text) runs in logical order → runs in the order they are drawn, left to right.
    A right-to-left run in a shaped font is shaped right to left by HarfBuzz; any other
    right-to-left run (spaces, punctuation) is reversed here, brackets mirrored."""
    logical = "".join(part for _, part in pieces)
    levels = _levels(logical)
    if len(levels) != len(logical):  # a character the algorithm split: keep logical order
        return pieces
    segments: list[tuple[str, str, int]] = []
    index = 0
    for font, part in pieces:
        for char in part:
            level = levels[index]
            index += 1
            if segments and segments[-1][0] == font and segments[-1][2] == level:
                segments[-1] = (font, segments[-1][1] + char, level)
            else:
                segments.append((font, char, level))
    odd = [level for *_, level in segments if level % 2]
    for level in range(max(level for *_, level in segments), min(odd, default=1) - 1, -1):
        start = 0
        while start < len(segments):  # reverse each stretch at this level or deeper (UBA L2)
            if segments[start][2] < level:
                start += 1
                continue
            end = start
            while end < len(segments) and segments[end][2] >= level:
                end += 1
            segments[start:end] = segments[start:end][::-1]
            start = end
    result = []
    for font, part, level in segments:
        if level % 2 and not (font in _SHAPED_FONTS and _has_rtl(part)):
            part = "".join(MIRRORED.get(char, char) for char in reversed(part))
        result.append((font, part))
    return result


def pieces(text: str, size: float, bold: bool = False) -> list[tuple[str, str, float]]:
    """What to draw, left to right: (font, text or shaped glyphs, width)."""
    logical = runs(text, bold)
    ordered = _visual(logical) if _has_rtl(text) else logical
    drawn = []
    for font, part in ordered:
        if font in _SHAPED_FONTS:
            shaped, part_width = _shape(part, font, size)
            drawn.append((font, shaped, part_width))
        else:
            drawn.append((font, part, float(pdfmetrics.stringWidth(part, font, size))))
    return drawn


def width(text: str, size: float, bold: bool = False) -> float:
    if _plain(text):
        return float(pdfmetrics.stringWidth(text, "Helvetica-Bold" if bold else "Helvetica",
                                            size))
    return sum(part_width for *_, part_width in pieces(text, size, bold))


def draw(canvas: Canvas, x: float, y: float, text: str, size: float, bold: bool = False,
         align: str = "left") -> None:
    """Draw one line of text (no markup is interpreted: '<b>' prints as '<b>')."""
    if _plain(text):
        if align != "left":
            shift = width(text, size, bold)
            x -= shift if align == "right" else shift / 2
        canvas.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        canvas.drawString(x, y, text)
        return
    drawn = pieces(text, size, bold)
    if align != "left":
        shift = sum(part_width for *_, part_width in drawn)
        x -= shift if align == "right" else shift / 2
    for font, part, part_width in drawn:
        canvas.setFont(font, size)
        if bold and font in _FAUX_BOLD:
            canvas.saveState()
            canvas.setLineWidth(size * 0.045)
            canvas.drawString(x, y, part, mode=2)  # fill and stroke
            canvas.restoreState()
        else:
            canvas.drawString(x, y, part)
        x += part_width


def wrap(text: str, size: float, max_width: float, bold: bool = False) -> list[str]:
    """Break text into lines no wider than max_width: at spaces, or anywhere in a long word
    (CJK has no spaces). Newlines in the text start new lines."""
    if "\n" not in text and width(text, size, bold) <= max_width:
        return [text.strip()] if text.strip() else []  # the common case: it fits
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").split("\n"):
        words = paragraph.split()
        if not words:
            if paragraph.strip() == "" and lines:
                lines.append("")
            continue
        line = ""
        for word in words:
            candidate = f"{line} {word}" if line else word
            if width(candidate, size, bold) <= max_width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = ""
            while width(word, size, bold) > max_width:
                cut = _fit(word, size, max_width, bold)
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        if line:
            lines.append(line)
    while lines and lines[-1] == "":
        lines.pop()
    return lines


def fit(text: str, size: float, max_width: float, bold: bool = False,
        min_size: float = 6.0) -> tuple[str, float]:
    """A single line that must not wrap (an order number, a quantity, a price): smaller type
    until it fits, and past the smallest readable size, cut short with an ellipsis."""
    text = " ".join(text.split())
    natural = width(text, size, bold)
    if natural <= max_width:
        return text, size
    if max_width <= 0:
        return "", size  # no room at all
    smaller = max(min_size, size * max_width / natural)
    if width(text, smaller, bold) <= max_width:
        return text, smaller
    keep = _fit(text, smaller, max(0.0, max_width - width("…", smaller, bold)), bold)
    # Shaped and right-to-left text is not additive (the ellipsis may join a run): check whole.
    while keep > 1 and width(text[:keep].rstrip() + "…", smaller, bold) > max_width:
        keep -= 1
    return text[:keep].rstrip() + "…", smaller


def _fit(word: str, size: float, max_width: float, bold: bool) -> int:
    """How many leading characters of `word` fit (at least one, so wrapping always advances)."""
    low, high = 1, len(word)
    while low < high:
        middle = (low + high + 1) // 2
        if width(word[:middle], size, bold) <= max_width:
            low = middle
        else:
            high = middle - 1
    return low


def embedded_faces(text: str) -> set[str]:
    """Which TrueType faces a text needs (for tests and diagnostics)."""
    return {face.key for char in text if (face := face_for(char)) and face is not _BUILTIN}


def load_all() -> list[str]:
    """Register every bundled face now (for `doctor`): their names, or an OSError/TTFError."""
    for face in _FALLBACKS:
        _register(face)
    return [face.files[0] for face in _FALLBACKS]
