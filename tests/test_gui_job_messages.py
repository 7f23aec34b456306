"""The status bar's words about a job belong to that job: a job's closing message
("… cancelled — the rest is left for the next run") is not left showing while the next
job runs, and a message of something else is not taken away by a job's start."""

from __future__ import annotations

import threading
import time

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from tests.test_gui_support import window  # noqa: E402,F401

pytestmark = pytest.mark.gui


def _waits_for_cancel(started: threading.Event):
    def work(progress, cancel, emit_item):
        started.set()
        while not cancel.cancelled:
            time.sleep(0.01)
        return None

    return work


def test_a_new_job_does_not_show_the_previous_jobs_cancelled_message(qtbot, window):
    first = threading.Event()
    assert window.jobs.start("Tagging library", _waits_for_cancel(first))
    qtbot.waitUntil(first.is_set, timeout=5000)
    with qtbot.waitSignal(window.jobs.runner.stopped, timeout=10000):
        window.job_bar.cancel_button.click()
    assert "cancelled" in window.statusBar().currentMessage()
    second = threading.Event()
    assert window.jobs.start("Tagging library", _waits_for_cancel(second))
    qtbot.waitUntil(second.is_set, timeout=5000)
    assert "cancelled" not in window.statusBar().currentMessage(), window.statusBar().currentMessage()
    with qtbot.waitSignal(window.jobs.runner.stopped, timeout=10000):
        window.job_bar.cancel_button.click()


def test_a_job_start_leaves_other_messages_their_time(qtbot, window):
    window.show_message("Labelled DSC_0001.JPG “Colosseum”")
    started = threading.Event()
    assert window.jobs.start("Tagging library", _waits_for_cancel(started))
    qtbot.waitUntil(started.is_set, timeout=5000)
    assert window.statusBar().currentMessage() == "Labelled DSC_0001.JPG “Colosseum”"
    with qtbot.waitSignal(window.jobs.runner.stopped, timeout=10000):
        window.job_bar.cancel_button.click()


def test_a_photo_whose_folder_is_gone_is_not_said_to_need_a_rescan(tmp_path):
    """Tagging photos of a library folder deleted or unplugged since the scan said "file not
    found; rescan the folder" for each: a rescan cannot bring a folder back."""
    from PIL import Image

    from app.core.decode import decode_for_model
    from app.core.errors import PhotoReadError
    from app.gui.app_words import in_app_words

    folder = tmp_path / "Trip"
    folder.mkdir()
    Image.new("RGB", (64, 48)).save(folder / "DSC_0002.JPG")
    with pytest.raises(PhotoReadError, match="file not found; rescan the folder"):
        decode_for_model(folder / "DSC_0001.JPG", 32)  # the folder is there: a rescan helps
    (folder / "DSC_0002.JPG").unlink()
    folder.rmdir()
    with pytest.raises(PhotoReadError) as gone:
        decode_for_model(folder / "DSC_0001.JPG", 32)
    message = str(gone.value)
    assert "rescan" not in message and "folder is not there" in message and "drive" in message
    assert "relocate OLD NEW" in message
    assert "Locate folder… in its menu" in in_app_words(message) and "landmark-tagger" not in in_app_words(message)


def test_the_folders_inside_a_library_folder_not_found_are_greyed_out_too(qtbot):
    """Only the library folder itself was greyed out: "Paris" and "Rome 2019" inside it
    looked as if they were there."""
    from app.core.library import FolderNode
    from app.gui.library_tree import LibraryTree

    tree = LibraryTree()
    qtbot.addWidget(tree)
    inner = FolderNode("/media/card/Trips/Paris", "Paris", 3)
    roots = [FolderNode("/media/card/Trips", "Trips", 3, [inner], present=False),
             FolderNode("/home/me/Pictures", "Pictures", 2, [FolderNode("/home/me/Pictures/Rome", "Rome", 2)])]
    tree.show_folders(5, roots)
    items = {item.text(0): item for item in tree.findItems("*", Qt.MatchFlag.MatchWildcard | Qt.MatchFlag.MatchRecursive)}
    grey = items["Trips"].foreground(0).color()  # the library folder not found
    assert items["Pictures"].foreground(0).color() != grey
    assert items["Paris"].foreground(0).color() == grey
    assert "Not found" in items["Paris"].toolTip(0) and "/media/card/Trips" in items["Paris"].toolTip(0)
    assert items["Rome"].foreground(0).color() != grey and "Not found" not in items["Rome"].toolTip(0)


def test_on_a_mac_the_delete_key_clears_the_problems_and_clicks_are_named_with_command(qtbot, monkeypatch):
    """A Mac's delete key sends Backspace, which the Problems list ignored; and the
    shortcuts list told Mac users to Ctrl+click, which opens the context menu there."""
    from PySide6.QtTest import QTest

    from app.gui import shortcuts_dialog
    from app.gui.errors_panel import ErrorsPanel

    panel = ErrorsPanel()
    qtbot.addWidget(panel)
    panel.add_problem("/photos/a.jpg", "scan", "cannot decode")
    assert panel.rowCount() == 1
    panel.setCurrentCell(0, 0)  # Delete/Backspace hide the chosen rows only (5e574aa)
    QTest.keyClick(panel, Qt.Key.Key_Backspace)
    assert panel.rowCount() == 0
    monkeypatch.setattr("sys.platform", "darwin")
    keys = dict(shortcuts_dialog.shortcut_rows([]))
    assert keys["Choose several photos"] == "⌘-click, Shift+click"
    assert "Ctrl" not in " ".join(keys.values())
