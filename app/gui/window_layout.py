"""The main window's frame, apart from what it shows: its first size on this screen,
the toolbar and the status bar, the toolbar's icons-only form on a narrow window, room
in the status bar for a long message, the Problems panel's height when it opens on its
own, and the size and panel layout kept in the settings for the next start. Kept out
of MainWindow so the window's module is about what the user does with the photos."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolBar, QWidget

from app.core.errors import TaggerError
from app.core.settings import save_settings, settings_file_reads
from app.gui.screen_fit import within_screen

if TYPE_CHECKING:
    from app.gui.main_window import MainWindow

COMPACT_TOOLBAR_WIDTH = 1200  # below it the toolbar's names do not fit beside their icons
STATUS_BAR_PADDING = 40  # the status bar's margins and the gap between a message and the counts
PROBLEMS_SHARE = 5  # the Problems panel, opening on its own, takes a fifth of the window's height
PROBLEMS_OPEN_HEIGHT = (110, 240)  # within these pixels: its heading and about three rows, at most seven


def first_window_size(available: QSize | None) -> QSize:
    """1400 × 900 where the screen has room, else 92 % of what it has (a 1280 × 800
    laptop; 736 px of an 800 px screen, as narrow as the panels let it be), so the
    window opens whole on the screen."""
    return within_screen(QSize(1400, 900), available)


class WindowLayout:
    """Owned by a MainWindow (its actions, docks, panel_widths and settings); builds the
    window's `toolbar` and `status_label`."""

    def __init__(self, window: "MainWindow") -> None:
        self.window = window

    def build_toolbar(self) -> None:
        """The toolbar (the window's actions, built already) and the status bar's counts."""
        window = self.window
        toolbar = QToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(18, 18))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (window.add_folder_action, None, window.grid_action, window.review_action, None,
                       window.tag_folder_action, window.tag_selection_action, window.teach_action, None):
            toolbar.addSeparator() if action is None else toolbar.addAction(action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        for action in (window.write_action, window.undo_action, window.errors_action, window.settings_action):
            toolbar.addAction(action)
        window.addToolBar(toolbar)
        window.toolbar = toolbar
        self.style_toolbar(compact=False)
        window.status_label = QLabel()
        window.statusBar().addPermanentWidget(window.status_label)
        window.statusBar().messageChanged.connect(self.make_room_for_message)

    def window_resized(self, width: int) -> None:
        """On a narrow window (a laptop, a window beside another) the toolbar shows icons
        only, their names in tooltips, rather than pushing Settings out of sight, and the
        side panels give way (PanelWidths), to come back as the window widens."""
        if hasattr(self.window, "toolbar"):
            self.style_toolbar(compact=width < COMPACT_TOOLBAR_WIDTH)
        if hasattr(self.window, "panel_widths"):
            self.window.panel_widths.window_resized()

    def style_toolbar(self, compact: bool) -> None:
        toolbar = self.window.toolbar
        style = Qt.ToolButtonStyle.ToolButtonIconOnly if compact else Qt.ToolButtonStyle.ToolButtonTextBesideIcon
        if toolbar.toolButtonStyle() != style:
            toolbar.setToolButtonStyle(style)  # (sets every button's style)
        for action in (self.window.errors_action, self.window.settings_action):  # icons only at any width
            toolbar.widgetForAction(action).setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)

    def make_room_for_message(self, message: str) -> None:
        """A message too long to fit beside the counts (a write's summary, a folder not
        found) was cut under them; while it shows, the counts give it their room and come
        back when it goes. The whole message is the status bar's tooltip."""
        bar = self.window.statusBar()
        status_label = self.window.status_label
        room = bar.width() - status_label.sizeHint().width() - STATUS_BAR_PADDING
        fits = bar.fontMetrics().horizontalAdvance(message) <= room
        status_label.setVisible(not message or fits)
        bar.setToolTip(message)

    def problems_counted(self, count: int) -> None:
        """The Problems button counts them; the panel opens on the first one."""
        window = self.window
        window.errors_action.setText(f"Problems ({count})" if count else "Problems")
        if count and not window.errors_dock.isVisible():
            window.errors_dock.show()
            # it opens on its own, so it takes a strip: on a laptop it held a third of the
            # window and left a row of photos (the user can drag it taller)
            height = max(PROBLEMS_OPEN_HEIGHT[0], min(PROBLEMS_OPEN_HEIGHT[1], window.height() // PROBLEMS_SHARE))
            window.resizeDocks([window.errors_dock], [height], Qt.Orientation.Vertical)

    def save(self) -> None:
        """Remember size and panel layout for the next start (in the settings file), with
        the panels' widths the user wants: those Qt saves may be squeezed to the screen."""
        window = self.window
        blob = ";".join((bytes(window.saveGeometry().toBase64()).decode("ascii"),
                         bytes(window.saveState().toBase64()).decode("ascii"), window.panel_widths.saved()))
        window.settings = replace(window.settings, window_state=blob)
        if not settings_file_reads():
            return  # damaged or hand-edited while the app ran: left for the next start, which says so
        try:
            save_settings(window.settings)
        except (TaggerError, OSError):
            pass  # losing the window layout is not worth an error at exit

    def restore(self) -> None:
        window = self.window
        if not window.settings.window_state or ";" not in window.settings.window_state:
            return
        geometry, state, *widths = window.settings.window_state.split(";")
        window.restoreGeometry(QByteArray.fromBase64(geometry.encode("ascii")))
        if window.restoreState(QByteArray.fromBase64(state.encode("ascii"))):
            # the panels as the user left them, before Qt squeezes them to this screen
            if not (widths and window.panel_widths.restore(widths[0])):
                window.panel_widths.adopt_next()  # saved without them (an older version)
