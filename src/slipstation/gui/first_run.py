"""A new station's first run: keys → printer → paper → test print. It is a plain window beside
the main one (never modal), and every step can be changed later in Settings."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from slipstation.app import PAPERS, Secret, Station
from slipstation.gui.settings_tab import KeyRow, PrinterPicker
from slipstation.gui.tasks import Tasks


def _page(title: str, text: str, *widgets: QWidget) -> QWizardPage:
    page = QWizardPage()
    page.setTitle(title)
    layout = QVBoxLayout(page)
    intro = QLabel(text)
    intro.setWordWrap(True)
    layout.addWidget(intro)
    for widget in widgets:
        layout.addWidget(widget)
    layout.addStretch(1)
    return page


class FirstRunWizard(QWizard):
    def __init__(self, station: Station, tasks: Tasks, parent: QWidget | None = None,
                 on_finished: Callable[[], None] | None = None) -> None:
        super().__init__(parent)
        self.station = station
        self.tasks = tasks
        self.setWindowTitle("Set up this station")
        self.setModal(False)
        self.shippo_key = KeyRow(Secret.SHIPPO, station, tasks)
        self.printnode_key = KeyRow(Secret.PRINTNODE, station, tasks)
        stored = station.keys.status()
        self.shippo_key.show_stored(stored[0].masked)
        self.printnode_key.show_stored(stored[1].masked)
        self.resize(720, 440)
        keys = QWidget()
        keys_form = QFormLayout(keys)
        keys_form.addRow("Shippo API key", self.shippo_key)
        keys_form.addRow("PrintNode API key", self.printnode_key)
        self.paper = QComboBox()
        self.paper.addItems(list(PAPERS))
        self.paper.setCurrentText(str(station.config.get("paper")))
        self.printer = PrinterPicker(station, tasks, self.paper.currentText)
        self.printer.set_choices([], station.config.get("printer"))
        self.test_button = QPushButton("Print a test slip")
        self.test_button.clicked.connect(self.test_print)
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        self.addPage(_page(
            "API keys", "SlipStation reads paid orders from Shippo and prints through "
            "PrintNode. Paste each key and press Save key; Test connection checks it. Keys go "
            "to this computer's keyring, never to a file.", keys))
        self.addPage(_page(
            "Printer", "Press Load printers and choose the label printer for packing slips.",
            self.printer))
        self.addPage(_page(
            "Paper", "The slip size: 4x6 in for label printers, A4 or Letter for office "
            "printers.", self.paper))
        self.addPage(_page(
            "Test print", "Send a sample slip to check the printer and the paper. Orders "
            "from the last 24 hours print as soon as you finish.", self.test_button,
            self.test_result))
        self.currentIdChanged.connect(self._page_changed)
        # Nothing prints automatically while this window is open (a printer chosen on page 2
        # would otherwise start the backlog while the paper is still being chosen).
        tasks.run(station.printing.begin_setup)
        self._on_finished = on_finished
        self.finished.connect(self._setup_ended)

    def _setup_ended(self, result: int) -> None:
        """Finish, Cancel or closing: automatic printing may start again. After Finish the
        window's `on_finished` (its first sync) runs once that is stored, never before: a
        cycle that still saw setup on screen would print nothing."""
        then = self._on_finished if result == QDialog.DialogCode.Accepted.value else None
        self.tasks.run(self.station.printing.finish_setup,
                       None if then is None else lambda _stored: then())

    def validateCurrentPage(self) -> bool:
        """Next (or Enter) on the keys page keeps a key that was pasted but not saved."""
        for row in (self.shippo_key, self.printnode_key):
            if row.entry.text().strip():
                row.save_and_test()
        return True

    def _page_changed(self, page_id: int) -> None:
        """Leaving a page saves what it chose (off the GUI thread)."""
        printer = self.printer.chosen()
        paper = self.paper.currentText()
        if page_id == 2 and printer:
            self.tasks.run(lambda: self.station.config.set("printer", str(printer)),
                           label="Saving the printer")
        if page_id == 3:
            self.tasks.run(lambda: self.station.config.set("paper", paper),
                           label="Saving the paper size")

    def test_print(self) -> None:
        printer = self.printer.chosen()
        if not printer:
            self.test_result.setText("Go back and choose a printer first.")
            return
        paper = self.paper.currentText()
        self.test_result.setText("Sending…")
        self.tasks.run(lambda: self.station.printing.print_test_page(printer, paper),
                       lambda job: self.test_result.setText(
                           f"✔ Sent (PrintNode job {job}). Check the slip: size, barcode, "
                           "text."),
                       lambda message: self.test_result.setText(f"✘ {message}"),
                       label="Sending a test print")


def needs_first_run(station: Station) -> bool:
    """A station with no Shippo key has never been set up (the demo sets its own)."""
    return not station.demo and not station.keys.is_set(Secret.SHIPPO)
