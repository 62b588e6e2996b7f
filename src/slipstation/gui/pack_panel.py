"""Pack mode: the scan field drives a checklist. The first scan picks the order; each next scan
is an item (its SKU, or its barcode from the bins file), counted up to the line's quantity; a
wrong or extra item is refused with its own sound and not counted; when every line is full the
station prints what `pack_prints` says and records the order as packed, ready for the next."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from slipstation.app import PackCheck, PackReport, Station
from slipstation.gui.banners import ScanBanner, Tone
from slipstation.gui.tasks import Tasks

COLUMNS = ("", "Packed", "SKU", "Item")
DONE = QColor("#1b5e20")


class PackPanel(QWidget):
    """Shown while pack mode is on; `handle(code, done)` takes each scan in turn."""

    def __init__(self, station: Station, tasks: Tasks, banner: ScanBanner,
                 changed: Callable[[], None]) -> None:
        super().__init__()
        self.station = station
        self.tasks = tasks
        self.banner = banner
        self._changed = changed
        self.number: str | None = None  # the order being packed
        self.codes: list[str] = []      # item scans counted so far
        self.check: PackCheck | None = None
        self._held: str | None = None   # an order packed before, waiting for a second scan
        self._again = False             # the open order was packed before: pack it again

        self.title = QLabel("Pack mode: scan an order to start")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        self.model = QStandardItemModel(0, len(COLUMNS))
        self.model.setHorizontalHeaderLabels(list(COLUMNS))
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the scan field keeps the keys
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        big = QFont(self.table.font())
        big.setPointSizeF(big.pointSizeF() * 1.3)
        self.table.setFont(big)
        self.packer = QLineEdit()
        self.packer.setPlaceholderText("Packer (optional)")
        self.packer.setMaximumWidth(220)
        self.skip_button = QPushButton("Skip verification…")
        self.cancel_button = QPushButton("Put this order back")
        self.skip_button.clicked.connect(self.ask_skip)
        self.cancel_button.clicked.connect(self.reset)
        buttons = QHBoxLayout()
        buttons.addWidget(self.packer)
        buttons.addStretch(1)
        buttons.addWidget(self.skip_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._show(None)

    # -- scans ---------------------------------------------------------------------------------
    def handle(self, code: str, done: Callable[[], None]) -> None:
        """One scan: the order when none is open, else an item. `done` when it is handled."""
        if self.number is None:
            self._open(code, done)
        else:
            self._item(code, done)

    def _open(self, number: str, done: Callable[[], None]) -> None:
        again = self._held is not None and number.casefold() == self._held.casefold()
        self._held = None

        def opened(result: object) -> None:
            assert isinstance(result, tuple)
            order_number, check, packed_at = result
            if packed_at and not again:
                self._held = number
                self.banner.show_result(Tone.ASK, f"{order_number} was packed before at "
                                        f"{packed_at} — scan it again to pack it again")
            else:
                self.number, self.codes, self._again = number, [], bool(packed_at)
                self._show(check)
                self.banner.show_result(Tone.BUSY, f"Packing {order_number}: scan each item")
            done()

        def failed(message: str) -> None:
            self.banner.show_result(Tone.BAD, message)
            done()

        def work() -> tuple[str, PackCheck, str]:
            order, packed = self.station.packing.order(number)
            return (order.display_number, self.station.packing.check(number, []),
                    packed.at if packed else "")

        self.tasks.run(work, opened, failed, label=f"Opening {number}")

    def _item(self, code: str, done: Callable[[], None]) -> None:
        number, codes = self.number or "", [*self.codes, code]

        def counted(result: object) -> None:
            assert isinstance(result, PackCheck)
            if result.wrong:  # not in the order, or one too many: not counted
                self.banner.show_result(Tone.BAD, f"{code} is not in this order (or one too "
                                        "many) — put it back")
                done()
                return
            self.codes = codes
            self._show(result)
            if result.complete:
                self._finish(done)
                return
            left = sum(count for _line, count in result.missing)
            self.banner.show_result(Tone.OK, f"{code} ✓ — {left} more to scan")
            done()

        def failed(message: str) -> None:
            self.banner.show_result(Tone.BAD, message)
            done()

        self.tasks.run(lambda: self.station.packing.check(number, codes), counted, failed,
                       label=f"Checking {code}")

    def _finish(self, done: Callable[[], None]) -> None:
        number, codes, packer = self.number or "", list(self.codes), self.packer.text().strip()
        again = self._again
        self.banner.show_result(Tone.BUSY, f"{number} complete: printing…")
        self.tasks.run(lambda: self.station.packing.pack(number, codes, packer=packer,
                                                         again=again),
                       lambda report: self._packed(report, done),
                       lambda message: self._failed_pack(message, done),
                       label=f"Packing {number}")

    def ask_skip(self) -> None:
        """Pack without scanning: only with a reason."""
        if self.number is None:
            return
        reason, ok = QInputDialog.getText(self, "Skip verification",
                                          "Why is this order packed without scanning its "
                                          "items?")
        if not ok or not reason.strip():
            return
        number, packer, again = self.number, self.packer.text().strip(), self._again
        self.tasks.run(lambda: self.station.packing.skip(number, reason, packer=packer,
                                                         again=again),
                       lambda report: self._packed(report, lambda: None),
                       lambda message: self._failed_pack(message, lambda: None),
                       label=f"Packing {number}")

    def _packed(self, report: object, done: Callable[[], None]) -> None:
        assert isinstance(report, PackReport)
        printed = "; ".join(outcome.line() for outcome in report.prints)
        tone = Tone.OK if report.accepted else Tone.BAD
        self.banner.show_result(tone, f"{report.number} packed — {printed}" if printed
                                else f"{report.number} packed")
        self.reset()
        self._changed()
        done()

    def _failed_pack(self, message: str, done: Callable[[], None]) -> None:
        self.banner.show_result(Tone.BAD, message)
        done()

    def reset(self) -> None:
        self.number, self.codes, self.check, self._held = None, [], None, None
        self._show(None)

    # -- showing -------------------------------------------------------------------------------
    def _show(self, check: PackCheck | None) -> None:
        self.check = check
        self.model.removeRows(0, self.model.rowCount())
        if check is None:
            self.title.setText("Pack mode: scan an order to start")
            self.skip_button.setEnabled(False)
            self.cancel_button.setEnabled(False)
            return
        self.title.setText(f"Packing {self.number}: scan each item")
        self.skip_button.setEnabled(True)
        self.cancel_button.setEnabled(True)
        for line in check.lines:
            cells = [QStandardItem("✔" if line.done else ""),
                     QStandardItem(f"{line.scanned} / {line.wanted}"),
                     QStandardItem(line.sku or "—"), QStandardItem(line.title)]
            for cell in cells:
                cell.setEditable(False)
                if line.done:
                    cell.setForeground(QBrush(DONE))
            self.model.appendRow(cells)
        self.table.resizeColumnsToContents()
