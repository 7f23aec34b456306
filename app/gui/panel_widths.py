"""The side panels' widths as a photo browser keeps them: each stays as wide as the
user left it while the window has room; as the window narrows the photos give way
first, down to a comfortable width, then the panels, down to their minimums (so the
window fits an 800 px screen), and they come back when it widens again. QMainWindow
alone gives all the room a window gains to the photos: panels squeezed once stayed
narrow however wide the window grew."""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow

COMFORTABLE_CENTRE = 540  # px the photos keep before the panels give way


def shared_widths(room: int, wanted: Sequence[int], minimums: Sequence[int]) -> list[int]:
    """The panels' widths in `room` px: as wanted when they fit, else each between its
    minimum and its wanted width in the same proportion (never under its minimum)."""
    if room >= sum(wanted):
        return list(wanted)
    spare = max(0, room - sum(minimums))
    give = sum(max(0, w - m) for w, m in zip(wanted, minimums))
    share = spare / give if give else 0.0
    return [m + int(max(0, w - m) * share) for w, m in zip(wanted, minimums)]


class PanelWidths(QObject):
    """Keeps the widths of `docks` (beside the central widget, left and right) as the
    user dragged them; MainWindow calls `window_resized()` from its resizeEvent."""

    def __init__(self, window: QMainWindow, docks: Sequence[QDockWidget], wanted: Sequence[int]) -> None:
        super().__init__(window)
        self.window = window
        self.docks = list(docks)
        self.wanted = list(wanted)
        self._before_drag: list[int] | None = None
        self._adopt = False
        window.installEventFilter(self)  # a panel's edge is the window's: it gets the drag

    def adopt_next(self) -> None:
        """The widths the next layout gives (a layout restored from the settings) are the
        user's, not the defaults."""
        self._adopt = True

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.window and event.type() == QEvent.Type.MouseButtonPress:
            self._before_drag = [dock.width() for dock in self.docks]
        elif watched is self.window and event.type() == QEvent.Type.MouseButtonRelease and self._before_drag:
            for i, (dock, before) in enumerate(zip(self.docks, self._before_drag)):
                if self._managed(dock) and dock.width() != before:
                    self.wanted[i] = dock.width()  # the user dragged its edge
            self._before_drag = None
        return False

    def window_resized(self) -> None:
        """Share the window's width out again (its docks are laid out by now)."""
        docks = [dock for dock in self.docks if self._managed(dock)]
        if not docks:
            return
        if self._adopt:
            self._adopt = False
            for dock in docks:
                self.wanted[self.docks.index(dock)] = dock.width()
            return
        centre = self.window.centralWidget()
        minimums = [dock.minimumSizeHint().width() for dock in docks]
        room = centre.width() + sum(dock.width() for dock in docks)
        photos = max(centre.minimumSizeHint().width(), min(COMFORTABLE_CENTRE, room - sum(minimums)))
        widths = shared_widths(room - photos, [self.wanted[self.docks.index(dock)] for dock in docks], minimums)
        if widths != [dock.width() for dock in docks]:
            self.window.resizeDocks(docks, widths, Qt.Orientation.Horizontal)

    def _managed(self, dock: QDockWidget) -> bool:
        return (not dock.isHidden() and not dock.isFloating() and self.window.dockWidgetArea(dock) in (
            Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea))
