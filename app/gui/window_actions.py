"""The main window's actions: each command with its icon, key and tooltip (the toolbar,
the menu bar and the shortcuts dialog show them), the views' right-click menus, Ctrl+F
into the search field and F1's list of keys. Mixed into MainWindow, so the window's
module is about what the user does with the photos; WindowLayout lays the toolbar out
and window_keys puts every action within reach of the keyboard."""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from app.gui.icons import icon
from app.gui.key_names import key_name
from app.gui.results_display import PAGE_GRID, PAGE_REVIEW
from app.gui.window_keys import reach_by_keyboard


class WindowActions:
    """Mixed into MainWindow (its slots, the photo views, search_bar, errors_dock,
    current_photo and window_layout, built before the actions)."""

    def _action(self, name: str, text: str, slot, shortcut: str | None = None, tip: str = "") -> QAction:
        action = QAction(icon(name), text, self)
        action.triggered.connect(slot)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setToolTip(f"{tip or text}" + (f" ({key_name(shortcut)})" if shortcut else ""))
        self.addAction(action)
        return action

    def focus_search(self) -> None:
        """Ctrl+F (⌘F): into the search field, its text selected to type over."""
        self.search_bar.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_bar.field.selectAll()

    def show_shortcuts(self) -> None:
        from app.gui.shortcuts_dialog import ShortcutsDialog

        ShortcutsDialog(self.keyboard_actions(), self).exec()

    def keyboard_actions(self) -> list[QAction]:
        """Every action with a key: the window's, and Space of the photo views."""
        return [*self.actions(), self.loupe_action]

    def _separator(self) -> QAction:
        separator = QAction(self)
        separator.setSeparator(True)
        return separator

    def _build_actions(self) -> None:
        self.add_folder_action = self._action("folder-add", "Add folder…", self.choose_folder, "Ctrl+O")
        self.tag_folder_action = self._action("tag", "Tag folder", self.tag_folder, "Ctrl+T",
                                              "Recognise landmarks in the selected folder (or the whole library)")
        self.tag_selection_action = self._action("tag-selection", "Tag selection", self.tag_selection,
                                                 "Ctrl+Shift+T", "Recognise landmarks in the selected photos")
        save = QKeySequence(QKeySequence.StandardKey.Save).toString()  # as Lightroom saves metadata to files
        self.write_action = self._action("write", "Write labels…", self.write_labels, save,
                                         "Write labels into the photos' metadata (dry run first)")
        # keys that clash with no standard one (Ctrl+Shift+Z is Redo) and no other of the app's
        self.undo_action = self._action("undo", "Undo write", self.jobs_undo, "Ctrl+Shift+Backspace",
                                        "Put back what the last Write labels changed in the photos")
        self.settings_action = self._action("settings", "Settings", self.open_settings, "Ctrl+,")
        self.grid_action = self._action("grid", "Photos", lambda: self.show_page(PAGE_GRID), "Ctrl+1",
                                        "All matching photos as a grid")
        self.review_action = self._action(
            "review", "Review", lambda: self.show_page(PAGE_REVIEW), "Ctrl+2",
            'Suggested labels, most doubtful first: landmarks least confident first, then the closest "no landmark" calls',
        )
        views = QActionGroup(self)
        for action in (self.grid_action, self.review_action):
            action.setCheckable(True)
            views.addAction(action)
        self.grid_action.setChecked(True)
        self.errors_action = self.errors_dock.toggleViewAction()
        self.errors_action.setIcon(icon("errors"))
        self.errors_action.setText("Problems")
        self.accept_action = self._action("accept", "Accept", self.accept_selected, "A")
        self.reject_action = self._action("reject", "Reject", self.reject_selected, "R")
        self.relabel_action = self._action("label", "Set label…", self.relabel_selected, "L")
        self.undo_review_action = self._action("undo", "Take back accept, reject, label, teach or forget of a place",
                                               self.undo_review, QKeySequence(QKeySequence.StandardKey.Undo).toString(),
                                               "Undo the latest accept, reject, label, Teach… "
                                               "or Forget… of a taught place")
        self.teach_action = self._action("label", "Teach…", self.teach_selected, "T",
                                         "Name the place in the selected photos; the app learns it")
        # F2 renames in Explorer and the Linux file managers; a Mac has no rename key (the
        # Finder's Return would take Enter from the photos), so the menu alone there
        self.rename_place_action = self._action(
            "label", "Rename place…", self.rename_chosen_place, None if sys.platform == "darwin" else "F2",
            "Give the landmark chosen in the library panel (else the current photo's) another name on all its photos")
        self.taught_places_action = self._action("review", "Taught places…", self.open_taught_places, None,
                                                 "The places you taught: show their photos, rename or forget one")
        self.find_suggestions_action = self._action(
            "search", "Find suggestions", self.find_suggestions, None,
            "Look through the photos of the search for the taught places (no photo is decoded)")
        self.similar_action = self._action("search", "Similar photos", self.show_similar_to_current, "S",
                                           "The photos that look most like this one")
        self.go_back_action = self._action("grid", "Back, or cancel the running job", self.current_photo.go_back,
                                           "Esc", "Out of the loupe or the similar photos; else cancel the job")
        self.loupe_action = self._action("loupe", "View larger", self.current_photo.toggle_loupe, "Space",
                                          "The photo as large as the window allows; arrows move, Esc goes back")
        self.open_file_action = self._action("review", "Open in default app", self.open_current_file, "Ctrl+E",
                                             "Open the photo in your editor or viewer")
        self.show_file_action = self._action("folder", "Show in folder", self.show_current_file, "Ctrl+Shift+E",
                                             "Show the photo's file in the file manager")
        self.find_action = self._action("search", "Search", self.focus_search,
                                        QKeySequence(QKeySequence.StandardKey.Find).toString(), "Type a search")
        self.shortcuts_action = self._action("settings", "Keyboard shortcuts", self.show_shortcuts, "F1",
                                             "Every key the app answers to")

        # Right-click on photos offers the same actions as the keys.
        for view in (self.grid, self.review.list):
            view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
            view.addActions([self.loupe_action, self._separator(),
                             self.accept_action, self.reject_action, self.undo_review_action,
                             self.relabel_action, self.teach_action,
                             self.similar_action, self.tag_selection_action, self._separator(),
                             self.open_file_action, self.show_file_action])
        self.window_layout.build_toolbar()
        reach_by_keyboard(self)
