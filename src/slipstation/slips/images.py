"""The logo, loaded once per file version: flattened onto white and turned grey, so a colour
or transparent logo prints cleanly on a black-only thermal printer."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from PIL import Image
from reportlab.lib.utils import ImageReader

log = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def _load(path: str, _mtime: float) -> tuple[ImageReader, float] | None:
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
    return ImageReader(grey), grey.width / max(grey.height, 1)


def logo(path: str) -> tuple[ImageReader, float] | None:
    """(image, width/height) or None when there is no usable logo."""
    if not path:
        return None
    file = Path(path)
    try:
        mtime = file.stat().st_mtime
    except OSError:
        log.warning("logo file is missing; slips print without it")
        return None
    return _load(str(file), mtime)
