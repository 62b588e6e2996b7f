"""The two banners a packer reads from across the bench: the scan result (large, full width,
coloured by what happened, kept until the next scan) and the pause banner (impossible to miss
while auto-print is paused)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class Tone(StrEnum):
    OK = "ok"          # printed
    ASK = "ask"        # held: scan again to go ahead, or printed but the printer is off
    BAD = "bad"        # not printed: unknown order, refused, an error
    BUSY = "busy"      # working on it

COLOURS = {Tone.OK: ("#1b5e20", "#e8f5e9"), Tone.ASK: ("#7a4f01", "#fff3cd"),
           Tone.BAD: ("#b71c1c", "#ffebee"), Tone.BUSY: ("#0d47a1", "#e3f2fd")}


class ScanBanner(QLabel):
    """One line, large, full width; the colour says at a glance what happened."""

    def __init__(self, sound: Callable[[Tone], None] | None = None) -> None:
        super().__init__("Ready: scan an order")
        self._sound = sound
        self.tone = Tone.BUSY
        self.setWordWrap(True)
        # (left, vertically centred: QLabel's own alignment; Qt's namespace costs the frame 25 ms)
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
        if self._sound is not None:
            self._sound(tone)  # the packer may not be looking at the screen


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


_BARS_TIP = "Slips printed in each hour today"


class HourBars(QWidget):
    """Slips per hour today, 0:00 to 23:00, as small bars; the current hour is darker."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: tuple[int, ...] = (0,) * 24
        self._counted = False  # no counts yet (the frame, before the station loads)
        self.setFixedSize(24 * 6 + 2, 28)
        self.setToolTip(_BARS_TIP)

    def show_counts(self, counts: tuple[int, ...]) -> None:
        counts = counts or (0,) * 24
        if self._counted and counts == self.counts:
            return
        self._counted = True
        self.counts = counts
        hours = ", ".join(f"{hour}:00 {count}" for hour, count in enumerate(counts) if count)
        self.setToolTip(f"Slips printed each hour today: {hours}" if hours else _BARS_TIP)
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        if not self._counted:
            # The frame paints nothing here: PySide6 builds Qt's enums (25 ms) the first time
            # `fillRect` picks its overload, and the window shows before any count is known.
            return
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#eceff1"))
        peak = max(self.counts, default=0) or 1
        now = datetime.now().hour
        for hour, count in enumerate(self.counts):
            height = round((self.height() - 4) * count / peak)
            colour = "#1b5e20" if hour == now else "#66bb6a"
            painter.fillRect(1 + hour * 6, self.height() - 2 - height, 5, height, QColor(colour))
        painter.end()


class TodayStrip(QWidget):
    """What a packer reads at a glance: printed today (and per hour), the queue, failures and
    the printer's state."""

    def __init__(self) -> None:
        super().__init__()
        self.printed = QLabel()
        self.packed = QLabel()
        self.bars = HourBars()
        self.queue = QLabel()
        self.failures = QLabel()
        self.printer = QLabel()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.printed, self.bars, self.packed, self.queue, self.failures):
            layout.addWidget(widget)
        layout.addWidget(self.printer, 1)

    def show_today(self, printed: int, per_hour: tuple[int, ...], queued: int, failures: int,
                   printer_problem: str | None, packed: int = 0) -> None:
        self.printed.setText(f"<b>{printed}</b> printed today")
        self.packed.setText(f"· <b>{packed}</b> packed here" if packed else "")
        self.packed.setVisible(bool(packed))
        self.bars.show_counts(per_hour)
        self.queue.setText(f"· <b>{queued}</b> waiting")
        self.failures.setText(f"· <b style='color:#b71c1c'>{failures}</b> need attention"
                              if failures else "· no failures")
        self.printer.setText(f"· <b style='color:#b71c1c'>{printer_problem}</b>"
                             if printer_problem else "· printer ready")
