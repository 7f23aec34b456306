"""A tag job that could not read a photo said nothing of it: a damaged photo dropped on the
window gave "Tagging 1 dropped photo: done — tagged 0 photos in 0.3 s" and an empty grid,
and Tag folder with a new damaged JPEG "tagged 0 photos, 11 already up to date", where
the command line adds "1 file could not be scanned". The app now says it too."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDropEvent  # noqa: E402

from tests import test_gui_support  # noqa: E402
from tests.test_gui_support import added_folder, wait_for_job  # noqa: E402

window = test_gui_support.window  # the suite's window fixture

pytestmark = pytest.mark.gui


def test_a_damaged_photo_dropped_on_the_window_is_said_unreadable(qtbot, window, tmp_path) -> None:
    folder = added_folder(qtbot, window, tmp_path, count=2)
    good = sorted(folder.rglob("*.jpg"))[0]
    broken = tmp_path / "elsewhere" / "DSC_0999.JPG"
    broken.parent.mkdir()
    broken.write_bytes(good.read_bytes()[:400])  # a truncated copy: the header only
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(broken))])
    window.dropEvent(QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                                Qt.KeyboardModifier.NoModifier))
    wait_for_job(qtbot, window)

    said = window.statusBar().currentMessage()
    assert "tagged 0 photos" in said and "1 file could not be read (see Problems)" in said, said
    # its folder held no photo that could be read: it did not join the library, empty
    assert "added" not in said and broken.parent.resolve() not in window.index.roots(), said


def test_tag_folder_names_a_new_damaged_photo(qtbot, window, tmp_path) -> None:
    folder = added_folder(qtbot, window, tmp_path, count=2)
    good = sorted(folder.rglob("*.jpg"))[0]
    (good.parent / "NEW_broken.jpg").write_bytes(good.read_bytes()[:400])
    window.jobs.tag([folder], "Tagging photos")
    wait_for_job(qtbot, window)

    assert "1 file could not be read (see Problems)" in window.statusBar().currentMessage()
