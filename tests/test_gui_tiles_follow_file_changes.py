"""A tile kept the picture it was first given for the whole session: a photo evicted to
iCloud while the app was open still showed its picture after Tag folder rescanned (only
the pane said "In iCloud/online only"), and a photo rewritten by a write, an undo or an
editor kept its old thumbnail (GUI tester round 7 finding 2, review 4 finding 7). Now the
loader stats, on a worker thread, the files of the thumbnails it holds after a job that may
change files (and when the app becomes active again), and makes again only those that
changed; an unchanged photo keeps its picture as it is."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from PIL import Image  # noqa: E402

from app.gui.photo_model import IN_THE_CLOUD_TILE, ThumbnailNoteRole, ThumbnailRole  # noqa: E402
from tests.test_cloud_placeholders import STAND_IN  # noqa: E402
from tests.test_gui_support import added_folder, wait_for_job, window  # noqa: E402,F401

pytestmark = pytest.mark.gui


def _photo(path: Path, colour: str) -> Path:
    Image.new("RGB", (64, 48), colour).save(path, "JPEG")
    return path


def _changed(path: Path, colour: str) -> None:
    """Rewrite the photo, its mtime clearly later (a file system may keep 1-2 s steps)."""
    before = path.stat().st_mtime_ns
    _photo(path, colour)
    os.utime(path, ns=(before + 5_000_000_000, before + 5_000_000_000))


def _red_of(pixmap) -> int:
    return pixmap.toImage().pixelColor(pixmap.width() // 2, pixmap.height() // 2).red()


def test_a_recheck_remakes_only_the_changed_photo_and_keeps_its_old_picture_meanwhile(qtbot, tmp_path) -> None:
    from app.gui.thumbnail_loader import ThumbnailLoader

    changed, unchanged = _photo(tmp_path / "a.jpg", "red"), _photo(tmp_path / "b.jpg", "blue")
    loader = ThumbnailLoader(32)
    for photo_id, path in ((1, changed), (2, unchanged)):
        loader.pixmap(photo_id, path)
    qtbot.waitUntil(lambda: None not in (loader.pixmap(1, changed), loader.pixmap(2, unchanged)), timeout=10000)
    old, kept = loader.pixmap(1, changed), loader.pixmap(2, unchanged)
    assert _red_of(old) > 200
    _changed(changed, "lime")
    with qtbot.waitSignal(loader._signals.rechecked, timeout=10000):
        loader.recheck()
    meanwhile = loader.pixmap(1, changed)  # the old picture until the new one is there: no blank tile
    assert meanwhile is old or (meanwhile is not None and _red_of(meanwhile) < 50)  # (a loaded machine: made already)
    qtbot.waitUntil(lambda: loader.pixmap(1, changed) is not old, timeout=10000)
    assert _red_of(loader.pixmap(1, changed)) < 50  # the new picture
    assert loader.pixmap(2, unchanged) is kept and loader.requests_started == 3  # the unchanged one not made again
    assert loader.wait_for_done()


def _tile_pixmap(qtbot, window, row: int):  # noqa: F811
    index = window.grid_model.index(row)
    qtbot.waitUntil(lambda: window.grid_model.data(index, ThumbnailRole) is not None, timeout=10000)
    return window.grid_model.data(index, ThumbnailRole)


def _row_of(window, photo: Path) -> int:  # noqa: F811
    photo_id = window.index.photo_ids(f'path:"{photo.resolve()}"')[0]
    return next(row for row in range(window.grid_model.rowCount()) if window.grid_model.photo_id(row) == photo_id)


def test_a_photo_evicted_to_icloud_shows_the_cloud_tile_after_a_rescan(qtbot, window, tmp_path) -> None:  # noqa: F811
    folder = added_folder(qtbot, window, tmp_path, count=3)
    evicted = sorted(folder.rglob("*.jpg"))[0]
    row = _row_of(window, evicted)
    _tile_pixmap(qtbot, window, row)  # the tile shows its picture
    evicted.rename(tmp_path / "kept.jpg")
    evicted.with_name(f".{evicted.name}.icloud").write_bytes(STAND_IN)
    assert window.jobs.scan([folder])  # no forget() by hand: the app itself must notice
    wait_for_job(qtbot, window)
    row = _row_of(window, evicted)
    qtbot.waitUntil(lambda: window.grid_model.data(window.grid_model.index(row), ThumbnailNoteRole)
                    == IN_THE_CLOUD_TILE, timeout=10000)
    assert window.grid_model.data(window.grid_model.index(row), ThumbnailRole) is None


def test_a_photo_rewritten_by_a_write_gets_its_new_tile_and_the_others_keep_theirs(
        qtbot, window, tmp_path, monkeypatch) -> None:  # noqa: F811
    from app.gui import job_controller
    from app.gui.write_dialog import WritePlanDialog

    added_folder(qtbot, window, tmp_path, count=3)
    model = window.grid_model
    before = {model.photo_id(row): _tile_pixmap(qtbot, window, row) for row in range(model.rowCount())}
    written = model.photo_id(0)
    window.index.set_label(written, "Pont du Gard", source="user", state="accepted")
    path = Path(window.index.get(written).path)
    stat_before = path.stat()
    monkeypatch.setattr(job_controller.WritePlanDialog, "exec", lambda dialog: WritePlanDialog.DialogCode.Accepted)
    requests = window.thumbnails.requests_started
    assert window.write_labels()
    qtbot.waitUntil(lambda: "Pont du Gard".encode() in path.read_bytes(), timeout=30000)
    wait_for_job(qtbot, window)
    assert (path.stat().st_mtime_ns, path.stat().st_size) != (stat_before.st_mtime_ns, stat_before.st_size)

    def tile(photo_id: int):
        row = next(row for row in range(model.rowCount()) if model.photo_id(row) == photo_id)
        return model.data(model.index(row), ThumbnailRole)

    qtbot.waitUntil(lambda: tile(written) is not None and tile(written) is not before[written], timeout=10000)
    assert window.thumbnails.requests_started == requests + 1  # that photo's, and no other
    assert all(tile(photo_id) is pixmap for photo_id, pixmap in before.items() if photo_id != written)
