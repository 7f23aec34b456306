"""Everything in the main window within reach of the keyboard alone: a menu bar that
holds every action (Alt or F10 opens it; Qt's toolbar buttons take no focus), a key
for the Problems panel and for saving the search typed, Space for the photos only (so
a focused button or list gets it), and Enter on a focused button. Kept out of
MainWindow, which builds the actions, so that module stays about the photos."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QPushButton

from app.gui.key_names import key_name
from app.gui.search_bar import SAVE_SEARCH_KEY

if TYPE_CHECKING:
    from app.gui.main_window import MainWindow

PROBLEMS_KEY = "F8"  # as an editor's "next problem"; no standard key of Qt's


def reach_by_keyboard(window: "MainWindow") -> None:
    """Called once the window's actions and toolbar are built."""
    window.errors_action.setShortcut(QKeySequence(PROBLEMS_KEY))
    window.errors_action.setToolTip(
        f"Show or hide the problems: files that could not be read or written ({key_name(PROBLEMS_KEY)})")
    window.addAction(window.errors_action)
    window.save_search_action = window._action(
        "bookmark", "Save this search…", lambda: save_typed_search(window), SAVE_SEARCH_KEY,
        "Keep the search typed under a name: the library panel lists it")
    # A window-wide Space outranked a focused button (the job bar's Cancel, Accept, Find
    # suggestions): it opened the loupe instead. It belongs to the photo views alone.
    window.removeAction(window.loupe_action)
    window.loupe_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    for button in window.findChildren(QPushButton):  # outside a dialog Qt's buttons ignore Enter
        button.setAutoDefault(True)
    build_menu_bar(window)


def save_typed_search(window: "MainWindow") -> bool:
    if not window.search_bar.text():
        window.show_message("Type a search first, then save it.")
        return False
    return window.save_search(window.search_bar.text())


def build_menu_bar(window: "MainWindow") -> None:
    """File, Edit, View and Help with the actions the toolbar, the keys and the photos'
    right-click menu already hold: one place that lists them all, with their keys."""
    bar = window.menuBar()
    menus = (
        ("&File", (window.add_folder_action, window.tag_folder_action, window.tag_selection_action, None,
                   window.write_action, window.undo_action, None,
                   window.open_file_action, window.show_file_action, None, window.settings_action)),
        ("&Edit", (window.accept_action, window.reject_action, window.relabel_action, window.teach_action, None,
                   window.undo_review_action, None, window.find_action, window.save_search_action)),
        ("&View", (window.grid_action, window.review_action, None, window.loupe_action, window.similar_action,
                   window.leave_similar_action, None, window.errors_action)),
        ("&Help", (window.shortcuts_action,)),
    )
    for title, actions in menus:
        menu = bar.addMenu(title)
        for action in actions:
            menu.addSeparator() if action is None else menu.addAction(action)
