"""The current photo of the main window: shown in the detail pane and, when the user
asks, large in the loupe over the grid or the review list (arrows step through the
view, Esc goes back); opened in the default application or shown in the file manager.
Kept out of MainWindow so the window's module is about building the window and what
its actions start."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel

from app.core import library
from app.core.errors import TaggerError
from app.gui import file_places
from app.gui.detail_pane import state_text
from app.gui.held_words import held_detail_note
from app.gui.photo_model import PhotoListModel
from app.gui.photo_speech import has_best_guess
from app.gui.results_display import PAGE_FIRST_RUN

if TYPE_CHECKING:
    from app.gui.main_window import MainWindow


class CurrentPhoto:
    """Owned by a MainWindow (its index, detail pane, loupe, stack and views)."""

    def __init__(self, window: "MainWindow") -> None:
        self.window = window

    # -- detail ------------------------------------------------------------------------
    def show_current(self, model: PhotoListModel, current) -> None:
        if current.isValid():
            self.show_record(model.photo_id(current.row()))

    def refresh_detail(self) -> None:
        """The photo in the detail pane (and loupe) read again: a read of its folder may have
        given it another name (files renamed onto each other's names) with the same results."""
        record = self.window.detail.record
        if record is not None:
            self.show_record(record.id)

    def show_record(self, photo_id: int) -> None:
        window = self.window
        try:
            record = window.index.get(photo_id)
        except TaggerError:
            window.detail.show_record(None, [])
            window.close_loupe()
            return
        predictions = window.index.predictions(photo_id)
        problems = [problem.message for problem in window.index.photo_problems(photo_id)]
        if record.state == "accepted" and (held := window.index.held_files([photo_id])):
            problems.append(held_detail_note(held))  # said before Write labels… skips it
        guess = window.index.best_guess(photo_id) if has_best_guess(record) else None
        best_guess = guess.label if guess is not None else None  # "best guess Colosseum, 75%"
        window.detail.show_record(record, predictions, problems, best_guess)
        if window.loupe.isVisible():
            self.show_in_loupe(record, predictions, best_guess)

    def open_detail(self, row: int) -> None:
        window = self.window
        model, view = window._active_model_and_view()
        if 0 <= row < model.rowCount():
            self.show_record(model.photo_id(row))
        window.detail_dock.show()
        window.detail_dock.raise_()

    # -- loupe ---------------------------------------------------------------------------
    def toggle_loupe(self) -> None:
        if self.window.loupe.isVisible():
            self.window.close_loupe()
        else:
            self.window.open_loupe()

    def open_loupe(self, row: int | None = None) -> bool:
        """Show the current photo (or the given row) large, over the grid or the review list;
        the photo shown is the only one selected, so A, R and L act on it alone."""
        window = self.window
        if window.stack.currentIndex() == PAGE_FIRST_RUN:
            return False
        model, view = window._active_model_and_view()
        if row is None:
            row = view.currentIndex().row() if view.currentIndex().isValid() else 0
        if not 0 <= row < model.rowCount():
            return False
        view.selectionModel().setCurrentIndex(model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect)
        window.loupe.open()
        self.show_record(model.photo_id(row))
        return True

    def go_back(self) -> None:
        """Esc: out of the loupe, else out of the similar photos, else cancel the running
        job (the job bar's Cancel, for a keyboard user)."""
        if not self.leave_view() and self.window.jobs.busy:
            self.window.jobs.cancel()

    def leave_view(self) -> bool:
        """Out of the loupe, else out of the similar photos; False when neither is up (Esc
        in the search field goes no further: it never cancels a job)."""
        window = self.window
        if window.loupe.isVisible():
            window.close_loupe()
        elif window.similar_to is not None:
            window.leave_similar()
        else:
            return False
        return True

    def close_loupe(self) -> None:
        window = self.window
        if not window.loupe.isVisible():
            return
        window.loupe.hide()
        window._active_model_and_view()[1].setFocus()

    def step_loupe(self, step: int) -> None:
        """The previous or next photo of the view under the loupe (it stops at either end)."""
        model, view = self.window._active_model_and_view()
        row = view.currentIndex().row() + step if view.currentIndex().isValid() else 0
        if 0 <= row < model.rowCount():
            index = model.index(row)
            view.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            view.scrollTo(index)

    def show_in_loupe(self, record, predictions: list, best_guess: str | None = None) -> None:
        loupe = self.window.loupe
        loupe.show_record(record, state_text(record, predictions, best_guess))
        preview = self.window.detail.preview
        loupe.set_image(preview.image, preview.message)  # the pane decodes; the loupe shows the same

    def preview_shown(self, image, message: str) -> None:
        window = self.window
        record = window.detail.record
        if window.loupe.isVisible() and record is not None and record.id == window.loupe.record_id:
            window.loupe.set_image(image, message)

    # -- its file ------------------------------------------------------------------------
    def open_file(self) -> bool:
        """The current photo in the default application (its JPEG when it has one)."""
        return self._hand_over(file_places.open_in_default_app, "cannot be opened: no application takes it")

    def show_file(self) -> bool:
        return self._hand_over(file_places.show_in_file_manager, "cannot be shown: the file manager did not start")

    def _hand_over(self, handler, failure: str) -> bool:
        window = self.window
        photo_id = window.current_photo_id()
        if photo_id is None:
            return False
        path = window.index.get(photo_id).path
        if handler(path):
            return True
        why = failure if Path(path).exists() else "is not there any more; scan its folder again"
        window.show_message(f"{library.display_name(path)} {why}")
        return False
