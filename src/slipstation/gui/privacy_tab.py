"""Privacy: export (JSON, CSV, one customer), redact a customer, delete orders, reset the
configuration, delete everything. The same service calls as the CLI; destructive actions need
two steps — tick that you understand, then type the confirmation word."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from slipstation.app import Station
from slipstation.gui.tab import Feedback, Tab
from slipstation.gui.tasks import Tasks


class ConfirmDialog(QDialog):
    """Step 1: read what will happen and tick "I understand". Step 2: type the word."""

    def __init__(self, parent: QWidget | None, title: str, consequence: str, word: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.word = word
        text = QLabel(consequence)
        text.setWordWrap(True)
        self.understand = QCheckBox("I understand this cannot be undone")
        self.typed = QLineEdit()
        self.typed.setPlaceholderText(word)
        self.typed.setEnabled(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                        QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(title)
        self.ok_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.understand)
        layout.addWidget(QLabel(f"Type <b>{word}</b> to confirm:"))
        layout.addWidget(self.typed)
        layout.addWidget(self.buttons)
        self.understand.toggled.connect(self._update)
        self.typed.textChanged.connect(self._update)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def _update(self) -> None:
        self.typed.setEnabled(self.understand.isChecked())
        self.ok_button.setEnabled(self.understand.isChecked() and self.typed.text() == self.word)

    @property
    def confirmed(self) -> bool:
        return self.understand.isChecked() and self.typed.text() == self.word


class PrivacyTab(Tab):
    def __init__(self, station: Station, tasks: Tasks, feedback: Feedback,
                 changed: Callable[[], None], on_deleted_all: Callable[[], None]) -> None:
        super().__init__(station, tasks, feedback, changed)
        self._on_deleted_all = on_deleted_all
        self.dialog: ConfirmDialog | None = None  # the open confirmation, if any

        self.export_json_button = QPushButton("Export everything (JSON)…")
        self.export_csv_button = QPushButton("Export orders (CSV)…")
        exports = QGroupBox("Export your data")
        exports_layout = QHBoxLayout(exports)
        exports_layout.addWidget(self.export_json_button)
        exports_layout.addWidget(self.export_csv_button)
        exports_layout.addStretch(1)

        self.email = QLineEdit()
        self.email.setPlaceholderText("customer@example.com")
        self.export_customer_button = QPushButton("Export this customer…")
        self.redact_button = QPushButton("Redact this customer…")
        customer = QGroupBox("One customer (access and erasure requests)")
        customer_form = QFormLayout(customer)
        customer_form.addRow("Email", self.email)
        customer_buttons = QHBoxLayout()
        customer_buttons.addWidget(self.export_customer_button)
        customer_buttons.addWidget(self.redact_button)
        customer_buttons.addStretch(1)
        customer_form.addRow("", customer_buttons)

        self.delete_orders_button = QPushButton("Delete all orders…")
        self.reset_config_button = QPushButton("Reset configuration…")
        self.delete_all_button = QPushButton("Delete all data…")
        danger = QGroupBox("Delete")
        danger_layout = QVBoxLayout(danger)
        for button, text in (
                (self.delete_orders_button, "Every order and its print history; keys and "
                 "settings stay."),
                (self.reset_config_button, "Both API keys and every setting; orders stay."),
                (self.delete_all_button, "The database, its key, both API keys and the logs. "
                 "SlipStation closes afterwards.")):
            row = QHBoxLayout()
            row.addWidget(button)
            row.addWidget(QLabel(text), 1)
            danger_layout.addLayout(row)

        self.result = QLabel()
        self.result.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Orders older than your retention tier are purged daily. "
                                "Every action here is recorded in the audit log."))
        for box in (exports, customer, danger):
            layout.addWidget(box)
        layout.addWidget(self.result)
        layout.addStretch(1)

        self.export_json_button.clicked.connect(lambda: self._ask_path("json"))
        self.export_csv_button.clicked.connect(lambda: self._ask_path("csv"))
        self.export_customer_button.clicked.connect(lambda: self._ask_path("customer"))
        self.redact_button.clicked.connect(self.redact)
        self.delete_orders_button.clicked.connect(self.delete_all_orders)
        self.reset_config_button.clicked.connect(self.reset_config)
        self.delete_all_button.clicked.connect(self.delete_all)

    def _report(self, text: str, ok: bool) -> None:
        self.result.setText(("✔ " if ok else "✘ ") + text)
        self._feedback(text, ok)

    # -- exports -------------------------------------------------------------------------------
    def _ask_path(self, what: str) -> None:
        suffix = "csv" if what == "csv" else "json"
        name, _ = QFileDialog.getSaveFileName(self, "Export", str(
            Path.home() / f"slipstation-{what}.{suffix}"), f"{suffix.upper()} (*.{suffix})")
        if name:
            self.export(what, Path(name))

    def export(self, what: str, path: Path) -> None:
        """what: json | csv | customer (the email field's customer)."""
        email = self.email.text().strip()
        if what == "customer" and not email:
            self._report("Type the customer's email first.", False)
            return

        def work() -> int:
            if what == "customer":
                return self.station.privacy.export_customer(email, path)
            return self.station.privacy.export(what, path)

        self.tasks.run(work, lambda count: self._report(
            f"Exported {count} order(s) to {path} (readable only by you).", True),
            lambda message: self._report(message, False), label="Exporting")

    # -- destructive ---------------------------------------------------------------------------
    def _confirm(self, title: str, consequence: str, word: str) -> bool:
        self.dialog = ConfirmDialog(self, title, consequence, word)
        try:
            return self.dialog.exec() == QDialog.DialogCode.Accepted and self.dialog.confirmed
        finally:
            self.dialog.deleteLater()
            self.dialog = None

    def _destructive(self, title: str, consequence: str, word: str, work: Callable[[], int],
                     done: str, label: str) -> None:
        """Confirm (tick + typed word), then run off the GUI thread; `done` takes {count}."""
        if not self._confirm(title, consequence, word):
            return
        def finished(count: object) -> None:
            self._report(done.format(count=count), True)
            self._changed()

        self.tasks.run(work, finished, lambda message: self._report(message, False),
                       label=label)

    def redact(self) -> None:
        email = self.email.text().strip()
        if not email:
            self._report("Type the customer's email first.", False)
            return
        self._destructive(
            "Redact customer", "Name, email, phone and address of this customer become "
            "[REDACTED] in every order (the order rows stay). A later sync does not bring them "
            "back.", "REDACT", lambda: self.station.privacy.redact(email),
            "Redacted the customer in {count} order(s).", "Redacting")

    def delete_all_orders(self) -> None:
        self._destructive(
            "Delete all orders", "Every order on this station and its print history are "
            "deleted. Keys and settings stay; Shippo keeps its copy, and a later sync does not "
            "bring them back.", "DELETE", self.station.privacy.delete_all_orders,
            "Deleted {count} order(s).", "Deleting orders")

    def reset_config(self) -> None:
        self._destructive(
            "Reset configuration", "Both API keys are removed from the keyring and every "
            "setting returns to its default. Orders stay. Printing stops until keys and a "
            "printer are set again.", "RESET", self.station.privacy.reset_config,
            "Keys removed and {count} setting(s) reset.", "Resetting")

    def delete_all(self) -> None:
        if not self._confirm("Delete all data", "The encrypted database, its key, both API "
                             "keys and the logs of this station are deleted. Nothing can be "
                             "recovered. SlipStation closes afterwards.", "DELETE"):
            return
        self._on_deleted_all()
