"""The bundled fonts, registered with Qt before the station's window shows a name, so names in every
script the slips support (Cyrillic, Greek, Chinese, Japanese, Korean…) show as letters in the
tables, the detail pane and dialogs on a machine with no such system fonts — never as boxes."""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase

from slipstation.app import resources_dir

log = logging.getLogger(__name__)


def register_bundled_fonts() -> list[str]:
    """Add every bundled TrueType font to Qt and make them the fallbacks of the application's
    font; returns the families added. Needs a QGuiApplication."""
    families: list[str] = []
    for path in sorted((resources_dir() / "fonts").glob("*.ttf")):
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            log.warning("Qt could not load the bundled font %s", path.name)
            continue
        for family in QFontDatabase.applicationFontFamilies(font_id):
            if family not in families:
                families.append(family)
    # Fontconfig usually finds application fonts as fallbacks by itself; the substitution makes
    # it so on every platform, whatever the default family is called.
    default = QFont().family()
    QFont.insertSubstitutions(default, [f for f in families if f != default])
    return families
