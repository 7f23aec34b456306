"""Fixes from a review of the desktop app: where review goes on after A or R on several
photos, the detail pane after Locate folder…, Tag folder on a library folder that is not
found, and a window that fits a small screen."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from tests import test_gui_support  # noqa: E402
from tests.test_gui_support import added_folder, suggest, wait_for_job, wait_for_results  # noqa: E402
from tests.test_gui_support import close_main_window  # noqa: E402

window = test_gui_support.window  # the suite's window fixture: 1,200 × 800, closed after the test

pytestmark = pytest.mark.gui


# -- A or R on several photos: the photo after them is current -----------------------------
def suggested_photos(qtbot, win, tmp_path, count: int = 8) -> list[int]:
    """`count` photos suggested, most doubtful first in the order returned."""
    added_folder(qtbot, win, tmp_path, count=count)
    ids = win.index.photo_ids("")
    for rank, photo_id in enumerate(ids):
        suggest(win.index, photo_id, "Colosseum", 0.5 + rank * 0.05)
    win.library_changed()
    wait_for_results(qtbot, win)
    return ids


def select_run(view, model, start: int, key: Qt.Key, steps: int) -> None:
    """Row `start` current, then Shift+↓ or Shift+↑ `steps` times."""
    view.setFocus()
    view.selectionModel().setCurrentIndex(model.index(start), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    for _ in range(steps):
        QTest.keyClick(view, key, Qt.KeyboardModifier.ShiftModifier)


def current_id(view, model) -> int:
    assert view.currentIndex().isValid()
    return model.photo_id(view.currentIndex().row())


def test_review_goes_on_after_a_run_of_photos_whichever_way_it_was_selected(qtbot, window, tmp_path) -> None:
    """Shift+↓ ↓ then A left the cursor two photos too far: the photos right after the
    run were skipped over, and the next A accepted one the user never saw."""
    from app.gui.main_window import PAGE_REVIEW

    suggested_photos(qtbot, window, tmp_path)
    window.show_page(PAGE_REVIEW)
    wait_for_results(qtbot, window)
    view, model = window.review.list, window.review_model
    order = model.ids()
    assert len(order) == 8

    select_run(view, model, 5, Qt.Key.Key_Up, 2)  # rows 3-5, upwards
    assert sorted(window.selected_ids()) == sorted(order[3:6])
    window.accept_selected()
    assert window.statusBar().currentMessage() == "Accepted 3 photos"
    assert current_id(view, model) == order[6]
    wait_for_results(qtbot, window)
    assert model.ids() == order[:3] + order[6:] and current_id(view, model) == order[6]

    order = model.ids()
    select_run(view, model, 0, Qt.Key.Key_Down, 2)  # rows 0-2, downwards
    window.reject_selected()
    assert window.statusBar().currentMessage() == "Rejected 3 photos"
    assert current_id(view, model) == order[3]  # it was order[4]: one photo skipped
    wait_for_results(qtbot, window)
    assert model.ids() == order[3:] and current_id(view, model) == order[3]


def test_review_goes_on_after_the_first_of_photos_chosen_here_and_there(qtbot, window, tmp_path) -> None:
    """Ctrl-clicked rows 1, 3 and 5: the photo after the first of them (row 2) is current,
    not whatever took the row of the last one clicked."""
    from app.gui.main_window import PAGE_REVIEW

    suggested_photos(qtbot, window, tmp_path)
    window.show_page(PAGE_REVIEW)
    wait_for_results(qtbot, window)
    view, model = window.review.list, window.review_model
    order = model.ids()
    view.setFocus()
    view.setCurrentIndex(model.index(1))
    for row in (3, 5):
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                         view.visualRect(model.index(row)).center())
    assert sorted(window.selected_ids()) == sorted([order[1], order[3], order[5]])
    window.accept_selected()
    assert current_id(view, model) == order[2]
    wait_for_results(qtbot, window)
    assert current_id(view, model) == order[2]


def test_in_a_grid_the_photos_leave_the_photo_after_them_is_current(qtbot, window, tmp_path) -> None:
    """The grid of a search for the suggested photos: those accepted leave it when it is
    searched again, and the photo after them stays current."""
    suggested_photos(qtbot, window, tmp_path)
    window.search_bar.set_text("state:suggested")
    wait_for_results(qtbot, window)
    view, model = window.grid, window.grid_model
    order = model.ids()
    assert len(order) == 8
    select_run(view, model, 1, Qt.Key.Key_Right, 2)  # Shift+→ →
    assert sorted(window.selected_ids()) == sorted(order[1:4])
    window.accept_selected()
    assert current_id(view, model) == order[4]
    window.refresh_results()
    wait_for_results(qtbot, window)
    assert model.ids() == order[:1] + order[4:]
    assert current_id(view, model) == order[4]  # it was order[6]


def test_the_photo_after_more_than_fifty_photos_that_left_the_grid_stays_current(qtbot, window, tmp_path) -> None:
    """The grid looked for its current photo within 50 rows of where it was: after 60
    photos before it left the view, the row, not the photo, was kept."""
    from tests.test_gui_support import insert_synthetic_photos

    insert_synthetic_photos(tmp_path / "index.db", 100)
    window.library_changed()
    wait_for_results(qtbot, window)
    view, model = window.grid, window.grid_model
    ids = model.ids()
    assert len(ids) == 100
    for photo_id in ids[:60]:
        suggest(window.index, photo_id, "Colosseum", 0.7)
    window.photos_changed(ids[:60])  # as a tag job shows its labels: A acts on the label shown
    select_run(view, model, 0, Qt.Key.Key_Right, 0)
    view.selectionModel().select(QItemSelection(model.index(0), model.index(59)),
                                 QItemSelectionModel.SelectionFlag.Select)  # (Shift+click on the 60th)
    assert len(window.selected_ids()) == 60
    window.accept_selected()
    assert current_id(view, model) == ids[60]
    window.search_bar.set_text("-state:accepted")
    wait_for_results(qtbot, window)
    assert model.ids() == ids[60:]
    assert current_id(view, model) == ids[60]


# -- Locate folder…: the detail pane and S follow the photo ----------------------------------
def test_after_locate_folder_the_detail_pane_shows_the_photo_where_it_is_now(qtbot, window, tmp_path,
                                                                              monkeypatch) -> None:
    """The folder chosen in the library panel, one of its photos in the detail pane ("File
    missing"), then Locate folder…: the pane kept the old path and "File missing", the
    panel fell back to All photos with no photo current, and S acted on the pane's stale photo."""
    from PySide6.QtWidgets import QFileDialog

    from app.gui import library_tree

    folder = added_folder(qtbot, window, tmp_path, count=3)
    moved = folder.rename(tmp_path / "photos (external drive)")
    window.library_changed()
    wait_for_results(qtbot, window)
    root = window.library_tree.topLevelItem(1)
    window.library_tree.setCurrentItem(root)
    wait_for_results(qtbot, window)
    window.grid.setFocus()
    window.grid.setCurrentIndex(window.grid_model.index(1))
    photo_id = window.grid_model.photo_id(1)
    qtbot.waitUntil(lambda: "File missing" in window.detail.preview.message, timeout=5000)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(moved))
    window.library_tree.menu_for(root).actions()[0].trigger()  # Locate folder…
    wait_for_job(qtbot, window)
    qtbot.waitUntil(lambda: window.detail.preview.has_image(), timeout=10000)
    wait_for_results(qtbot, window)
    assert "kept their labels" in window.statusBar().currentMessage()
    assert window.library_tree.selected_folders() == [str(moved.resolve())]  # still chosen, at its new place
    assert window.library_tree.topLevelItem(1).data(0, library_tree.PathRole) == str(moved.resolve())
    assert window.folders == [str(moved.resolve())] and window.grid_model.rowCount() == 3
    assert window.detail.record.id == photo_id and window.detail.record.path.startswith(str(moved.resolve()))
    assert "File missing" not in window.detail.preview.message
    assert current_id(window.grid, window.grid_model) == photo_id
    window.similar_action.trigger()
    assert window.similar_to == photo_id


def test_a_photo_that_left_the_view_leaves_the_detail_pane_and_s_has_no_photo_to_act_on(qtbot, window,
                                                                                        tmp_path) -> None:
    """The pane kept a photo the grid no longer held, and S showed the photos like it."""
    added_folder(qtbot, window, tmp_path, count=3)
    window.grid.setFocus()
    window.grid.setCurrentIndex(window.grid_model.index(0))
    qtbot.waitUntil(lambda: window.detail.record is not None, timeout=5000)
    window.search_bar.set_text("nothing-is-called-this")
    wait_for_results(qtbot, window)
    assert window.grid_model.rowCount() == 0
    assert window.detail.record is None and window.detail.title.text() == "No photo selected"
    assert not window.similar_action.isEnabled()  # greyed: no photo to act on
    window.show_similar_to_current()
    assert window.similar_to is None
    assert window.statusBar().currentMessage() == "Select a photo first."


# -- Tag folder on a folder that is not found ------------------------------------------------
NOT_FOUND = "not found (drive not connected? if it moved, Locate folder… in its menu)"


def choose_folders(win, *paths: Path) -> None:
    """Choose these library folders in the panel (Ctrl-click for the second and on)."""
    from app.gui import library_tree

    items = {win.library_tree.topLevelItem(i).data(0, library_tree.PathRole): win.library_tree.topLevelItem(i)
             for i in range(win.library_tree.topLevelItemCount())}
    win.library_tree.setCurrentItem(items[str(paths[0].resolve())])
    for path in paths[1:]:
        items[str(path.resolve())].setSelected(True)
    assert sorted(win.folders) == sorted(str(path.resolve()) for path in paths)


def test_tag_folder_on_a_library_folder_not_found_says_so_without_a_job_or_a_problem(qtbot, window,
                                                                                   tmp_path) -> None:
    """It ran a job that "failed … does not exist; check the path" and left a Problems row."""
    folder = added_folder(qtbot, window, tmp_path, count=3)
    folder.rename(tmp_path / "photos (renamed)")
    window.library_changed()
    wait_for_results(qtbot, window)
    assert "Not found" in window.library_tree.topLevelItem(1).toolTip(0)
    choose_folders(window, folder)
    wait_for_results(qtbot, window)
    problems = window.errors_panel.rowCount()
    assert not window.tag_folder()
    assert not window.jobs.busy
    assert window.statusBar().currentMessage() == f"Nothing tagged: photos {NOT_FOUND}"
    assert window.errors_panel.rowCount() == problems


def test_tag_folder_on_a_folder_gone_since_the_panel_looked_skips_it_in_the_job(qtbot, window, tmp_path) -> None:
    """The panel still shows it as there (its drive taken out a moment ago): the job finds
    it gone and says so in the same words, not as a failure with a Problems row."""
    folder = added_folder(qtbot, window, tmp_path, count=3)
    choose_folders(window, folder)
    wait_for_results(qtbot, window)
    folder.rename(tmp_path / "photos (renamed)")
    problems = window.errors_panel.rowCount()
    assert window.tag_folder()
    wait_for_job(qtbot, window)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Nothing tagged"), timeout=5000)
    assert window.statusBar().currentMessage() == f"Nothing tagged: photos {NOT_FOUND}"
    assert window.errors_panel.rowCount() == problems


def test_tag_folder_on_two_folders_tags_the_one_there_and_names_the_other(qtbot, window, tmp_path,
                                                                        tiny_bundle) -> None:
    from tests.test_gui_support import library_with_an_unplugged_card

    window.settings = replace(window.settings, model_bundle=str(tiny_bundle.path))
    folder, card = library_with_an_unplugged_card(qtbot, window, tmp_path)
    window.library_changed()
    wait_for_results(qtbot, window)
    choose_folders(window, folder, card)
    wait_for_results(qtbot, window)
    assert window.tag_folder()
    wait_for_job(qtbot, window)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().endswith(NOT_FOUND), timeout=5000)
    message = window.statusBar().currentMessage()
    assert message.startswith("Tagging photos: done — tagged 3 photos") and message.endswith(f"; card {NOT_FOUND}")
    assert window.index.count(f'folder:"{folder.resolve()}" state:suggested') == 3
    assert window.errors_panel.rowCount() == 0


def test_tagging_a_library_none_of_whose_folders_is_there_is_no_failure(qtbot, window, tmp_path) -> None:
    """It failed ("none of the library's folders is there") with a Problems row."""
    folder = added_folder(qtbot, window, tmp_path, count=3)
    folder.rename(tmp_path / "photos (renamed)")
    window.folders = []
    assert window.tag_folder()
    wait_for_job(qtbot, window)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Nothing tagged"), timeout=5000)
    assert window.statusBar().currentMessage() == f"Nothing tagged: photos {NOT_FOUND}"
    assert window.errors_panel.rowCount() == 0


# -- the window on a small screen ------------------------------------------------------------
def within_width(widget, area) -> bool:
    """The widget lies across `area` without running past either side of it."""
    left = widget.mapTo(area, widget.rect().topLeft()).x()
    return widget.isVisible() and widget.width() > 0 and left >= 0 and left + widget.width() <= area.width()


def test_the_window_opens_whole_on_an_800_px_screen(qtbot, window) -> None:
    """first_window_size promises it; the panels and the photos held it 976-984 px wide."""
    from PySide6.QtGui import QGuiApplication

    from app.gui.app import open_main_window
    from app.gui.main_window import first_window_size

    screen = QGuiApplication.primaryScreen().availableGeometry()
    assert screen.width() == 800  # the offscreen platform's screen
    second = open_main_window(window.db_path)
    qtbot.addWidget(second)
    try:
        second.show()
        wait_for_results(qtbot, second)
        assert second.width() == first_window_size(screen.size()).width() <= screen.width()
    finally:
        close_main_window(second)


def test_at_800_px_the_panels_give_way_and_nothing_runs_over(qtbot, window, tmp_path) -> None:
    from app.gui.job_runner import JobProgress
    from app.gui.main_window import PAGE_REVIEW

    suggested_photos(qtbot, window, tmp_path, count=4)
    window.resize(800, 600)
    qtbot.wait(100)
    assert window.width() == 800 and window.minimumSizeHint().width() <= 800
    assert window.library_dock.isVisible() and window.detail_dock.isVisible()
    assert window.library_dock.width() < 170 and window.detail_dock.width() < 300  # their old minimums
    bar = window.search_bar
    for widget in (bar.field, bar.count_label, bar.order):
        assert within_width(widget, window.centralWidget())
    assert bar.field.geometry().right() < bar.count_label.geometry().left()
    assert bar.count_label.geometry().right() < bar.order.geometry().left()
    window.grid.setCurrentIndex(window.grid_model.index(0))
    qtbot.waitUntil(lambda: window.detail.record is not None, timeout=5000)
    for button in (window.detail.accept_button, window.detail.reject_button, window.detail.relabel_button,
                   window.detail.similar_button):
        assert within_width(button, window.detail.viewport())
    window.show_page(PAGE_REVIEW)
    wait_for_results(qtbot, window)
    qtbot.wait(50)
    for button in (window.review.places_button, window.review.find_button):
        assert within_width(button, window.review)
    window.job_bar.begin("Tagging the library's folders")
    window.job_bar.update_progress(JobProgress(done=12_345, total=100_000, message="", rate=35.2, eta_s=7_560.0))
    qtbot.wait(50)
    try:
        assert window.minimumSizeHint().width() <= 800 and window.width() == 800
        for widget in (window.job_bar.title, window.job_bar.bar, window.job_bar.detail, window.job_bar.cancel_button):
            assert within_width(widget, window.job_bar)
    finally:
        window.job_bar.end()


def drag(qtbot, widget, start, moves) -> None:
    """Press the left button at `start`, move through `moves`, let go at the last (a
    panel's edge moves on a timer: each step is given its turn of the event loop)."""
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    steps = [(QEvent.Type.MouseMove, start, none, none), (QEvent.Type.MouseButtonPress, start, left, left)]
    steps += [(QEvent.Type.MouseMove, point, none, left) for point in moves]
    steps.append((QEvent.Type.MouseButtonRelease, moves[-1], left, none))
    for kind, point, button, buttons in steps:
        QApplication.sendEvent(widget, QMouseEvent(kind, QPointF(point), QPointF(widget.mapToGlobal(point)), button,
                                                   buttons, Qt.KeyboardModifier.NoModifier))
        qtbot.wait(20)


def test_the_panels_come_back_when_the_window_widens_as_wide_as_the_user_left_them(qtbot, window) -> None:
    """Narrowed once, they stayed at their minimums however wide the window grew again."""
    from PySide6.QtCore import QPoint

    opening = (250, 360)  # the library panel's and the detail pane's widths on a screen with room
    window.resize(1280, 800)
    qtbot.wait(50)
    assert [window.library_dock.width(), window.detail_dock.width()] == list(opening)
    window.resize(800, 600)
    qtbot.wait(50)
    assert window.library_dock.width() < opening[0] and window.detail_dock.width() < opening[1]
    window.resize(1280, 800)
    qtbot.wait(50)
    assert [window.library_dock.width(), window.detail_dock.width()] == list(opening)
    # the user drags the detail pane's edge 80 px to the right: that width is the one kept
    edge = QPoint(window.detail_dock.geometry().left() - 3, window.detail_dock.geometry().center().y())
    drag(qtbot, window, edge, [edge + QPoint(40, 0), edge + QPoint(80, 0)])
    dragged = window.detail_dock.width()
    assert dragged < opening[1]
    window.resize(800, 600)
    qtbot.wait(50)
    window.resize(1280, 800)
    qtbot.wait(50)
    assert window.detail_dock.width() == dragged and window.library_dock.width() == opening[0]


def drag_library_edge(qtbot, win, by: int) -> int:
    """The user drags the library panel's right edge `by` px to the right; its width then."""
    from PySide6.QtCore import QPoint

    edge = QPoint(win.library_dock.geometry().right() + 3, win.library_dock.geometry().center().y())
    drag(qtbot, win, edge, [edge + QPoint(by // 2, 0), edge + QPoint(by, 0)])
    return win.library_dock.width()


def test_a_layout_saved_on_a_wide_screen_comes_back_when_the_window_widens(qtbot, window) -> None:
    """Opened on an 800 px screen, the restored panels were squeezed and those squeezed
    widths taken as the user's (and saved at exit): the library panel left at 500 px stayed
    at its minimum however wide the window grew."""
    from app.gui.app import open_main_window

    window.resize(1280, 800)
    qtbot.wait(50)
    saved = (drag_library_edge(qtbot, window, 250), window.detail_dock.width())
    assert saved[0] > 400
    window.save_window_state()
    for _ in range(2):  # opened on the small screen, closed there, opened again
        second = open_main_window(window.db_path)
        qtbot.addWidget(second)
        try:
            second.show()
            qtbot.wait(100)
            assert second.width() <= 800 and second.library_dock.width() < saved[0]  # squeezed to the screen
            second.save_window_state()  # what it keeps is the user's layout, not the squeezed one
            window.settings = second.settings
        finally:
            close_main_window(second)
    third = open_main_window(window.db_path)
    qtbot.addWidget(third)
    try:
        third.show()
        qtbot.wait(100)
        third.resize(1280, 800)
        qtbot.wait(100)
        assert (third.library_dock.width(), third.detail_dock.width()) == saved
    finally:
        close_main_window(third)


def test_a_resize_takes_from_the_panels_only_what_the_window_lost(qtbot, window) -> None:
    """Each resize gave the photos 540 px first: a library panel the user had widened (the
    photos narrower than that) was narrowed when the window grew by 20 px, and by 130 px
    when it shrank by 20."""
    window.resize(1280, 800)
    qtbot.wait(50)
    library = drag_library_edge(qtbot, window, 250)
    detail, photos = window.detail_dock.width(), window.centralWidget().width()
    assert photos < 540  # the user's choice: narrower photos, a wider panel
    window.resize(1300, 800)
    qtbot.wait(50)
    assert (window.library_dock.width(), window.detail_dock.width()) == (library, detail)
    window.resize(1260, 800)  # 20 px narrower than the user left it: the panels give up those 20 px
    qtbot.wait(50)
    assert window.library_dock.width() + window.detail_dock.width() == library + detail - 20
    assert window.centralWidget().width() == photos
    window.resize(800, 600)
    qtbot.wait(50)
    minimums = (window.library_dock.minimumSizeHint().width(), window.detail_dock.minimumSizeHint().width())
    assert window.library_dock.width() > minimums[0] and window.detail_dock.width() > minimums[1]
    assert window.centralWidget().width() == photos  # the panels give way before the photos do
    window.resize(1280, 800)
    qtbot.wait(50)
    assert (window.library_dock.width(), window.detail_dock.width()) == (library, detail)


def test_locate_folder_leaves_the_grid_s_selection_of_another_folder_s_photos(qtbot, window, tmp_path,
                                                                               monkeypatch) -> None:
    """The detail pane showing a photo of another folder, Locate folder… made it the only
    photo selected in the grid."""
    from PySide6.QtWidgets import QFileDialog

    from app.gui import library_tree
    from tests.test_gui_support import make_photo_folder

    folder = added_folder(qtbot, window, tmp_path, count=3)
    other = tmp_path / "other"
    make_photo_folder(other, 3, seed=2)
    assert window.add_folder(other)
    wait_for_job(qtbot, window)
    moved = folder.rename(tmp_path / "photos (external drive)")
    window.library_changed()
    wait_for_results(qtbot, window)
    assert window.folders == [] and window.grid_model.rowCount() == 6  # All photos
    others = [row for row in range(6) if str(other.resolve()) in window.index.get(window.grid_model.photo_id(row)).path]
    window.grid.setFocus()
    window.grid.setCurrentIndex(window.grid_model.index(others[0]))
    for row in others[1:]:
        window.grid.selectionModel().select(window.grid_model.index(row), QItemSelectionModel.SelectionFlag.Select)
    qtbot.waitUntil(lambda: window.detail.record is not None, timeout=5000)
    chosen = sorted(index.row() for index in window.grid.selectionModel().selectedIndexes())
    assert chosen == others and window.detail.record.path.startswith(str(other.resolve()))

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(moved))
    root = next(window.library_tree.topLevelItem(i) for i in range(window.library_tree.topLevelItemCount())
                if window.library_tree.topLevelItem(i).data(0, library_tree.PathRole) == str(folder.resolve()))
    window.library_tree.menu_for(root).actions()[0].trigger()  # Locate folder…
    wait_for_job(qtbot, window)
    wait_for_results(qtbot, window)
    assert "kept their labels" in window.statusBar().currentMessage()
    assert sorted(index.row() for index in window.grid.selectionModel().selectedIndexes()) == others


def test_forget_missing_photos_says_how_many_it_kept_for_a_scan_to_finish(qtbot, window, monkeypatch) -> None:
    """Photos whose moves a killed scan still owes stay; the app says so in its own words."""
    from app.core.index.forget import MissingPhotos
    from app.gui import job_work

    summary = MissingPhotos(photos=3, yours=1, taught=0, awaiting_scan=2)
    monkeypatch.setattr(job_work, "forget_missing_work", lambda db_path: (lambda progress, cancel, emit_item: summary))
    assert window.jobs.forget_missing()
    wait_for_job(qtbot, window)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Forgot"), timeout=5000)
    assert window.statusBar().currentMessage() == (
        "Forgot 3 missing photos, 1 with a label or review of yours. Kept 2 missing photos: a scan that did not "
        "finish still has to look for where they went (Tag folder reads the folders again).")
