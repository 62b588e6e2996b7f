"""One form field per setting declaration (`slipstation.config.SETTINGS`): its widget comes
from the setting's kind, its label, tooltip, choices and range from the declaration, and it
reads and writes the text `slipstation config set` accepts — so the form and the command line
can never disagree about what a setting is."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from slipstation.app import Setting


class Field:
    """A setting's widget, loaded from a stored value and read back as text."""

    def __init__(self, setting: Setting, widget: QWidget) -> None:
        self.setting = setting
        self.widget = widget
        widget.setToolTip(setting.help)

    def load(self, value: Any) -> None:
        raise NotImplementedError

    def text(self) -> str:
        raise NotImplementedError

    def on_change(self, callback: Callable[[], None]) -> None:
        """Call `callback` when a person changes the value (for the live preview)."""


class ChoiceField(Field):
    def __init__(self, setting: Setting) -> None:
        self.box = QComboBox()
        self.box.addItems(list(setting.choices))
        super().__init__(setting, self.box)

    def load(self, value: Any) -> None:
        self.box.setCurrentText(str(value))

    def text(self) -> str:
        return self.box.currentText()

    def on_change(self, callback: Callable[[], None]) -> None:
        self.box.currentIndexChanged.connect(lambda _index: callback())


class ChoicesField(Field):
    """Several of a list: check boxes, four to a row (fits a 1024-pixel screen)."""

    def __init__(self, setting: Setting) -> None:
        widget = QWidget()
        grid = QGridLayout(widget)
        grid.setContentsMargins(0, 0, 0, 0)
        self.boxes = {choice: QCheckBox(choice) for choice in setting.choices}
        for number, box in enumerate(self.boxes.values()):
            grid.addWidget(box, number // 4, number % 4)
        super().__init__(setting, widget)

    def load(self, value: Any) -> None:
        for choice, box in self.boxes.items():
            box.setChecked(choice in (value or []))

    def text(self) -> str:
        return ",".join(choice for choice, box in self.boxes.items() if box.isChecked())


class NumberField(Field):
    def __init__(self, setting: Setting) -> None:
        self.spin = QSpinBox()
        self.spin.setRange(setting.minimum or 0, setting.maximum or 1_000_000)
        if setting.unit:
            self.spin.setSuffix(f" {setting.unit}")
        super().__init__(setting, self.spin)

    def load(self, value: Any) -> None:
        self.spin.setValue(int(value))

    def text(self) -> str:
        return str(self.spin.value())


class SwitchField(Field):
    def __init__(self, setting: Setting) -> None:
        self.box = QCheckBox(setting.label)
        super().__init__(setting, self.box)

    def load(self, value: Any) -> None:
        self.box.setChecked(bool(value))

    def text(self) -> str:
        return "true" if self.box.isChecked() else "false"

    def on_change(self, callback: Callable[[], None]) -> None:
        self.box.toggled.connect(lambda _checked: callback())


class TextField(Field):
    def __init__(self, setting: Setting) -> None:
        self.line = QLineEdit()
        super().__init__(setting, self.line)

    def load(self, value: Any) -> None:
        self.line.setText(str(value or ""))

    def text(self) -> str:
        return self.line.text().strip()

    def on_change(self, callback: Callable[[], None]) -> None:
        self.line.textChanged.connect(lambda _text: callback())


class PathField(Field):
    """A file on this computer (the logo): typed or chosen with Browse…"""

    def __init__(self, setting: Setting) -> None:
        self.line = QLineEdit()
        self.line.setPlaceholderText("none")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        widget = QWidget()
        row = QHBoxLayout(widget)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.line, 1)
        row.addWidget(browse)
        self._changed: Callable[[], None] = lambda: None
        super().__init__(setting, widget)

    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self.widget, self.setting.label,
                                              self.line.text(), "Images (*.png *.jpg *.jpeg)")
        if name:
            self.line.setText(name)
            self._changed()

    def load(self, value: Any) -> None:
        self.line.setText(str(value or ""))

    def text(self) -> str:
        return self.line.text().strip() or "none"

    def on_change(self, callback: Callable[[], None]) -> None:
        self._changed = callback
        self.line.editingFinished.connect(callback)


class RulesField(Field):
    def __init__(self, setting: Setting) -> None:
        self.edit = QPlainTextEdit()
        self.edit.setPlaceholderText('[{"name": "EU on A4", "when": {"country": ["DE", "FR"]}, '
                                     '"printer": 72, "paper": "a4"}]')
        self.edit.setFixedHeight(90)
        self.edit.setTabChangesFocus(True)  # Tab leaves the box
        super().__init__(setting, self.edit)

    def load(self, value: Any) -> None:
        self.edit.setPlainText(json.dumps(value, ensure_ascii=False) if value else "")

    def text(self) -> str:
        return self.edit.toPlainText().strip() or "none"


KINDS: dict[str, Callable[[Setting], Field]] = {
    "choice": ChoiceField, "choices": ChoicesField, "int": NumberField, "bool": SwitchField,
    "str": TextField, "path": PathField, "rules": RulesField,
}


def make_field(setting: Setting) -> Field:
    """The field for a declared setting (the printer has its own picker; see SettingsTab)."""
    return KINDS[setting.kind](setting)
