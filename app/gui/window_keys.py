"""Everything in the main window within reach of the keyboard alone: a menu bar that
holds every action (Alt or F10 opens it; Qt's toolbar buttons take no focus), a key
for the Problems panel and for saving the search typed, Space for the photos only (so
a focused button or list gets it), Enter on a focused button, and typing that wins over
the window's keys that change photos, files or the running job while a text field has
the keys. Kept out of MainWindow and WindowActions, which builds the actions, so those
modules stay about the photos and the commands."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLineEdit, QPushButton

from app.gui.key_names import key_name
from app.gui.read_only_index import grey_out_changes
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
    window.typing_wins = TypingWins(window)
    for field in window.findChildren(QLineEdit):
        field.installEventFilter(window.typing_wins)
    build_menu_bar(window)
    for view in (window.grid, window.review.list):
        view.selectionModel().currentChanged.connect(lambda *_: update_photo_actions(window))
        view.selectionModel().selectionChanged.connect(lambda *_: update_photo_actions(window))
    update_photo_actions(window)


def update_photo_actions(window: "MainWindow") -> None:
    """The actions on the current or chosen photos are greyed while there is none (the
    first-run page, no results, nothing chosen): in the menu bar they did nothing, silently.
    Take back accept, reject, label, teach or forget of a place needs photos, or a step to
    take back: the review list emptied by the last A or R must not grey out the key that
    brings them back (it says when there is nothing to take back)."""
    model, view = window._active_model_and_view()
    has_photos = window.stack.currentWidget() is not window.first_run and model.rowCount() > 0
    at_hand = has_photos and (view.currentIndex().isValid() or view.selectionModel().hasSelection())
    for action in (window.accept_action, window.reject_action, window.relabel_action, window.similar_action,
                   window.loupe_action, window.open_file_action, window.show_file_action):
        action.setEnabled(at_hand)
    window.undo_review_action.setEnabled(
        has_photos or (window.stack.currentWidget() is not window.first_run and bool(window.review_undo)))
    grey_out_changes(window)


def acting_actions(window: "MainWindow") -> tuple[QAction, ...]:
    """The window's actions whose keys change photos, files or the running job at once."""
    return (window.accept_action, window.reject_action, window.relabel_action, window.undo_review_action,
            window.teach_action, window.tag_folder_action, window.tag_selection_action, window.undo_action,
            window.go_back_action)


class TypingWins(QObject):
    """On a text field (the search field): the keys of acting_actions go to the field, not
    to the window. QLineEdit claims letters and its standard keys itself, but not Esc nor
    Ctrl+Shift+Backspace (a word deleted, to the field), which otherwise cancelled the
    running job and undid the last write while the user typed a search. Esc there leaves
    the loupe or the similar photos as before, else the field, for the photos."""

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and self._is_acting_key(event):
            event.accept()  # delivered to the field as a key press
            return True
        if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape and not event.modifiers():
            if not self.window.current_photo.leave_view():
                self.window._active_model_and_view()[1].setFocus(Qt.FocusReason.ShortcutFocusReason)
            return True
        return False

    def _is_acting_key(self, event) -> bool:
        pressed = QKeySequence(event.keyCombination())
        return any(pressed == key for action in acting_actions(self.window) for key in action.shortcuts())


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
                   window.rename_place_action, window.taught_places_action, window.find_suggestions_action, None,
                   window.undo_review_action, None, window.find_action, window.save_search_action)),
        ("&View", (window.grid_action, window.review_action, None, window.loupe_action, window.similar_action,
                   window.go_back_action, None, window.errors_action)),
        ("&Help", (window.shortcuts_action,)),
    )
    for title, actions in menus:
        menu = bar.addMenu(title)
        for action in actions:
            menu.addSeparator() if action is None else menu.addAction(action)
