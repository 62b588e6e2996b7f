"""Where the bundled resources (fonts, sample data, icons) are, from a checkout or a bundle."""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

RESOURCES_ENV = "SLIPSTATION_RESOURCES"


@cache
def resources_dir() -> Path:
    candidates = []
    if os.environ.get(RESOURCES_ENV):
        candidates.append(Path(os.environ[RESOURCES_ENV]))
    bundle = getattr(sys, "_MEIPASS", None)  # a PyInstaller bundle
    if bundle:
        candidates.append(Path(bundle) / "resources")
    candidates.append(Path(__file__).resolve().parents[2] / "resources")  # a source checkout
    for candidate in candidates:
        if (candidate / "fonts").is_dir():
            return candidate
    raise FileNotFoundError("SlipStation's resources folder (fonts) is missing from this install.")


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
