"""The main window: library tree (left), thumbnail grid or review list (centre),
detail pane (right), search and actions (top), job bar and errors (bottom).

It reads and changes the index only through PhotoIndex and app.core.library;
everything slow runs in JobController's worker. What the centre shows is
ResultsDisplay's, the detail pane's and the loupe's photo CurrentPhoto's, and the
window's frame (toolbar, status bar, saved layout) WindowLayout's, its actions (keys,
tooltips, right-click menus) WindowActions', and files dropped on it FileDrops'.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from app.core.errors import TaggerError
from app.core.settings import AppSettings, save_settings
from app.core.wording import counted
from app.gui.app_words import in_app_words, index_named_in_commands
from app.gui.current_photo import CurrentPhoto
from app.gui.detail_pane import DetailPane
from app.gui.errors_panel import MAX_ROWS as MAX_PROBLEM_ROWS, ErrorsPanel
from app.gui.file_dialogs import picker_options
from app.gui.file_drops import FileDrops
from app.gui.first_run import FirstRunScreen
from app.gui.icons import icon
from app.gui.job_bar import JobBar
from app.gui.job_controller import JobController, not_found_text
from app.gui.job_words import stopped_write_words
from app.gui.label_actions import LabelActions
from app.gui.library_actions import LibraryActions
from app.gui.library_tree import LibraryTree
from app.gui.loupe_view import LoupeView
from app.gui.message_bar import MessageBar, SummaryStatusBar, announce, fits_status_bar
from app.gui.outside_changes import OutsideChanges
from app.gui.panel_widths import PanelWidths
from app.gui.photo_grid import PhotoGrid
from app.gui.photo_model import PhotoListModel
from app.gui.problem_links import ProblemLinks
from app.gui.read_only_index import grey_out_changes, read_only_words, refused_as_read_only
from app.gui.results_display import PAGE_FIRST_RUN, PAGE_GRID, PAGE_REVIEW, ResultsDisplay
from app.gui.results_loader import LibrarySnapshot, ResultsLoader
from app.gui.review_view import ReviewView
from app.gui.search_bar import SearchBar
from app.gui.settings_dialog import SettingsDialog
from app.gui.teach_actions import SimilarBanner, TeachActions
from app.gui.thumbnail_loader import ThumbnailLoader
from app.gui.window_actions import WindowActions
from app.gui.window_layout import WindowLayout, first_window_size

__all__ = ["MainWindow", "PAGE_FIRST_RUN", "PAGE_GRID", "PAGE_REVIEW", "first_window_size"]

PANEL_WIDTHS = (250, 360)  # the library panel's and the detail pane's, until the user drags them
LIBRARY_MIN_WIDTH = 150  # with the detail pane's 220 and the photos' minimum, the window narrows to 736 px
STATUS_MESSAGE_MS = (8000, 30000)  # a message's time in the status bar: at least, at most
READING_MS_PER_CHARACTER = 60  # a slow reader's pace: a write's long summary stays long enough to read


def status_message_ms(text: str) -> int:
    """How long a status bar message stays: 8 s for a short one, longer for a long one
    (a write's summary naming files), up to 30 s; the status bar's tooltip keeps it whole."""
    return min(STATUS_MESSAGE_MS[1], max(STATUS_MESSAGE_MS[0], len(text) * READING_MS_PER_CHARACTER))


class MainWindow(WindowActions, FileDrops, LabelActions, TeachActions, LibraryActions, QMainWindow):
    """One library (index file) in one window; opened by app.gui.app.open_main_window."""

    grid_page_index = PAGE_GRID

    def __init__(self, index, db_path: Path, settings: AppSettings) -> None:
        super().__init__()
        self.index = index
        # fixed for its connection: asked once, not of an index a closing window has closed
        self.index_read_only = index.read_only
        self.db_path = Path(db_path)
        self.index_named = index_named_in_commands(self.db_path)  # the --db of the commands it quotes
        self.settings = settings
        self.folders: list[str] = []  # the folders chosen in the library panel (none: the library)
        self.entry_query = ""  # the landmarks and dates chosen there
        self.window_layout = WindowLayout(self)
        self.setStatusBar(SummaryStatusBar(self))  # a long message: its first sentence, whole in message_bar
        self.setWindowTitle("Landmark Tagger")
        self.setWindowIcon(icon("app"))
        self.setAcceptDrops(True)
        # Thumbnails are made at the screen's pixel density so tiles stay sharp on HiDPI.
        screen = QGuiApplication.primaryScreen()
        self.resize(first_window_size(screen.availableGeometry().size() if screen is not None else None))
        density = screen.devicePixelRatio() if screen is not None else 1.0
        self.thumbnails = ThumbnailLoader(round(settings.thumbnail_size * max(1.0, density)), parent=self)
        # back from another app (Finder evicted a photo, an editor saved one): tiles look again
        QGuiApplication.instance().applicationStateChanged.connect(self.thumbnails.recheck_when_active)
        self.grid_model = PhotoListModel(self.index.get, self.thumbnails, parent=self,
                                         fetch_best_guess=self.index.best_guess)
        self.review_model = PhotoListModel(self.index.get, self.thumbnails, parent=self,
                                           fetch_alternatives=self.index.predictions,
                                           fetch_best_guess=self.index.best_guess)
        self.results = ResultsLoader(self.db_path, self)
        self.results.failed.connect(self.show_message)
        self.results_display = ResultsDisplay(self)
        self.current_photo = CurrentPhoto(self)
        self._snapshot: LibrarySnapshot | None = None  # the latest counts, to redraw the library panel
        self.review_undo: list = []  # label_actions.ReviewStep or LabelStep, the latest last
        self.select_after_load: int | None = None  # a photo to show once the results arrive
        self._photos_after_folders: list[Path] = []  # dropped beside folders: taken once those are read
        self._build_central()
        self._build_docks()
        self._build_actions()
        self.jobs = JobController(self)
        self._show_earlier_problems()
        self._load_places()
        self.restore_window_state()
        self.library_changed()
        self.outside_changes = OutsideChanges(self)  # a terminal's changes to the index show here too

    # -- construction ------------------------------------------------------------------
    def _build_central(self) -> None:
        self.first_run = FirstRunScreen()
        self.first_run.add_folder_requested.connect(self.choose_folder)
        self.grid = PhotoGrid(self.grid_model, self.thumbnails, self.settings.thumbnail_size)
        self.grid.open_requested.connect(self.current_photo.open_detail)
        self.grid.view_requested.connect(self.open_loupe)
        self.grid.selectionModel().currentChanged.connect(
            lambda current, _: self.current_photo.show_current(self.grid_model, current))
        self.similar_banner = SimilarBanner()
        self.similar_banner.back_requested.connect(self.leave_similar)
        grid_page = QWidget()
        grid_layout = QVBoxLayout(grid_page)
        grid_layout.setContentsMargins(0, 0, 0, 0)
        grid_layout.setSpacing(0)
        grid_layout.addWidget(self.similar_banner)
        grid_layout.addWidget(self.grid, 1)
        self.review = ReviewView(self.review_model)
        self.review.open_requested.connect(self.current_photo.open_detail)
        self.review.view_requested.connect(self.open_loupe)
        self.review.find_suggestions_requested.connect(self.find_suggestions)
        self.review.taught_places_requested.connect(self.open_taught_places)
        self.review.list.selectionModel().currentChanged.connect(
            lambda current, _: self.current_photo.show_current(self.review_model, current))
        self.stack = QStackedWidget()
        for page in (self.first_run, grid_page, self.review):
            self.stack.addWidget(page)
        self.loupe = LoupeView(self.stack)
        self.loupe.step_requested.connect(self.current_photo.step_loupe)
        self.loupe.close_requested.connect(self.close_loupe)
        self.job_bar = JobBar()
        self.search_bar = SearchBar()
        self.search_bar.query_changed.connect(lambda _text: self.results_display.query_changed())
        self.search_bar.set_oldest_first(self.settings.oldest_first)
        self.search_bar.order_changed.connect(self.results_display.order_changed)
        self.search_bar.save_requested.connect(self.save_search)
        search_row = QWidget()
        search_row.setObjectName("searchRow")
        row_layout = QVBoxLayout(search_row)
        row_layout.setContentsMargins(12, 10, 12, 8)
        row_layout.addWidget(self.search_bar)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.message_bar = MessageBar()
        self.message_bar.closed.connect(lambda: self._active_model_and_view()[1].setFocus())
        layout.addWidget(search_row)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.job_bar)
        self.setCentralWidget(central)

    def _build_docks(self) -> None:
        self.library_tree = LibraryTree()
        self.library_tree.setMinimumWidth(LIBRARY_MIN_WIDTH)  # landmark names stay readable when the window narrows
        self.library_tree.folder_selected.connect(self.results_display.folder_selected)
        self.library_tree.query_selected.connect(self.results_display.entry_selected)
        self.library_tree.rename_requested.connect(self.rename_place)
        self.library_tree.why_name_is_fixed = self.why_name_is_fixed
        self.library_tree.forget_requested.connect(self.forget_folder)
        self.library_tree.whole_folder_requested.connect(lambda folder: self.add_folder(Path(folder)))
        self.library_tree.locate_requested.connect(self.locate_folder)
        self.library_tree.forget_missing_requested.connect(self.forget_missing_photos)
        self.library_tree.delete_saved_requested.connect(self.delete_saved_search)
        self.library_dock = self._dock("Library", self.library_tree, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.detail = DetailPane()
        self.thumbnails.rechecking.connect(self.detail.recheck_preview)  # its preview follows file changes too
        self.detail.accept_requested.connect(self.accept_selected)
        self.detail.reject_requested.connect(self.reject_selected)
        self.detail.relabel_requested.connect(self.relabel_selected)
        self.detail.similar_requested.connect(self.show_similar_to_current)
        self.detail.preview_shown.connect(self.current_photo.preview_shown)
        self.detail_dock = self._dock("Details", self.detail, Qt.DockWidgetArea.RightDockWidgetArea)
        self.errors_panel = ErrorsPanel(index_named=self.index_named)
        self.errors_dock = self._dock("Problems", self.errors_panel, Qt.DockWidgetArea.BottomDockWidgetArea,
                                      closable=True)
        self.errors_dock.hide()
        self.errors_panel.count_changed.connect(self.window_layout.problems_counted)
        self.errors_panel.rows_hidden.connect(self.show_message)
        self.problem_links = ProblemLinks(self)  # a row's photo in the grid, its file in its folder
        self.resizeDocks([self.library_dock, self.detail_dock], list(PANEL_WIDTHS), Qt.Orientation.Horizontal)
        # they give way to a narrow window (an 800 px screen) and come back when it widens
        self.panel_widths = PanelWidths(self, [self.library_dock, self.detail_dock], PANEL_WIDTHS)

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea, closable: bool = False) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"{title.lower()}Dock")
        dock.setWidget(widget)
        features = QDockWidget.DockWidgetFeature.DockWidgetMovable
        if closable:
            features |= QDockWidget.DockWidgetFeature.DockWidgetClosable
        dock.setFeatures(features)
        self.addDockWidget(area, dock)
        return dock

    # -- library and results (ResultsDisplay) -----------------------------------------
    def library_changed(self) -> None:
        """Re-read the folder tree, counts and results (after a scan, tag or write)."""
        self.results_display.library_changed()

    def current_query(self) -> str:
        return self.results_display.current_query()

    def refresh_results(self) -> None:
        """Run the search (or find the similar photos) in the worker."""
        self.results_display.refresh()

    def counts_changed(self) -> None:
        self.results_display.counts_changed()

    def photos_changed(self, photo_ids) -> None:
        """Labels of these photos changed (a job or a review action): repaint them."""
        self.results_display.photos_changed(photo_ids)

    def showing_review(self) -> bool:
        return self.results_display.showing_review()

    def show_page(self, page: int) -> None:
        self.results_display.show_page(page)

    # -- the current photo (CurrentPhoto) ------------------------------------------------
    def open_loupe(self, row: int | None = None) -> bool:
        return self.current_photo.open_loupe(row)

    def close_loupe(self) -> None:
        self.current_photo.close_loupe()

    def open_current_file(self) -> bool:
        return self.current_photo.open_file()

    def show_current_file(self) -> bool:
        return self.current_photo.show_file()

    # -- jobs ---------------------------------------------------------------------------
    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of photos", self.add_folder_start(),
                                                  picker_options(folders_only=True))
        if folder:
            self.remember_added_folder(folder)
            self.add_folder(Path(folder))

    def add_folder(self, folder: Path) -> bool:
        """Add a folder to the library and read it in a worker."""
        return self.add_folders([folder])

    def add_folders(self, folders: list[Path]) -> bool:
        """Add folders to the library and read them in one worker job."""
        if refused_as_read_only(self):
            return False
        try:
            roots = [self.index.add_root(folder) for folder in folders]
        except TaggerError as error:
            self.show_message(str(error))
            return False
        self.library_changed()
        return self.jobs.scan(roots)

    def check_library_folders(self) -> bool:
        """Look for photos copied into the library's folders since last time (at start,
        unless Settings say not to); a folder whose drive is not connected is skipped. A write
        left unfinished (the app closed during it) is said with what it found, or alone."""
        if not self.settings.check_folders_at_start or self.jobs.busy or not self.index.roots():
            stopped = stopped_write_words(self.index)
            if stopped:
                self.show_message(stopped.strip())
            return False
        if self.index_read_only:  # a check would only end in "read-only" in Problems
            self.show_message(read_only_words("then open it again to look for new photos"))
            return False
        return self.jobs.check_folders()  # which folders are there is looked up in the worker

    def tag_folder(self) -> bool:
        """Tag the folders chosen in the library panel (or the whole library); those whose
        library folder is not found (greyed there) are skipped and named, with what to do."""
        if refused_as_read_only(self):
            return False
        if self.folders:
            absent = {folder: self.library_tree.absent_folder_of(folder) for folder in self.folders}
            skipped = sorted({root for root in absent.values() if root is not None})
            there = [folder for folder, root in absent.items() if root is None]
            if not there:
                self.show_message(f"Nothing tagged: {not_found_text([Path(root) for root in skipped])}")
                self.results.summarise()  # a drive connected since shows as there again
                return False
            what = Path(there[0]).name if len(there) == 1 else counted(len(there), "folder")
            return self.jobs.tag_folders([Path(folder) for folder in there], f"Tagging {what}", skipped)
        if not self.index.roots():
            self.show_message("Add a folder first.")
            return False
        return self.jobs.tag_library()  # a folder not found (a drive not connected) is skipped and named

    def tag_selection(self) -> bool:
        if refused_as_read_only(self):
            return False
        ids = self.selected_ids()
        if not ids:
            self.show_message("Select photos to tag first.")
            return False
        return self.jobs.tag(ids, f"Tagging {counted(len(ids), 'photo')}")

    def write_labels(self) -> bool:
        if refused_as_read_only(self):
            return False
        return self.jobs.plan_write(self.current_query(), include_suggested=False)

    def jobs_undo(self) -> bool:
        if refused_as_read_only(self):
            return False
        return self.jobs.undo_after_asking()

    def set_jobs_enabled(self, enabled: bool) -> None:
        for action in (self.add_folder_action, self.tag_folder_action, self.tag_selection_action,
                       self.write_action, self.undo_action, self.settings_action, self.teach_action):
            action.setEnabled(enabled)
        self.first_run.add_button.setEnabled(enabled)
        self.review.find_button.setEnabled(enabled)
        grey_out_changes(self)

    def open_settings(self) -> None:
        dialog = SettingsDialog(self.settings, self)
        if dialog.exec() != SettingsDialog.DialogCode.Accepted:
            return
        try:
            save_settings(dialog.settings(), on_set_aside=self.settings_set_aside)
        except TaggerError as error:
            self.show_message(f"Settings not saved: {error}")
            return
        previous, self.settings = self.settings, dialog.settings().validated()
        self._load_places()
        if (previous.threshold, previous.model_bundle) != (self.settings.threshold, self.settings.model_bundle):
            self.show_message("Settings saved. Tag your folders again to apply them to the photos already "
                              "tagged (no photo is decoded again for a new threshold).")
        else:
            self.show_message("Settings saved.")

    def _load_places(self) -> None:
        """Where the model's landmarks are, so the detail pane can say why a far one scores low."""
        from model.bundle import default_bundle_path, read_places

        self.detail.places = read_places(self.settings.model_bundle or default_bundle_path())


    # -- feedback --------------------------------------------------------------------------
    def show_message(self, text: str, announced: bool = False) -> None:
        """In the status bar; one too long for it also whole in the message bar above the
        photos, which a shorter message after it closes (it would speak of an older step).
        `announced`: a screen reader says it too (a key refused: else it seems to do nothing)."""
        shown = in_app_words(text, self.index_named)
        self.statusBar().showMessage(shown, status_message_ms(shown))
        if fits_status_bar(self.statusBar(), shown):
            self.message_bar.dismiss()
            if announced:
                announce(self.statusBar(), shown)
        else:
            self.message_bar.show_text(shown)

    def settings_set_aside(self, message: str) -> None:
        """The settings file was damaged or hand-edited while the app ran and was kept
        aside before a save: said, and kept in Problems, since those edits are now only
        in the copy."""
        self.show_message(message)
        self.errors_panel.add_problem(None, "settings", message)

    def _show_earlier_problems(self) -> None:
        """The problems the index still holds from earlier sessions (a broken file stays
        broken until it is fixed or forgotten): listed and counted on the Problems button,
        without opening the panel over the photos."""
        earlier = self.index.errors(limit=MAX_PROBLEM_ROWS)
        self.errors_panel.blockSignals(True)
        try:
            for error in reversed(earlier):
                self.errors_panel.add_recorded(error)
        finally:
            self.errors_panel.blockSignals(False)
        count = self.errors_panel.rowCount()
        self.errors_action.setText(f"Problems ({count})" if count else "Problems")

    # -- window state ---------------------------------------------------------------------
    def save_window_state(self) -> None:
        """Remember size and panel layout for the next start (in the settings file)."""
        self.window_layout.save()

    def restore_window_state(self) -> None:
        self.window_layout.restore()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if hasattr(self, "window_layout"):
            self.window_layout.window_resized(event.size().width())

    def closeEvent(self, event) -> None:
        self.save_window_state()
        self.jobs.stop_for_closing()  # a write is left for the next one to carry on, its files in hand finished
        self.results.close()
        self.thumbnails.drop_queued()
        self.thumbnails.wait_for_done(3000)
        super().closeEvent(event)
