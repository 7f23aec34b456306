"""The desktop app, driven offscreen with pytest-qt: open, add a folder, search,
review, lazy loading, jobs and the no-display fallback of the `gui` command."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import QPoint, Qt  # noqa: E402

from app.core.index import PhotoIndex, Prediction  # noqa: E402
from tests.test_gui_support import close_main_window, insert_synthetic_photos, make_photo_folder  # noqa: E402

pytestmark = pytest.mark.gui


def shown_window(qtbot, db):
    """The main window on the index `db`, 1200 x 800, shown, its first results in."""
    from app.gui.app import create_application, open_main_window

    create_application()
    win = open_main_window(db)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    wait_for_results(qtbot, win)
    return win


@pytest.fixture
def window(qtbot, tmp_path):
    win = shown_window(qtbot, tmp_path / "index.db")
    yield win
    close_main_window(win)


def wait_for_results(qtbot, win) -> None:
    """Searches and counts run in a worker; wait for the latest answers."""
    qtbot.waitUntil(lambda: not win.results.busy, timeout=20000)


def wait_for_job(qtbot, win, timeout_ms=60000) -> None:
    qtbot.waitUntil(lambda: not win.jobs.busy, timeout=timeout_ms)
    wait_for_results(qtbot, win)


def show_the_one_missing_photo(qtbot, win) -> None:
    """Checks the library folders, searches is:missing, expects one photo and selects it."""
    assert win.check_library_folders()
    wait_for_job(qtbot, win)
    win.search_bar.set_text("is:missing")
    wait_for_results(qtbot, win)
    assert win.grid_model.rowCount() == 1
    win.grid.setCurrentIndex(win.grid_model.index(0))


def added_folder(qtbot, win, tmp_path, count=12) -> Path:
    folder = tmp_path / "photos"
    make_photo_folder(folder, count)
    assert win.add_folder(folder)
    wait_for_job(qtbot, win)
    return folder


def suggest(index: PhotoIndex, photo_id: int, label: str, score: float) -> None:
    top = [Prediction(label.lower().replace(" ", "_"), label, score), Prediction("other", "Other place", 1 - score)]
    index.set_predictions(photo_id, "test-model", top, threshold=0.1)


def test_an_empty_library_opens_on_the_first_run_screen(window) -> None:
    from app.gui.main_window import PAGE_FIRST_RUN

    assert window.stack.currentIndex() == PAGE_FIRST_RUN
    assert window.first_run.add_button.text() == "Add folder…"
    assert window.grid_model.rowCount() == 0


def test_adding_a_folder_reads_it_in_a_worker_and_fills_grid_and_tree(qtbot, window, tmp_path, monkeypatch) -> None:
    import threading

    from app.gui import thumbnail_loader
    from app.gui.main_window import PAGE_GRID

    threads = []
    make = thumbnail_loader.cached_thumbnail

    def spy(path, size):
        threads.append(threading.current_thread() is threading.main_thread())
        return make(path, size)

    monkeypatch.setattr(thumbnail_loader, "cached_thumbnail", spy)

    folder = added_folder(qtbot, window, tmp_path, count=12)
    assert window.stack.currentIndex() == PAGE_GRID
    assert window.grid_model.rowCount() == 12
    tree = window.library_tree
    assert tree.topLevelItem(0).text(1) == "12"  # All photos
    root = tree.topLevelItem(1)
    assert root.text(0) == folder.name and root.text(1) == "12"
    assert root.child(0).text(0) == "trip" and root.child(0).text(1) == "4"
    # thumbnails arrive from the pool and land in the user cache folder
    first = window.grid_model.index(0)
    window.grid_model.data(first, Qt.ItemDataRole.UserRole + 2)
    qtbot.waitUntil(lambda: window.grid_model.data(first, Qt.ItemDataRole.UserRole + 2) is not None, timeout=10000)
    from app.core.config import cache_dir

    assert any((cache_dir() / "thumbnails").rglob("*.jpg"))
    assert threads and not any(threads)  # thumbnails are never made on the GUI thread


def test_selecting_a_folder_in_the_tree_narrows_the_grid(qtbot, window, tmp_path) -> None:
    added_folder(qtbot, window, tmp_path, count=12)
    window.library_tree.topLevelItem(1).child(0).setSelected(True)
    window.library_tree.topLevelItem(0).setSelected(False)
    qtbot.waitUntil(lambda: window.grid_model.rowCount() == 4, timeout=20000)


def test_the_library_panel_lists_the_landmarks_and_choosing_one_narrows_the_grid(qtbot, window, tmp_path) -> None:
    from app.gui.library_tree import LANDMARKS_TITLE

    added_folder(qtbot, window, tmp_path, count=12)
    ids = [window.grid_model.photo_id(row) for row in range(4)]
    for photo_id in ids[:3]:
        window.index.set_label(photo_id, "Pont du Gard", source="user", state="accepted")
    window.index.set_label(ids[3], "Colosseum", source="model", state="rejected", score=0.6)
    window.library_changed()
    wait_for_results(qtbot, window)
    tree = window.library_tree
    (heading,) = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                  if tree.topLevelItem(i).text(0) == LANDMARKS_TITLE]
    assert heading.text(0) == LANDMARKS_TITLE and not heading.flags() & Qt.ItemFlag.ItemIsSelectable
    assert [(heading.child(i).text(0), heading.child(i).text(1)) for i in range(heading.childCount())] == [
        ("Pont du Gard", "3")]  # a rejected label is no landmark of the library
    tree.select_landmark("Pont du Gard")
    qtbot.waitUntil(lambda: sorted(window.grid_model.ids()) == sorted(ids[:3]), timeout=20000)
    assert window.current_query() == 'label:"Pont du Gard" -state:rejected'
    # the landmark stays chosen while the library changes, and goes when no photo has it
    window.index.set_label(ids[0], "Colosseum", source="user", state="accepted")
    window.library_changed()
    qtbot.waitUntil(lambda: sorted(window.grid_model.ids()) == sorted(ids[1:3]), timeout=20000)
    assert tree.selected_landmark() == "Pont du Gard"
    for photo_id in ids[1:3]:
        window.index.set_label(photo_id, None, source="user", state="accepted")
    window.library_changed()
    qtbot.waitUntil(lambda: window.grid_model.rowCount() == 12, timeout=20000)
    assert tree.selected_landmark() == "" and window.current_query() == ""
    tree.select_landmark("Colosseum")
    qtbot.waitUntil(lambda: window.grid_model.ids() == [ids[0]], timeout=20000)
    heading = tree._landmarks  # a click on the heading closes it and keeps the landmark chosen
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(heading).center())
    assert not heading.isExpanded() and tree.selected_landmark() == "Colosseum"
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(heading).center())
    assert heading.isExpanded() and window.current_query().startswith('label:"Colosseum"')
    below = tree.viewport().rect().bottomLeft() + QPoint(40, -5)  # under the last entry
    assert tree.itemAt(below) is None
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=below)
    assert tree.selected_landmark() == "Colosseum"
    tree.select_folder("")  # All photos
    qtbot.waitUntil(lambda: window.grid_model.rowCount() == 12, timeout=20000)


def test_choosing_several_entries_in_the_library_panel_finds_any_of_them_within_the_folders(qtbot, window, tmp_path) -> None:
    """Ctrl-click: the photos of any of the landmarks chosen (any of the dates, any of
    the folders), and of those only in the folders chosen; a rebuild keeps them all."""
    folder = added_folder(qtbot, window, tmp_path, count=12)
    by_name = {Path(window.index.get(i).path).name: i for i in window.index.photo_ids("")}
    for name, label in (("IMG_0000.jpg", "Colosseum"), ("IMG_0003.jpg", "Pantheon"), ("IMG_0001.jpg", "Pantheon"),
                        ("IMG_0002.jpg", "Petra")):
        window.index.set_label(by_name[name], label, source="user", state="accepted")
    window.library_changed()
    wait_for_results(qtbot, window)
    tree = window.library_tree
    tree.select_landmark("Colosseum")
    qtbot.waitUntil(lambda: window.grid_model.ids() == [by_name["IMG_0000.jpg"]], timeout=20000)
    tree._find_landmark("Pantheon").setSelected(True)  # Ctrl-click
    wanted = {by_name[n] for n in ("IMG_0000.jpg", "IMG_0001.jpg", "IMG_0003.jpg")}
    qtbot.waitUntil(lambda: set(window.grid_model.ids()) == wanted, timeout=20000)
    assert window.current_query() == 'label:"Colosseum" OR label:"Pantheon" -state:rejected'
    tree._find(str(folder.resolve() / "trip")).setSelected(True)  # and only in the trip folder
    wanted = {by_name[n] for n in ("IMG_0000.jpg", "IMG_0003.jpg")}
    qtbot.waitUntil(lambda: set(window.grid_model.ids()) == wanted, timeout=20000)
    window.library_changed()  # the tree is rebuilt: every entry chosen stays chosen
    wait_for_results(qtbot, window)
    assert set(window.grid_model.ids()) == wanted
    assert tree.selected_folders() == [str(folder.resolve() / "trip")] and tree.selected_landmark() == "Colosseum"
    tree._find_landmark("Colosseum").setSelected(False)
    tree._find_landmark("Pantheon").setSelected(False)  # the folder alone again
    qtbot.waitUntil(lambda: window.grid_model.rowCount() == 4, timeout=20000)
    tree._find(str(folder.resolve())).setSelected(True)  # two folders: either
    qtbot.waitUntil(lambda: window.grid_model.rowCount() == 12, timeout=20000)


def test_the_library_panel_lists_the_dates_and_choosing_a_month_narrows_the_grid(qtbot, window, tmp_path) -> None:
    from app.gui.library_tree import DATES_TITLE, QueryRole

    added_folder(qtbot, window, tmp_path, count=12)
    ids = [window.grid_model.photo_id(row) for row in range(12)]
    with window.index.transaction() as conn:
        for number, photo_id in enumerate(ids):
            conn.execute("UPDATE photos SET taken_at = ? WHERE id = ?",
                         (f"20{18 + number % 2}-0{1 + number % 3}-10T10:00:00", photo_id))
    window.library_changed()
    wait_for_results(qtbot, window)
    tree = window.library_tree
    heading = tree.topLevelItem(tree.topLevelItemCount() - 1)
    assert heading.text(0) == DATES_TITLE
    years = [(heading.child(i).text(0), heading.child(i).text(1)) for i in range(heading.childCount())]
    assert years == [("2019", "6"), ("2018", "6")]
    months = [heading.child(0).child(i).text(0) for i in range(heading.child(0).childCount())]
    assert months == ["March", "February", "January"]
    tree.setCurrentItem(heading.child(0).child(2))  # January 2019
    qtbot.waitUntil(lambda: window.grid_model.rowCount() == 2, timeout=20000)
    assert window.current_query() == "date:2019-01"
    window.library_changed()  # a rebuild keeps the month chosen
    wait_for_results(qtbot, window)
    assert tree.selected_query() == "date:2019-01" and window.grid_model.rowCount() == 2
    assert tree.currentItem().data(0, QueryRole) == "date:2019-01"
    with window.index.transaction() as conn:  # a scan or a screenshot: no date
        conn.execute("UPDATE photos SET taken_at = NULL WHERE id = ?", (ids[1],))
    window.library_changed()
    wait_for_results(qtbot, window)
    dates = tree.topLevelItem(tree.topLevelItemCount() - 1)  # rebuilt: the old items are gone
    undated = dates.child(dates.childCount() - 1)
    assert (undated.text(0), undated.text(1)) == ("No date", "1")
    tree.setCurrentItem(undated)
    qtbot.waitUntil(lambda: window.grid_model.ids() == [ids[1]], timeout=20000)


def test_a_photo_opens_in_the_default_app_and_shows_in_its_folder(qtbot, window, tmp_path, monkeypatch) -> None:
    from app.gui import file_places

    added_folder(qtbot, window, tmp_path, count=3)
    opened, started, messages = [], [], []
    monkeypatch.setattr(file_places.QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    monkeypatch.setattr(file_places.subprocess, "Popen", lambda command, **_: started.append(command))
    monkeypatch.setattr(window, "show_message", messages.append)
    assert not window.open_current_file() and messages == ["Select a photo first."]
    window.grid.setCurrentIndex(window.grid_model.index(0))
    path = Path(window.index.get(window.grid_model.photo_id(0)).path)
    assert window.open_current_file() and opened == [str(path)]
    assert window.show_current_file() and opened[-1] == str(path.parent)  # Linux: the folder
    monkeypatch.setattr(file_places.sys, "platform", "darwin")
    assert window.show_current_file() and started == [["open", "-R", str(path)]]  # Finder selects it
    assert {window.open_file_action, window.show_file_action} <= set(window.grid.actions())  # right-click
    path.unlink()
    assert not window.open_current_file()
    assert messages[-1] == f"{path.name} is not there any more; scan its folder again"


def test_a_folder_held_alone_can_take_in_the_folders_in_it(qtbot, window, tmp_path) -> None:
    """A folder that came in with one photo (a drop, `tag FILE`) says so in the library
    tree, whose menu reads the folders in it too."""
    from app.gui import library_tree

    folder = tmp_path / "Downloads"
    make_photo_folder(folder, 6)  # 2 of them in Downloads/trip
    window.index.add_root(folder, recursive=False)
    assert window.jobs.scan([folder])
    wait_for_job(qtbot, window)
    assert window.index.count("") == 4
    root = window.library_tree.topLevelItem(1)
    assert root.data(0, library_tree.PathRole) == str(folder.resolve()) and "This folder only" in root.toolTip(0)
    menu = window.library_tree.menu_for(root)
    assert [action.text() for action in menu.actions()] == ["Include the folders in it", "Remove from library…"]
    menu.actions()[0].trigger()
    wait_for_job(qtbot, window)
    assert window.index.count("") == 6 and window.index.folder_only_roots() == []
    assert "This folder only" not in window.library_tree.topLevelItem(1).toolTip(0)


def test_a_library_folder_can_be_removed_from_the_library_after_a_confirmation(
        qtbot, window, tmp_path, monkeypatch) -> None:
    from app.gui import library_tree

    folder = added_folder(qtbot, window, tmp_path, count=6)
    files = sorted(folder.rglob("*.jpg"))
    tree = window.library_tree
    root = tree.topLevelItem(1)
    assert root.data(0, library_tree.PathRole) == str(folder.resolve())
    assert tree.menu_for(root.child(0)) is None and tree.menu_for(tree.topLevelItem(0)) is None  # only roots
    menu = tree.menu_for(root)
    assert [action.text() for action in menu.actions()] == ["Remove from library…"]
    asked = []
    monkeypatch.setattr(window, "confirm_forget_folder", lambda contents: asked.append(contents.line()) or False)
    assert not window.forget_folder(str(folder.resolve()))  # the user said no
    assert asked == ["6 photos"] and window.index.count("") == 6
    monkeypatch.setattr(window, "confirm_forget_folder", lambda contents: True)
    menu.actions()[0].trigger()
    wait_for_job(qtbot, window)
    qtbot.waitUntil(lambda: window.grid_model.rowCount() == 0, timeout=20000)
    assert window.index.roots() == [] and tree.topLevelItemCount() == 1  # All photos only
    assert sorted(folder.rglob("*.jpg")) == files  # the files stay


def test_missing_photos_are_listed_in_the_library_panel_and_can_be_forgotten(qtbot, window, tmp_path,
                                                                              monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    from app.gui.library_tree import MISSING_QUERY, QueryRole

    folder = added_folder(qtbot, window, tmp_path, count=6)
    for name in ("IMG_0001.jpg", "IMG_0002.jpg"):  # culled after the trip
        (folder / name).unlink()
    assert window.add_folder(folder)  # read again: two photos are gone
    wait_for_job(qtbot, window)
    tree = window.library_tree
    qtbot.waitUntil(lambda: tree.topLevelItem(1).data(0, QueryRole) == MISSING_QUERY, timeout=20000)
    missing = tree.topLevelItem(1)
    assert (missing.text(0), missing.text(1)) == ("Missing photos", "2")
    tree.setCurrentItem(missing)
    qtbot.waitUntil(lambda: window.grid_model.rowCount() == 2, timeout=20000)
    questions = []
    monkeypatch.setattr(QMessageBox, "question", lambda parent, title, text, *_: questions.append(text)
                        or QMessageBox.StandardButton.Yes)
    (forget,) = tree.menu_for(missing).actions()
    forget.trigger()
    qtbot.waitUntil(lambda: bool(questions), timeout=20000)  # counted in a job first
    assert questions[0].startswith("Forget 2 missing photos?")
    wait_for_job(qtbot, window)
    assert window.index.count("is:missing") == 0 and window.index.count("") == 4
    qtbot.waitUntil(lambda: tree.topLevelItem(1).data(0, QueryRole) != MISSING_QUERY, timeout=20000)
    assert window.statusBar().currentMessage().startswith("Forgot 2 missing photos.")


def test_a_search_is_saved_under_a_name_listed_in_the_library_panel_and_deleted_there(
        qtbot, window, tmp_path, monkeypatch) -> None:
    from PySide6.QtWidgets import QInputDialog

    from app.core.settings import load_settings
    from app.gui.library_tree import SAVED_TITLE, SavedRole

    added_folder(qtbot, window, tmp_path, count=12)
    assert not window.search_bar.save_action.isVisible()  # nothing typed, nothing to save
    window.search_bar.set_text("trip OR IMG_0001")
    assert window.search_bar.save_action.isVisible()
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("Trip and one more", True))
    window.search_bar.save_action.trigger()
    assert load_settings().saved_searches == (("Trip and one more", "trip OR IMG_0001"),)  # kept for next time
    tree = window.library_tree
    (heading,) = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                  if tree.topLevelItem(i).text(0) == SAVED_TITLE]
    saved = heading.child(0)
    assert saved.data(0, SavedRole) == "Trip and one more"
    window.search_bar.set_text("")
    tree.setCurrentItem(saved)
    qtbot.waitUntil(lambda: window.grid_model.rowCount() == 5, timeout=20000)  # the 4 in trip/, and IMG_0001
    window.library_changed()  # a rebuild keeps it chosen
    wait_for_results(qtbot, window)
    assert window.grid_model.rowCount() == 5 and tree.selectedItems()[0].data(0, SavedRole) == "Trip and one more"
    window.search_bar.set_text("score>>1")  # a malformed search cannot be saved
    assert not window.save_search("score>>1") and "cannot be saved" in window.statusBar().currentMessage()
    tree.menu_for(tree.selectedItems()[0]).actions()[0].trigger()  # Delete saved search
    assert load_settings().saved_searches == ()
    assert all(tree.topLevelItem(i).text(0) != SAVED_TITLE for i in range(tree.topLevelItemCount()))


def test_search_narrows_the_grid_and_shows_the_count(qtbot, window, tmp_path) -> None:
    added_folder(qtbot, window, tmp_path, count=12)
    suggest(window.index, window.grid_model.photo_id(0), "Colosseum", 0.9)
    suggest(window.index, window.grid_model.photo_id(1), "Colosseum", 0.4)
    qtbot.keyClicks(window.search_bar.field, "Colosseum")
    qtbot.waitUntil(lambda: window.grid_model.rowCount() == 2, timeout=20000)
    assert window.search_bar.count_label.text() == "2 photos"
    window.search_bar.set_text("label:Colosseum score>0.8")
    wait_for_results(qtbot, window)
    assert window.grid_model.rowCount() == 1


def test_a_path_pasted_into_the_search_finds_that_photo(qtbot, window, tmp_path) -> None:
    """File managers copy whole paths (Windows quotes them, drags give file:// addresses):
    as free words they matched nothing."""
    folder = added_folder(qtbot, window, tmp_path, count=6)
    photo = sorted(folder.rglob("*.jpg"))[2].resolve()
    for pasted in (str(photo), f'"{photo}"', f"'{photo}'", photo.as_uri()):
        window.search_bar.set_text(pasted)
        wait_for_results(qtbot, window)
        assert window.grid_model.rowCount() == 1, pasted
        assert window.index.get(window.grid_model.photo_id(0)).path == str(photo)
    window.search_bar.set_text(str(photo.parent))
    wait_for_results(qtbot, window)
    assert window.grid_model.rowCount() == len(list(photo.parent.rglob("*.jpg")))  # and its subfolders
    window.search_bar.set_text('"' + str(tmp_path / "no such file.jpg") + '"')  # not a path there: a phrase
    wait_for_results(qtbot, window)
    assert window.grid_model.rowCount() == 0 and not window.search_bar.error_label.isVisible()


def test_a_malformed_query_is_shown_inline_and_keeps_the_last_valid_results(qtbot, window, tmp_path) -> None:
    added_folder(qtbot, window, tmp_path, count=5)
    window.search_bar.set_text("score>>high")
    wait_for_results(qtbot, window)
    assert window.search_bar.error_label.isVisible()
    assert window.search_bar.error_label.text()
    assert window.grid_model.rowCount() == 5  # the last valid search's photos, said as its
    assert window.search_bar.count_label.text() == "5 photos (last valid search)"  # not "searching…"
    window.search_bar.set_text("state:" + "nothing-like-a-state-" * 12)  # an error quoting a long word
    wait_for_results(qtbot, window)
    assert "nothing-like-a-state-" * 12 in window.search_bar.error_label.full_text()
    assert window.minimumSizeHint().width() <= 1024  # it held the window 1,700 px wide
    window.search_bar.set_text("")
    wait_for_results(qtbot, window)
    assert not window.search_bar.error_label.isVisible()


def test_accept_and_reject_keys_change_the_index_at_once(qtbot, window, tmp_path) -> None:
    added_folder(qtbot, window, tmp_path, count=4)
    ids = [window.grid_model.photo_id(row) for row in range(2)]
    for photo_id in ids:
        suggest(window.index, photo_id, "Petra", 0.7)
    window.grid.setFocus()
    window.grid.setCurrentIndex(window.grid_model.index(0))
    qtbot.keyClick(window.grid, Qt.Key.Key_A)
    assert window.index.get(ids[0]).state == "accepted"
    assert window.grid.currentIndex().row() == 1  # moved on to the next photo
    qtbot.keyClick(window.grid, Qt.Key.Key_R)
    assert window.index.get(ids[1]).state == "rejected"
    assert window.grid_model.record(0).state == "accepted"  # the grid shows the change
    window.grid.setCurrentIndex(window.grid_model.index(0))
    qtbot.keyClick(window.grid, Qt.Key.Key_A)
    assert window.statusBar().currentMessage() == "Nothing to change: the photo is already accepted"


def test_reviewing_updates_the_counts_without_a_job(qtbot, window, tmp_path) -> None:
    """The status bar's "to review" and the library panel's counts stayed as they were
    after accepting or rejecting until the next job."""
    added_folder(qtbot, window, tmp_path, count=4)
    ids = [window.grid_model.photo_id(row) for row in range(3)]
    for photo_id in ids:
        suggest(window.index, photo_id, "Petra", 0.7)
    window.library_changed()
    qtbot.waitUntil(lambda: "3 to review" in window.status_label.text(), timeout=10000)
    window.grid.setFocus()
    window.grid.setCurrentIndex(window.grid_model.index(0))
    qtbot.keyClick(window.grid, Qt.Key.Key_A)
    qtbot.keyClick(window.grid, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: "1 to review" in window.status_label.text(), timeout=10000)
    assert window._snapshot.stats["by_state"].get("accepted") == 1
    assert window._snapshot.stats["by_state"].get("rejected") == 1
    qtbot.keyClick(window.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the reject taken back
    qtbot.waitUntil(lambda: "2 to review" in window.status_label.text(), timeout=10000)


def test_set_label_offers_known_labels_and_stores_a_user_label(qtbot, window, tmp_path, monkeypatch) -> None:
    from app.gui.label_dialog import LabelDialog

    added_folder(qtbot, window, tmp_path, count=3)
    suggest(window.index, window.grid_model.photo_id(1), "Taj Mahal", 0.6)
    seen = {}

    def answer(dialog: LabelDialog) -> int:
        dialog.completer.setCompletionPrefix("mah")
        seen["completions"] = [dialog.completer.completionModel().index(i, 0).data()
                               for i in range(dialog.completer.completionCount())]
        dialog.field.setText("Taj Mahal")
        return LabelDialog.DialogCode.Accepted

    monkeypatch.setattr(LabelDialog, "exec", answer)
    # No usable model: the label is still set (teaching from it is skipped).
    window.settings = replace(window.settings, model_bundle=str(tmp_path / "missing.ltbundle"))
    window.grid.setCurrentIndex(window.grid_model.index(0))
    qtbot.keyClick(window.grid, Qt.Key.Key_L)
    assert "Taj Mahal" in seen["completions"]
    wait_for_job(qtbot, window)  # a user label is learnt from in the worker
    record = window.index.get(window.grid_model.photo_id(0))
    assert (record.label, record.state, record.source) == ("Taj Mahal", "accepted", "user")


def test_review_lists_suggestions_least_confident_first(qtbot, window, tmp_path) -> None:
    from app.gui.main_window import PAGE_REVIEW

    added_folder(qtbot, window, tmp_path, count=6)
    scores = {window.grid_model.photo_id(row): score for row, score in enumerate([0.9, 0.3, 0.6])}
    for photo_id, score in scores.items():
        suggest(window.index, photo_id, "Alhambra", score)
    window.review_action.trigger()
    wait_for_results(qtbot, window)
    assert window.stack.currentIndex() == PAGE_REVIEW
    shown = [window.review_model.photo_id(row) for row in range(window.review_model.rowCount())]
    assert [scores[i] for i in shown] == [0.3, 0.6, 0.9]
    from app.gui.photo_model import AlternativesRole

    alternatives = window.review_model.data(window.review_model.index(0), AlternativesRole)
    assert [p.label for p in alternatives] == ["Alhambra", "Other place"]  # the runner-up is shown too
    # accepting the least confident takes it off the list; the next one becomes current
    qtbot.keyClick(window.review.list, Qt.Key.Key_A)
    assert window.index.get(shown[0]).state == "accepted"
    assert window.review_model.rowCount() == 2
    assert window.review_model.photo_id(window.review.list.currentIndex().row()) == shown[1]
    wait_for_results(qtbot, window)
    assert window.review_model.ids() == shown[1:]
    assert window.review_model.photo_id(window.review.list.currentIndex().row()) == shown[1]
    qtbot.keyClick(window.review.list, Qt.Key.Key_Return)
    assert window.detail.record.id == shown[1]


def test_ctrl_z_takes_back_the_latest_accept_or_reject_and_shows_the_photo_again(qtbot, window, tmp_path) -> None:
    from PySide6.QtGui import QKeySequence

    added_folder(qtbot, window, tmp_path, count=6)
    assert not window.undo_review()
    assert window.statusBar().currentMessage().startswith("Nothing to take back")
    window.grid.clearSelection()
    window.grid.setCurrentIndex(window.grid_model.index(-1))
    window.accept_selected()  # nothing chosen: say so
    assert window.statusBar().currentMessage() == "Select photos to accept first."
    scores = {window.grid_model.photo_id(row): score for row, score in enumerate([0.3, 0.6, 0.9])}
    for photo_id, score in scores.items():
        suggest(window.index, photo_id, "Alhambra", score)
    shown = sorted(scores, key=scores.get)  # the review order: least confident first
    window.review_action.trigger()
    wait_for_results(qtbot, window)
    qtbot.keyClick(window.review.list, Qt.Key.Key_R)  # the first: rejected, off the list
    qtbot.keyClick(window.review.list, Qt.Key.Key_A)  # the second: accepted, off the list
    wait_for_results(qtbot, window)
    assert window.review_model.ids() == shown[2:]
    assert window.undo_review_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    window.undo_review_action.trigger()  # the accept first
    assert (window.index.get(shown[1]).state, window.index.get(shown[0]).state) == ("suggested", "rejected")
    qtbot.waitUntil(lambda: window.review_model.ids() == shown[1:], timeout=10000)
    assert window.review_model.photo_id(window.review.list.currentIndex().row()) == shown[1]
    assert window.statusBar().currentMessage() == "Took back the accept: 1 photo suggested again"
    window.undo_review_action.trigger()  # then the reject: the rejection goes too
    assert window.index.get(shown[0]).state == "suggested"
    window.index.set_predictions(shown[0], "test-model", [Prediction("a", "Alhambra", 0.3)], 0.1)
    assert window.index.get(shown[0]).label == "Alhambra"  # suggested again, not held back as rejected
    qtbot.waitUntil(lambda: window.review_model.ids() == shown, timeout=10000)
    assert window.review_model.photo_id(window.review.list.currentIndex().row()) == shown[0]
    # a photo labelled again since is left as it is
    qtbot.keyClick(window.review.list, Qt.Key.Key_A)
    window.index.set_label(shown[0], "Taj Mahal", source="user", state="accepted")
    assert not window.undo_review()
    assert window.index.get(shown[0]).label == "Taj Mahal" and window.index.get(shown[0]).state == "accepted"


def test_accepting_thousands_of_photos_runs_in_the_worker_and_can_be_taken_back(qtbot, window, tmp_path,
                                                                                monkeypatch) -> None:
    from app.gui import label_actions

    monkeypatch.setattr(label_actions, "BULK_IN_WORKER", 2)  # "thousands": more than 2 here
    added_folder(qtbot, window, tmp_path, count=4)
    ids = window.grid_model.ids()
    for photo_id in ids:
        suggest(window.index, photo_id, "Petra", 0.7)
    window.photos_changed(ids)  # as a tag job shows its labels: A acts on the label shown
    window.grid.setFocus()
    window.grid.selectAll()
    qtbot.keyClick(window.grid, Qt.Key.Key_A)
    assert window.jobs.busy  # in the worker, not on the GUI thread
    wait_for_job(qtbot, window)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "Accepted 4 photos", timeout=10000)
    assert {window.index.get(i).state for i in ids} == {"accepted"}
    assert window.undo_review()  # in the worker too
    wait_for_job(qtbot, window)
    assert {window.index.get(i).state for i in ids} == {"suggested"}
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "Took back the accept: 4 photos suggested again",
                    timeout=10000)


def test_the_detail_pane_shows_predictions_and_metadata(qtbot, window, tmp_path) -> None:
    def texts():
        return [window.detail.predictions_box.itemAt(i).widget().text()
                for i in range(window.detail.predictions_box.count())]

    assert texts() == ["Select a photo to see what the model thinks of it."]  # not "tag this photo"
    added_folder(qtbot, window, tmp_path, count=2)
    photo_id = window.grid_model.photo_id(0)
    suggest(window.index, photo_id, "Petra", 0.75)
    window.photos_changed([photo_id])
    window.grid.setCurrentIndex(window.grid_model.index(0))
    assert window.detail.title.text() == "Petra"
    assert window.detail.fields["Camera"].text() == "Nikon D90"
    bars = [window.detail.predictions_box.itemAt(i).widget() for i in range(window.detail.predictions_box.count())]
    assert [(bar.label, round(bar.score, 2)) for bar in bars] == [("Petra", 0.75), ("Other place", 0.25)]
    qtbot.waitUntil(window.detail.preview.has_image, timeout=10000)
    # `suggest` re-scored the label after a place was taught: the pane says why the numbers differ
    window.index.set_label(photo_id, None, source="model", state="suggested", score=0.52, model_id="test-model")
    window.photos_changed([photo_id])
    window.grid.setCurrentIndex(window.grid_model.index(1))
    window.grid.setCurrentIndex(window.grid_model.index(0))
    qtbot.waitUntil(lambda: window.detail.title.text() == "No landmark")
    assert "best guess Petra, 52%" in window.detail.state_line.text()  # the guess named, its stored score
    items = [window.detail.predictions_box.itemAt(i).widget() for i in range(window.detail.predictions_box.count())]
    assert "Scores when tagged" in items[-1].text() and "52%" in items[-1].text()
    # a blank frame: the tagger gave every landmark 0 (model.image_detail); no bars, a reason
    window.index.set_predictions(photo_id, "test-model", [Prediction("petra", "Petra", 0.0)], float("inf"))
    window.photos_changed([photo_id])
    assert texts() == ["Too little detail to recognise anything (a blank, dark or overexposed frame, or noise)."]
    assert window.detail.state_line.text().endswith("blank frame") and "%" not in window.detail.state_line.text()


@pytest.mark.slow
def test_the_loupe_shows_the_photo_large_and_the_label_keys_act_on_it_alone(qtbot, window, tmp_path) -> None:
    added_folder(qtbot, window, tmp_path, count=4)
    ids = [window.grid_model.photo_id(row) for row in range(3)]
    for photo_id, label in zip(ids, ("Petra", "Alhambra", "Alcatraz")):
        suggest(window.index, photo_id, label, 0.7)
    window.photos_changed(ids)
    window.grid.setFocus()
    window.grid.setCurrentIndex(window.grid_model.index(0))
    window.grid.selectAll()  # a selection of several photos; the loupe acts on the one it shows
    qtbot.keyClick(window.grid, Qt.Key.Key_Space)
    assert window.loupe.isVisible() and window.loupe.geometry() == window.stack.rect()
    assert window.selected_ids() == [ids[0]]
    assert window.loupe.title.text() == "Petra"
    assert window.loupe.state_line.text() == window.detail.state_line.text() == "suggested  ·  by model  ·  70% confidence"
    qtbot.waitUntil(window.loupe.has_image, timeout=10000)
    assert window.loupe.image.width() > window.detail.preview.width()
    qtbot.keyClick(window.loupe, Qt.Key.Key_Right)
    assert window.loupe.title.text() == "Alhambra" and window.selected_ids() == [ids[1]]
    qtbot.keyClick(window.loupe, Qt.Key.Key_Left)
    qtbot.keyClick(window.loupe, Qt.Key.Key_Left)  # stops at the first photo
    assert window.loupe.title.text() == "Petra"
    qtbot.keyClick(window.loupe, Qt.Key.Key_A)  # the window's Accept, on the photo shown only
    assert [window.index.get(i).state for i in ids] == ["accepted", "suggested", "suggested"]
    assert window.loupe.isVisible() and window.loupe.title.text() == "Alhambra"  # moved on, as in the grid
    qtbot.keyClick(window.loupe, Qt.Key.Key_Escape)
    assert not window.loupe.isVisible()
    assert window.grid.currentIndex().row() == 1  # the grid is where the loupe left it
    # a double click opens it on that photo; typing a search closes it
    window.grid.doubleClicked.emit(window.grid_model.index(2))
    assert window.loupe.isVisible() and window.loupe.title.text() == "Alcatraz"
    qtbot.keyClicks(window.search_bar.field, "label:Petra has:date")  # Space types a space there
    assert window.search_bar.text() == "label:Petra has:date"
    qtbot.waitUntil(lambda: not window.loupe.isVisible(), timeout=5000)


def test_the_loupe_caption_cuts_a_long_landmark_name_on_a_laptop_instead_of_running_it_under_the_key_hint(
        qtbot, window, tmp_path) -> None:
    from PySide6.QtWidgets import QLabel

    from app.gui.loupe_view import HINT, SHORT_HINT

    long_name = "Basilica Cattedrale Metropolitana di Santa Maria Assunta e San Giovanni Battista (Duomo di Urbino)"
    added_folder(qtbot, window, tmp_path, count=2)
    ids = [window.grid_model.photo_id(row) for row in range(2)]
    suggest(window.index, ids[0], long_name, 0.7)
    suggest(window.index, ids[1], "Petra", 0.7)
    window.photos_changed(ids)
    window.resize(1024, 700)
    window.grid.setCurrentIndex(window.grid_model.index(0))
    assert window.open_loupe()
    qtbot.waitUntil(lambda: window.loupe.record_id == ids[0])
    loupe = window.loupe
    left, right = [loupe.title, loupe.state_line], [loupe.file_line, loupe.date_line, loupe.hint]
    hint = loupe.hint
    assert set(loupe.findChildren(QLabel)) >= set(left + right)
    for label in (loupe.title, loupe.file_line, hint):  # each shows what fits, cut with "…", not clipped mid-letter
        assert label.fontMetrics().horizontalAdvance(label.text()) <= label.width()
    assert max(label.geometry().right() for label in left) < min(label.geometry().left() for label in right)
    assert window.loupe.title.text().startswith("Basilica") and window.loupe.title.text().endswith("…")
    assert window.loupe.title.toolTip() == long_name
    assert window.loupe.title.width() >= window.loupe.width() // 2  # the label comes first: most of the row
    assert hint.text() == SHORT_HINT and hint.toolTip() == HINT  # the keys whole, not "A acc…"
    window.resize(1600, 900)
    qtbot.keyClick(window.loupe, Qt.Key.Key_Right)  # a short label: room again for the whole key hint
    qtbot.waitUntil(lambda: window.loupe.record_id == ids[1])
    assert window.loupe.title.text() == "Petra" and hint.text() == HINT


def test_the_loupe_over_the_review_list_moves_on_and_closes_after_the_last_suggestion(qtbot, window, tmp_path) -> None:
    added_folder(qtbot, window, tmp_path, count=2)
    ids = [window.grid_model.photo_id(row) for row in range(2)]
    for photo_id, score in zip(ids, (0.4, 0.8)):
        suggest(window.index, photo_id, "Petra", score)
    window.review_action.trigger()
    wait_for_results(qtbot, window)
    assert window.open_loupe()
    assert window.loupe.record_id == ids[0]  # the least confident first
    qtbot.keyClick(window.loupe, Qt.Key.Key_R)
    assert window.index.get(ids[0]).state == "rejected"
    assert window.loupe.isVisible() and window.loupe.record_id == ids[1]
    qtbot.keyClick(window.loupe, Qt.Key.Key_A)
    wait_for_results(qtbot, window)
    assert window.index.get(ids[1]).state == "accepted"
    assert not window.loupe.isVisible()  # nothing left to show


def test_the_model_is_lazy_with_100000_photos(qtbot, tmp_path) -> None:
    from app.gui.app import create_application, open_main_window

    insert_synthetic_photos(tmp_path / "big.db", 100_000)
    create_application()
    win = open_main_window(tmp_path / "big.db")
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    wait_for_results(qtbot, win)
    qtbot.wait(200)
    try:
        assert win.grid_model.rowCount() == 100_000
        assert win.library_tree.topLevelItem(0).text(1) == "100,000"
        assert 0 < win.grid_model.records_fetched < 500
        assert 0 < win.thumbnails.requests_started < 200
        win.grid.scrollToBottom()
        qtbot.wait(200)
        assert win.grid_model.records_fetched < 1000
        assert win.thumbnails.requests_started < 400
        assert win.grid_model.record(99_999).id is not None
        win.thumbnails.wait_for_done(5000)  # the generated photos have no files: their thumbnails fail,
        qtbot.wait(200)  # and each failure repaints its tile, which threw the grid back to row ~484
        last = win.grid.visualRect(win.grid_model.index(99_999))
        assert win.grid.viewport().rect().intersects(last), f"scroll value {win.grid.verticalScrollBar().value()}"
    finally:
        close_main_window(win)


def test_a_cancelled_job_stops_and_reports_cancelled(qtbot) -> None:
    from app.core.progress import Progress
    from app.gui.job_runner import JobRunner

    runner = JobRunner()
    done_items = []

    def slow_work(progress, cancel, emit):
        for i in range(1000):
            if cancel.cancelled:
                return {"done": i}
            time.sleep(0.01)
            emit(i)
            progress(Progress(i + 1, 1000))
        return {"done": 1000}

    runner.item_done.connect(done_items.append)
    assert runner.start("slow", slow_work)
    assert not runner.start("second", slow_work)  # one job at a time
    qtbot.waitUntil(lambda: len(done_items) >= 5, timeout=20000)
    with qtbot.waitSignal(runner.cancelled, timeout=1000) as blocker:
        runner.cancel()
    assert blocker.args[0] == "slow" and blocker.args[1]["done"] < 1000
    assert not runner.busy


def test_a_job_whose_index_goes_bad_reports_what_to_do(qtbot) -> None:
    import sqlite3

    from app.gui.job_runner import JobRunner

    def work(progress, cancel, emit):
        raise sqlite3.DatabaseError("database disk image is malformed")

    runner = JobRunner()
    with qtbot.waitSignal(runner.failed, timeout=5000) as blocker:
        assert runner.start("Tagging", work)
    assert "is damaged" in blocker.args[-1] and "scan your folders again" in blocker.args[-1]


def test_a_model_bundle_gone_is_reported_without_a_traceback(qtbot, capfd, tmp_path) -> None:
    """A bundle chosen in Settings and gone since printed a Python traceback on the
    console: the user's to mend, like a missing file, not a bug of ours."""
    from app.gui.job_runner import JobRunner
    from model.bundle import load_bundle

    def work(progress, cancel, emit):
        load_bundle(tmp_path / "usb" / "landmarks-v2.ltbundle")

    runner = JobRunner()
    with qtbot.waitSignal(runner.failed, timeout=5000) as blocker:
        assert runner.start("Tagging", work)
    assert "does not exist" in blocker.args[-1]
    assert "Traceback" not in capfd.readouterr().err


def test_gui_command_without_a_display_prints_one_line_and_exits_2(monkeypatch, capsys) -> None:
    from app.cli.main import main

    monkeypatch.setattr("sys.platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert main(["gui"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["no display found; use the CLI instead: landmark-tagger tag FOLDER (reads the folder and tags "
                   "its photos; `landmark-tagger --help` lists the other commands)"]
    # `make run` starts .venv/bin/landmark-tagger, which no shell finds by its bare name
    monkeypatch.setattr("sys.argv", [".venv/bin/landmark-tagger", "gui", "My Photos"])
    monkeypatch.setenv("PATH", "/nonexistent")
    assert main(["gui"]) == 2
    assert capsys.readouterr().err.startswith(
        "no display found; use the CLI instead: .venv/bin/landmark-tagger tag FOLDER")


def test_a_damaged_index_is_explained_in_a_dialog(qtbot, tmp_path, monkeypatch, capsys) -> None:
    """Started from a desktop icon, nobody reads stderr."""
    from PySide6.QtWidgets import QMessageBox

    from app.cli.main import main

    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append((title, text)))
    damaged = tmp_path / "index.db"
    damaged.write_bytes(b"not an index" * 100)
    assert main(["--db", str(damaged), "gui"]) == 2
    ((title, text),) = shown
    assert "cannot open its index" in title and str(damaged) in text and "scan your folders again" in text
    assert str(damaged) in capsys.readouterr().err


def test_write_shows_the_dry_run_first_then_writes_and_undo_restores(qtbot, window, tmp_path, monkeypatch) -> None:
    from app.gui import job_controller
    from app.gui.write_dialog import WritePlanDialog

    messages: list[str] = []
    monkeypatch.setattr(window, "show_message", messages.append)
    folder = added_folder(qtbot, window, tmp_path, count=3)
    assert "Reading folder: done — 3 photos, 3 new" in messages  # no zero counts
    assert messages[-1].endswith("3 new. Press Tag folder to recognise the landmarks in them.")  # what comes next
    photo_id = window.grid_model.photo_id(0)
    window.index.set_label(photo_id, "Pont du Gard", source="user", state="accepted")
    path = Path(window.index.get(photo_id).path)
    original = path.read_bytes()
    shown = {}

    def review_plan(dialog: WritePlanDialog) -> int:
        shown["rows"] = dialog.table.rowCount()
        shown["text"] = [dialog.table.item(0, c).text() for c in range(dialog.table.columnCount())]
        shown["file_untouched"] = path.read_bytes() == original
        return WritePlanDialog.DialogCode.Accepted

    monkeypatch.setattr(job_controller.WritePlanDialog, "exec", review_plan)
    finished = []
    window.jobs.runner.finished.connect(lambda name, summary: finished.append(name))
    assert not window.undo_action.isEnabled()  # nothing written yet
    assert not window.jobs.undo_after_asking()  # its key: nothing asked
    assert messages[-1] == "Nothing to undo: no labels have been written yet."
    assert window.write_labels()
    qtbot.waitUntil(lambda: "Writing labels" in finished, timeout=30000)
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=20000)
    wait_for_results(qtbot, window)
    assert window.undo_action.isEnabled()
    assert shown["rows"] == 1 and shown["file_untouched"]
    assert any("Pont du Gard" in text for text in shown["text"])
    assert "Pont du Gard".encode() in path.read_bytes()
    assert window.jobs.undo()
    qtbot.waitUntil(lambda: "Undoing last write" in finished, timeout=30000)
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=20000)
    assert "Pont du Gard".encode() not in path.read_bytes()
    assert folder.is_dir()
    # the status bar says it in words, as the CLI does
    assert "Writing labels: done — 1 file written, 0 failed" in messages
    assert "Undoing last write: done — 1 file restored, 0 failed" in messages
    # Undo write again: the write was undone, not "never written" (guitest-3)
    assert not window.jobs.undo_after_asking()
    assert messages[-1] == "Nothing to undo: the last write was undone already."


def test_problems_from_a_job_collect_in_the_panel_not_in_dialogs(qtbot, window, tmp_path) -> None:
    folder = tmp_path / "photos"
    make_photo_folder(folder, 2)
    (folder / "broken.jpg").write_bytes(b"\xff\xd8 this is not really a JPEG")
    window.add_folder(folder)
    wait_for_job(qtbot, window)
    problems = window.errors_panel.problems()
    assert any(path.endswith("broken.jpg") for path, _stage, _message in problems)
    assert window.errors_dock.isVisible()
    assert window.errors_action.text() == f"Problems ({len(problems)})"


def test_settings_are_saved_from_the_dialog(qtbot, window, monkeypatch) -> None:
    from app.core.settings import load_settings
    from app.gui import main_window
    from app.gui.settings_dialog import SettingsDialog

    def choose(dialog: SettingsDialog) -> int:
        dialog.use_bundle_threshold.setChecked(False)
        dialog.threshold.setValue(0.35)
        dialog.sidecar.setCurrentIndex(dialog.sidecar.findData("stem"))
        dialog.write_into_jpeg.setChecked(False)
        return SettingsDialog.DialogCode.Accepted

    monkeypatch.setattr(main_window.SettingsDialog, "exec", choose)
    messages = []
    monkeypatch.setattr(window, "show_message", messages.append)
    window.settings_action.trigger()
    saved = load_settings()
    assert (saved.threshold, saved.sidecar_naming, saved.write_into_jpeg) == (0.35, "stem", False)
    assert window.settings == saved
    assert "Tag your folders again" in messages[-1]  # a new threshold reaches tagged photos at the next Tag
    window.settings_action.trigger()  # the same choices again: nothing to re-apply
    assert messages[-1] == "Settings saved."


def test_a_non_utf8_file_name_is_shown_not_dropped(qtbot, window, tmp_path) -> None:
    import os
    import shutil

    folder = tmp_path / "photos"
    make_photo_folder(folder, 1)
    source = next(folder.rglob("*.jpg"))
    odd = os.path.join(os.fsencode(folder), b"caf\xe9.jpg")
    shutil.copyfile(source, odd)
    source.unlink()
    window.add_folder(folder)
    wait_for_job(qtbot, window)
    assert window.grid_model.rowCount() == 1
    window.grid.setCurrentIndex(window.grid_model.index(0))
    assert window.detail.fields["Files"].text().startswith("caf\ufffd.jpg")
    first = window.grid_model.index(0)
    window.grid_model.data(first, Qt.ItemDataRole.UserRole + 2)
    qtbot.waitUntil(lambda: window.grid_model.data(first, Qt.ItemDataRole.UserRole + 2) is not None, timeout=10000)


def test_a_folder_dropped_on_the_window_is_added(qtbot, window, tmp_path) -> None:
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    folder = tmp_path / "dropped"
    make_photo_folder(folder, 3)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    wait_for_job(qtbot, window)
    assert window.grid_model.rowCount() == 3
    assert folder.resolve() in window.index.roots()


def test_photos_dropped_on_the_window_are_looked_up(qtbot, window, tmp_path) -> None:
    """Dragging photos from a file manager shows what the library knows of them."""
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    folder = added_folder(qtbot, window, tmp_path, count=6)
    photos = sorted(folder.rglob("*.jpg"))[:2]
    notes = tmp_path / "notes.txt"
    notes.write_text("not a photo")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in [*photos, notes]])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    wait_for_results(qtbot, window)
    shown = {window.index.get(window.grid_model.photo_id(row)).path for row in range(window.grid_model.rowCount())}
    assert shown == {str(p.resolve()) for p in photos}
    assert window.index.roots() == [folder.resolve()]  # nothing added
    assert not window.jobs.busy  # nothing to tag


def test_photos_dropped_from_outside_the_library_are_tagged_with_their_folder_alone(
        qtbot, window, tmp_path, tiny_bundle) -> None:
    """A photo the library does not know is tagged when dropped, and shown; its folder
    joins the library without the folders in it (a drop from ~/Downloads must not read
    everything below it)."""
    from dataclasses import replace

    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    window.settings = replace(window.settings, model_bundle=str(tiny_bundle.path))
    downloads = tmp_path / "Downloads"
    make_photo_folder(downloads / "old trip", 2)
    photos = [path.rename(downloads / path.name)
              for path in make_photo_folder(tmp_path / "new", 2, seed=2)][:1]
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in photos])
    window.dropEvent(QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                                Qt.KeyboardModifier.NoModifier))
    wait_for_job(qtbot, window)
    shown = [window.index.get(window.grid_model.photo_id(row)) for row in range(window.grid_model.rowCount())]
    assert [record.path for record in shown] == [str(photos[0].resolve())]
    assert shown[0].model_id == tiny_bundle.id  # tagged
    assert window.index.folder_only_roots() == [downloads.resolve()]
    assert all("old trip" not in record.path for record in window.index.search())


def test_photos_dropped_beside_a_folder_are_taken_once_the_folder_is_read(
        qtbot, window, tmp_path, tiny_bundle) -> None:
    """A folder and a photo from elsewhere dropped together: the folder was added and the
    photo silently ignored (a second job cannot start while the folder is read)."""
    from dataclasses import replace

    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    window.settings = replace(window.settings, model_bundle=str(tiny_bundle.path))
    folder = tmp_path / "Italy 2019"
    make_photo_folder(folder, 3)
    elsewhere = make_photo_folder(tmp_path / "Downloads", 1, seed=5)[0]
    inside = sorted(folder.rglob("*.jpg"))[0]  # dropped too: the folder takes it
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in (folder, inside, elsewhere)])
    window.dropEvent(QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                                Qt.KeyboardModifier.NoModifier))
    qtbot.waitUntil(lambda: window.index.count(f'path:"{elsewhere.resolve()}"') == 1, timeout=60000)
    wait_for_job(qtbot, window)
    assert folder.resolve() in window.index.roots()
    record = window.index.get(window.index.photo_ids(f'path:"{elsewhere.resolve()}"')[0])
    assert record.model_id == tiny_bundle.id  # tagged, as a photo dropped alone is
    assert [window.grid_model.photo_id(row) for row in range(window.grid_model.rowCount())] == [record.id]


def test_jobs_take_their_options_from_the_settings(tmp_path) -> None:
    from app.core.decode_workers import usable_cpus
    from app.core.settings import AppSettings
    from app.gui.job_work import tag_options, write_options

    settings = AppSettings(model_bundle=str(tmp_path / "m.ltbundle"), threshold=0.4, sidecar_naming="stem",
                           write_into_jpeg=False)
    tag = tag_options(settings)
    assert (tag.model, tag.threshold, tag.retag) == (tmp_path / "m.ltbundle", 0.4, False)
    assert tag.workers == tag.threads == max(1, usable_cpus() - 1)  # a core stays free for the GUI
    write = write_options(settings)
    assert (write.sidecar_naming, write.write_into_jpeg, write.keep_mtime) == ("stem", False, True)
    assert tag_options(AppSettings()).model is None  # the default bundle


def test_a_damaged_settings_file_opens_the_app_with_defaults_and_says_so(qtbot, tmp_path) -> None:
    from app.core.settings import AppSettings, settings_path
    from app.gui.app import create_application, open_main_window

    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text("{broken")
    create_application()
    win = open_main_window(tmp_path / "index.db")
    qtbot.addWidget(win)
    try:
        assert win.settings == AppSettings()
        assert any("settings.json" in message for _path, _stage, message in win.errors_panel.problems())
    finally:
        close_main_window(win)


def test_the_window_layout_is_remembered(qtbot, tmp_path) -> None:
    from app.core.settings import load_settings
    from app.gui.app import create_application, open_main_window

    create_application()
    first = open_main_window(tmp_path / "index.db")
    qtbot.addWidget(first)
    first.show()
    first.resize(1300, 700)
    first.errors_dock.show()
    size = (first.width(), first.height())
    first.close()
    assert load_settings().window_state
    second = open_main_window(tmp_path / "index.db")
    qtbot.addWidget(second)
    second.show()
    try:
        # the offscreen screen is small, so Qt may narrow a restored window to fit it
        assert second.height() == size[1] and second.width() <= size[0]
        assert second.errors_dock.isVisible()
    finally:
        for win in (first, second):
            close_main_window(win)


def test_a_no_landmark_tile_shows_no_confidence_badge():
    from app.core.index.records import PhotoRecord
    from app.gui.tile_delegate import confidence_badge

    assert confidence_badge(PhotoRecord(1, "/p/a.jpg", label="Colosseum", score=0.934, state="suggested")) == "93%"
    # the best guess that fell short would read as "69 % sure there is no landmark"
    assert confidence_badge(PhotoRecord(2, "/p/b.jpg", label=None, score=0.69, state="suggested")) is None
    assert confidence_badge(PhotoRecord(3, "/p/c.jpg", score=None, state="unlabelled")) is None


def test_a_tile_gives_the_landmark_name_its_whole_width(qtbot, window, tmp_path) -> None:
    """The percentage shared the label's line: at the default tile size "Palais
    Longchamp" read "Palais Lon…". It sits on the picture's corner now."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QFontMetrics

    from app.core.index.records import PhotoRecord
    from app.gui.tile_delegate import PADDING, confidence_badge_rect, label_width

    delegate = window.grid.itemDelegate()
    strip_width = delegate.thumbnail_size + 2 * PADDING - 6 - 16  # the tile less its margins
    metrics = QFontMetrics(window.grid.font())
    for name in ("Palais Longchamp", "Forbidden City", "Machu Picchu", "Great Wall"):
        record = PhotoRecord(1, "/p/a.jpg", label=name, score=1.0, state="suggested")
        assert label_width(strip_width, record) >= metrics.horizontalAdvance(name), name
    picture = QRectF(10, 10, 160, 106)
    assert picture.contains(confidence_badge_rect(picture, metrics, "100%"))
    added_folder(qtbot, window, tmp_path, count=3)
    for record in window.index.search(""):  # painted with its badge, no error
        suggest(window.index, record.id, "Palais Longchamp", 0.97)
    window.library_changed()
    wait_for_results(qtbot, window)
    assert not window.grid.grab().isNull()


def test_a_review_row_names_the_runner_up_without_repeating_its_percentage():
    from app.core.index.records import PhotoRecord
    from app.gui.review_view import runner_up_line
    from app.core.index.records import Prediction

    alternatives = [Prediction("petra", "Petra", 0.19), Prediction("taj", "Taj Mahal", 0.12)]
    no_landmark = PhotoRecord(1, "/p/a.jpg", label=None, score=0.19, state="suggested")
    assert runner_up_line(no_landmark, alternatives) == "best guess Petra"  # 19% is on the right already
    labelled = PhotoRecord(2, "/p/b.jpg", label="Petra", score=0.81, state="suggested")
    assert runner_up_line(labelled, alternatives) == "or Taj Mahal  12%"
    assert runner_up_line(labelled, [Prediction("petra", "Petra", 0.81)]) is None
    blank = [Prediction("petra", "Petra", 0.0), Prediction("taj", "Taj Mahal", 0.0)]  # model.image_detail
    assert runner_up_line(PhotoRecord(3, "/p/c.jpg", label=None, score=0.0, state="suggested"), blank) \
        == "blank frame: too little detail"


def test_the_write_dialog_counts_only_the_files_that_would_change(qtbot) -> None:
    from app.core.metadata.keywords import KeywordFields
    from app.core.metadata.plan import PlannedWrite
    from app.gui.write_dialog import WritePlanDialog

    def planned(name: str, before: list[str], problem: str | None = None) -> PlannedWrite:
        return PlannedWrite(photo_id=1, source=Path(name), target=Path(name), kind="jpeg", label="Petra",
                            previous_label=None, before=KeywordFields(subject=before),
                            after=KeywordFields(subject=["Petra"]), problem=problem)

    plan = [planned("/p/a.jpg", []), planned("/p/b.jpg", ["Petra"]), planned("/p/c.jpg", [], "the file is read-only")]
    dialog = WritePlanDialog(plan, include_suggested=False)
    qtbot.addWidget(dialog)
    assert dialog.summary.text().startswith("1 file would be written, 1 already carries the label, 1 cannot be")
    assert dialog.write_button.text() == "Write 1 file" and dialog.write_button.isEnabled()
    shown = [[dialog.table.item(row, column).text() for column in (0, 4)] for row in range(3)]
    assert shown == [["a.jpg", "—"], ["c.jpg", "the file is read-only"],  # what happens first
                     ["b.jpg", "Already written"]]
    assert dialog.table.item(0, 0).toolTip() == "/p/a.jpg"  # the whole path on hover
    nothing = WritePlanDialog([planned("/p/b.jpg", ["Petra"])], include_suggested=False)
    qtbot.addWidget(nothing)
    assert not nothing.write_button.isEnabled()


def test_the_write_dialog_says_why_there_is_nothing_to_write_and_what_to_do_in_the_apps_words(qtbot) -> None:
    from app.core.metadata.keywords import KeywordFields
    from app.core.metadata.plan import PlannedWrite
    from app.gui.write_dialog import WritePlanDialog

    changed = PlannedWrite(photo_id=1, source=Path("/p/a.jpg"), target=Path("/p/a.jpg"), kind="jpeg", label="Petra",
                           previous_label=None, before=KeywordFields(subject=[]),
                           after=KeywordFields(subject=["Petra"]),
                           problem="changed on disk since it was indexed; run 'scan' again, then 'write'")
    dialog = WritePlanDialog([changed], include_suggested=False)
    qtbot.addWidget(dialog)
    problem = dialog.table.item(0, 4).text()
    assert problem == "changed on disk since it was indexed; read its folder again (Tag folder), then Write labels… again"
    assert dialog.table.item(0, 4).toolTip() == problem
    assert dialog.summary.text() == "0 files would be written, 1 cannot be (see Status)."  # no word on undoing nothing
    # a library fresh from tagging: suggestions only, nothing accepted, so nothing to write yet
    empty = WritePlanDialog([], include_suggested=False)
    qtbot.addWidget(empty)
    assert "0 files" not in empty.summary.text()
    assert "Accept labels in Review (A)" in empty.summary.text() and "include the suggested" in empty.summary.text()
    assert not empty.write_button.isEnabled()
    none_at_all = WritePlanDialog([], include_suggested=True)
    qtbot.addWidget(none_at_all)
    assert none_at_all.summary.text().startswith("No photo here has a label to write")


def test_a_long_status_message_is_not_cut_under_the_counts_they_make_room_until_it_goes(qtbot, window) -> None:
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.status_label.text() != "")
    long_message = ("Wrote labels into 12 photos (3 sidecar files); 2 files changed on disk since the scan were left "
                    "alone: read their folders again and write once more")
    window.show_message(long_message)
    assert window.statusBar().currentMessage() == long_message
    assert not window.status_label.isVisible()  # the counts were drawn over the message's end
    assert window.statusBar().toolTip() == long_message
    window.statusBar().clearMessage()
    assert window.status_label.isVisible()
    window.show_message("Accepted 1 photo")  # a short one fits beside them
    assert window.status_label.isVisible()


def library_with_an_unplugged_card(qtbot, win, tmp_path) -> tuple[Path, Path]:
    """A library of 3 photos in one folder and 2 on a card since taken out (its folder
    gone from where the library knows it)."""
    folder = added_folder(qtbot, win, tmp_path, count=3)
    card = tmp_path / "card"
    make_photo_folder(card, 2, seed=5)
    assert win.add_folder(card)
    wait_for_job(qtbot, win)
    card.rename(tmp_path / "card (elsewhere)")
    return folder, card


def test_photos_copied_into_a_library_folder_show_up_when_the_app_opens(qtbot, window, tmp_path) -> None:
    """The app reads the library's folders when it opens (new and changed files only):
    today's card copied into last year's trip folder is there without pressing
    anything, a folder on a drive that is not connected is skipped (its photos are not
    marked missing), and Settings can turn it off."""
    from dataclasses import replace

    folder, _card = library_with_an_unplugged_card(qtbot, window, tmp_path)
    make_photo_folder(folder / "day 2", 2, seed=3)

    assert window.check_library_folders()
    wait_for_job(qtbot, window)
    assert window.grid_model.rowCount() == 7  # 3 + 2 new + the 2 of the unplugged drive, kept
    assert window.index.count("is:missing") == 0
    assert window.statusBar().currentMessage().startswith("2 new photos in the library's folders — Tag folder")
    assert window.check_library_folders()
    wait_for_job(qtbot, window)
    assert window.statusBar().currentMessage().startswith("Library folders checked: nothing new; card not found")
    card_only = window.index.roots()[0]
    window.index.remove_root(folder)  # (a library of the unplugged card alone)
    assert window.index.roots() == [card_only] and window.check_library_folders()
    wait_for_job(qtbot, window)
    assert window.statusBar().currentMessage().startswith("card not found (drive not connected?")
    window.settings = replace(window.settings, check_folders_at_start=False)
    assert not window.check_library_folders()


def test_tagging_the_library_skips_a_folder_whose_drive_is_not_connected(qtbot, window, tmp_path, tiny_bundle) -> None:
    """It used to fail the whole job ("… does not exist; check the path")."""
    from dataclasses import replace

    window.settings = replace(window.settings, model_bundle=str(tiny_bundle.path))
    folder, _card = library_with_an_unplugged_card(qtbot, window, tmp_path)
    window.folders = []
    assert window.tag_folder()
    wait_for_job(qtbot, window)
    assert window.statusBar().currentMessage().startswith("Tagging library: done — tagged 3 photos")
    assert window.statusBar().currentMessage().endswith("card not found (drive not connected? if it moved, "
                                                         "Locate folder… in its menu)")
    assert window.index.count(f'folder:"{folder.resolve()}" state:suggested') == 3
    assert window.index.count("is:missing") == 0


def test_the_problems_the_index_holds_are_listed_when_the_app_opens(qtbot, tmp_path) -> None:
    """A broken file stays broken between sessions; the Problems panel started empty on
    every opening although the index (and `landmark-tagger stats`) still held them."""
    from app.gui.app import create_application, open_main_window

    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        nef = tmp_path / "photos" / "DSC_0001.NEF"
        index.record_error(nef, "decode", f"cannot decode {nef}: truncated RAW file")
        index.record_error(tmp_path / "photos" / "DSC_0002.JPG", "scan", "cannot read the file")
    create_application()
    win = open_main_window(db)
    qtbot.addWidget(win)
    try:
        problems = win.errors_panel.problems()
        assert [(Path(path).name, stage, message) for path, stage, message in problems] == [
            ("DSC_0002.JPG", "scan", "cannot read the file"),
            ("DSC_0001.NEF", "decode", f"cannot decode {nef}: truncated RAW file")]
        # the File column names the file; the problem does not repeat its whole path (the tooltip has it)
        assert win.errors_panel.item(1, 2).text() == "cannot decode DSC_0001.NEF: truncated RAW file"
        assert win.errors_action.text() == "Problems (2)"
        assert not win.errors_dock.isVisible()  # counted on its button, not opened over the photos
    finally:
        close_main_window(win)


def test_the_problems_panel_keeps_one_row_a_file_and_stage(qtbot, window, tmp_path, monkeypatch) -> None:
    """Every rescan meets the same broken files again; the list used to grow by all of
    them after each job (and after each start, now that the app checks its folders)."""
    folder = added_folder(qtbot, window, tmp_path, count=3)
    (folder / "broken.jpg").write_bytes(b"not a photo" * 50)
    (folder / "empty.jpg").write_bytes(b"")
    for _ in range(3):
        assert window.check_library_folders()
        wait_for_job(qtbot, window)
    rows = window.errors_panel.problems()
    assert sorted(Path(path).name for path, _stage, _message in rows) == ["broken.jpg", "empty.jpg"]
    window.errors_panel.add_problem(None, "Tagging", "no model bundle")
    window.errors_panel.add_problem(None, "Tagging", "no model bundle")
    window.errors_panel.add_problem(str(folder / "broken.jpg"), "decode", "cannot decode")
    assert len(window.errors_panel.problems()) == 4
    window.errors_panel.clear_problems()
    window.errors_panel.add_problem(str(folder / "broken.jpg"), "scan", "again")
    assert len(window.errors_panel.problems()) == 1
    from app.gui import errors_panel

    monkeypatch.setattr(errors_panel, "MAX_ROWS", 3)  # the oldest rows go, and their files may come back
    for name in ("a", "b", "c", "d", "a"):
        window.errors_panel.add_problem(str(folder / f"{name}.jpg"), "scan", "bad")
    assert [Path(path).name for path, _stage, _message in window.errors_panel.problems()] == ["a.jpg", "d.jpg", "c.jpg"]


def test_the_detail_pane_says_why_there_is_no_preview(qtbot, window, tmp_path) -> None:
    """Its messages were cleared as soon as they were set (an empty box instead of
    "Select a photo" or "No preview: …"); a photo whose file is gone says so."""
    folder = added_folder(qtbot, window, tmp_path, count=3)
    assert window.detail.preview.text() == "Select a photo"
    gone = sorted(folder.rglob("*.jpg"))[0]
    gone.unlink()
    # before a scan notices: said in words, not as "[Errno 2] No such file or directory"
    gone_id = window.index.photo_ids(f'path:"{gone.resolve()}"')[0]
    row = next(row for row in range(window.grid_model.rowCount()) if window.grid_model.photo_id(row) == gone_id)
    window.grid.setCurrentIndex(window.grid_model.index(row))
    qtbot.waitUntil(lambda: window.detail.preview.text().startswith("No preview\nFile missing"), timeout=10000)
    assert "Errno" not in window.detail.preview.text()
    show_the_one_missing_photo(qtbot, window)
    assert window.detail.preview.text().startswith("File missing")
    assert not window.detail.preview.has_image()


def test_an_empty_review_list_says_to_tag_photos_not_tagged_yet(qtbot, window, tmp_path, tiny_bundle) -> None:
    """Right after Add folder the list said every suggestion had been accepted or rejected."""
    from dataclasses import replace

    window.settings = replace(window.settings, model_bundle=str(tiny_bundle.path))
    added_folder(qtbot, window, tmp_path, count=3)
    window.review_action.trigger()
    wait_for_results(qtbot, window)
    qtbot.waitUntil(lambda: "3 photos in the library are not tagged" in window.review.empty.text(), timeout=10000)
    assert window.review.empty.isVisible()
    assert window.tag_folder()
    wait_for_job(qtbot, window)
    window.index.set_state(window.index.photo_ids(""), "accepted")
    window.library_changed()
    wait_for_results(qtbot, window)
    qtbot.waitUntil(lambda: window.review.empty.text().startswith("Nothing to review: every suggestion"), timeout=10000)


def test_the_window_fits_a_small_laptop_screen(qtbot, window) -> None:
    """It opened at 1400 × 900 whatever the screen, and could not be narrower than about
    1,060 px (a long line of text here and there held it), Settings falling off the
    toolbar; now it opens within the screen, narrows to under 1,024 px, and the toolbar
    shows icons only when narrow."""
    from PySide6.QtCore import QSize

    from app.gui.job_runner import JobProgress
    from app.gui.main_window import first_window_size

    assert first_window_size(QSize(1280, 760)) == QSize(1177, 699)
    assert first_window_size(QSize(2560, 1400)) == QSize(1400, 900)
    assert first_window_size(None) == QSize(1400, 900)
    for page in (window.grid_action, window.review_action):
        page.trigger()
        assert window.minimumSizeHint().width() <= 1024
    window.job_bar.begin("Tagging the library's folders")
    window.job_bar.update_progress(JobProgress(done=12_345, total=100_000, message="", rate=35.2, eta_s=7_560.0))
    assert window.minimumSizeHint().width() <= 1024  # a job's bar with its figures (it reached 1,059)
    assert window.job_bar.detail.full_text().startswith("12,345 / 100,000  ·  ETA 2:06:00")
    window.job_bar.end()
    window.resize(1000, 700)
    qtbot.waitUntil(lambda: window.toolbar.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly, timeout=3000)
    window.resize(1400, 900)
    qtbot.waitUntil(lambda: window.toolbar.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon,
                    timeout=3000)
    settings_button = window.toolbar.widgetForAction(window.settings_action)
    assert settings_button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly


def test_review_rows_fit_the_list_on_a_small_laptop_screen(qtbot, window, tmp_path) -> None:
    """Rows were 600 px wide whatever the list's width: at 1,024 px the list is under
    500 px and each row's percentage was out of sight behind a horizontal scroll bar."""
    added_folder(qtbot, window, tmp_path, count=3)
    for row in range(3):
        suggest(window.index, window.grid_model.photo_id(row), "Sagrada Familia", 0.8)
    window.resize(1024, 700)
    window.review_action.trigger()
    wait_for_results(qtbot, window)
    qtbot.waitUntil(lambda: window.review_model.rowCount() == 3, timeout=10000)
    view = window.review.list
    assert view.viewport().width() < 600
    assert view.visualRect(window.review_model.index(0)).width() == view.viewport().width()
    assert not view.horizontalScrollBar().isVisible()
    window.resize(1400, 900)
    qtbot.waitUntil(lambda: view.viewport().width() > 600, timeout=3000)
    assert view.visualRect(window.review_model.index(0)).width() == view.viewport().width()  # rows fill it


def test_a_library_folder_that_moved_is_shown_as_not_found_and_can_be_located(
        qtbot, window, tmp_path, monkeypatch) -> None:
    """Its photos kept their labels only in the index; adding the new place made them
    new photos without labels. The tree greys it out, and Locate folder… follows it."""
    from PySide6.QtWidgets import QFileDialog

    from app.gui import library_tree

    folder = added_folder(qtbot, window, tmp_path, count=3)
    photo_id = window.index.photo_ids("")[0]
    window.index.set_label(photo_id, "Pont du Gard")
    moved = folder.rename(tmp_path / "photos (external drive)")
    window.library_changed()
    wait_for_results(qtbot, window)
    root = window.library_tree.topLevelItem(1)
    assert root.data(0, library_tree.PathRole) == str(folder.resolve()) and "Not found" in root.toolTip(0)
    menu = window.library_tree.menu_for(root)
    assert [action.text() for action in menu.actions()][0] == "Locate folder…"
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(moved))
    menu.actions()[0].trigger()
    wait_for_job(qtbot, window)
    assert window.index.roots() == [moved.resolve()]
    assert window.index.get(photo_id).label == "Pont du Gard"
    assert window.index.get(photo_id).path.startswith(str(moved.resolve()))
    assert "kept their labels" in window.statusBar().currentMessage()
    assert "Not found" not in window.library_tree.topLevelItem(1).toolTip(0)


def test_the_grid_can_show_a_trip_from_its_first_day(qtbot, window, tmp_path) -> None:
    from app.core.settings import load_settings

    added_folder(qtbot, window, tmp_path, count=4)  # taken on 1, 2, 3, 4 November
    newest = [window.grid_model.photo_id(row) for row in range(4)]
    window.search_bar.order.setCurrentIndex(1)
    wait_for_results(qtbot, window)
    assert [window.grid_model.photo_id(row) for row in range(4)] == newest[::-1]
    assert load_settings().oldest_first  # kept for the next start


def test_ctrl_f_goes_to_the_search_field_and_f1_lists_every_shortcut(qtbot, window, tmp_path) -> None:
    from PySide6.QtGui import QKeySequence

    from app.gui.shortcuts_dialog import ShortcutsDialog, shortcut_rows

    added_folder(qtbot, window, tmp_path, count=3)
    window.search_bar.set_text("colosseum")
    window.grid.setFocus()
    window.find_action.trigger()
    assert window.search_bar.field.hasFocus() and window.search_bar.field.selectedText() == "colosseum"
    rows = dict(shortcut_rows(window.actions()))
    native = QKeySequence.SequenceFormat.NativeText
    assert rows["Accept"] == "A" and rows["Teach…"] == "T"
    assert rows["Search"] == QKeySequence(QKeySequence.StandardKey.Find).toString(native)
    assert rows["Keyboard shortcuts"] == "F1"
    dialog = ShortcutsDialog(window.actions(), window)
    qtbot.addWidget(dialog)
    listed = [dialog.table.item(row, 0).text() for row in range(dialog.table.rowCount())]
    assert "Write labels…" in listed and "Move through the photos" in listed


def test_the_cores_messages_name_the_apps_actions_not_commands(tmp_path, monkeypatch) -> None:
    """The Problems panel and the status bar said "run 'scan' again, then 'write'" or
    "`landmark-tagger relocate OLD NEW`": commands the app's user has no shell for."""
    import shutil

    from app.core.metadata import WriteOptions, plan_writes, write_labels
    from app.core.scanner import scan
    from PIL import Image

    from app.gui.app_words import in_app_words
    from tests.test_metadata_support import add_photo, make_jpeg

    with PhotoIndex.open(tmp_path / "index.db") as index:
        photo = make_jpeg(tmp_path / "a.jpg")
        add_photo(index, [photo], "Petra")
        photo.write_bytes(photo.read_bytes() + b"edited elsewhere")  # after it was indexed
        summary = write_labels(index, plan_writes(index, "", False, WriteOptions()), WriteOptions())
        (_path, message), = summary.errors
        assert "`landmark-tagger scan" in message  # the core's words, for the terminal
        shown = in_app_words(message)
        assert shown.endswith("read its folder again (Tag folder), then Write labels… again")

        library = tmp_path / "library"
        make_photo_folder(library, 1)
        scan(index, [library])
        shutil.rmtree(library)  # a drive not connected, or a folder that moved
        scan(index, [library])
        message = index.errors(stage="scan")[0].message
        assert "landmark-tagger relocate" in message
        shown = in_app_words(message)
        assert "landmark-tagger" not in shown and shown.endswith("Locate folder… in its menu follows it.")
        assert in_app_words("run `landmark-tagger tag FOLDER` first (suggest compares …)").startswith(
            "tag the folders first (Tag folder)")

        named = tmp_path / "names"  # a name too long to add `.xmp` to; two photos sharing a sidecar
        named.mkdir()
        long_png = named / ("长城" * 41 + "xy.png")  # 252 bytes
        Image.new("RGB", (40, 30)).save(long_png)
        Image.new("RGB", (40, 30)).save(named / "IMG_1.png")
        Image.new("RGB", (40, 30), (9, 9, 9)).save(named / "IMG_1.tif")
        scan(index, [named])
        for record in index.search("folder:names"):
            index.set_label(record.id, "Great Wall of China", source="user", state="accepted")
        problems = [item.problem for item in plan_writes(index, "folder:names", False, WriteOptions(sidecar_naming="stem"))
                    + plan_writes(index, "folder:names", False, WriteOptions()) if item.problem]
        assert len(problems) == 2 and all("--sidecar-naming" in problem for problem in problems)
        assert all("--" not in in_app_words(problem) and "in Settings" in in_app_words(problem) for problem in problems)

        # a model bundle gone since it was chosen, no default bundle, relocating onto a library folder
        import model.bundle
        from app.core import tagging
        from app.core.errors import TaggerError
        from app.core.relocate import relocate_folder
        from model.errors import ModelError

        other = tmp_path / "other"
        make_photo_folder(other, 1)
        scan(index, [other])
        monkeypatch.setattr(model.bundle, "default_bundle_path", lambda: tmp_path / "no" / "default.ltbundle")
        failures = []
        for attempt in (lambda: model.bundle.load_bundle(tmp_path / "usb" / "landmarks-v2.ltbundle"),
                        lambda: tagging.load_tag_bundle(None),
                        lambda: relocate_folder(index, library, other)):
            with pytest.raises((TaggerError, ModelError)) as raised:
                attempt()
            failures.append(str(raised.value))
        assert "landmark-tagger" in failures[0] and "--model" in failures[1]  # the CLI's words, in the core
        for failure in failures:
            shown = in_app_words(failure)
            assert "landmark-tagger" not in shown and "--" not in shown, shown
        assert "Remove from library…" in in_app_words(failures[2])


def test_file_pickers_are_the_systems_own_on_macos_and_windows(monkeypatch) -> None:
    """The app forced Qt's own dialog everywhere: on a Mac or a PC no Finder or Explorer
    sidebar, iCloud, OneDrive or network places. Linux keeps Qt's (the desktop's dialog
    needs a portal that is not always there)."""
    from PySide6.QtWidgets import QFileDialog

    from app.gui import file_dialogs

    for platform, native in (("darwin", True), ("win32", True), ("linux", False)):
        monkeypatch.setattr(file_dialogs.sys, "platform", platform)
        options = file_dialogs.picker_options(folders_only=True)
        assert bool(options & QFileDialog.Option.DontUseNativeDialog) is not native, platform
        assert options & QFileDialog.Option.ShowDirsOnly
    assert not file_dialogs.picker_options() & QFileDialog.Option.ShowDirsOnly


def test_a_missing_photo_shows_no_thumbnail_of_the_file_now_at_its_name(qtbot, window, tmp_path) -> None:
    """A renamer gave a deleted frame's name to the next one: the deleted photo is missing,
    and the file at its old name is another picture, not a preview of it."""
    from app.gui.library_tree import MISSING_QUERY
    from app.gui.photo_model import ThumbnailRole

    folder = added_folder(qtbot, window, tmp_path, count=3)
    (folder / "IMG_0001.jpg").unlink()
    (folder / "IMG_0002.jpg").rename(folder / "IMG_0001.jpg")
    assert window.add_folder(folder)
    wait_for_job(qtbot, window)
    window.search_bar.set_text(MISSING_QUERY)
    qtbot.waitUntil(lambda: window.grid_model.rowCount() == 1, timeout=20000)
    record = window.grid_model.record(0)
    assert record.missing and (folder / "IMG_0001.jpg").is_file()
    assert window.grid_model.data(window.grid_model.index(0), ThumbnailRole) is None
