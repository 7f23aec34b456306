"""The keyboard shortcuts (F1): read off the window's own actions, so the list is
always the one the app answers to, plus the keys that views handle themselves."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout

from app.gui.key_names import add_click
from app.gui.screen_fit import resize_within_screen


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


class KeyTable(QTableWidget):
    """A read-only list of two columns: Home and End go to its first and last row, as
    in any list (a table's go to the first and last column)."""

    def moveCursor(self, action, modifiers):  # noqa: N802 (Qt's name)
        if action in (self.CursorAction.MoveHome, self.CursorAction.MoveEnd):
            modifiers |= Qt.KeyboardModifier.ControlModifier
        return super().moveCursor(action, modifiers)


class ShortcutsDialog(QDialog):
    def __init__(self, actions, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        layout = QVBoxLayout(self)
        rows = shortcut_rows(actions)
        self.table = KeyTable(len(rows), 2)
        self.table.setHorizontalHeaderLabels(["Action", "Keys"])
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        # it takes the keys (arrows, Page Down, End scroll it): it held no focus, and a
        # keyboard user never saw the rows below the fold
        self.table.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.table.setTabKeyNavigation(False)  # Tab goes on to Close
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
        self.table.setFocus()
        # every row where the screen has room, else as much as fits (the list scrolls)
        self.table.resizeRowsToContents()
        rows_height = self.table.verticalHeader().length() + self.table.horizontalHeader().height()
        resize_within_screen(self, QSize(520, rows_height + buttons.sizeHint().height() + 60))
