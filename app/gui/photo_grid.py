"""The centre thumbnail grid: a QListView in icon mode over PhotoListModel."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QLabel, QListView

from app.gui.photo_model import PhotoListModel
from app.gui.steady_list_view import SteadyListView
from app.gui.thumbnail_loader import ThumbnailLoader
from app.gui.tile_delegate import PADDING, TileDelegate, label_strip


def no_match_text(search: str, narrowed: bool, hint: str | None = None, last_valid: bool = False) -> str:
    """What an empty grid says: what found nothing and how to see the photos again
    (a dark, empty area and a small "0 photos" left the user guessing); `hint`: what the
    words were taken for (state_word_hint); `last_valid`: the field holds another search
    now, a malformed one, so the search named is said to be the last valid one."""
    if search:
        back = "Clear the search (× in the search field) to see the photos again"
        if narrowed:
            back += ", or choose All photos in the library panel"
        found = f"No photos match the last valid search, “{search}”" if last_valid else f"No photos match “{search}”"
        lines = [found, *([hint if hint.endswith("?") else hint + "."] if hint else []), back + "."]
        return "\n".join(lines)
    if narrowed:
        return "No photos here\nChoose All photos in the library panel to see them all."
    return ""


class PhotoGrid(SteadyListView):
    """Uniform tiles that stay where the user scrolled them (SteadyListView); Enter opens
    the current photo's details, a double click shows it in the loupe."""

    open_requested = Signal(int)  # row
    view_requested = Signal(int)  # row

    def __init__(self, model: PhotoListModel, thumbnails: ThumbnailLoader, thumbnail_size: int, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("photoGrid")
        self.setAccessibleName("Photos")  # each tile says its file, label and state (photo_speech)
        # List mode flowing left to right with wrapping draws the same grid as icon mode,
        # but keeps no per-row item records, so 100,000 rows cost nothing up front and a
        # change to many rows is one repaint.
        self.setViewMode(QListView.ViewMode.ListMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setSpacing(0)
        self.setWrapping(True)
        self._thumbnail_size = thumbnail_size
        self.ensurePolished()  # the app's font (and style sheet) sizes the label strip
        self._cell = self._cell_for_font()
        self.setGridSize(self._cell)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(24)
        self.setMouseTracking(True)
        self.setItemDelegate(TileDelegate(thumbnail_size, self))
        self.setModel(model)
        self._thumbnails = thumbnails
        self._last_scroll = 0
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        self.doubleClicked.connect(lambda index: self.view_requested.emit(index.row()))
        self.empty_note = QLabel(self.viewport())  # in the grid's place while nothing matches
        self.empty_note.setTextFormat(Qt.TextFormat.PlainText)  # it quotes the search typed
        self.empty_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_note.setWordWrap(True)
        self.empty_note.setProperty("role", "muted")
        self.empty_note.hide()

    def show_empty(self, text: str) -> None:
        """Say `text` in the middle of the grid; "" hides it."""
        self.empty_note.setText(text)
        self.empty_note.setVisible(bool(text))
        self._place_empty_note()

    def _place_empty_note(self) -> None:
        area = self.viewport().rect().adjusted(24, 24, -24, -24)
        height = self.empty_note.heightForWidth(area.width())
        self.empty_note.setGeometry(area.left(), area.center().y() - height // 2, area.width(), height)

    def viewportEvent(self, event) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._fit_columns(event.size().width())
            self._place_empty_note()
        return super().viewportEvent(event)

    def _cell_for_font(self) -> QSize:
        side = self._thumbnail_size + 2 * PADDING
        return QSize(side + 4, side + label_strip(self.font()) + 4)

    def changeEvent(self, event) -> None:
        """A new font (the system's text size changed) resizes the tiles' label strip."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and hasattr(self, "_cell"):
            self._cell = self._cell_for_font()
            self.setGridSize(QSize(max(self.gridSize().width(), self._cell.width()), self._cell.height()))
            self._fit_columns(self.viewport().width())

    def _fit_columns(self, width: int) -> None:
        """Share the leftover width between the columns so the grid fills the view evenly."""
        usable = width - 16  # Qt wraps early by about a scroll bar's width
        columns = max(1, usable // self._cell.width())
        cell_width = max(self._cell.width(), usable // columns)
        if self.gridSize().width() != cell_width:
            self.itemDelegate().cell_width = cell_width
            self.setGridSize(QSize(cell_width, self._cell.height()))

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_requested.emit(self.currentIndex().row())
            return
        super().keyPressEvent(event)

    def _on_scrolled(self, value: int) -> None:
        # A fast jump through thousands of rows must not leave a queue of stale decodes.
        if abs(value - self._last_scroll) > 3 * self.viewport().height():
            self._thumbnails.drop_queued()
            self.viewport().update()
        self._last_scroll = value
