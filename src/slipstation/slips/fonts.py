"""Font choice per run of text, so every script prints and embedding costs only what it must.

Text that the PDF's built-in Helvetica can show (WinAnsi) uses it: nothing is embedded. Other
characters fall through DejaVu Sans (accents beyond WinAnsi, Cyrillic, Greek), Droid Sans
Fallback (Chinese, Japanese) and Nanum Gothic (Korean), each embedded as a subset only when a
slip uses it. A character no bundled font has is printed as its code point (`[U+1F600]`) and
logged — never silently as a box or a '?'.

Fonts are registered once per process, lazily.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from slipstation.resources import resource

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Face:
    key: str
    regular: str   # ReportLab font name
    bold: str
    files: tuple[str, ...] = ()  # (regular file, bold file) for TrueType faces


_BUILTIN = _Face("builtin", "Helvetica", "Helvetica-Bold")
_FALLBACKS = (
    _Face("dejavu", "SlipDejaVu", "SlipDejaVu-Bold", ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")),
    _Face("droid", "SlipDroid", "SlipDroid", ("DroidSansFallbackFull.ttf",)),
    _Face("nanum", "SlipNanum", "SlipNanum", ("NanumGothic.ttf",)),
)
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
                    pdfmetrics.registerFont(TTFont(name, str(resource("fonts", filename))))
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


_reported: set[int] = set()


def _visible(char: str) -> str:
    if ord(char) not in _reported:  # once per character: a hostile string must not flood
        _reported.add(ord(char))
        log.warning("no bundled font has U+%04X; printed as its code point", ord(char))
    return f"[U+{ord(char):04X}]"


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

    text = unicodedata.normalize("NFC", text).translate(_BLANKS)
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
                add(_BUILTIN.bold if bold else _BUILTIN.regular, _visible(char))
            else:
                add(char_face.bold if bold else char_face.regular, char)
    return result


def width(text: str, size: float, bold: bool = False) -> float:
    if text.isascii() and text.isprintable():
        return float(pdfmetrics.stringWidth(text, "Helvetica-Bold" if bold else "Helvetica",
                                            size))
    return sum(float(pdfmetrics.stringWidth(part, font, size)) for font, part in runs(text, bold))


def draw(canvas: Canvas, x: float, y: float, text: str, size: float, bold: bool = False,
         align: str = "left") -> None:
    """Draw one line of text (no markup is interpreted: '<b>' prints as '<b>')."""
    if align != "left":
        shift = width(text, size, bold)
        x -= shift if align == "right" else shift / 2
    if text.isascii() and text.isprintable():
        canvas.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        canvas.drawString(x, y, text)
        return
    for font, part in runs(text, bold):
        canvas.setFont(font, size)
        canvas.drawString(x, y, part)
        x += pdfmetrics.stringWidth(part, font, size)


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
    smaller = max(min_size, size * max_width / natural)
    if width(text, smaller, bold) <= max_width:
        return text, smaller
    keep = _fit(text, smaller, max(0.0, max_width - width("…", smaller, bold)), bold)
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
