"""The logo, loaded once per file version: flattened onto white, turned grey, then made pure
black and white at the printer's resolution for the size it is drawn (a threshold, not a
dither: a thermal head dithers grey into a speckled smear)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image
from reportlab.lib.utils import ImageReader

log = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def _load(path: str, _mtime: float) -> tuple[Image.Image, float] | None:
    try:
        with Image.open(path) as opened:
            opened.load()
            image: Image.Image = opened
            if image.mode in ("RGBA", "LA", "P"):
                image = image.convert("RGBA")
                background = Image.new("RGBA", image.size, (255, 255, 255, 255))
                image = Image.alpha_composite(background, image)
            grey = image.convert("L")
    except (OSError, ValueError) as exc:
        log.warning("logo could not be read (%s); slips print without it", type(exc).__name__)
        return None
    return grey, grey.width / max(grey.height, 1)


@dataclass(frozen=True)
class Logo:
    path: str
    mtime: float
    ratio: float  # width / height

    def for_print(self, width_pt: float, dpi: int) -> ImageReader:
        """The printer's dots: `width_pt` wide at `dpi`, each pixel black or white."""
        return _black(self.path, self.mtime, round(width_pt / 72 * dpi))


@lru_cache(maxsize=8)
def _black(path: str, mtime: float, pixels: int) -> ImageReader:
    loaded = _load(path, mtime)
    assert loaded is not None  # a Logo exists only for a file that loaded
    grey = loaded[0]
    height = max(1, round(pixels * grey.height / max(grey.width, 1)))
    sized = grey.resize((max(1, pixels), height), Image.Resampling.LANCZOS)
    return ImageReader(sized.point(lambda value: 255 if value >= 128 else 0).convert("1"))


def logo(path: str) -> Logo | None:
    """The logo, or None when there is no usable one."""
    if not path:
        return None
    file = Path(path)
    try:
        mtime = file.stat().st_mtime
    except OSError:
        log.warning("logo file is missing; slips print without it")
        return None
    loaded = _load(str(file), mtime)
    return Logo(str(file), mtime, loaded[1]) if loaded is not None else None
