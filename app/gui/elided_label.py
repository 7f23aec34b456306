"""A one-line label that gives way: cut with "…" when narrow, whole in its tooltip.

A plain QLabel asks for the width of its whole text, so one long message (a search
error quoting what was typed, a long status) could hold the whole window wider than
a laptop's screen.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy


class ElidedLabel(QLabel):
    """Shows as much of its text as fits; asks for no minimum width."""

    def __init__(self, parent=None, mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight) -> None:
        """`mode` ElideMiddle keeps a file name's number and extension, which tell photos apart."""
        super().__init__(parent)
        self._full_text = ""
        self._short_text = ""
        self._mode = mode
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)  # shrinks to nothing

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        self.set_texts(text, "")

    def set_texts(self, full: str, short: str) -> None:
        """`full` where it fits, else `short` (a key hint's keys alone), cut only when
        even that does not fit; the tooltip has the full text."""
        self._full_text, self._short_text = full, short
        self.setToolTip(full)
        self._fit()

    def full_text(self) -> str:
        return self._full_text

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(0, super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(self.fontMetrics().horizontalAdvance(self._full_text) + 4, super().sizeHint().height())

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event) -> None:  # noqa: N802
        """A style sheet's font (a heading) arrives after the text: cut it again in that font."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit()

    def _fit(self) -> None:
        width, metrics = max(self.width(), 0), self.fontMetrics()
        text = self._full_text
        if self._short_text and metrics.horizontalAdvance(text) > width:
            text = self._short_text
        super().setText(metrics.elidedText(text, self._mode, width))
