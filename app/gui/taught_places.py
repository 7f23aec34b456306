"""The "Taught places" list: every label the user taught, with its number of photos;
show a place's photos, rename it, or forget it (its photos keep their labels; Ctrl+Z in
the window takes a Forget… back)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMessageBox, QPushButton,
    QVBoxLayout,
)

from app.core import teaching
from app.core.errors import TaggerError
from app.core.name_order import name_order
from app.core.wording import counted
from app.gui.key_names import key_name
from app.gui.read_only_index import READ_ONLY_TIP
from app.gui.safe_question import go_ahead


def app_forget_command(label: str) -> str:
    """How the review journal names a Forget… given in Taught places (`undo --review` says it)."""
    return f"the app's Forget…: “{label}” in Taught places"


class TaughtPlacesDialog(QDialog):
    """Lists teaching.taught_labels(index); `show_requested(label)` asks the window to
    search for that label."""

    show_requested = Signal(str)
    rename_requested = Signal(str)  # the window asks for the new name and renames it
    forgotten = Signal(str, object)  # a place forgotten, and what it did (teaching_store.ForgetSummary)

    def __init__(self, index, parent=None, read_only: bool = False) -> None:
        super().__init__(parent)
        self.index = index
        self.read_only = read_only  # an index it may only read: Rename… and Forget… greyed, as in the window
        self.setWindowTitle("Taught places")
        self.setMinimumSize(420, 320)
        layout = QVBoxLayout(self)
        intro = QLabel("Places you taught. Teach more with Teach… (T) on a few photos of a place.")
        intro.setWordWrap(True)
        intro.setProperty("role", "muted")
        self.places = QListWidget()
        self.empty = QLabel("Nothing taught yet: select a few photos of a place and press Teach… (T).")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row = QHBoxLayout()
        self.show_button = QPushButton("Show photos")
        self.rename_button = QPushButton("Rename…")
        self.rename_button.setToolTip("Give this place another name on its photos (a name in use merges the two)")
        self.rename_button.clicked.connect(self._rename_current)
        self.forget_button = QPushButton("Forget…")
        self.forget_button.setToolTip("Stop recognising this place; its photos keep their labels "
                                      f"({key_name('Ctrl+Z')} takes it back)")
        self.show_button.clicked.connect(self._show_current)
        self.forget_button.clicked.connect(self._forget_current)
        self.places.itemDoubleClicked.connect(lambda _item: self._show_current())
        self.places.currentItemChanged.connect(lambda *_: self._update_buttons())
        row.addWidget(self.show_button)
        row.addWidget(self.rename_button)
        row.addWidget(self.forget_button)
        row.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(intro)
        layout.addWidget(self.places, 1)
        layout.addWidget(self.empty, 1)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.reload()

    def reload(self) -> None:
        self.places.clear()
        for label, count in sorted(teaching.taught_labels(self.index).items(), key=lambda item: name_order(item[0])):
            item = QListWidgetItem(f"{label}   ·   {counted(count, 'photo')}")
            item.setData(Qt.ItemDataRole.UserRole, label)
            self.places.addItem(item)
        has_places = self.places.count() > 0
        self.places.setVisible(has_places)
        self.empty.setVisible(not has_places)
        if has_places:
            self.places.setCurrentRow(0)
        self._update_buttons()

    def reload_after_job(self, _job: str) -> None:
        self.reload()

    def current_label(self) -> str | None:
        item = self.places.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def _update_buttons(self) -> None:
        chosen = self.current_label() is not None
        self.show_button.setEnabled(chosen)
        for button in (self.rename_button, self.forget_button):
            button.setEnabled(chosen and not self.read_only)
            if self.read_only:
                button.setToolTip(READ_ONLY_TIP[0].upper() + READ_ONLY_TIP[1:])

    def _show_current(self) -> None:
        label = self.current_label()
        if label is not None:
            self.show_requested.emit(label)
            self.accept()

    def _rename_current(self) -> None:
        label = self.current_label()
        if label is not None:
            self.rename_requested.emit(label)  # the window renames it in a job, then reloads this list

    def confirm_forget(self, label: str) -> bool:
        return go_ahead(
            self, "Forget a taught place",
            f"Stop recognising “{label}”? Its photos keep their labels; you can teach it again.")

    def _forget_current(self) -> None:
        label = self.current_label()
        if label is None or not self.confirm_forget(label):
            return
        try:
            # withdraws its suggestions (the user's labels stay); journalled for Ctrl+Z and `undo --review`
            done = teaching.forget(self.index, label, journal=app_forget_command(label))
        except TaggerError as error:
            QMessageBox.warning(self, "Forget a taught place", str(error))
            return
        self.reload()
        self.forgotten.emit(label, done)
