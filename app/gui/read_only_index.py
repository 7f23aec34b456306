"""A library whose index is read-only (a backup restored read-only, a share or disk mounted
read-only: PhotoIndex.read_only, kept as MainWindow.index_read_only): the window lets the
user browse and search it, and greys out what would change the index or the photos.
Each such try used to end in the command line's "read-only … run the command again",
after a "Labelled …" that was never kept, and a row in Problems for one fact the window
already said at start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.core.index.read_only_files import MAKE_IT_WRITABLE

if TYPE_CHECKING:
    from PySide6.QtGui import QAction

    from app.gui.main_window import MainWindow

READ_ONLY_TIP = "not in this library: its index is on a read-only disk or is a read-only file"


def read_only_words(then: str = "then open it again to change it") -> str:
    """The window's line for an index it may only read (at start, and for a change refused)."""
    return (f"This library's index is read-only: you can browse and search it, not change it "
            f"({MAKE_IT_WRITABLE}, {then}).")


def changing_actions(window: "MainWindow") -> tuple["QAction", ...]:
    """The window's actions that change the index or the photos' files."""
    return (window.add_folder_action, window.tag_folder_action, window.tag_selection_action, window.write_action,
            window.undo_action, window.accept_action, window.reject_action, window.relabel_action,
            window.undo_review_action, window.teach_action, window.rename_place_action,
            window.find_suggestions_action)


def grey_out_changes(window: "MainWindow") -> None:
    """On a read-only index: the changing actions and buttons greyed, their tooltips
    saying why (called after each pass that enables actions)."""
    if not window.index_read_only:
        return
    for action in changing_actions(window):
        action.setEnabled(False)
        tip = action.toolTip()
        if READ_ONLY_TIP not in tip:
            action.setToolTip(f"{tip} — {READ_ONLY_TIP}")
    for button in (window.first_run.add_button, window.review.find_button):
        button.setEnabled(False)
        button.setToolTip(READ_ONLY_TIP[0].upper() + READ_ONLY_TIP[1:])


def refused_as_read_only(window: "MainWindow") -> bool:
    """True, and said in the window's words, when the index is read-only: for the ways to a
    change that are not greyed actions (the detail pane's buttons, the library panel's
    menu, files dropped), so none starts a job bound to fail."""
    if not window.index_read_only:
        return False
    window.show_message(read_only_words(), announced=True)
    return True
