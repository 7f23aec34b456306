"""Problems from jobs collected in one table (file, stage, problem): one place to
look instead of a dialog per failed file. A file has one row a stage, its latest
problem, as in the index: each rescan meets the same broken files again, and the list
used to grow by all of them after every job. A row the index holds goes once the
index no longer does (the file fixed and read again)."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from app.core.index.records import ErrorRecord, printable_path
from app.core.library import display_name
from app.gui.app_words import in_app_words

MAX_ROWS = 2000
KeyRole = Qt.ItemDataRole.UserRole + 1  # on the file item: what makes a row the same problem
RecordedRole = Qt.ItemDataRole.UserRole + 4  # on the file item: the row is one the index holds


class ErrorsPanel(QTableWidget):
    """A table of (file, stage, problem); newest first; emits `count_changed`."""

    count_changed = Signal(int)

    def __init__(self, parent=None, index_named: str | None = None) -> None:
        super().__init__(0, 3, parent)
        self.index_named = index_named  # the --db its messages' commands carry (app_words)
        self.setHorizontalHeaderLabels(["File", "Stage", "Problem"])
        self.setAccessibleName("Problems")
        self.verticalHeader().hide()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWordWrap(False)
        # Tab goes on to the next control: a table's own Tab moved cell to cell and
        # wrapped round, so a keyboard user never left the panel
        self.setTabKeyNavigation(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.setColumnWidth(0, 320)
        clear = QAction("Clear the list", self)
        clear.triggered.connect(self.clear_problems)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.addAction(clear)
        self._rows: dict[str, QTableWidgetItem] = {}  # problem key -> its row's file item

    def add_recorded(self, error: ErrorRecord) -> None:
        """Add a problem the index holds (refresh_recorded takes it out once it does not)."""
        self.add_problem(error.path, error.stage, error.message, recorded=True)

    def add_problem(self, path: str | None, stage: str, message: str, recorded: bool = False) -> None:
        """Add a row at the top; the file's earlier row for this stage goes (a message
        without a file replaces the same message). `recorded`: the index holds the problem
        (see refresh_recorded)."""
        key = _key(path, stage, message)
        earlier = self._rows.pop(key, None)
        if earlier is not None and self.row(earlier) >= 0:
            self.removeRow(self.row(earlier))
        self.insertRow(0)
        name = display_name(path) if path else "—"
        file_item = QTableWidgetItem(name or "—")
        file_item.setToolTip(printable_path(path) if path else "")
        file_item.setData(KeyRole, key)
        file_item.setData(RecordedRole, recorded)
        self._rows[key] = file_item
        # the File column names the file: the message need not repeat its whole path
        shown = message.replace(path, name) if path and name and len(path) > len(name) else message
        shown = in_app_words(shown, self.index_named)
        message_item = QTableWidgetItem(shown)
        message_item.setToolTip(in_app_words(message, self.index_named))  # whole, its path too
        self.setItem(0, 0, file_item)
        self.setItem(0, 1, QTableWidgetItem(stage))
        self.setItem(0, 2, message_item)
        if self.rowCount() > MAX_ROWS:
            self._rows.pop(self.item(self.rowCount() - 1, 0).data(KeyRole), None)
            self.removeRow(self.rowCount() - 1)
        self.count_changed.emit(self.rowCount())

    def refresh_recorded(self, recorded: list[ErrorRecord]) -> None:
        """The rows the index held go where it holds them no more (`recorded`: its problems
        now): a damaged photo put back from a backup and tagged again was still called
        damaged until the app was started again. Other rows (a job that failed, the
        settings) stay until the list is cleared."""
        held = {_key(error.path, error.stage, error.message) for error in recorded}
        gone = [key for key, item in self._rows.items() if item.data(RecordedRole) and key not in held]
        for key in gone:
            item = self._rows.pop(key)
            if self.row(item) >= 0:
                self.removeRow(self.row(item))
        if gone:
            self.count_changed.emit(self.rowCount())

    def problems(self) -> list[tuple[str, str, str]]:
        """(file tooltip path, stage, whole message) of every row, newest first."""
        rows = []
        for row in range(self.rowCount()):
            rows.append((self.item(row, 0).toolTip(), self.item(row, 1).text(), self.item(row, 2).toolTip()))
        return rows

    def clear_problems(self) -> None:
        self.setRowCount(0)
        self._rows.clear()
        self.count_changed.emit(0)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):  # a Mac's delete key is Backspace
            self.clear_problems()
            return
        super().keyPressEvent(event)


def _key(path: str | None, stage: str, message: str) -> str:
    """What makes two problems one row: the file and stage, or a message without a file."""
    return json.dumps([path, stage] if path else [None, stage, message])
