"""The keyboard shortcuts (F1): read off the window's own actions, so the list is
always the one the app answers to, plus the keys that views handle themselves."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout

from app.gui.key_names import add_click


def view_keys() -> list[tuple[str, str]]:
    """Keys the grid, the review list and the loupe handle without an action of the window."""
    return [
        ("Move through the photos", "Arrow keys"),
        ("Details of the photo (review list)", "Enter"),
        ("Choose several photos", f"{add_click()}, Shift+click"),
        ("Choose several landmarks, dates or folders (library panel)", add_click()),
    ]


def shortcut_rows(actions) -> list[tuple[str, str]]:
    """(what, keys) for every action with a shortcut, in the order given, then view_keys()."""
    rows = []
    for action in actions:
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys and (action.text(), keys) not in rows:
            rows.append((action.text().replace("&", ""), keys))
    return rows + view_keys()


class ShortcutsDialog(QDialog):
    def __init__(self, actions, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.setMinimumSize(460, 600)
        layout = QVBoxLayout(self)
        rows = shortcut_rows(actions)
        self.table = QTableWidget(len(rows), 2)
        self.table.setHorizontalHeaderLabels(["Action", "Keys"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        for row, (what, keys) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(what))
            self.table.setItem(row, 1, QTableWidgetItem(keys))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
