"""The loupe: the current photo as large as the centre of the window allows, its label
underneath, so a landmark far off in a wide shot can be judged before accepting it.

It lies over the grid or the review list (whichever opened it) rather than replacing
them, so the window's actions (A, R, L, T) keep working on the photo shown; the arrows
step through that view's photos and Esc, Space or Enter go back to it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QKeyEvent, QPainter, QPixmap
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from app.core.library import display_name
from app.gui import theme
from app.gui.detail_pane import format_taken_at
from app.gui.elided_label import ElidedLabel

_STEP_KEYS = {Qt.Key.Key_Left: -1, Qt.Key.Key_Up: -1, Qt.Key.Key_Right: 1, Qt.Key.Key_Down: 1}
_CLOSE_KEYS = (Qt.Key.Key_Escape, Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter)
HINT = "←/→ previous / next  ·  A accept  ·  R reject  ·  L label  ·  Esc back"  # short: it shares a line
SHORT_HINT = "←/→  ·  A  ·  R  ·  L  ·  Esc"  # the keys alone, on a laptop (the whole hint in its tooltip)
MARGIN, CAPTION_GAP, CAPTION_LINE_GAP = 16, 16, 4
LABEL_SHARE_AT_LEAST = 0.6  # of the caption row, for the label and its state when both sides are long


class _FittedImage(QWidget):
    """Paints the image scaled to fit, aspect kept, centred; a message when there is none."""

    def __init__(self) -> None:
        super().__init__()
        self._pixmap: QPixmap | None = None
        self._message = ""

    def set_image(self, image: QImage | None, message: str = "") -> None:
        self._pixmap = QPixmap.fromImage(image) if image is not None and not image.isNull() else None
        self._message = message
        self.update()

    def has_image(self) -> bool:
        return self._pixmap is not None

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        if self._pixmap is None:
            painter.setPen(QColor(theme.MUTED))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._message)
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        size = self._pixmap.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        ratio = self.devicePixelRatioF()
        if size.width() * ratio > self._pixmap.width():  # never blow a small preview up past its pixels
            size = QSize(round(self._pixmap.width() / ratio), round(self._pixmap.height() / ratio))
        left = (self.width() - size.width()) / 2
        top = (self.height() - size.height()) / 2
        painter.drawPixmap(QRectF(left, top, size.width(), size.height()), self._pixmap,
                           QRectF(self._pixmap.rect()))


def _wrapping_line(parent: QWidget, side: Qt.AlignmentFlag) -> QLabel:
    """A muted caption line that wraps onto a second line rather than being cut."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setProperty("role", "muted")
    label.setWordWrap(True)
    label.setAlignment(side | Qt.AlignmentFlag.AlignTop)
    return label


def _set_line(label: QLabel, text: str) -> None:
    """The text, and the same in the tooltip (as the cut lines have it)."""
    label.setText(text)
    label.setToolTip(text)


def _one_line_width(label: QLabel) -> int:
    """What a wrapping label needs to stay on one line (its size hint is a guess at a wrap)."""
    margins = label.contentsMargins()
    return label.fontMetrics().horizontalAdvance(label.text()) + margins.left() + margins.right() + 4


class LoupeView(QWidget):
    """Covers its parent (the centre of the main window) while shown."""

    step_requested = Signal(int)  # -1 previous photo, +1 next
    close_requested = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("loupe")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("QWidget#loupe { background: #111214; }")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.record_id: int | None = None
        self.image = _FittedImage()
        # The caption's lines share one row under the photo; on a laptop a long landmark or
        # file name would run under its neighbour, so those are cut with "…" (whole in their
        # tooltips). The state and the date wrap instead: cut, they said nothing.
        # Each line is the loupe's child from the start, in the order made here (the key hint
        # before the date: tests find the hint as the first right-hand line after the file).
        self.title = ElidedLabel(self)  # plain text: labels are user text, never markup
        self.title.setProperty("role", "heading")
        self.state_line = _wrapping_line(self, Qt.AlignmentFlag.AlignLeft)
        self.file_line = ElidedLabel(self, Qt.TextElideMode.ElideMiddle)
        self.file_line.setProperty("role", "muted")
        self.file_line.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        hint = ElidedLabel(self)
        hint.set_texts(HINT, SHORT_HINT)
        hint.setProperty("role", "muted")
        hint.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.hint = hint
        self.date_line = _wrapping_line(self, Qt.AlignmentFlag.AlignRight)
        # Label and state on the left; the file, the date and the keys on lines of their own
        # on the right (file and date side by side, a laptop cut the date). A grid keeps each
        # left line level with its right-hand neighbour.
        caption = QGridLayout()
        caption.setHorizontalSpacing(CAPTION_GAP)
        caption.setVerticalSpacing(CAPTION_LINE_GAP)
        for row, (left, right) in enumerate(((self.title, self.file_line), (self.state_line, self.date_line),
                                             (None, hint))):
            if left is not None:
                caption.addWidget(left, row, 0)
            caption.addWidget(right, row, 1)
        caption.setColumnStretch(0, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(MARGIN, MARGIN, MARGIN, 12)
        layout.setSpacing(10)
        layout.addWidget(self.image, 1)
        layout.addLayout(caption)
        parent.installEventFilter(self)  # follow the parent's size
        self.hide()

    # -- what is shown ------------------------------------------------------------------
    def show_record(self, record, state_text: str) -> None:
        """The photo's label and where it is; the image comes from set_image (the window passes on
        the detail pane's preview: one decode serves both)."""
        if record is None:
            self.record_id = None
            self.set_image(None, "No photo")
            for label in (self.title, self.state_line, self.file_line, self.date_line):
                _set_line(label, "")
            return
        self.record_id = record.id
        self.title.setText("Not tagged yet" if record.state == "unlabelled" else record.label or "No landmark")
        _set_line(self.state_line, state_text)
        self.file_line.setText(display_name(record.path))
        _set_line(self.date_line, format_taken_at(record.taken_at) if record.taken_at else "")
        self._share_caption()

    def _share_caption(self) -> None:
        """Split the caption row between the label (left) and the file and keys (right):
        the label gets the width it needs, at most LABEL_SHARE_AT_LEAST of the row when the
        right side is long too. Left to the layout, two long sides took equal cuts, and a
        long landmark name vanished altogether beside the key hint."""
        room = max(0, self.width() - 2 * MARGIN - CAPTION_GAP)
        wanted = max(self.title.sizeHint().width(), _one_line_width(self.state_line))
        right = max(round(room * (1 - LABEL_SHARE_AT_LEAST)), room - wanted)
        for label in (self.file_line, self.date_line, self.hint):
            label.setMaximumWidth(right)
        for label in (self.title, self.state_line):
            label.setMaximumWidth(max(0, room - right))
        self.layout().activate()  # the lines' widths now, not at the next event loop: their text is cut to them

    def set_image(self, image: QImage | None, message: str = "") -> None:
        self.image.set_image(image, message)

    def has_image(self) -> bool:
        return self.image.has_image()

    # -- opening and keys -----------------------------------------------------------------
    def open(self) -> None:
        self.setGeometry(self.parentWidget().rect())
        self.show()
        self.raise_()
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._share_caption()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.parentWidget().rect())
        return False

    def event(self, event: QEvent) -> bool:
        # Esc is also the window's "back to all photos"; while the loupe has the keys it means "back".
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) \
                and (event.key() in _CLOSE_KEYS or event.key() in _STEP_KEYS):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in _STEP_KEYS:
            self.step_requested.emit(_STEP_KEYS[event.key()])
        elif event.key() in _CLOSE_KEYS:
            self.close_requested.emit()
        else:
            super().keyPressEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:
        self.close_requested.emit()
