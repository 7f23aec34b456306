"""Windows and dialogs open whole on the screen they show on: no larger than its
available area (a 1280 × 800 laptop, an 800 px screen, a 1080p one at 200 %), so their
buttons are never out of sight."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

SCREEN_SHARE = 0.92  # room left for the frame, the title bar and a panel or dock of the desktop


def within_screen(wanted: QSize, available: QSize | None) -> QSize:
    """`wanted` where the screen has room, else as much as SCREEN_SHARE of it."""
    if available is None or available.isEmpty():
        return wanted
    return QSize(min(wanted.width(), int(available.width() * SCREEN_SHARE)),
                 min(wanted.height(), int(available.height() * SCREEN_SHARE)))


def available_size(widget: QWidget) -> QSize | None:
    """The free area of the screen the widget (or its parent window) shows on."""
    anchor = widget.parentWidget() or widget
    screen = anchor.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry().size() if screen is not None else None


def resize_within_screen(widget: QWidget, wanted: QSize) -> None:
    """Resize to `wanted`, or less where the screen is smaller."""
    widget.resize(within_screen(wanted, available_size(widget)))
