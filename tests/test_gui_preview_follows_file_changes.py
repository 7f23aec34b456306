"""The detail pane's large preview of the current photo kept its first picture after the
file changed (rewritten by an editor or Write labels…, evicted to iCloud), though the
tiles follow such changes since 7eb94f8. Now the pane's preview is rechecked with the
tiles (its file stat on a worker thread) and decoded again only when its file changed."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import Qt  # noqa: E402

from tests.test_cloud_placeholders import evict  # noqa: E402
from tests.test_gui_support import added_folder, wait_for_job, window  # noqa: E402,F401
from tests.test_gui_tiles_follow_file_changes import _changed  # noqa: E402

pytestmark = pytest.mark.gui


def _current_photo(qtbot, window) -> Path:  # noqa: F811
    window.grid.setCurrentIndex(window.grid_model.index(0))
    qtbot.waitUntil(lambda: window.detail.record is not None and window.detail.preview.image is not None,
                    timeout=10000)
    return Path(window.detail.record.path)


def _red(image) -> int:
    return image.pixelColor(image.width() // 2, image.height() // 2).red()


def test_the_preview_is_decoded_again_when_its_file_changed_and_the_app_is_active_again(
        qtbot, window, tmp_path) -> None:  # noqa: F811
    added_folder(qtbot, window, tmp_path, count=2)
    photo = _current_photo(qtbot, window)
    _changed(photo, "red")
    old = window.detail.preview.image
    assert _red(old) < 200
    window.thumbnails.recheck_when_active(Qt.ApplicationState.ApplicationActive)  # back from the editor
    qtbot.waitUntil(lambda: window.detail.preview.image is not old, timeout=10000)
    assert _red(window.detail.preview.image) > 200


def test_an_unchanged_preview_is_not_decoded_again(qtbot, window, tmp_path) -> None:  # noqa: F811
    added_folder(qtbot, window, tmp_path, count=2)
    _current_photo(qtbot, window)
    shown, loader = window.detail.preview.image, window.detail._loader
    window.thumbnails.recheck()
    qtbot.waitUntil(lambda: loader.rechecks_started == 1 and loader._rechecking is None, timeout=10000)
    assert loader.wait_for_done()
    assert window.detail.preview.image is shown


def test_a_photo_evicted_to_icloud_shows_so_in_the_pane_after_a_rescan(qtbot, window, tmp_path) -> None:  # noqa: F811
    folder = added_folder(qtbot, window, tmp_path, count=2)
    photo = _current_photo(qtbot, window)
    evict(photo, tmp_path / "kept.jpg")
    assert window.jobs.scan([folder])  # a job that may change files: tiles and preview look again
    wait_for_job(qtbot, window)
    qtbot.waitUntil(lambda: window.detail.preview.message.startswith("No preview\nIn iCloud/online only"),
                    timeout=10000)
    assert window.detail.preview.image is None
