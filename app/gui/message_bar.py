"""Long messages readable whole: a panel above the photos and a status bar that sums up.

The status bar has one line. Teach…'s result (what the model makes of the place, the
way out for an odd photo, the next step), Find suggestions' "No new suggestions…" and
Forget missing photos…'s closing words run to hundreds of characters, and the status
bar cut them mid-word after about 190, with nothing on screen saying there was more.
A message that does not fit the status bar now shows whole, wrapped, in MessageBar
(as a photo app's info banner: it blocks nothing, stays until closed or followed by
another message, its text can be selected and copied, and a screen reader hears it);
the status bar then shows its first sentence and "…".
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QPainter
from PySide6.QtWidgets import (QApplication, QFrame, QHBoxLayout, QLabel, QPushButton, QStatusBar, QStyle,
                               QStyleOption, QWidget)

from app.gui.icons import icon
from app.gui.window_layout import STATUS_BAR_PADDING

TEXT_MARGIN = 15  # where QStatusBar draws its message, from either side
MORE_FOLLOWS = " …"

# a sentence ends at ". ", "! " or "? " (a file name's dot is followed by its extension)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def first_sentence(text: str) -> str:
    """The message's first sentence, and " …" when more follows: the status bar's summary."""
    head = _SENTENCE_END.split(text.strip(), maxsplit=1)
    return head[0] + MORE_FOLLOWS if len(head) > 1 and head[1] else head[0]


def fits_status_bar(bar: QStatusBar, text: str) -> bool:
    """Whether the status bar shows `text` whole, at its width and font (the screen's scale)."""
    return bar.fontMetrics().horizontalAdvance(text) <= bar.width() - STATUS_BAR_PADDING



def announce(widget: QWidget, text: str) -> None:
    """Have a screen reader say `text` now (a status bar message alone is not announced)."""
    if QAccessible.isActive():
        QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(widget, text))

class SummaryStatusBar(QStatusBar):
    """Shows a message that does not fit as its first sentence and "…", cut with "…" if even
    that is too wide, never mid-word without a sign; currentMessage() and the tooltip
    keep the whole text, which MessageBar shows."""

    def shown_text(self) -> str:
        """What the status bar draws of its current message, at its width."""
        message = self.currentMessage()
        room = self.width() - 2 * TEXT_MARGIN
        metrics = self.fontMetrics()
        if not message or metrics.horizontalAdvance(message) <= room:
            return message
        return metrics.elidedText(first_sentence(message), Qt.TextElideMode.ElideRight, room)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if not self.currentMessage():
            super().paintEvent(event)
            return
        painter = QPainter(self)
        option = QStyleOption()
        option.initFrom(self)
        self.style().drawPrimitive(QStyle.PrimitiveElement.PE_PanelStatusBar, option, painter, self)
        painter.setPen(self.palette().windowText().color())
        painter.drawText(self.rect().adjusted(TEXT_MARGIN, 0, -TEXT_MARGIN, 0),
                         Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextSingleLine,
                         self.shown_text())


class MessageBar(QFrame):
    """Above the photos: the latest message too long for the status bar, whole and wrapped,
    with Close (Esc while it has the focus; Tab reaches it)."""

    closed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Message")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 8, 6)
        self.text = QLabel()
        self.text.setTextFormat(Qt.TextFormat.PlainText)  # file names and place names are text, never markup
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.text.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # Tab reaches it; Ctrl+C copies a selection
        self.close_button = QPushButton(icon("reject"), "Close")
        self.close_button.setToolTip("Close this message (Esc)")
        self.close_button.setAccessibleName("Close message")
        self.close_button.clicked.connect(self.dismiss)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        for widget in (self.text, self.close_button):
            widget.installEventFilter(self)
        self.hide()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        """Esc with the focus here closes the message, not the window's Esc (Back, or
        cancel the running job): the key is claimed before the window's shortcut sees it."""
        if event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) \
                and event.key() == Qt.Key.Key_Escape and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            event.accept()
            if event.type() == QEvent.Type.KeyPress:
                self.dismiss()
            return True
        return super().eventFilter(watched, event)

    def show_text(self, text: str) -> None:
        """Show `text` whole, and have a screen reader say it (the focus stays where it was)."""
        self.text.setText(text)
        self.text.setAccessibleName(text)
        self.show()
        announce(self.text, text)

    def message(self) -> str:
        """The message it shows ("" when closed)."""
        return "" if self.isHidden() else self.text.text()

    def dismiss(self) -> None:
        focus = QApplication.focusWidget()
        had_focus = focus is not None and self.isAncestorOf(focus)
        self.hide()
        self.text.clear()
        if had_focus:
            self.closed.emit()  # the window gives the focus back to the photos
