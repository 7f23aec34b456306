"""Where a Problems row leads: its photo shown in the grid and the detail pane, and its
file shown in its folder. A row that led nowhere left the user typing the photo's name
to find the file the message asked to check against a backup, and a broken RAW the
library could not take in could not be reached from the app at all."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel

from app.core.errors import UsageError
from app.core.library import display_name
from app.gui import file_places
from app.gui.results_display import PAGE_GRID

if TYPE_CHECKING:
    from app.gui.main_window import MainWindow


class ProblemLinks:
    """Answers the ErrorsPanel's photo_requested and folder_requested for a MainWindow."""

    def __init__(self, window: "MainWindow") -> None:
        self.window = window
        self._said = ""  # the status bar's words of the last row that led nowhere
        window.errors_panel.photo_requested.connect(self.show_photo)
        window.errors_panel.folder_requested.connect(self.show_folder)

    def show_photo(self, path: str, photo_id: int = 0) -> bool:
        """The row's photo current in the grid (the detail pane shows it); when the grid's
        search leaves it out, the whole library searched for it. A file the library holds
        no photo of is said so, with the way to its folder."""
        window = self.window
        photo_id = self._photo_of(path, photo_id)
        if photo_id is None:
            window.show_message(f"{display_name(path)} is not in the library (it could not be read): "
                                f"right-click its row in Problems and choose Show in folder to find the file.")
            self._said = window.statusBar().currentMessage()
            return False
        self._take_back_said()  # it spoke of another row, beside this row's photo
        if window.showing_review():
            window.show_page(PAGE_GRID)
        ids = window.grid_model.ids()
        if window.similar_to is None and photo_id in ids:
            shown = window.grid_model.index(ids.index(photo_id))
            window.grid.selectionModel().setCurrentIndex(shown, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            window.grid.scrollTo(shown)
            return True
        window.library_tree.select_folder("")  # All photos: a folder or landmark chosen there may leave it out
        window.select_after_load = photo_id
        window.search_bar.set_text(self._search_for(photo_id))
        return True

    def show_folder(self, path: str) -> bool:
        """The row's file in its folder, in the file manager (QDesktopServices opens the
        folder; Finder and Explorer select the file in it)."""
        if file_places.show_in_file_manager(path):
            return True
        why = ("its folder is not there any more (a drive not connected?)" if not Path(path).parent.is_dir()
               else "the file manager did not start")
        self.window.show_message(f"{display_name(path)} cannot be shown in its folder: {why}")
        return False

    def _photo_of(self, path: str, photo_id: int) -> int | None:
        """The photo the row names (by id, else the photo holding the file), None when the
        library holds none (a file the scan could not read, a photo forgotten since)."""
        index = self.window.index
        if photo_id:
            try:
                return index.get(photo_id).id
            except UsageError:
                pass  # forgotten since: its file may be another photo's now
        from app.core.path_query import path_term

        term = path_term(path, exact=True) if Path(path).is_file() else None
        ids = index.photo_ids(term) if term else []
        return ids[0] if ids else None

    def _take_back_said(self) -> None:
        """Clear the status bar's "… is not in the library" while it still says it."""
        window = self.window
        if self._said and window.statusBar().currentMessage() == self._said:
            window.statusBar().clearMessage()
        if self._said and window.message_bar.message() == self._said:  # too long for the status bar: whole there
            window.message_bar.dismiss()
        self._said = ""

    def _search_for(self, photo_id: int) -> str:
        """The search typed for the photo: its file's path, as a file dropped on the window
        gets, or its id where the file is not there; with `is:missing` once a scan found it
        gone, as a plain search leaves missing photos out ("No photos match “id:2”")."""
        from app.core.path_query import path_term

        record = self.window.index.get(photo_id)
        if record.missing:
            return f"id:{photo_id} is:missing"
        return (path_term(record.path, exact=True) if Path(record.path).is_file() else None) or f"id:{photo_id}"
