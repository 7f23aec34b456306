"""Problems from jobs collected in one table (file, stage, problem): one place to
look instead of a dialog per failed file. A file has one row a stage, its latest
problem, as in the index: each rescan meets the same broken files again, and the list
used to grow by all of them after every job. A row the index holds goes once the
index no longer does (the file fixed and read again); a row leads to its photo
(double-click, Enter) and to its file's folder (Show in folder)."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from app.core.index.problem_terms import problem_term
from app.core.index.records import ErrorRecord, printable_path
from app.core.library import display_name
from app.gui.app_words import in_app_words

MAX_ROWS = 2000
# on the file item: what makes a row the same problem, in JSON's ASCII, so the file's path in it
# comes back exact (a QString drops the lone surrogate of a name's non-UTF-8 byte: caf\udce9.jpg
# came back as caf.jpg, another file); the path is read back from it (_path_of), never from Qt
KeyRole = Qt.ItemDataRole.UserRole + 1
PhotoRole = Qt.ItemDataRole.UserRole + 3  # on the file item: the photo's id, when the index named it
ErrorIdRole = Qt.ItemDataRole.UserRole + 4  # on the file item: the index's id of the problem, 0: not one it holds
MissingRole = Qt.ItemDataRole.UserRole + 5  # on the file item: the photo is missing (its note says so)


class ErrorsPanel(QTableWidget):
    """A table of (file, stage, problem); newest first; emits `count_changed`."""

    count_changed = Signal(int)
    rows_hidden = Signal(str)  # what Delete or Clear the list did, for the status bar
    # a row's path as a Python str (`object`: as a QString it lost a non-UTF-8 name's byte)
    photo_requested = Signal(object, int)  # a row's path and photo id (0: none named)
    folder_requested = Signal(object)  # a row's path, to show in the file manager

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
        self.show_photo_action = QAction("Show the photo", self)
        self.show_photo_action.setToolTip("Show the row's photo in the grid and the detail pane (double-click, Enter)")
        self.show_photo_action.triggered.connect(lambda: self.request_photo(self.currentRow()))
        self.show_folder_action = QAction("Show in folder", self)
        self.show_folder_action.setToolTip("Show the row's file in its folder, in the file manager")
        self.show_folder_action.triggered.connect(lambda: self.request_folder(self.currentRow()))
        self.hide_rows_action = QAction("Hide from the list", self)
        self.hide_rows_action.setToolTip("Take the chosen rows out of the list until the next start (Delete)")
        self.hide_rows_action.triggered.connect(self.hide_chosen_rows)
        clear = QAction("Clear the list", self)
        clear.setToolTip("Empty the list until the next start; the files keep their problems")
        clear.triggered.connect(self.clear_problems)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for action in (self.show_photo_action, self.show_folder_action, self.hide_rows_action, clear):
            self.addAction(action)
        self.currentCellChanged.connect(lambda row, *_: self._enable_row_actions(row))
        self.doubleClicked.connect(lambda index: self.request_photo(index.row()))
        self._enable_row_actions(-1)
        self._rows: dict[str, QTableWidgetItem] = {}  # problem key -> its row's file item

    def add_recorded(self, error: ErrorRecord) -> None:
        """Add a problem the index holds (refresh_recorded takes it out once it does not)."""
        self.add_problem(error.path, error.stage, error.message, error.photo_id, error_id=error.id,
                         missing=error.missing)

    def add_problem(self, path: str | None, stage: str, message: str, photo_id: int | None = None,
                    error_id: int = 0, missing: bool = False) -> None:
        """Add a row at the top; the file's earlier row for this stage goes (a message
        without a file replaces the same message). `photo_id`: the photo the row leads to;
        `error_id`: the index's id of the problem, when it holds it (see refresh_recorded);
        `missing`: its photo is missing, which the row says (a search finds it with is:missing only)."""
        self._drop_row(_key(path, stage, message))
        self.insertRow(0)
        self._fill_row(0, path, stage, message, photo_id, error_id, missing)
        if self.rowCount() > MAX_ROWS:
            self._rows.pop(self.item(self.rowCount() - 1, 0).data(KeyRole), None)
            self.removeRow(self.rowCount() - 1)
        self._enable_row_actions(self.currentRow())
        self.count_changed.emit(self.rowCount())

    def refresh_recorded(self, recorded: list[ErrorRecord]) -> None:
        """The rows the index held are read again from it (`recorded`: its problems now):
        one it holds no more goes (a damaged photo put back from a backup and tagged again
        was still called damaged until the app was started again), and one it holds at
        another path (the damaged photo moved or renamed in the library: its note follows
        it) names the file where it is now, where it went before; one whose photo went missing
        (its file deleted) or came back says so. Other rows (a job that failed, the settings)
        stay until the list is cleared."""
        by_id = {error.id: error for error in recorded}
        held = {_key(error.path, error.stage, error.message): error for error in recorded}
        changed = False
        for key, item in list(self._rows.items()):
            if key not in self._rows:  # its row taken by a moved one's
                continue
            if key in held:  # as it was, its photo missing or not
                error = held[key]
                if error.missing != bool(item.data(MissingRole)) and int(item.data(ErrorIdRole) or 0):
                    self._fill_row(self.row(item), error.path, error.stage, error.message, error.photo_id,
                                   error.id, error.missing)
                continue
            error_id = int(item.data(ErrorIdRole) or 0)
            if not error_id:
                continue
            changed = True
            error = by_id.get(error_id)
            if error is None:
                self._drop_row(key)
                continue
            del self._rows[key]
            self._drop_row(_key(error.path, error.stage, error.message))  # a row of its new place already
            self._fill_row(self.row(item), error.path, error.stage, error.message, error.photo_id, error.id,
                           error.missing)
        if changed:
            self._enable_row_actions(self.currentRow())
            self.count_changed.emit(self.rowCount())

    def request_photo(self, row: int) -> None:
        """Ask for the row's photo to be shown (photo_requested), when the row names a file."""
        item = self.item(row, 0) if row >= 0 else None
        path = _path_of(item)
        if path:
            self.photo_requested.emit(path, int(item.data(PhotoRole) or 0))

    def request_folder(self, row: int) -> None:
        """Ask for the row's file to be shown in its folder (folder_requested)."""
        path = _path_of(self.item(row, 0) if row >= 0 else None)
        if path:
            self.folder_requested.emit(path)

    def _fill_row(self, row: int, path: str | None, stage: str, message: str, photo_id: int | None,
                  error_id: int, missing: bool = False) -> None:
        """Put a problem in `row` (new, or one the index now holds at another path)."""
        key = _key(path, stage, message)
        name = display_name(path) if path else "—"
        file_item = QTableWidgetItem(name or "—")
        file_item.setToolTip(printable_path(path) if path else "")
        file_item.setData(KeyRole, key)
        file_item.setData(PhotoRole, int(photo_id or 0))
        file_item.setData(ErrorIdRole, int(error_id or 0))
        file_item.setData(MissingRole, bool(missing))
        self._rows[key] = file_item
        # the File column names the file: the message need not repeat its whole path
        shown = message.replace(path, name) if path and name and len(path) > len(name) else message
        note = f" (file missing: searching is:missing {problem_term(stage)} finds it)" if missing else ""
        shown = in_app_words(shown, self.index_named) + note
        message_item = QTableWidgetItem(shown)
        message_item.setToolTip(in_app_words(message, self.index_named) + note)  # whole, its path too
        self.setItem(row, 0, file_item)
        self.setItem(row, 1, QTableWidgetItem(stage))
        self.setItem(row, 2, message_item)

    def _drop_row(self, key: str) -> None:
        """Take out the row of this problem key, if there is one."""
        item = self._rows.pop(key, None)
        if item is not None and self.row(item) >= 0:
            self.removeRow(self.row(item))

    def _enable_row_actions(self, row: int) -> None:
        item = self.item(row, 0) if row >= 0 else None
        has_file = bool(_path_of(item))
        self.show_photo_action.setEnabled(has_file)
        self.show_folder_action.setEnabled(has_file)

    def problems(self) -> list[tuple[str, str, str]]:
        """(file tooltip path, stage, whole message) of every row, newest first."""
        rows = []
        for row in range(self.rowCount()):
            rows.append((self.item(row, 0).toolTip(), self.item(row, 1).text(), self.item(row, 2).toolTip()))
        return rows

    def clear_problems(self) -> None:
        """Clear the list: the rows go from the panel only (the index keeps the problems)."""
        count = self.rowCount()
        self.setRowCount(0)
        self._rows.clear()
        self._enable_row_actions(-1)
        self.count_changed.emit(0)
        if count:
            self.rows_hidden.emit(hidden_text(count, everything=True))

    def hide_chosen_rows(self) -> int:
        """Delete on rows: those rows leave the list, the others stay (Delete emptied the
        whole list, which looked as if the problems were solved). Returns how many went."""
        rows = sorted({index.row() for index in self.selectionModel().selectedRows()}, reverse=True)
        if not rows and self.currentRow() >= 0:
            rows = [self.currentRow()]
        for row in rows:
            self._drop_row(self.item(row, 0).data(KeyRole))
        if rows:
            self._enable_row_actions(self.currentRow())
            self.count_changed.emit(self.rowCount())
            self.rows_hidden.emit(hidden_text(len(rows)))
        return len(rows)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):  # a Mac's delete key is Backspace
            self.hide_chosen_rows()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentRow() >= 0:
            self.request_photo(self.currentRow())  # on every platform (a Mac's item views do not activate on it)
            return
        super().keyPressEvent(event)


def hidden_text(count: int, everything: bool = False) -> str:
    """What hiding rows did: the rows go, the problems of the files do not (the index keeps them)."""
    what = "Problems list cleared" if everything else (
        f"{count:,} problem{'' if count == 1 else 's'} hidden from the list")
    return f"{what}. A problem a file still has is listed again at the next start, or when a job meets it again."


def _key(path: str | None, stage: str, message: str) -> str:
    """What makes two problems one row: the file and stage, or a message without a file.
    JSON's ASCII escapes keep a path's lone surrogates through Qt (see KeyRole)."""
    return json.dumps([path, stage] if path else [None, stage, message])


def _path_of(item: QTableWidgetItem | None) -> str | None:
    """The row's file path, exactly as the index holds it (os.fsencode gives its bytes back)."""
    return json.loads(item.data(KeyRole))[0] if item is not None else None
