"""The bundled fonts reach Qt: customer names in every script the slips support show as
letters in the window (no `□□□`), even on a machine without such system fonts."""

from __future__ import annotations

from PySide6.QtGui import QFont, QTextLayout
from PySide6.QtWidgets import QApplication

from slipstation import __version__
from slipstation.gui.app import prepare_application
from slipstation.gui.main_window import MainWindow

NAMES = ("김민준", "山田 太郎", "王小明", "Анна Петрова", "Γιώργος Παπαδόπουλος", "Łukasz")


def glyphs(text: str, font: QFont) -> list[tuple[str, list[int]]]:
    """The font family and glyph ids Qt lays the text out with; glyph 0 is a missing-glyph box."""
    layout = QTextLayout(text, font)
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    return [(run.rawFont().familyName(), list(run.glyphIndexes())) for run in layout.glyphRuns()]


def test_names_in_every_script_render_as_glyphs_in_the_window(window: MainWindow) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    prepare_application(app)
    assert app.applicationVersion() == __version__
    assert window.version_label.text() == f"SlipStation {__version__}"
    fonts = {"table": window.orders.view.font(), "details": window.orders.details.font(),
             "scan box": window.scan.font()}
    for where, font in fonts.items():
        for name in NAMES:
            runs = glyphs(name, font)
            missing = [family for family, ids in runs if 0 in ids]
            assert runs and not missing, f"{name!r} shows boxes in the {where}: {runs}"
