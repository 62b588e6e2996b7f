"""A slip shown as it will print: the real PDF bytes in a QtPdf view (no temp files)."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

try:  # QtPdf ships in its own wheel (PySide6-Pdf); without it the pane says so
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPdfWidgets import QPdfView
except ImportError:  # pragma: no cover - the project depends on PySide6-Pdf
    QPdfDocument = QPdfView = None  # type: ignore[assignment,misc]


class SlipPreview(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        self._buffer: QBuffer | None = None
        self.document = QPdfDocument(self) if QPdfDocument is not None else None
        if self.document is not None and QPdfView is not None:
            self.view = QPdfView(self)
            self.view.setDocument(self.document)
            self.view.setPageMode(QPdfView.PageMode.MultiPage)
            self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
            layout.addWidget(self.view, 1)
        else:
            self.caption.setText("Slip preview needs the PySide6-Pdf package.")

    @property
    def page_count(self) -> int:
        return self.document.pageCount() if self.document is not None else 0

    def show_pdf(self, data: bytes, caption: str = "") -> None:
        if self.document is None:
            return
        self.document.close()
        buffer = QBuffer(self)
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(buffer)
        if self._buffer is not None:
            self._buffer.deleteLater()
        self._buffer = buffer  # the document reads from it for as long as it is shown
        pages = self.document.pageCount()
        self.caption.setText(f"{caption} · {pages} page{'s' if pages != 1 else ''}" if caption
                             else f"{pages} page{'s' if pages != 1 else ''}")

    def show_message(self, text: str) -> None:
        if self.document is not None:
            self.document.close()
        self.caption.setText(text)
