"""A Problems row led nowhere (GUI tester, finding F6): double-click and Enter on
"DSC_0050.JPG damaged" did nothing, so the user typed the photo's name to find the file
to check against a backup, and a broken file the library could not take in could not be
reached from the app at all. A row now shows its photo in the grid and the detail pane
(double-click, Enter, Show the photo) and its file in its folder (Show in folder)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import Qt  # noqa: E402

from tests.test_gui_support import wait_for_job, wait_for_results  # noqa: E402
from tests.test_gui_problems_follow_the_index import row_of, tagged, window  # noqa: E402,F401

pytestmark = pytest.mark.gui


def test_a_problems_row_shows_its_photo_with_enter_and_double_click(qtbot, window, tagged) -> None:
    folder, _ = tagged
    window.search_bar.set_text("DSC_0001")  # a search that leaves the damaged photo out
    wait_for_results(qtbot, window)
    assert window.grid_model.rowCount() == 1
    panel = window.errors_panel
    panel.setCurrentCell(row_of(window, "DSC_0002.JPG", "damaged"), 0)
    panel.setFocus()
    qtbot.keyClick(panel, Qt.Key.Key_Return)
    wait_for_results(qtbot, window)
    qtbot.waitUntil(lambda: window.detail.record is not None
                    and Path(window.detail.record.path).name == "DSC_0002.JPG", timeout=10000)
    current = window.grid.currentIndex()
    assert current.isValid() and Path(window.index.get(window.grid_model.photo_id(current.row())).path).name \
        == "DSC_0002.JPG"
    assert window.grid_model.rowCount() == 1  # found by its path, the whole library searched
    assert not window.library_tree.selected_folders()

    window.search_bar.set_text("")  # in the results already: chosen there, the search kept
    wait_for_results(qtbot, window)
    window.grid.setCurrentIndex(window.grid_model.index(window.grid_model.ids().index(
        window.index.photo_ids("DSC_0001")[0])))
    row = row_of(window, "DSC_0002.JPG", "damaged")
    rect = panel.visualRect(panel.model().index(row, 0))
    qtbot.mouseClick(panel.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # a double-click's press
    qtbot.mouseDClick(panel.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    wait_for_results(qtbot, window)
    assert window.search_bar.text() == "" and window.grid_model.rowCount() == 2
    assert Path(window.detail.record.path).name == "DSC_0002.JPG"


def test_a_file_the_library_does_not_hold_is_said_and_shown_in_its_folder(qtbot, window, tagged,
                                                                         monkeypatch) -> None:
    from PySide6.QtGui import QDesktopServices

    folder, _ = tagged
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True))
    monkeypatch.setattr("app.gui.file_places._reveal_command", lambda target: None)  # the folder, on any system
    panel = window.errors_panel
    panel.setCurrentCell(row_of(window, "DSC_0003.JPG", "scan"), 0)
    shown_before = window.grid_model.ids()
    panel.request_photo(panel.currentRow())
    assert "DSC_0003.JPG is not in the library" in window.statusBar().currentMessage()
    assert "Show in folder" in window.statusBar().currentMessage()
    assert window.grid_model.ids() == shown_before
    names = {action.text(): action for action in panel.actions()}
    assert names["Show in folder"].isEnabled() and names["Show the photo"].isEnabled()
    names["Show in folder"].trigger()
    assert [Path(url.toLocalFile()) for url in opened] == [folder]



def test_the_row_of_an_unreadable_file_with_a_name_not_in_utf8_leads_to_that_file(qtbot, tmp_path, capsys,
                                                                                    monkeypatch) -> None:
    """Rome/caf\\xe9.jpg (a Latin-1 byte) unreadable beside a good Rome/caf.jpg: Enter on its
    row showed caf.jpg, as Qt dropped the byte from the path the row kept (review11 F4). The
    row keeps the exact path: the file is said not to be in the library, and Show in folder
    gets the path whose bytes are the file's."""
    import os

    from PySide6.QtGui import QDesktopServices

    from app.cli.main import main
    from tests.test_damaged_jpeg_data import camera_like_jpeg
    from tests.test_gui_support import shown_window
    from tests.test_gui_support import close_main_window

    folder = tmp_path / "Rome"
    folder.mkdir()
    good = camera_like_jpeg(folder / "caf.jpg")
    latin = folder / os.fsdecode(b"caf\xe9.jpg")
    try:
        latin.write_bytes(good[:400])  # cut short: not read at all
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system takes no file name that is not valid UTF-8")
    db = tmp_path / "index.db"
    main(["--db", str(db), "tag", str(folder)])
    capsys.readouterr()
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: True))  # no file manager opened
    monkeypatch.setattr("app.gui.file_places._reveal_command", lambda target: None)
    win = shown_window(qtbot, db)
    try:
        panel = win.errors_panel
        (row,) = [row for row in range(panel.rowCount()) if panel.item(row, 1).text() == "scan"]
        asked = []
        panel.folder_requested.connect(asked.append)
        panel.request_folder(row)
        assert [os.fsencode(path) for path in asked] == [os.fsencode(latin)]
        panel.setCurrentCell(row, 0)
        panel.setFocus()
        qtbot.keyClick(panel, Qt.Key.Key_Return)
        wait_for_results(qtbot, win)
        assert "is not in the library" in win.statusBar().currentMessage()
        assert win.detail.record is None or Path(win.detail.record.path).name != "caf.jpg"
    finally:
        close_main_window(win)



def test_the_row_of_a_photo_whose_file_was_deleted_and_scanned_shows_the_photo(qtbot, window, tagged) -> None:
    """Deleted, then scanned ("1 missing"), the damaged photo stays in the index and its
    row in Problems, but Enter on the row searched `id:2`, which leaves missing photos out:
    "No photos match" (review11 F3). The search now finds it, missing."""
    folder, _ = tagged
    (folder / "DSC_0002.JPG").unlink()
    window.jobs.tag([folder], "Tagging Rome")
    wait_for_job(qtbot, window)
    panel = window.errors_panel
    panel.setCurrentCell(row_of(window, "DSC_0002.JPG", "damaged"), 0)
    panel.setFocus()
    qtbot.keyClick(panel, Qt.Key.Key_Return)
    wait_for_results(qtbot, window)
    qtbot.waitUntil(lambda: window.detail.record is not None, timeout=10000)
    assert Path(window.detail.record.path).name == "DSC_0002.JPG" and window.detail.record.missing
    assert "is:missing" in window.search_bar.text() and window.grid_model.rowCount() == 1
    assert not window.search_bar.error_label.isVisible()



def test_a_row_that_leads_to_its_photo_takes_back_the_words_of_one_that_did_not(qtbot, window, tagged) -> None:
    """Enter on "DSC_0003.JPG | scan" said it is not in the library (right); Enter on the
    damaged DSC_0002.JPG's row then showed that photo with those words still beside it
    (review11 F6)."""
    panel = window.errors_panel
    panel.setFocus()
    panel.setCurrentCell(row_of(window, "DSC_0003.JPG", "scan"), 0)
    qtbot.keyClick(panel, Qt.Key.Key_Return)
    assert "DSC_0003.JPG is not in the library" in window.statusBar().currentMessage()
    panel.setCurrentCell(row_of(window, "DSC_0002.JPG", "damaged"), 0)
    qtbot.keyClick(panel, Qt.Key.Key_Return)
    wait_for_results(qtbot, window)
    qtbot.waitUntil(lambda: window.detail.record is not None
                    and Path(window.detail.record.path).name == "DSC_0002.JPG", timeout=10000)
    assert "not in the library" not in window.statusBar().currentMessage()
    assert "not in the library" not in window.message_bar.message()
