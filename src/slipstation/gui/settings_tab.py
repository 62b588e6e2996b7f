"""Settings: API keys (masked, with "Test connection"), printer and paper, what prints and
when, routing rules, the slip template with a live preview, retention tier and station.

The form edits the same validated settings `slipstation config set` does; Save checks every
changed field first and writes nothing if one is wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from slipstation.app import (
    SETTINGS,
    Check,
    CheckLevel,
    KeyStatus,
    Printer,
    Secret,
    Setting,
    SlipStationError,
    Station,
)
from slipstation.gui.setting_fields import (
    ChoiceField,
    ChoicesField,
    Field,
    NumberField,
    RulesField,
    SwitchField,
    TextField,
    make_field,
)
from slipstation.gui.slip_preview import SlipPreview
from slipstation.gui.tab import Feedback, Tab
from slipstation.gui.tasks import Tasks, window_fix

PREVIEW_KEYS = ("paper", "show_prices", "logo", "ship_from", "slip_language", "slip_contact",
                "slip_descriptions", "slip_weights", "slip_tick_boxes", "slip_footer")


class WheelGuard(QObject):
    """A wheel turned over a list or a number box that was not clicked first changes nothing
    (the retention tier went from 7 to 365 days that way, unnoticed, and was saved)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Wheel and isinstance(watched, QWidget) \
                and not watched.hasFocus():
            event.ignore()
            return True
        return super().eventFilter(watched, event)


class KeyRow(QWidget):
    """One API key: a masked entry, what is stored (masked), Save and Test connection."""

    def __init__(self, which: Secret, station: Station, tasks: Tasks) -> None:
        super().__init__()
        self.which = which
        self.station = station
        self.tasks = tasks
        self.entry = QLineEdit()
        self.entry.setEchoMode(QLineEdit.EchoMode.Password)
        self.entry.setPlaceholderText("paste a new key to replace the stored one")
        self.save_button = QPushButton("Save key")
        self.test_button = QPushButton("Test connection")
        self.result = QLabel()
        self.result.setWordWrap(True)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.entry, 1)
        row.addWidget(self.save_button)
        row.addWidget(self.test_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.result)
        self.save_button.clicked.connect(self.save)
        self.test_button.clicked.connect(self.test)
        self.entry.returnPressed.connect(self.save_and_test)

    def show_stored(self, masked: str) -> None:
        self.entry.setPlaceholderText(f"stored: {masked} — paste a new key to replace it"
                                      if masked != "(not set)" else "paste the API key")

    def save(self) -> None:
        self._save(then_test=False)

    def save_and_test(self) -> None:
        """Enter in the key field: keep the key, then check it with the service."""
        self._save(then_test=True)

    def _save(self, *, then_test: bool) -> None:
        text = self.entry.text()
        if not text.strip():
            return
        self.entry.clear()  # the key leaves the widget at once; the keyring has it

        def done(masked: object) -> None:
            self.result.setText(f"Saved in the keyring: {masked}")
            self.show_stored(str(masked))
            if then_test:
                self.test()

        self.tasks.run(lambda: self.station.keys.set(self.which, text), done,
                       self.result.setText, label=f"Saving the {self.which.value} key")

    def test(self) -> None:
        """Test the typed key if there is one, else the stored one; never on the GUI thread."""
        typed = self.entry.text().strip()

        def work() -> Check:
            return self.station.keys.test(self.which, typed)

        def done(result: object) -> None:
            assert isinstance(result, Check)
            mark = "✔" if result.level is CheckLevel.OK else "✘"
            fix = window_fix(result.fix, result.remedy)
            self.result.setText(f"{mark} {result.detail}" + (f" — {fix}" if fix else ""))

        self.result.setText("Testing…")
        self.tasks.run(work, done, self.result.setText,
                       label=f"Testing the {self.which.value} connection")


class PrinterPicker(QWidget):
    """PrintNode's printers with their online state, and a test print to the chosen one."""

    def __init__(self, station: Station, tasks: Tasks, paper: Callable[[], str]) -> None:
        super().__init__()
        self.station = station
        self.tasks = tasks
        self._paper = paper
        self.combo = QComboBox()
        self.combo.setMinimumContentsLength(24)
        self.load_button = QPushButton("Load printers")
        self.test_button = QPushButton("Test print")
        self.state = QLabel()
        self.state.setWordWrap(True)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.combo, 1)
        row.addWidget(self.load_button)
        row.addWidget(self.test_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.state)
        self.load_button.clicked.connect(self.load_printers)
        self.test_button.clicked.connect(self.test_print)

    def chosen(self) -> int | None:
        data = self.combo.currentData()
        return int(data) if data else None

    def set_choices(self, printers: list[Printer], chosen: Any) -> None:
        self.combo.clear()
        self.combo.addItem("(no printer: orders wait in the queue)", None)
        for printer in printers:
            self.combo.addItem(f"{printer.name} on {printer.computer_name} — "
                               f"{printer.condition} (#{printer.id})", printer.id)
        if chosen and self.combo.findData(chosen) < 0:
            self.combo.addItem(f"Printer #{chosen} (load printers to see its state)", chosen)
        self.combo.setCurrentIndex(max(self.combo.findData(chosen), 0))

    def load_printers(self) -> None:
        chosen = self.chosen()
        self.state.setText("Asking PrintNode…")

        def done(printers: object) -> None:
            found = list(printers)  # type: ignore[call-overload]
            self.set_choices(found, chosen)
            online = sum(p.ready for p in found)
            self.state.setText(f"{len(found)} printer(s), {online} online." if found
                               else "No printers on this PrintNode account.")

        self.tasks.run(self.station.printing.printers, done, self.state.setText,
                       label="Loading printers")

    def test_print(self) -> None:
        printer = self.chosen()
        if not printer:
            self.state.setText("Choose a printer first (Load printers).")
            return
        paper = self._paper()
        self.tasks.run(lambda: self.station.printing.print_test_page(printer, paper),
                       lambda job: self.state.setText(f"✔ Test slip sent (PrintNode job {job})."),
                       lambda message: self.state.setText(f"✘ {message}"),
                       label="Sending a test print")


class PrinterField(Field):
    """The printer setting: the picker with PrintNode's printers and their state."""

    def __init__(self, setting: Setting, picker: PrinterPicker) -> None:
        self.picker = picker
        super().__init__(setting, picker)

    def load(self, value: Any) -> None:
        self.picker.set_choices([], value)

    def text(self) -> str:
        printer = self.picker.chosen()
        return str(printer) if printer else "none"


FieldT = TypeVar("FieldT", bound=Field)


def _widget(field: Field, kind: type[FieldT]) -> FieldT:
    assert isinstance(field, kind), field.setting.key
    return field


class SettingsTab(Tab):
    def __init__(self, station: Station, tasks: Tasks, feedback: Feedback,
                 changed: Callable[[], None]) -> None:
        super().__init__(station, tasks, feedback, changed)
        self._loaded: dict[str, str] = {}
        self.loaded = False  # the form shows the stored values (they are read on a worker)

        self.shippo_key = KeyRow(Secret.SHIPPO, station, tasks)
        self.printnode_key = KeyRow(Secret.PRINTNODE, station, tasks)
        keys = QGroupBox("API keys (kept in the OS keyring)")
        keys_form = QFormLayout(keys)
        keys_form.addRow("Shippo", self.shippo_key)
        keys_form.addRow("PrintNode", self.printnode_key)

        # Every other setting's field comes from its declaration (kind, label, help, range).
        self.printer = PrinterPicker(station, tasks, lambda: self.fields["paper"].text())
        self.fields: dict[str, Field] = {}
        groups = {"printing": QGroupBox("Printing"), "slip": QGroupBox("Slip"),
                  "station": QGroupBox("Station")}
        forms = {name: QFormLayout(box) for name, box in groups.items()}
        for setting in SETTINGS:
            if setting.kind == "printer":  # each printer setting its own picker
                picker = self.printer if setting.key == "printer" else PrinterPicker(
                    station, tasks, lambda: self.fields["paper"].text())
                field: Field = PrinterField(setting, picker)
            else:
                field = make_field(setting)
            self.fields[setting.key] = field
            label = "" if setting.kind == "bool" else setting.label
            forms[setting.group].addRow(label, field.widget)
        self.start_at_login = QCheckBox("Start SlipStation in the tray when I log in")
        forms["station"].addRow("", self.start_at_login)
        # Bin locations: a CSV (sku, barcode, bin) that slips and pick lists follow.
        self.bins_label = QLabel("Bin locations: a CSV file with the columns sku, barcode, bin")
        self.bins_label.setWordWrap(True)
        self.import_bins_button = QPushButton("Import bins…")
        self.export_bins_button = QPushButton("Export bins…")
        bins_row = QHBoxLayout()
        bins_row.addWidget(self.import_bins_button)
        bins_row.addWidget(self.export_bins_button)
        bins_row.addStretch(1)
        forms["slip"].addRow(self.bins_label)
        forms["slip"].addRow(bins_row)
        self.import_bins_button.clicked.connect(self.ask_import_bins)
        self.export_bins_button.clicked.connect(self.ask_export_bins)
        printing, slip, station_box = groups["printing"], groups["slip"], groups["station"]
        # The widgets by name, for the first-run window and the tests that drive the form.
        self.paper = _widget(self.fields["paper"], ChoiceField).box
        self.tier = _widget(self.fields["tier"], ChoiceField).box
        self.statuses = _widget(self.fields["statuses"], ChoicesField).boxes
        self.backlog_hours = _widget(self.fields["backlog_hours"], NumberField).spin
        self.rules = _widget(self.fields["rules"], RulesField).edit
        self.show_prices = _widget(self.fields["show_prices"], SwitchField).box
        self.station_name = _widget(self.fields["station"], TextField).line

        self.save_button = QPushButton("Save settings")
        self.revert_button = QPushButton("Revert")
        self.result = QLabel()
        self.result.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.result, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)

        form = QWidget()
        form_layout = QVBoxLayout(form)
        for group in (keys, printing, slip, station_box):
            form_layout.addWidget(group)
        form_layout.addLayout(buttons)
        form_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form)
        self.preview = SlipPreview()
        splitter = QSplitter()
        splitter.addWidget(scroll)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(250)
        self._preview_timer.timeout.connect(self.update_preview)
        for key in PREVIEW_KEYS:
            self.fields[key].on_change(self._preview_timer.start)
        self.save_button.clicked.connect(self.save)
        self.save_button.setEnabled(False)  # until the stored values are in the form
        self.revert_button.clicked.connect(self.load)
        self.start_at_login.clicked.connect(self._toggle_autostart)
        self._wheel_guard = WheelGuard(self)
        for control in [*self.findChildren(QComboBox), *self.findChildren(QSpinBox)]:
            control.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            control.installEventFilter(self._wheel_guard)
        self.load()

    # -- values --------------------------------------------------------------------------------
    def load(self) -> None:
        """Fill the form from the store: read on a worker thread (the window's first read
        opens the database and asks the keyring), shown when it comes."""
        config, keys = self.station.config, self.station.keys

        def read() -> tuple[dict[str, Any], bool, list[KeyStatus]]:
            return config.values(), config.autostart()[0], keys.status()

        self.tasks.run(read, self._show_loaded, lambda message: self._feedback(message, False))

    def _show_loaded(self, read: object) -> None:
        values, autostart, statuses = cast(tuple[dict[str, Any], bool, list[KeyStatus]], read)
        for key, field in self.fields.items():
            field.load(values[key])
        self.start_at_login.setChecked(autostart)
        self.shippo_key.show_stored(statuses[0].masked)
        self.printnode_key.show_stored(statuses[1].masked)
        self._loaded = self.form_values()
        self.loaded = True
        self.save_button.setEnabled(True)
        self.result.setText("")
        self._preview_timer.start()

    def form_values(self) -> dict[str, str]:
        """Each setting as text `config set` would accept."""
        return {key: field.text() for key, field in self.fields.items()}

    def changes(self) -> dict[str, str]:
        return {k: v for k, v in self.form_values().items() if self._loaded.get(k) != v}

    def save(self) -> None:
        if not self.loaded:  # the form is not the stored settings yet: saving would overwrite
            self.result.setText("The stored settings are still loading; save once they show.")
            return
        changes = self.changes()
        if not changes:
            self.result.setText("Nothing changed.")
            return
        try:  # all or nothing: check every field first, and say at once what does not fit
            self.station.config.check(changes)
        except SlipStationError as exc:
            self.result.setText(f"✘ {exc.message}")
            return

        def work() -> list[str]:
            self.station.config.set_many(changes)
            return sorted(changes)

        def done(keys: object) -> None:
            self._loaded = self.form_values()
            self.result.setText(f"✔ Saved: {', '.join(keys)}.")  # type: ignore[arg-type]
            self._feedback("Settings saved.", True)
            self._changed()

        self.tasks.run(work, done, lambda message: self.result.setText(f"✘ {message}"),
                       label="Saving settings")

    # -- the rest ------------------------------------------------------------------------------
    def update_preview(self) -> None:
        changes = {k: v for k, v in self.form_values().items() if k in PREVIEW_KEYS}
        self.tasks.run(lambda: self.station.orders.preview_slip(None, changes),
                       lambda data: self.preview.show_pdf(bytes(data), "Preview (sample order)"),
                       lambda message: self.preview.show_message(f"No preview: {message}"))

    def ask_import_bins(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import bins", str(Path.home()),
                                              "CSV files (*.csv);;All files (*)")
        if path:
            self.import_bins(Path(path))

    def ask_export_bins(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export bins", str(Path.home() / "bins.csv"),
                                              "CSV files (*.csv)")
        if path:
            self.export_bins(Path(path))

    def import_bins(self, chosen: Path) -> None:
        """Replace the bins with a CSV file's (all of it or nothing; a bad line is named)."""
        self.tasks.run(lambda: self.station.bins.import_csv(chosen),
                       lambda count: self.bins_label.setText(
                           f"✔ {count} bin location(s) imported; slips and pick lists "
                           "follow them."),
                       lambda message: self.bins_label.setText(f"✘ {message}"),
                       label="Importing bins")

    def export_bins(self, chosen: Path) -> None:
        self.tasks.run(lambda: self.station.bins.export_csv(chosen),
                       lambda count: self.bins_label.setText(
                           f"✔ {count} bin location(s) exported to {chosen.name}."),
                       lambda message: self.bins_label.setText(f"✘ {message}"),
                       label="Exporting bins")

    def _toggle_autostart(self, enabled: bool) -> None:
        self.tasks.run(lambda: self.station.config.set_autostart(enabled),
                       lambda _: self._feedback("Start at login " +
                                                ("on." if enabled else "off."), True),
                       lambda message: self._feedback(message, False), label="Start at login")
