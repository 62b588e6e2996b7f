"""The two banners a packer reads from across the bench: the scan result (large, full width,
coloured by what happened, kept until the next scan) and the pause banner (impossible to miss
while auto-print is paused)."""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QPushButton


class Tone(StrEnum):
    OK = "ok"          # printed
    ASK = "ask"        # held: scan again to go ahead, or printed but the printer is off
    BAD = "bad"        # not printed: unknown order, refused, an error
    BUSY = "busy"      # working on it

COLOURS = {Tone.OK: ("#1b5e20", "#e8f5e9"), Tone.ASK: ("#7a4f01", "#fff3cd"),
           Tone.BAD: ("#b71c1c", "#ffebee"), Tone.BUSY: ("#0d47a1", "#e3f2fd")}


class ScanBanner(QLabel):
    """One line, large, full width; the colour says at a glance what happened."""

    def __init__(self) -> None:
        super().__init__("Ready: scan an order")
        self.tone = Tone.BUSY
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.setFont(font)
        self.show_result(Tone.BUSY, "Ready: scan an order")

    def show_result(self, tone: Tone, text: str) -> None:
        self.tone = tone
        fg, bg = COLOURS[tone]
        self.setStyleSheet(f"QLabel {{ color: {fg}; background: {bg}; padding: 8px 12px; "
                           f"border: 2px solid {fg}; border-radius: 4px; }}")
        self.setText(text)
        if tone in (Tone.BAD, Tone.ASK):
            QApplication.beep()  # the packer may not be looking at the screen


class PauseBanner(QFrame):
    """Shown only while auto-print is paused, with the way out beside it."""

    resume = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setStyleSheet("QFrame { background: #ffd54f; border: 2px solid #7a4f01; "
                           "border-radius: 4px; } QLabel { color: #3e2723; border: none; }")
        text = QLabel("AUTO-PRINT IS PAUSED — new orders queue but do not print. "
                      "Scans and manual prints still print.")
        font = text.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        text.setFont(font)
        text.setWordWrap(True)
        button = QPushButton("Resume auto-print")
        button.clicked.connect(self.resume.emit)
        layout = QHBoxLayout(self)
        layout.addWidget(text, 1)
        layout.addWidget(button)
        self.hide()
