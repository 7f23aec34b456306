"""Library folders in the app: sub-folders taken in, removal, missing and copied-in photos, unplugged, moved folders."""

from __future__ import annotations

from dataclasses import replace

import pytest

pytest.importorskip("pytestqt")

from tests.test_gui_support import (  # noqa: E402,F401
    added_folder,
    library_with_an_unplugged_card,
    make_photo_folder,
    wait_for_job,
    wait_for_results,
    window,
)

pytestmark = pytest.mark.gui


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
