"""What the centre of the main window shows: the search built from the search field
and the library panel's choices, run in ResultsLoader's worker; its answer put into the
grid and the review list, keeping the current photo where it can; the library panel's
folders and counts and the status bar's; which page is up (first run, photos, review)
and which actions a library allows. Kept out of MainWindow so the window's module is
about building the window and what its actions start."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QTimer

from app.core import library
from app.core.errors import TaggerError
from app.core.index.state_word_hints import state_word_hint
from app.core.landmark_typo_hints import landmark_typo_hint
from app.core.path_query import pasted_path_query
from app.core.settings import save_settings
from app.core.wording import counted
from app.gui.photo_grid import no_match_text
from app.gui.photo_model import PhotoIdRole, PhotoListModel
from app.gui.results_loader import LibrarySnapshot, SearchResults
from app.gui.teach_actions import SIMILAR_COUNT
from app.gui.window_keys import update_photo_actions

if TYPE_CHECKING:
    from app.gui.main_window import MainWindow

PAGE_FIRST_RUN, PAGE_GRID, PAGE_REVIEW = 0, 1, 2
RECOUNT_AFTER_MS = 700  # counts are read again once accept/reject keys pause this long


def row_of_photo(ids: list[int], photo_id: int, old_row: int) -> int:
    """Where the current photo is in the new results, however many photos came before or
    after it (a cleared search, newer photos scanned onto a newest-first grid); its old row,
    or the last, once it left them (after A on a run of photos, the one after them is current).
    One pass in C over the ids: about a millisecond for 100,000."""
    try:
        return ids.index(photo_id)
    except ValueError:
        return min(old_row, len(ids) - 1)


def row_after(old_ids: list[int], ids: list[int], old_row: int) -> int | None:
    """The row in `ids` of the photo that came after `old_row` in `old_ids` and is still
    there (photos above it may have left too), else of the last one before it; None when
    none is left."""
    kept = set(ids)
    after = next((photo_id for photo_id in old_ids[old_row + 1:] if photo_id in kept), None)
    if after is None:
        after = next((photo_id for photo_id in reversed(old_ids[:old_row]) if photo_id in kept), None)
    return None if after is None else ids.index(after)


def _rows(model: PhotoListModel, runs: list[tuple[int, int]]) -> QItemSelection:
    """These runs of rows (first, last) as a selection, one range a run."""
    selection = QItemSelection()
    for first, last in runs:
        selection.select(model.index(first), model.index(last))
    return selection


class ResultsDisplay:
    """Owned by a MainWindow: answers its ResultsLoader; reads and sets the window's
    `folders`, `entry_query`, `similar_to`, `select_after_load` and `_snapshot`."""

    def __init__(self, window: "MainWindow") -> None:
        self.window = window
        self._has_library = True  # until the first summary says otherwise
        self._can_undo = True
        self._review_row_after_load: int | None = None
        self._keep_view_for: int | None = None  # the search whose results must not move the view
        self._in_place_for: int | None = None  # the search whose results move rows, not reset them
        self._search_shown: dict[str, tuple] = {}  # "grid" / "review": the search whose results each shows
        # the search field's text and whether the library panel narrowed the search asked for
        # last, and those of the results the grid shows: what its empty text names
        self._asked: tuple[str, bool] = ("", False)
        self._grid_asked: tuple[str, bool] | None = None
        self._recount_timer = QTimer(window, singleShot=True, interval=RECOUNT_AFTER_MS)
        self._recount_timer.timeout.connect(window.results.summarise)
        window.results.searched.connect(self.show_results)
        window.results.summarised.connect(self.show_library)

    def library_changed(self, keep_view: bool = False) -> None:
        """Re-read the tiles' records, the detail pane, then the folder tree, counts and
        results (after a job, or another program's change) in the worker, the counts first,
        so the photos arrive with the worker idle: read beside the grid's layout of 85,000
        rows (a Python call a row, each waiting for the GIL) they made it 3-4 times as long.
        The photos that came or left move their rows only (set_model_ids' `in_place`).
        `keep_view`: another program's change, which the user did not ask for: the view
        stays where the user left it."""
        window = self.window
        window.grid_model.refresh_all()
        window.review_model.refresh_all()
        window.current_photo.refresh_detail()
        window.results.summarise()
        self.refresh(keep_view, in_place=True)

    def show_library(self, snapshot: LibrarySnapshot) -> None:
        window = self.window
        window._snapshot = snapshot
        stats = snapshot.stats
        window.library_tree.show_folders(stats["photos"], snapshot.folders, snapshot.landmarks, snapshot.dates,
                                         missing=stats.get("missing", 0), saved=window.settings.saved_searches,
                                         no_landmark=snapshot.no_landmark)
        by_state = stats.get("by_state", {})
        window.status_label.setText(
            f"{counted(stats['photos'], 'photo')}  ·  {stats.get('labelled', 0):,} labelled  ·  "
            + (f"{stats['no_landmark']:,} \"no landmark\"  ·  " if stats.get("no_landmark") else "") +
            f"{by_state.get('suggested', 0):,} to review  ·  {counted(stats.get('raw_pairs', 0), 'RAW+JPEG pair')}"
        )
        self._has_library = snapshot.has_roots or stats["photos"] > 0
        self._can_undo = snapshot.can_undo
        window.review.show_untagged(by_state.get("unlabelled", 0))
        self.update_page_and_actions()

    def current_query(self) -> str:
        window = self.window
        folders = library.any_of([library.folder_query(folder) for folder in window.folders])
        return library.combine_queries(folders, window.entry_query,
                                       pasted_path_query(window.search_bar.text()))  # a pasted path finds its photo

    def refresh(self, keep_view: bool = False, in_place: bool = False) -> None:
        """Run the search (or find the similar photos) in the worker; the answer arrives in
        show_results. `in_place`: the same search again after the library changed."""
        window = self.window
        window.search_bar.show_searching()
        if window.similar_to is not None and window.stack.currentIndex() != PAGE_REVIEW:
            ticket = window.results.similar(window.similar_to, SIMILAR_COUNT)
        else:
            self._asked = (window.search_bar.text(), bool(window.folders or window.entry_query))
            ticket = window.results.search(self.current_query(), with_review=window.stack.currentIndex() == PAGE_REVIEW,
                                           oldest_first=window.settings.oldest_first)
        self._keep_view_for = ticket if keep_view else None  # a search of the user's since moves it again
        self._in_place_for = ticket if in_place or keep_view else None

    def order_changed(self, oldest_first: bool) -> None:
        """Newest or oldest photos first; kept for the next start."""
        window = self.window
        window.settings = replace(window.settings, oldest_first=oldest_first)
        try:
            save_settings(window.settings, on_set_aside=window.settings_set_aside)
        except (TaggerError, OSError) as error:  # the order still applies now, and the user hears why it will not last
            window.show_message(f"Order not kept for the next start: {error}")
        self.refresh()

    def query_changed(self) -> None:
        """Typing a search leaves the similar photos (and the loupe)."""
        window = self.window
        window.close_loupe()
        if window.similar_to is not None:
            window.similar_to = None
            window.similar_banner.hide()
        self.refresh()

    def show_results(self, results: SearchResults) -> None:
        """A malformed query is shown inline, the last valid search's photos kept
        (_show_invalid)."""
        window = self.window
        if results.error is not None:
            self._show_invalid(results)
            return
        keep_view = results.ticket == self._keep_view_for
        in_place = results.ticket == self._in_place_for
        if results.similar_to is not None:
            if results.similar_to != window.similar_to:
                return  # the user went back meanwhile
            window.search_bar.show_count(len(results.ids), "similar")
            if results.ids:  # the photo compared with, else the most like it: not the row chosen before
                window.select_after_load = results.similar_to if results.similar_to in results.ids else results.ids[0]
            self._is_new_search("grid", ("similar", results.similar_to))
            self.set_model_ids(window.grid_model, window.grid, results.ids, keep_view, in_place)
            self._grid_asked = None
            window.grid.show_empty("")  # the banner says why there are none
            window.similar_arrived(results.similar_to, len(results.ids))
        elif results.ids is not None:
            window.search_bar.show_count(len(results.ids))
            new_search = self._is_new_search("grid", (results.query, window.settings.oldest_first))
            self.set_model_ids(window.grid_model, window.grid, results.ids, keep_view, in_place, new_search)
            self._grid_asked = self._asked if not results.ids else None
            self._show_no_match()
        window.review.show_search_invalid("")
        if results.review_ids is not None:
            window.search_bar.show_count(len(results.review_ids), "to review")
            new_search = self._is_new_search("review", (results.query,))
            self.set_model_ids(window.review_model, window.review.list, results.review_ids, keep_view, in_place,
                               new_search)
            window.review.show_count(len(results.review_ids))
            if self._review_row_after_load is not None:
                row = min(self._review_row_after_load, window.review_model.rowCount() - 1)
                self._review_row_after_load = None
                if row >= 0:
                    window.review.list.selectionModel().setCurrentIndex(
                        window.review_model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect)
        if results.ids or results.review_ids:
            self._has_library = True
        self._after_results()

    def _show_invalid(self, results: SearchResults) -> None:
        """A malformed query leaves the grid and the review list as the last valid search
        left them, the photos chosen, the current one and the place in review with them; the
        line under the field says why, and the count says whose photos they are ("8 photos
        (last valid search)"), not read as this query's. Emptied, every pause on a half-typed
        term (`-state:rej`, an open quote: the search runs once typing pauses) blanked the
        grid and lost the photos the user had chosen for good. The search each view shows is
        still the valid one, so that search typed again is not another search."""
        self.window.search_bar.show_error(results.error)
        self._show_no_match(last_valid=True)
        self.update_page_and_actions()

    def _show_no_match(self, last_valid: bool = False) -> None:
        """The grid's empty text names the search whose (no) photos it shows, the one asked
        for then, not what the field holds now: under a malformed search, the last valid one
        said to be so (it said "No photos match “Colloseum”" under a field reading
        "no landmark"); plain words that name a review state get the term for it, and a
        likely typo of a landmark on the photos ("colloseum") the label: term of that one."""
        if self._grid_asked is None:
            self.window.grid.show_empty("")
            return
        typed, narrowed = self._grid_asked
        snapshot = self.window._snapshot
        hint = state_word_hint(typed) or landmark_typo_hint(
            typed, [name for name, _ in snapshot.landmarks] if snapshot is not None else [])
        self.window.grid.show_empty(no_match_text(typed, narrowed, hint, last_valid and bool(typed)))

    def _after_results(self) -> None:
        window = self.window
        self.update_page_and_actions()
        model, view = window._active_model_and_view()
        if not view.currentIndex().isValid():
            window.close_loupe()  # its photo left the view (the last suggestion reviewed, say)
            record = window.detail.record
            if record is not None and record.id not in model.ids():
                window.detail.show_record(None, [])  # not as it was (a folder located since: "File missing")

    def _is_new_search(self, view: str, search: tuple) -> bool:
        """Whether `view` ("grid" or "review") now gets the results of another search (a
        query or order the user changed) rather than the same search run again (after A or
        R, a job's end, another program's change); the search it shows is now `search`."""
        new = self._search_shown.get(view) != search
        self._search_shown[view] = search
        return new

    def update_page_and_actions(self) -> None:
        window = self.window
        if not self._has_library:
            window.stack.setCurrentIndex(PAGE_FIRST_RUN)
        elif window.stack.currentIndex() == PAGE_FIRST_RUN:
            window.stack.setCurrentIndex(PAGE_GRID)
        for action in (window.tag_folder_action, window.tag_selection_action, window.write_action,
                       window.grid_action, window.review_action, window.teach_action):
            action.setEnabled(self._has_library and not window.jobs.busy)
        window.undo_action.setEnabled(not window.jobs.busy and self._can_undo)  # greyed out with nothing to undo
        update_photo_actions(window)

    def set_model_ids(self, model: PhotoListModel, view, ids: list[int], keep_view: bool = False,
                      in_place: bool = False, new_search: bool = False) -> None:
        """Show new ids; when they are the same, keep the scroll position and selection
        (or show `select_after_load` when the view on screen holds it). The photos chosen
        stay chosen where they still are, with or without a current photo. `in_place` (the
        library changed: a job's end, another program's change): a few photos in or out of
        the results move those rows only (chosen ranges kept as they are, no reset: at a
        job's end with 85,000 photos chosen, a reset and choosing them again froze the
        window 0.4-0.5 s); the current photo stays current and in sight, and when it left,
        the one after it is current where the view is. `keep_view` (the change was another
        program's): the view does not scroll to the current photo either. `new_search` (the
        user asked for another search or order): the review list starts at its first row, the
        most doubtful photo, and the grid keeps the current photo when it is in the results,
        else starts at its first row, not at the old row number."""
        window = self.window
        wanted = window.select_after_load
        if wanted is not None and view is window._active_model_and_view()[1]:
            window.select_after_load = None  # asked of these results only, found in them or not
        if wanted is not None and view is window._active_model_and_view()[1] and wanted in ids:
            if ids != model.ids():
                model.set_ids(ids)
            else:
                model.refresh_all()
                window.current_photo.refresh_detail()
            shown = model.index(ids.index(wanted))
            view.selectionModel().setCurrentIndex(shown, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            view.scrollTo(shown)
            return
        if len(ids) == model.rowCount() and ids == model.ids():
            if not in_place:  # library_changed read the records and the detail pane just before
                model.refresh_all()
                window.current_photo.refresh_detail()
            return
        current = view.currentIndex()
        keep_id = model.photo_id(current.row()) if current.isValid() else None
        keep_row = current.row() if current.isValid() else None
        scrolls = view.hasAutoScroll()
        view.setAutoScroll(scrolls and not (keep_view or in_place))  # setCurrentIndex scrolls to it otherwise
        old_ids = model.ids()
        try:
            if (keep_view or in_place) and not new_search and self._move_rows(model, view, ids):
                if keep_id is None or not ids:
                    return
                if view.currentIndex().data(PhotoIdRole) != keep_id:
                    self._current_after(model, view, row_after(old_ids, ids, keep_row))
                elif not keep_view:
                    view.scrollTo(view.currentIndex())  # photos came in above it: still in sight
                return
            view.setAutoScroll(scrolls and not keep_view)
            selected = {photo_id for span in view.selectionModel().selection()  # ranges: no object a row
                        for photo_id in old_ids[span.top():span.bottom() + 1]}
            model.set_ids(ids)
            if keep_id is not None and ids:
                if new_search and model is window.review_model:
                    row = 0  # the review of another search starts at its most doubtful photo
                else:
                    row = row_of_photo(ids, keep_id, 0 if new_search else keep_row)
                view.selectionModel().setCurrentIndex(model.index(row),
                                                      QItemSelectionModel.SelectionFlag.ClearAndSelect)
            if selected - {keep_id}:  # Ctrl+A with no current photo too
                self._select_again(model, view, selected - {keep_id})
        finally:
            view.setAutoScroll(scrolls)

    @staticmethod
    def _current_after(model: PhotoListModel, view, row: int | None) -> None:
        """The current photo left: the one after it is current (Qt's choice is the one
        before), chosen alone when no other photo is still chosen; never added to photos
        still chosen, which A, R and L act on."""
        if row is None:
            return
        selection = view.selectionModel()
        flag = QItemSelectionModel.SelectionFlag
        selection.setCurrentIndex(model.index(row), flag.NoUpdate if selection.hasSelection() else flag.ClearAndSelect)

    @staticmethod
    def _move_rows(model: PhotoListModel, view, ids: list[int]) -> bool:
        """Put the new results in by rows (PhotoListModel.update_ids); the photos that came
        in are not chosen, even inside a chosen range. False when a reset is cheaper."""
        inserted = model.update_ids(ids)
        if inserted is None:
            return False
        if inserted:
            view.selectionModel().select(_rows(model, inserted), QItemSelectionModel.SelectionFlag.Deselect)
        return True

    @staticmethod
    def _select_again(model: PhotoListModel, view, photo_ids: set[int]) -> None:
        """The photos chosen before new results (a label set in a terminal changed them)
        stay chosen where they still are, so A, R and L act on the same photos."""
        rows = _rows(model, model.row_runs(photo_ids))  # in runs of rows: one range for Ctrl+A
        view.selectionModel().select(rows, QItemSelectionModel.SelectionFlag.Select)

    def counts_changed(self) -> None:
        """Accepts, rejects and labels change the status bar's counts and the library
        panel's; count again once the keys pause (review is one key a photo)."""
        self._recount_timer.start()

    def photos_changed(self, photo_ids) -> None:
        """Labels of these photos changed (a job or a review action): repaint them."""
        window = self.window
        photo_ids = set(photo_ids)
        window.grid_model.refresh(photo_ids)
        window.review_model.refresh(photo_ids)
        record = window.detail.record
        if record is not None and record.id in photo_ids:
            window.current_photo.show_record(record.id)

    def folder_selected(self, _folder: str) -> None:
        self.narrow_to(self.window.library_tree.selected_folders(), "")

    def entry_selected(self, query: str) -> None:
        self.narrow_to(self.window.library_tree.selected_folders(), query)

    def narrow_to(self, folders: list[str], query: str) -> None:
        window = self.window
        window.close_loupe()
        window.folders, window.entry_query = folders, query
        window.similar_to = None
        window.similar_banner.hide()
        self.refresh()

    def showing_review(self) -> bool:
        return self.window.stack.currentIndex() == PAGE_REVIEW

    def show_page(self, page: int) -> None:
        window = self.window
        window.close_loupe()
        window.stack.setCurrentIndex(page)
        (window.review_action if page == PAGE_REVIEW else window.grid_action).setChecked(True)
        model, view = window._active_model_and_view()
        window.current_photo.show_current(model, view.currentIndex())  # not the photo of the page left
        self.refresh()
        view.setFocus()
        if page == PAGE_REVIEW and not view.currentIndex().isValid():
            self._review_row_after_load = 0  # start at the most doubtful one
