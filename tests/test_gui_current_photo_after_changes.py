"""The current photo in the app after A or R on several photos, after Locate folder…, or when it left the view."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from tests.test_gui_support import (  # noqa: E402,F401
    added_folder,
    suggest,
    suggested_photos,
    wait_for_job,
    wait_for_results,
    window,
)

pytestmark = pytest.mark.gui


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
