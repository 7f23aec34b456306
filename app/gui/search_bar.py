"""The search field: the CLI's query language, debounced, with a match count and an
inline error for a malformed query (no dialog)."""

from __future__ import annotations

import re

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QSizePolicy, QVBoxLayout, QWidget

from app.core.index.problem_terms import PROBLEM_STAGES
from app.core.index.query_parser import NO_LANDMARK_TERM
from app.gui.icons import icon
from app.gui.key_names import key_name
from app.gui.library_tree import NO_LANDMARK_QUERY, NO_LANDMARK_TITLE

DEBOUNCE_MS = 250
LAST_VALID_SEARCH = "(last valid search)"  # after the count while the query typed is malformed
SAVE_SEARCH_KEY = "Ctrl+D"  # a bookmark, as in a web browser
PLACEHOLDER = ('Search: Colosseum, label:"Eiffel Tower", camera:D850, date:2020-11, score<0.5, state:suggested, '
               'has:gps|label, -word')
LANGUAGE = "\n".join((
    "Words find labels, folders, file names, cameras and lenses (case and accents ignored).",
    'label:"Eiffel Tower"   camera:D850   lens:24-70   folder:Rome   date:2020-11   after:2019   before:2021-06',
    "score>0.8   state:suggested|accepted|rejected|unlabelled   has:gps|raw|date|label   is:missing   id:123,456",
    "is:unwritten finds the photos whose labels Write labels… has not yet put into their files.",
    f"{NO_LANDMARK_TERM} finds the photos tagged \"no landmark\".",
    f"is:{'|'.join(PROBLEM_STAGES)} finds the photos with that problem (the Problems panel's rows",
    "of indexed photos, not files the index never took in; a missing photo's beside is:missing).",
    "-word leaves out what matches; terms combine with AND; Colosseum OR Petra (or label:Colosseum|Petra)",
    "finds either.",
    "A file or folder path pasted here finds that photo or folder.",
))


# the core's way to the photos tagged "no landmark" (query_parser._no_landmark_hint) counts rejected
# ones too: in the app, the library panel's entry, whose count and search leave them out
_NO_LANDMARK_WAY = re.compile(r"are found with " + re.escape(NO_LANDMARK_TERM)
                              + r" \(-has:label alone adds those never tagged\)")


def query_error_in_app_words(message: str) -> str:
    """Why a query is malformed, with the app's way where the core names a search: the
    search `label:"no landmark"` is refused with found 11 photos where the library
    panel's "No landmark" counted 9."""
    return _NO_LANDMARK_WAY.sub(f"are under {NO_LANDMARK_TITLE} in the library panel's Landmarks "
                                f"(the search {NO_LANDMARK_QUERY}: rejected ones left out)", message)


class QueryError(QLabel):
    """Why a query is malformed, on its own line under the field, wrapped to the width
    there is: beside the field it shrank to nothing on a laptop (only the red border
    showed). It asks for no width, so a long word it quotes never widens the window."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)  # it quotes what the user typed
        self.setWordWrap(True)
        policy = self.sizePolicy()
        policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
        self.setSizePolicy(policy)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        super().setText(text)
        self.setToolTip(text)  # a word too long for the line is cut: whole here

    def full_text(self) -> str:
        return self.text()

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(0, super().minimumSizeHint().height())


class SearchBar(QWidget):
    """Emits `query_changed(text)` once typing pauses."""

    query_changed = Signal(str)
    order_changed = Signal(bool)  # True: oldest photos first
    save_requested = Signal(str)  # the query typed, to keep as a saved search

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        layout = QHBoxLayout()
        layout.setSpacing(10)
        column.addLayout(layout)
        self.field = QLineEdit()
        self.field.setObjectName("searchField")
        self.field.setPlaceholderText(PLACEHOLDER)
        self.field.setAccessibleName("Search photos")  # a placeholder is no name to a screen reader
        self.field.setToolTip(LANGUAGE)
        self.field.setClearButtonEnabled(True)
        clear = self.field.findChild(QAction, "_q_qlineeditclearaction")  # Qt's own, unnamed
        if clear is not None:
            clear.setText("Clear the search")
            clear.setToolTip("Clear the search")
        # the magnifier is a button to Qt: named, and it searches at once (a screen reader read "button")
        self.search_action = self.field.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search_action.setText("Search")
        self.search_action.setToolTip("Search now (Enter)")
        self.search_action.triggered.connect(self._emit_now)
        self.save_action = self.field.addAction(icon("bookmark"), QLineEdit.ActionPosition.TrailingPosition)
        self.save_action.setText("Save this search")
        self.save_action.setToolTip("Save this search: the library panel lists it under Saved searches "
                                    f"({key_name(SAVE_SEARCH_KEY)})")
        self.save_action.triggered.connect(lambda: self.save_requested.emit(self.text()))
        self.save_action.setVisible(False)
        self.field.setMinimumWidth(120)  # room to type a word beside the count and order on an 800 px screen
        self.count_label = QLabel()
        self.count_label.setProperty("role", "muted")
        self.error_label = QueryError()
        self.error_label.setProperty("role", "error")
        self.error_label.hide()
        self._shown_count = ""  # the count of the results on show, kept while a search runs
        self.order = QComboBox()
        self.order.addItem("Newest first", False)
        self.order.addItem("Oldest first", True)  # a trip from its first day
        self.order.setToolTip("The order of the photos (photos with no date come last)")
        self.order.currentIndexChanged.connect(lambda _index: self.order_changed.emit(self.oldest_first()))
        layout.addWidget(self.field, 1)
        layout.addWidget(self.count_label)
        layout.addWidget(self.order)
        column.addWidget(self.error_label)  # shown only while there is an error
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(lambda: self.query_changed.emit(self.text()))
        self.field.textChanged.connect(lambda _text: self._timer.start())
        self.field.textChanged.connect(lambda text: self.save_action.setVisible(bool(text.strip())))
        self.field.returnPressed.connect(self._emit_now)

    def oldest_first(self) -> bool:
        return bool(self.order.currentData())

    def set_oldest_first(self, oldest_first: bool) -> None:
        """Show the order chosen (from the settings) without asking for a new search."""
        self.order.blockSignals(True)
        self.order.setCurrentIndex(1 if oldest_first else 0)
        self.order.blockSignals(False)

    def text(self) -> str:
        return self.field.text().strip()

    def set_text(self, text: str) -> None:
        self.field.setText(text)
        self._emit_now()

    def show_searching(self) -> None:
        self.count_label.setText("searching…")

    def show_count(self, count: int, what: str = "") -> None:
        self._set_invalid(False)
        self.error_label.hide()
        noun = what or ("photo" if count == 1 else "photos")
        self._shown_count = f"{count:,} {noun}"
        self.count_label.setText(self._shown_count)

    def show_error(self, message: str) -> None:
        """Show why the query is malformed under the field, in the app's words; the photos
        on show are still the last valid search's, and the count says so ("8 photos (last
        valid search)"): alone it read as this query's."""
        self._set_invalid(True)
        self.count_label.setText(f"{self._shown_count} {LAST_VALID_SEARCH}" if self._shown_count else "")
        self.error_label.setText(query_error_in_app_words(message))
        self.error_label.show()

    def has_error(self) -> bool:
        return self.error_label.isVisible() or not self.error_label.isHidden()

    def _emit_now(self) -> None:
        self._timer.stop()
        self.query_changed.emit(self.text())

    def _set_invalid(self, invalid: bool) -> None:
        self.field.setProperty("invalid", "true" if invalid else "false")
        self.field.style().unpolish(self.field)
        self.field.style().polish(self.field)
