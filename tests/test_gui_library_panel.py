"""The library panel: the first-run screen, adding a folder, narrowing the grid by folder, landmark and date."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, Qt  # noqa: E402

from tests.test_gui_support import added_folder, wait_for_results, window  # noqa: E402,F401

pytestmark = pytest.mark.gui


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


def test_the_grid_can_show_a_trip_from_its_first_day(qtbot, window, tmp_path) -> None:
    from app.core.settings import load_settings

    added_folder(qtbot, window, tmp_path, count=4)  # taken on 1, 2, 3, 4 November
    newest = [window.grid_model.photo_id(row) for row in range(4)]
    window.search_bar.order.setCurrentIndex(1)
    wait_for_results(qtbot, window)
    assert [window.grid_model.photo_id(row) for row in range(4)] == newest[::-1]
    assert load_settings().oldest_first  # kept for the next start
