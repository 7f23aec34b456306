"""A photo dropped on the window whose folder is not in the library brings that whole
folder in (76 photos in the tester's case) while the status said only "tagged 1 photo";
`tag FILE` says "added … to the library (1 photo; that folder only …)". The app's tag job
now says it in the same words (folders_joined.joined_text), with the library panel's ways."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDropEvent  # noqa: E402

from tests import test_gui_support  # noqa: E402
from tests.test_gui_support import added_folder, make_photo_folder, wait_for_job  # noqa: E402

window = test_gui_support.window  # the suite's window fixture

pytestmark = pytest.mark.gui


def _drop(window, path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    window.dropEvent(QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                                Qt.KeyboardModifier.NoModifier))


def test_a_dropped_photo_says_its_folder_joined_the_library(qtbot, window, tmp_path) -> None:
    added_folder(qtbot, window, tmp_path, count=2)
    petra = tmp_path / "big" / "Petra"
    photos = [path for path in make_photo_folder(petra, 6) if path.parent == petra]  # 4 here, 2 in petra/trip
    _drop(window, photos[0])
    wait_for_job(qtbot, window)

    said = window.statusBar().currentMessage()
    assert "tagged 1 photo" in said, said
    assert ("; added “Petra” to the library (4 photos; that folder only: right-click it in the library panel "
            "to include the folders in it, or to remove it)") in said, said
    window.jobs.tag([photos[1]], "Tagging 1 dropped photo")  # its folder is in the library now: no news
    wait_for_job(qtbot, window)
    said = window.statusBar().currentMessage()
    assert "tagged 1 photo" in said and "added" not in said, said
