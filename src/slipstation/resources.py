"""The bundled resources (fonts, sample orders, icons): package data of `slipstation._resources`.

The repository keeps them in `resources/` at its top; the build maps that folder into the package
(setup.py), so `importlib.resources` finds them from a wheel, an sdist, an editable install and a
PyInstaller bundle alike. A missing file is `InstallDamaged`: one line naming the file and how to
reinstall, never a bare FileNotFoundError.
"""

from __future__ import annotations

import os
from functools import cache
from importlib import resources as _importlib_resources
from pathlib import Path

from slipstation.errors import InstallDamaged

RESOURCES_ENV = "SLIPSTATION_RESOURCES"  # points at another resources folder (development)
PACKAGE = "slipstation._resources"
REINSTALL = ("reinstall SlipStation (`pipx reinstall slipstation`, or "
             "`pip install --force-reinstall slipstation`)")


@cache
def resources_dir() -> Path:
    override = os.environ.get(RESOURCES_ENV)
    if override:
        return Path(override)
    try:
        root = _importlib_resources.files(PACKAGE)
    except ModuleNotFoundError:
        raise InstallDamaged(f"SlipStation's resources ({PACKAGE}) are missing from this install",
                             fix=REINSTALL) from None
    # Installed as plain files in every supported form (wheel, editable, one-folder bundle):
    # fonts are opened by path, so a zipped install is refused clearly rather than half working.
    path = Path(str(root))
    if not path.is_dir():
        raise InstallDamaged(f"SlipStation's resources are not a folder on disk ({path})",
                             fix=REINSTALL)
    return path


def resource(*parts: str) -> Path:
    """The path of one bundled file; `InstallDamaged` if this install lacks it."""
    path = resources_dir().joinpath(*parts)
    if not path.is_file():
        raise InstallDamaged(f"SlipStation's file resources/{'/'.join(parts)} is missing from "
                             "this install", fix=REINSTALL)
    return path
