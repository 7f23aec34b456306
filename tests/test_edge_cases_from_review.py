"""Edge cases a review found (each test failed before its fix): an older app opening a newer
index in use, previews and thumbnails of photos moved to other names, the teaching hints, and the Windows creation time."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import numpy as np
import pytest

from app.core import teaching_store as store
from app.core.index import PhotoIndex
from app.core.metadata import atomic, file_attributes
from app.core.teaching import teach
from app.core.teaching_centres import class_centres
from app.core.teaching_suggest import SuggestOptions, SuggestReport, close_hint, suggest
from tests.test_teaching import library  # noqa: F401  (fixture)


# -- a862fc5: the "held" hint ------------------------------------------------------------

def test_held_hint_counts_only_the_photos_of_the_landmark_it_names(library, tiny_bundle):  # noqa: F811
    """Two places taught from photos of two different model landmarks: the hint says
    "N photos are recognised confidently as “X”" with N the photos of BOTH landmarks
    (held counts every class, held_by names the commonest)."""
    index, paths, ids = library
    centre = class_centres(tiny_bundle)[1, 0]  # the cabin photos become confident Colosseum photos
    rng = np.random.default_rng(5)
    with index.transaction() as conn:
        for photo_id in ids["cabin"]:
            v = centre + 0.15 * rng.normal(size=tiny_bundle.embedding_size)
            store.store_embedding(conn, photo_id, tiny_bundle.id, (v / np.linalg.norm(v)).astype(np.float32))
    teach(index, "Our cabin", paths["known"][:2], bundle=tiny_bundle)  # Eiffel Tower look-alikes
    teach(index, "Shrine", paths["cabin"][:2], bundle=tiny_bundle)  # Colosseum look-alikes
    report = SuggestReport()
    assert suggest(index, "", SuggestOptions(threshold=0.5), bundle=tiny_bundle, report=report) == []
    untaught_of = {tiny_bundle.labels[0].name: len(ids["known"]) - 2, tiny_bundle.labels[1].name: len(ids["cabin"]) - 2}
    assert report.held and all(held.landmark in untaught_of for held in report.held)
    hint = close_hint(report)
    # was: "4 photos are recognised confidently as “Colosseum”" — only 3 photos are Colosseum ones
    assert all(held.photos <= untaught_of[held.landmark] for held in report.held), hint


def test_held_hint_does_not_ask_to_relabel_photos_already_labelled_as_the_place_taught(library, tiny_bundle):  # noqa: F811
    """A user teaches the model's own landmark ("Eiffel Tower", from accepted photos):
    the other Eiffel photos keep exactly the label taught. The hint still tells them to
    label those photos "if it shows your place" — nothing needs doing."""
    index, paths, ids = library
    name = tiny_bundle.labels[0].name
    teach(index, name, paths["known"][:2], bundle=tiny_bundle)
    report = SuggestReport()
    assert suggest(index, "", SuggestOptions(threshold=0.5), bundle=tiny_bundle, report=report) == []
    hint = close_hint(report) or ""
    assert "label it" not in hint and "label them" not in hint, hint


# -- c50d004: creation time on Windows ----------------------------------------------------

class _FakeKernel32:
    """kernel32 as ctypes shows it: a call whose arguments ctypes cannot convert raises
    ctypes.ArgumentError (an Exception, not an OSError)."""

    def __init__(self):
        import ctypes

        self._ctypes = ctypes
        self.closed = []

        class _Function:
            def __init__(self, call):
                self.call, self.restype, self.argtypes = call, None, None

            def __call__(self, *args):
                return self.call(*args)

        self.CreateFileW = _Function(lambda *args: 0x1A4)
        self.SetFileTime = _Function(self._set_file_time)
        self.CloseHandle = _Function(lambda handle: self.closed.append(handle) or 1)

    def _set_file_time(self, handle, *args):
        raise self._ctypes.ArgumentError("argument 1: OverflowError: int too long to convert")


def test_a_ctypes_argument_error_setting_the_creation_time_does_not_fail_the_write(tmp_path, monkeypatch):
    """keep_creation_time is "best effort" but catches only OSError/AttributeError/ValueError:
    a ctypes.ArgumentError (SetFileTime/CloseHandle are called without argtypes, the HANDLE
    passed as a C int) fails the whole write of the photo's labels."""
    import ctypes

    photo = tmp_path / "DSC_0001.JPG"
    photo.write_bytes(b"old bytes")
    kernel32 = _FakeKernel32()
    monkeypatch.setattr(ctypes, "WinDLL", lambda *args, **kwargs: kernel32, raising=False)
    monkeypatch.setattr(file_attributes, "ON_WINDOWS", True)
    monkeypatch.setattr(file_attributes, "creation_time_ns", lambda old: old.st_mtime_ns)
    atomic.replace_atomically(photo, b"new bytes")  # raised ctypes.ArgumentError
    assert photo.read_bytes() == b"new bytes"
    assert [p.name for p in tmp_path.iterdir()] == ["DSC_0001.JPG"]


# -- migrations 13/14: an older app and a newer index, two processes ------------------------

def test_an_older_app_opening_a_newer_index_in_use_says_to_upgrade_not_that_the_index_is_unusable(tmp_path, monkeypatch):
    """The newer app is writing (a scan's batch holds the write lock); an older app started
    meanwhile waits the busy timeout for BEGIN IMMEDIATE and then reports
    "… is not a usable landmark-tagger index: database is locked" — as if the index were
    damaged — instead of "written by a newer version … upgrade the app". The version
    check needs no write lock."""
    from app.core.index import connection, schema

    path = tmp_path / "index.db"
    PhotoIndex.open(path).close()  # made by this (newer) app: schema 14
    newer_app = sqlite3.connect(path, isolation_level=None)
    newer_app.execute("BEGIN IMMEDIATE")  # a scan's write in progress
    try:
        monkeypatch.setattr(schema, "LATEST_VERSION", 13)  # the app before migration 14
        monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 200)
        with pytest.raises(Exception) as raised:
            PhotoIndex.open(path)
    finally:
        newer_app.execute("ROLLBACK")
        newer_app.close()
    assert "newer version" in str(raised.value), str(raised.value)
    assert "not a usable" not in str(raised.value)


# -- cb08882: thumbnails and the detail pane ------------------------------------------------

pytest.importorskip("pytestqt")


def test_a_thumbnail_job_replaced_before_it_started_does_not_decode_the_old_path(qtbot, monkeypatch):
    """A photo moved to another name while its thumbnail job is still queued: the newer job
    wins, but the old one stays in the pool and decodes the old path anyway (the picture of
    another photo now) — a wasted decode per renamed photo, thousands after a renumbering."""
    from app.gui import thumbnail_loader as module

    gate = threading.Event()
    decoded: list[str] = []

    def slow_cached_thumbnail(path, size):
        decoded.append(str(path))
        if str(path).endswith("blocker.jpg"):
            gate.wait(5)
        raise OSError("no thumbnail in this test")

    monkeypatch.setattr(module, "cached_thumbnail", slow_cached_thumbnail)
    loader = module.ThumbnailLoader(64, threads=1)
    loader.pixmap(1, "/photos/blocker.jpg")  # keeps the only worker busy
    qtbot.waitUntil(lambda: decoded == ["/photos/blocker.jpg"], timeout=3000)
    loader.pixmap(2, "/photos/DSC_0003.JPG")  # queued
    loader.pixmap(2, "/photos/DSC_0002.JPG")  # the photo's new name: the newer job wins
    gate.set()
    assert loader.wait_for_done(5000)
    qtbot.wait(50)
    assert "/photos/DSC_0003.JPG" not in decoded, decoded


def test_a_thumbnail_that_failed_at_the_old_name_is_not_failed_once_made_from_the_new_one(qtbot, monkeypatch, tmp_path):
    """has_failed keeps the old path's failure after the photo's new path loaded: the tile
    says "no preview" while the new one loads, and the flag never clears."""
    from PySide6.QtGui import QImage

    from app.gui import thumbnail_loader as module

    image_file = tmp_path / "ok.png"
    QImage(8, 8, QImage.Format.Format_RGB32).save(str(image_file))

    def cached_thumbnail(path, size):
        if str(path).endswith("old.jpg"):
            raise OSError("cannot decode")
        return image_file

    monkeypatch.setattr(module, "cached_thumbnail", cached_thumbnail)
    loader = module.ThumbnailLoader(64, threads=1)
    loader.pixmap(7, "/photos/old.jpg")
    qtbot.waitUntil(lambda: loader.has_failed(7), timeout=3000)
    loader.pixmap(7, "/photos/new.jpg")
    qtbot.waitUntil(lambda: loader.pixmap(7, "/photos/new.jpg") is not None, timeout=3000)
    assert not loader.has_failed(7)


from tests.test_gui_support import added_folder, wait_for_results, window  # noqa: E402,F401


def test_a_refresh_with_the_same_results_does_not_decode_the_panes_preview_again(qtbot, window, tmp_path, monkeypatch):  # noqa: F811
    """_refresh_detail (cb08882) shows the pane's photo again after every search whose
    results are unchanged; show_record asks for the preview again whenever the pane has no
    image — a preview that failed, or one still loading — so each refresh decodes it again
    (and flashes "Loading preview…"; a slow RAW preview restarted by every refresh)."""
    from PySide6.QtCore import QItemSelectionModel

    from app.gui import preview_loader

    calls: list[str] = []

    def failing_preview(path, max_side):
        calls.append(str(path))
        raise ValueError("cannot identify image file")

    monkeypatch.setattr(preview_loader, "load_preview", failing_preview)
    added_folder(qtbot, window, tmp_path, count=3)
    window.grid.selectionModel().setCurrentIndex(window.grid_model.index(0),
                                                 QItemSelectionModel.SelectionFlag.ClearAndSelect)
    qtbot.waitUntil(lambda: window.detail.preview.message.startswith("No preview"), timeout=5000)
    assert len(calls) == 1
    for _ in range(3):
        window.refresh_results()
        wait_for_results(qtbot, window)
        qtbot.wait(100)
    assert len(calls) == 1, f"the same preview decoded {len(calls)} times"
