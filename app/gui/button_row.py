"""A row of buttons that wraps onto more rows when the panel is too narrow for it.

A QHBoxLayout of buttons asks for the width of all of them: in the detail pane on a
laptop that held the pane wider than its scroll area, and "Label…" was cut off.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QGridLayout, QSizePolicy, QWidget


class ButtonRow(QWidget):
    """Its buttons side by side in equal columns while they fit, else in fewer columns
    on more rows; it asks only for the width of its widest button."""

    def __init__(self, buttons: list[QWidget], spacing: int = 6, parent=None) -> None:
        super().__init__(parent)
        self._buttons = list(buttons)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(spacing)
        self._grid.setSizeConstraint(QGridLayout.SizeConstraint.SetNoConstraint)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.columns = 0
        self._arrange(len(self._buttons))

    def columns_for(self, width: int) -> int:
        """As many columns as fit in `width`, each as wide as the widest button."""
        widest = max((button.sizeHint().width() for button in self._buttons), default=0)
        spacing = self._grid.horizontalSpacing()
        fitting = (width + spacing) // max(1, widest + spacing)
        return max(1, min(len(self._buttons), fitting))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        widest = max((button.minimumSizeHint().width() for button in self._buttons), default=0)
        return QSize(widest, super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """All side by side: once wrapped, a layout that gave it no more than its hint
        kept it wrapped however wide the window grew again."""
        widest = max((button.sizeHint().width() for button in self._buttons), default=0)
        spacing = self._grid.horizontalSpacing()
        width = len(self._buttons) * (widest + spacing) - spacing
        return QSize(max(0, width), super().sizeHint().height())

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._arrange(self.columns_for(event.size().width()))

    def _arrange(self, columns: int) -> None:
        if columns == self.columns:
            return
        self.columns = columns
        for button in self._buttons:
            self._grid.removeWidget(button)
        for position, button in enumerate(self._buttons):
            self._grid.addWidget(button, position // columns, position % columns)
        for column in range(len(self._buttons)):
            self._grid.setColumnStretch(column, 1 if column < columns else 0)
        self.updateGeometry()
