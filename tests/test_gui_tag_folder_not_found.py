"""Tag folder in the app on library folders that are not found, and what Forget missing photos keeps."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from tests.test_gui_support import added_folder, wait_for_job, wait_for_results, window  # noqa: E402,F401

pytestmark = pytest.mark.gui


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
