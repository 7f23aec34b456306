"""The side panels' widths as a photo browser keeps them: each stays as wide as the
user left it while the window has room; as the window narrows the photos give way
first, down to a comfortable width (or the narrower one the user left them), then the
panels, down to their minimums (so the window fits an 800 px screen), and they come
back when it widens again. QMainWindow alone gives all the room a window gains to the
photos: panels squeezed once stayed narrow however wide the window grew. The widths
wanted are what the settings keep, not the squeezed ones: a layout saved on a wide
screen comes back whole once the window has room for it again."""

from __future__ import annotations

import re
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
    widths = [m + int(max(0, w - m) * share) for w, m in zip(wanted, minimums)]
    left = min(spare, give) - sum(width - m for width, m in zip(widths, minimums))
    for i, w in enumerate(wanted):  # the pixels rounding left over: the room is used to the last one
        if left > 0 and widths[i] < w:
            widths[i] += 1
            left -= 1
    return widths


def widths_text(panels: Sequence[int], photos: int) -> str:
    """The widths wanted as the settings keep them: `panels,…/photos` ("500,360/410")."""
    return ",".join(str(int(width)) for width in panels) + f"/{int(photos)}"


def parse_widths(text: str, count: int) -> tuple[list[int], int] | None:
    """The panels' and the photos' widths from `widths_text`; None when `text` is not
    that for `count` panels (an older or damaged settings file: the defaults stand)."""
    match = re.fullmatch(r"(\d{1,5}(?:,\d{1,5})*)/(\d{1,5})", text.strip())
    if not match:
        return None
    panels = [int(width) for width in match.group(1).split(",")]
    if len(panels) != count:
        return None
    return panels, int(match.group(2))


class PanelWidths(QObject):
    """Keeps the widths of `docks` (beside the central widget, left and right) as the
    user dragged them (or as the settings restored them): `wanted`, and `photos`, the
    width of the photos the user accepted (at most COMFORTABLE_CENTRE). MainWindow calls
    `window_resized()` from its resizeEvent."""

    def __init__(self, window: QMainWindow, docks: Sequence[QDockWidget], wanted: Sequence[int]) -> None:
        super().__init__(window)
        self.window = window
        self.docks = list(docks)
        self.wanted = list(wanted)
        self.photos = COMFORTABLE_CENTRE
        self._before_drag: list[int] | None = None
        self._adopt = False
        window.installEventFilter(self)  # a panel's edge is the window's: it gets the drag

    def restore(self, text: str) -> bool:
        """Take the widths the settings kept (`widths_text`) as the user's; False when
        `text` is not such widths (nothing changes)."""
        parsed = parse_widths(text, len(self.docks))
        if parsed is None:
            return False
        self.wanted, photos = parsed
        self.photos = min(COMFORTABLE_CENTRE, photos)
        self._adopt = False
        return True

    def saved(self) -> str:
        """The widths wanted, for the settings (`restore` takes them back)."""
        return widths_text(self.wanted, self.photos)

    def adopt_next(self) -> None:
        """The widths the next layout gives (a layout restored from settings that kept no
        widths) are the user's, not the defaults, if the window has room for them."""
        self._adopt = True

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.window and event.type() == QEvent.Type.MouseButtonPress:
            self._before_drag = [dock.width() for dock in self.docks]
        elif watched is self.window and event.type() == QEvent.Type.MouseButtonRelease and self._before_drag:
            dragged = False
            for i, (dock, before) in enumerate(zip(self.docks, self._before_drag)):
                if self._managed(dock) and dock.width() != before:
                    self.wanted[i] = dock.width()  # the user dragged its edge
                    dragged = True
            if dragged:  # the photos' width the user left is enough for them
                self.photos = min(COMFORTABLE_CENTRE, self.window.centralWidget().width())
            self._before_drag = None
        return False

    def window_resized(self) -> None:
        """Share the window's width out again (its docks are laid out by now): the panels
        as wanted when the photos keep their width beside them; else the panels give up
        only what is missing, the photos keeping theirs until the panels are at their
        minimums."""
        docks = [dock for dock in self.docks if self._managed(dock)]
        if not docks:
            return
        centre = self.window.centralWidget()
        minimums = [dock.minimumSizeHint().width() for dock in docks]
        room = centre.width() + sum(dock.width() for dock in docks)
        if self._adopt:
            self._adopt = False
            if centre.width() >= COMFORTABLE_CENTRE and all(
                    dock.width() > minimum for dock, minimum in zip(docks, minimums)):
                for dock in docks:  # not squeezed to fit the screen: as the user left them
                    self.wanted[self.docks.index(dock)] = dock.width()
        wanted = [self.wanted[self.docks.index(dock)] for dock in docks]
        photos = max(centre.minimumSizeHint().width(), min(self.photos, room - sum(minimums)))
        widths = shared_widths(room - photos, wanted, minimums)  # as wanted when they fit beside the photos
        if widths != [dock.width() for dock in docks]:
            self.window.resizeDocks(docks, widths, Qt.Orientation.Horizontal)

    def _managed(self, dock: QDockWidget) -> bool:
        return (not dock.isHidden() and not dock.isFloating() and self.window.dockWidgetArea(dock) in (
            Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea))
