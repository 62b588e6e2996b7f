"""Reading slips back as a person or a scanner would: text, page sizes, barcodes from pixels."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

import pypdf
import zxingcpp
from PIL import Image


def pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    return [(round(float(p.mediabox.width), 2), round(float(p.mediabox.height), 2))
            for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def embedded_fonts(pdf: bytes) -> set[str]:
    names: set[str] = set()
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            names.add(str(font.get_object().get("/BaseFont")))
    return names


def quantity_sizes(pdf: bytes, texts: set[str]) -> dict[str, float]:
    """The largest font size each of these exact strings is drawn at on page 1."""
    found: dict[str, float] = {}

    def visit(text: str, _cm: object, tm: list[float], _font: object, size: float) -> None:
        if text.strip() in texts:
            drawn = round(size * abs(tm[0]), 2)
            found[text.strip()] = max(found.get(text.strip(), 0.0), drawn)

    pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return found


def raster(pdf: bytes, dpi: int = 203, page: int = 1) -> Image.Image:
    """The page as a 203-dpi greyscale image: what a thermal printer puts on paper."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", "-f", str(page), "-l",
                        str(page), str(source), str(Path(tmp) / "page")], check=True)
        image_path = next(Path(tmp).glob("page*.png"))
        with Image.open(image_path) as image:
            return image.convert("L")


def barcodes(pdf: bytes, page: int = 1) -> list[str]:
    return [b.text for b in zxingcpp.read_barcodes(raster(pdf, page=page))
            if b.format == zxingcpp.BarcodeFormat.Code128]


def colours(pdf: bytes) -> set[int]:
    """Grey levels used at full resolution (pure black text and bars give 0 and 255 mostly)."""
    image = raster(pdf, dpi=72)
    return set(image.getdata())
