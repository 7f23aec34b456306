"""The review view: suggested labels as a list, most doubtful first, for fast
checking with A (accept), R (reject), L (label) and the arrow keys; "Find suggestions"
looks for the places the user taught."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QAbstractItemView, QBoxLayout, QHBoxLayout, QLabel, QPushButton, QStyle, QStyledItemDelegate, QVBoxLayout,
    QWidget,
)

from app.core.library import display_name
from app.core.wording import counted
from app.gui import theme
from app.gui.button_row import ButtonRow
from app.gui.elided_label import ElidedLabel
from app.gui.icons import icon
from app.gui.photo_model import AlternativesRole, PhotoListModel, RecordRole, ThumbnailRole
from app.gui.steady_list_view import SteadyListView
from app.gui.tile_delegate import draw_badge
from model.image_detail import is_unscored

ROW_HEIGHT = 92
ROW_MIN_WIDTH = 360  # rows fill the list's width; this is the narrowest they are drawn
WIDE_TEXT_AT_LEAST = 200  # px for the label, file and date beside the bar, else the compact row
RAW_BADGE_ROOM = 44  # a "RAW" badge after the file name, with its gap
NARROW_BAR_WIDTH = 130  # the bar in a compact row: room for "or Other place  58%" under it


def runner_up_line(record, alternatives) -> str | None:
    """The line under a row's confidence bar: the other place it could be ("or Petra
    12%"), or for "no landmark" the best guess that fell short, without repeating the
    percentage the row already shows on the right."""
    runner_up = next((p for p in alternatives if p.label != record.label), None)
    if runner_up is None:
        return None
    if is_unscored(alternatives):  # a blank frame
        return "blank frame: too little detail"
    lead = "best guess" if record.label is None else "or"
    percent = f"{runner_up.score * 100:.0f}%"
    shown = f"{(record.score or 0.0) * 100:.0f}%"
    return f"{lead} {runner_up.label}" + ("" if lead == "best guess" and percent == shown else f"  {percent}")

ALL_REVIEWED = ("Nothing to review: every suggestion has been accepted or rejected.\n"
                "Teach a place (T) on a few photos, then Find suggestions.")


@dataclass(frozen=True)
class RowPlaces:
    """Where a row's parts go: the words from `left` (the card's top at `top`), the label
    in `label`, the file and date `text_width` wide, the percentage in `percent`, the
    bar's track in `track`."""

    top: float
    left: float
    label: QRectF
    text_width: int
    percent: QRectF
    track: QRectF


def row_places(rect: QRectF, left: float) -> RowPlaces:
    """Beside the bar while the words keep WIDE_TEXT_AT_LEAST; in a narrower row (the list
    beside both panels on a laptop) the percentage moves up to the label's line and the bar
    narrows, so the label, file and date still read whole ("Notre-Dame de…" before)."""
    bar_left = rect.left() + rect.width() * 0.6
    text_width = int(bar_left - left - 24)
    if text_width >= WIDE_TEXT_AT_LEAST:
        percent = QRectF(rect.right() - 62, rect.top(), 52, rect.height())
        track = QRectF(bar_left, rect.center().y() - 4, rect.right() - 70 - bar_left, 8)
        return RowPlaces(rect.top(), left, QRectF(left, rect.top() + 10, text_width, 24), text_width, percent, track)
    percent = QRectF(rect.right() - 62, rect.top() + 10, 52, 24)
    bar_left = rect.right() - 10 - NARROW_BAR_WIDTH
    track = QRectF(bar_left, rect.top() + 42, NARROW_BAR_WIDTH, 8)
    label = QRectF(left, rect.top() + 10, percent.left() - 8 - left, 24)
    return RowPlaces(rect.top(), left, label, int(bar_left - left - 16), percent, track)


class ReviewRowDelegate(QStyledItemDelegate):
    """A row: thumbnail, suggested label, confidence bar, file and date."""

    def sizeHint(self, option, index: QModelIndex) -> QSize:
        # A list view makes rows as wide as the widest hint or its viewport, whichever is
        # more: a wide hint pushed the percentage out of sight on a laptop's screen.
        return QSize(ROW_MIN_WIDTH, ROW_HEIGHT)

    def paint(self, painter: QPainter, option, index: QModelIndex) -> None:
        record = index.data(RecordRole)
        if record is None:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(option.rect).adjusted(8, 3, -8, -3)
        self._paint_card(painter, rect, bool(option.state & QStyle.StateFlag.State_Selected))
        thumb_area = QRectF(rect.left() + 8, rect.top() + 7, 104, rect.height() - 14)
        self._paint_thumbnail(painter, thumb_area, index.data(ThumbnailRole))
        places = row_places(rect, thumb_area.right() + 16)
        self._paint_words(painter, option.font, places, record)
        self._paint_confidence(painter, option.font, places, record, index.data(AlternativesRole) or [])
        painter.restore()

    @staticmethod
    def _paint_card(painter: QPainter, rect: QRectF, selected: bool) -> None:
        path = QPainterPath()
        path.addRoundedRect(rect, 8, 8)
        painter.fillPath(path, QColor("#2d3a4f") if selected else QColor(theme.PANEL))
        if selected:
            painter.setPen(QPen(QColor(theme.ACCENT), 1.5))
            painter.drawPath(path)

    @staticmethod
    def _paint_thumbnail(painter: QPainter, area: QRectF, pixmap) -> None:
        if pixmap is None or pixmap.isNull():
            painter.fillRect(area, QColor("#2b2e33"))
            return
        size = pixmap.size().scaled(area.size().toSize(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRect(0, 0, size.width(), size.height())
        target.moveCenter(area.center().toPoint())
        painter.drawPixmap(target, pixmap)

    @staticmethod
    def _paint_words(painter: QPainter, font, places: RowPlaces, record) -> None:
        """The label, the file (and a RAW badge), the date and camera."""
        left, text_width, top = places.left, places.text_width, places.top
        painter.setFont(theme.scaled_font(font, 1.1, bold=True))
        painter.setPen(QColor(theme.TEXT))
        label = record.label or "no landmark"
        painter.drawText(places.label, Qt.AlignmentFlag.AlignVCenter,
                         painter.fontMetrics().elidedText(label, Qt.TextElideMode.ElideRight,
                                                          int(places.label.width())))
        painter.setFont(font)
        painter.setPen(QColor(theme.MUTED))
        name = display_name(record.path)
        metrics = painter.fontMetrics()
        name_room = text_width - (RAW_BADGE_ROOM if record.has_raw else 0)  # the badge stays off the bar
        name_width = min(name_room, metrics.horizontalAdvance(name) + 2)
        painter.drawText(QRectF(left, top + 36, name_width, 20), Qt.AlignmentFlag.AlignVCenter,
                         metrics.elidedText(name, Qt.TextElideMode.ElideMiddle, name_room))
        if record.has_raw:
            draw_badge(painter, QRectF(left + name_width + 8, top + 38, 36, 16), "RAW",
                       QColor(0, 0, 0, 120), QColor("#ffd36b"))
            painter.setPen(QColor(theme.MUTED))
        when = (record.taken_at or "")[:16].replace("T", " ")
        details = "  ·  ".join(part for part in (when, record.camera or "") if part)
        painter.setFont(theme.scaled_font(font, 0.9))
        painter.drawText(QRectF(left, top + 58, text_width, 18), Qt.AlignmentFlag.AlignVCenter,
                         painter.fontMetrics().elidedText(details, Qt.TextElideMode.ElideRight, text_width))
        painter.setFont(font)

    @staticmethod
    def _paint_confidence(painter: QPainter, font, places: RowPlaces, record, alternatives) -> None:
        """The bar, the percentage and under the bar the runner-up."""
        score = record.score or 0.0
        track = places.track
        track_path = QPainterPath()
        track_path.addRoundedRect(track, 4, 4)
        painter.fillPath(track_path, QColor(theme.RAISED))
        fill_path = QPainterPath()
        fill_path.addRoundedRect(QRectF(track.left(), track.top(), max(6.0, track.width() * score), 8), 4, 4)
        painter.fillPath(fill_path, theme.confidence_colour(score))
        painter.setPen(theme.confidence_colour(score))
        painter.drawText(places.percent, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                         f"{score * 100:.0f}%")
        text = runner_up_line(record, alternatives)
        if text:
            painter.setPen(QColor(theme.MUTED))
            painter.setFont(theme.scaled_font(font, 0.9))
            painter.drawText(QRectF(track.left(), track.bottom() + 6, track.width(), 18), Qt.AlignmentFlag.AlignLeft,
                             painter.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, int(track.width())))


class ReviewView(QWidget):
    """Header with the count and key hints, and the list of suggestions."""

    open_requested = Signal(int)  # row: details
    view_requested = Signal(int)  # row: the loupe
    find_suggestions_requested = Signal()
    taught_places_requested = Signal()

    def __init__(self, model: PhotoListModel, parent=None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 0)
        layout.setSpacing(8)
        # The buttons sit beside the heading where there is room, else under it (at 1,024 px
        # the heading was cut to "Review sugges…"); the heading and the hint still give way
        # (cut with "…") rather than squeezing the panels beside the list.
        self.header = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.heading = ElidedLabel()
        self.heading.setText("Review suggestions")
        self.heading.setProperty("role", "heading")
        self.heading.setMinimumWidth(120)
        self.hint = hint = ElidedLabel()
        hint.setText("Most doubtful first  ·  A accept  ·  R reject  ·  L label")
        hint.setToolTip("A accept  ·  R reject  ·  L set a label (it teaches)  ·  T teach  ·  Space view larger  ·  Enter details")
        hint.setProperty("role", "muted")
        titles = QVBoxLayout()
        titles.setSpacing(2)
        self.find_button = QPushButton(icon("review"), "Find suggestions")
        self.find_button.setToolTip("Look through the library for the places you taught (no photo is decoded)")
        self.find_button.clicked.connect(self.find_suggestions_requested)
        self.places_button = QPushButton("Taught places…")
        self.places_button.setToolTip("The places you taught: show their photos or forget one")
        self.places_button.clicked.connect(self.taught_places_requested)
        self.found_label = QLabel()
        self.found_label.setProperty("role", "muted")
        titles.addWidget(self.heading)
        titles.addWidget(hint)
        actions = QHBoxLayout()
        actions.addWidget(self.found_label, 1, Qt.AlignmentFlag.AlignRight)
        # side by side while they fit, else one above the other: in a row they held the
        # window wider than a small screen
        actions.addWidget(ButtonRow([self.places_button, self.find_button]))
        self.header.addLayout(titles, 1)
        self.header.addLayout(actions)
        layout.addLayout(self.header)
        self.list = SteadyListView()  # stays on the row reviewed as thumbnails arrive and rows leave
        self.list.setObjectName("reviewList")
        self.list.setAccessibleName("Suggestions to review")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setItemDelegate(ReviewRowDelegate(self.list))
        self.list.setModel(model)
        self.list.doubleClicked.connect(lambda index: self.view_requested.emit(index.row()))
        self.list.installEventFilter(self)
        self.empty = QLabel(ALL_REVIEWED)
        self.empty.setProperty("role", "muted")
        self.empty.setWordWrap(True)  # a long line would keep the window from narrowing
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty, 1)
        self.empty.hide()
        self._why_empty = ALL_REVIEWED  # show_untagged's words, said again once a search is valid
        self._search_invalid = ""  # why the search is not valid (show_search_invalid), else ""

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._place_buttons(event.size().width())

    def _place_buttons(self, width: int) -> None:
        """Beside the heading when all of it fits, else under it."""
        beside = self._header_width() <= width
        self.header.setDirection(QBoxLayout.Direction.LeftToRight if beside else QBoxLayout.Direction.TopToBottom)

    def _header_width(self) -> int:
        """The width the heading, its hint and the buttons need side by side."""
        titles = max(self.heading.sizeHint().width(), self.hint.sizeHint().width())
        buttons = self.places_button.sizeHint().width() + self.find_button.sizeHint().width()
        found = self.found_label.sizeHint().width() if self.found_label.text() else 0
        margins = self.layout().contentsMargins()
        return titles + buttons + found + 4 * self.header.spacing() + margins.left() + margins.right()

    def show_untagged(self, untagged: int) -> None:
        """An empty list says why: photos not tagged yet have nothing to review (right after
        Add folder), else every suggestion has been seen."""
        self._why_empty = (
            f"Nothing to review yet: {counted(untagged, 'photo')} in the library {'is' if untagged == 1 else 'are'} "
            "not tagged.\nPress Tag folder to recognise the landmarks in them." if untagged else ALL_REVIEWED)
        self.empty.setText(self._search_invalid or self._why_empty)

    def show_search_invalid(self, why: str) -> None:
        """The list is empty because the search is not valid (`why`; "" once it is): not
        "all reviewed"."""
        self._search_invalid = why
        self.empty.setText(why or self._why_empty)

    def show_count(self, count: int) -> None:
        self.heading.setText(f"Review suggestions  ({count:,})")
        self._place_buttons(self.width())
        if self.list.isHidden() != (count == 0):  # showing a long list lays it out again
            self.list.setVisible(count > 0)
            self.empty.setVisible(count == 0)

    def show_found(self, count: int | None) -> None:
        """How many new suggestions the last "Find suggestions" gave (None: still looking)."""
        if count is None:
            self.found_label.setText("looking…")
        else:
            self.found_label.setText(f"{count:,} new" if count else "nothing new")
        self._place_buttons(self.width())

    def eventFilter(self, watched, event) -> bool:
        if watched is self.list and event.type() == event.Type.KeyPress:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.list.currentIndex().isValid():
                self.open_requested.emit(self.list.currentIndex().row())
                return True
        return super().eventFilter(watched, event)
