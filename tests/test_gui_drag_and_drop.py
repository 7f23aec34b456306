"""Folders and photos dropped on the desktop app's window: added, looked up, or tagged with their folder."""

from __future__ import annotations

from dataclasses import replace

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from tests.test_gui_support import (  # noqa: E402,F401
    added_folder,
    make_photo_folder,
    wait_for_job,
    wait_for_results,
    window,
)

pytestmark = pytest.mark.gui


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
