"""Locate folder… onto a folder unlike a move (a backup holding one of the library folder's
photos while the folder is still there: app.core.relocate refuses it, 0e8ce3e) showed
the refusal as a failed job, with no way to follow a real partial copy as the command
line's --follow-copy does. The app now asks, naming the photos that would go missing,
and follows the copy only on Yes."""

from __future__ import annotations

import shutil

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from tests import test_gui_support  # noqa: E402
from tests.test_gui_support import added_folder, wait_for_job  # noqa: E402

window = test_gui_support.window  # the suite's window fixture

pytestmark = pytest.mark.gui


@pytest.mark.parametrize("answer", [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes])
def test_locate_onto_a_partial_copy_asks_first(qtbot, window, tmp_path, monkeypatch, answer) -> None:
    folder = added_folder(qtbot, window, tmp_path, count=4)
    backup = tmp_path / "Backup"
    backup.mkdir()
    shutil.copy2(sorted(folder.rglob("*.jpg"))[0], backup)
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args: asked.append(args[2]) or answer)
    root = str(folder.resolve())

    assert window.jobs.relocate(root, str(backup))
    wait_for_job(qtbot, window)
    qtbot.waitUntil(lambda: bool(asked), timeout=5000)
    wait_for_job(qtbot, window)

    assert "3 photo files not in it would be marked missing" in asked[0], asked[0]
    assert "?." not in asked[0] and "relocate" not in asked[0], asked[0]  # the app's words, no stray stop
    if answer == QMessageBox.StandardButton.No:
        assert window.index.roots() == [folder.resolve()]
        assert window.statusBar().currentMessage().endswith("not located: nothing changed.")
    else:
        qtbot.waitUntil(lambda: window.index.roots() == [backup.resolve()], timeout=10000)
        assert len(window.index.photo_ids("is:missing")) == 3


def test_locate_onto_a_folder_of_other_photos_is_refused_not_failed(qtbot, window, tmp_path) -> None:
    """Locate folder… onto a folder of other photos showed 'Locating folder failed: …' and
    put a problem in the panel, for a choice the app only declined (found by a tester)."""
    from tests.test_gui_support import make_photo_folder

    folder = added_folder(qtbot, window, tmp_path, count=3)
    other = tmp_path / "OtherTrip"
    make_photo_folder(other, 3, seed=99)  # the same names, other photos
    problems_before = window.errors_panel.rowCount()
    root = str(folder.resolve())

    assert window.jobs.relocate(root, str(other))
    wait_for_job(qtbot, window)
    qtbot.waitUntil(lambda: "ot located" in window.statusBar().currentMessage(), timeout=5000)

    said = window.statusBar().currentMessage()
    assert said.startswith(f"Not located: none of the 3 files of {folder.resolve()} is in {other}"), said
    assert "failed" not in said, said
    assert window.index.roots() == [folder.resolve()]
    assert window.errors_panel.rowCount() == problems_before
