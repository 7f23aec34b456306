"""Paints one photo tile: thumbnail, label, confidence badge, state and RAW markers.

Painting (not a widget per photo) is what keeps the grid smooth at 100,000 rows. The
confidence sits on the picture's corner, as RAW does, so the landmark's name has the
tile's whole width ("Palais Longchamp", not "Palais Lon…").
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.core.library import display_name
from app.gui import theme
from app.gui.photo_model import IN_THE_CLOUD_TILE, RecordRole, ThumbnailNoteRole, ThumbnailRole

LABEL_STRIP = 42  # the label strip's height at the default font; a larger font makes it taller (label_strip)
PADDING = 6


def state_mark(state: str) -> tuple[str, QColor]:
    """A one-character marker and colour for a label state."""
    return {
        "accepted": ("✓", QColor(theme.GOOD)),
        "rejected": ("✕", QColor(theme.BAD)),
        "suggested": ("•", QColor(theme.WARN)),
    }.get(state, ("", QColor(theme.MUTED)))


def confidence_badge(record) -> str | None:
    """The percentage shown on a tile: the confidence of its label. A "no landmark"
    tile shows none (its score is the best guess that fell short, which on the grid
    reads as certainty of no landmark; the detail pane says "best guess")."""
    if record.score is None or record.state == "unlabelled" or not record.label:
        return None
    return f"{round(record.score * 100)}%"


def draw_badge(painter: QPainter, rect: QRectF, text: str, background: QColor, foreground: QColor) -> None:
    path = QPainterPath()
    path.addRoundedRect(rect, rect.height() / 2, rect.height() / 2)
    painter.fillPath(path, background)
    painter.setPen(foreground)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)


def confidence_badge_rect(picture: QRectF, metrics: QFontMetrics, text: str) -> QRectF:
    """The confidence badge's place: the picture's bottom-right corner, inset."""
    width, height = metrics.horizontalAdvance(text) + 10, metrics.height() + 2
    return QRectF(picture.right() - width - 4, picture.bottom() - height - 4, width, height)


STATE_MARK_WIDTH = 14


def paint_focus_outline(painter: QPainter, tile: QRectF) -> None:
    """The current tile while the grid has focus: where the arrow keys and A/R/L act
    (the selection's accent border alone left it unseen when nothing was selected)."""
    outline = QPainterPath()
    outline.addRoundedRect(tile.adjusted(3, 3, -3, -3), 6, 6)
    pen = QPen(QColor(theme.FOCUS), 1.5, Qt.PenStyle.DashLine)
    painter.setPen(pen)
    painter.drawPath(outline)


def label_rows(font: QFont) -> tuple[int, int, int]:
    """(label line's height, file name line's top, file name line's height) on a tile's
    label strip for `font`: at the default font 22, 19, 16 px; a larger system font (the
    app's text follows it) makes them taller, so the file name is not cut at the bottom."""
    label_line = max(22, QFontMetrics(font).height() + 6)
    name_line = max(16, QFontMetrics(theme.scaled_font(font, 0.85)).height() + 2)
    return label_line, label_line - 3, name_line


def label_strip(font: QFont) -> int:
    """The label strip's height under the thumbnail for `font` (LABEL_STRIP at the default)."""
    _, name_top, name_line = label_rows(font)
    return max(LABEL_STRIP, name_top + name_line + 7)


def label_width(strip_width: float, record) -> float:
    """The room the label has on a tile's label strip: all of it but the state mark's."""
    return strip_width - (STATE_MARK_WIDTH if state_mark(record.state)[0] else 0)


class TileDelegate(QStyledItemDelegate):
    """Grid tiles of a fixed size (the view uses uniform item sizes)."""

    def __init__(self, thumbnail_size: int, parent=None) -> None:
        super().__init__(parent)
        self.thumbnail_size = thumbnail_size
        self.cell_width = 0  # the grid's column width; tiles are centred in it

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        side = self.thumbnail_size + 2 * PADDING
        return QSize(max(side, self.cell_width - 4), side + label_strip(option.font))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        record = index.data(RecordRole)
        if record is None:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        side = self.thumbnail_size + 2 * PADDING
        strip_height = label_strip(option.font)
        tile = QRectF(0, 0, side - 6, side + strip_height - 6)
        tile.moveCenter(QRectF(option.rect).center())
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        background = QColor("#34373d") if (selected or hovered) else QColor(theme.PANEL)
        path = QPainterPath()
        path.addRoundedRect(tile, 8, 8)
        painter.fillPath(path, background)
        if selected:
            painter.setPen(QPen(QColor(theme.ACCENT), 2))
            painter.drawPath(path)
        if option.state & QStyle.StateFlag.State_HasFocus:  # the keyboard's tile, selected or not
            paint_focus_outline(painter, tile)

        image_area = QRectF(tile.left() + PADDING - 3, tile.top() + PADDING - 3,
                            tile.width() - 2 * (PADDING - 3), tile.width() - 2 * (PADDING - 3))
        note = index.data(ThumbnailNoteRole)
        picture = self._paint_thumbnail(painter, image_area, index, note)
        badge_text = confidence_badge(record)
        if badge_text:
            painter.setFont(theme.scaled_font(option.font, 0.85, bold=True))
            draw_badge(painter, confidence_badge_rect(picture, QFontMetrics(painter.font()), badge_text),
                       badge_text, QColor(0, 0, 0, 170), theme.confidence_colour(record.score))
        if record.has_raw:
            painter.setFont(theme.scaled_font(option.font, 0.75, bold=True))
            draw_badge(painter, QRectF(image_area.left() + 5, image_area.top() + 5, 34, 16), "RAW",
                       QColor(0, 0, 0, 170), QColor("#ffd36b"))
        if record.missing and note != IN_THE_CLOUD_TILE:  # iCloud's stand-in in its place: not missing
            painter.setFont(option.font)
            draw_badge(painter, QRectF(image_area.right() - 64, image_area.top() + 5, 59, 16), "missing",
                       QColor(theme.BAD), QColor("white"))
        self._paint_label_strip(painter, option, QRectF(tile.left() + 8, image_area.bottom() + 4,
                                                        tile.width() - 16, strip_height - 8), record)
        painter.restore()

    def _paint_thumbnail(self, painter: QPainter, area: QRectF, index: QModelIndex, note: str | None) -> QRectF:
        """Draws the thumbnail fitted into `area`, or `note` in its place (a photo in
        iCloud, none made); returns where the picture is."""
        pixmap = index.data(ThumbnailRole)
        if pixmap is None or pixmap.isNull():
            painter.fillRect(area, QColor("#2b2e33"))
            if note:
                painter.setPen(QColor(theme.MUTED))
                painter.drawText(area.adjusted(4, 0, -4, 0),
                                 Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, note)
            return area
        scaled = pixmap.size().scaled(area.size().toSize(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRect(0, 0, scaled.width(), scaled.height())
        target.moveCenter(area.center().toPoint())
        painter.drawPixmap(target, pixmap)
        return QRectF(target)

    def _paint_label_strip(self, painter: QPainter, option: QStyleOptionViewItem, strip: QRectF, record) -> None:
        font = QFont(option.font)
        painter.setFont(font)
        metrics = QFontMetrics(font)
        label_line, name_top, name_line = label_rows(font)
        mark, mark_colour = state_mark(record.state)
        text_left = strip.left()
        if mark:
            painter.setPen(mark_colour)
            middle = Qt.AlignmentFlag.AlignVCenter
            painter.drawText(QRectF(strip.left(), strip.top(), STATE_MARK_WIDTH, label_line), middle, mark)
            text_left += STATE_MARK_WIDTH
        if record.state == "unlabelled":
            text, colour = "not tagged", QColor(theme.MUTED)
        elif record.label:
            text, colour = record.label, QColor(theme.TEXT)
        else:
            text, colour = "no landmark", QColor(theme.MUTED)
        width = label_width(strip.width(), record)
        painter.setPen(colour)
        painter.drawText(QRectF(text_left, strip.top(), width, label_line), Qt.AlignmentFlag.AlignVCenter,
                         metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(width)))
        name = display_name(record.path)
        small = theme.scaled_font(font, 0.85)
        painter.setFont(small)
        painter.setPen(QColor(theme.MUTED))
        name_row = QRectF(strip.left(), strip.top() + name_top, strip.width(), name_line)
        painter.drawText(name_row, Qt.AlignmentFlag.AlignVCenter,
                         QFontMetrics(small).elidedText(name, Qt.TextElideMode.ElideMiddle, int(strip.width())))
