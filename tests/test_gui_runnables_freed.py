"""Thumbnail, preview and job runnables are freed once done.

QThreadPool.start takes a Python runnable over to Qt's side; with auto-delete off (as
ours must be) nothing freed it, so every thumbnail a long browsing session asked for
stayed in memory with what it held.
"""

from __future__ import annotations

import gc
import threading

import pytest

pytest.importorskip("PySide6")


def _alive(cls) -> int:
    gc.collect()
    return sum(1 for obj in gc.get_objects() if type(obj) is cls)


def test_retired_runnables_are_deleted_once_later_ones_came_and_they_returned(qtbot):
    import shiboken6
    from PySide6.QtCore import QRunnable

    from app.gui.retired_runnables import RetiredRunnables

    class Job(QRunnable):
        def __init__(self, returned: bool) -> None:
            super().__init__()
            self.returned = returned

        def run(self) -> None:
            pass

    keeper = RetiredRunnables(keep=2)
    running = Job(returned=False)
    keeper.retire(running)
    done = [Job(returned=True) for _ in range(3)]
    for job in done:
        keeper.retire(job)
    assert shiboken6.isValid(running)  # past `keep`, but its run() has not returned
    assert not shiboken6.isValid(done[0])  # one more than `keep` came after it
    assert shiboken6.isValid(done[1]) and shiboken6.isValid(done[2])
    running.returned = True
    keeper.retire(Job(returned=True))
    assert not shiboken6.isValid(running)
    assert not shiboken6.isValid(done[1])
    assert len(keeper) == 2


def test_thumbnail_jobs_of_a_long_session_are_freed(qtbot, monkeypatch, tmp_path):
    from PySide6.QtGui import QImage

    from app.gui import thumbnail_loader as module

    image_file = tmp_path / "tile.png"
    QImage(8, 8, QImage.Format.Format_RGB32).save(str(image_file))
    monkeypatch.setattr(module, "cached_thumbnail", lambda path, size: image_file)
    before = _alive(module._ThumbnailJob)
    loader = module.ThumbnailLoader(32, memory_items=1000, threads=2)
    photos = 300
    for photo_id in range(photos):
        loader.pixmap(photo_id, f"/photos/DSC_{photo_id:04d}.JPG")
    qtbot.waitUntil(lambda: all(loader.pixmap(i, f"/photos/DSC_{i:04d}.JPG") is not None for i in range(photos)),
                    timeout=20000)
    assert loader.wait_for_done(5000)
    # a handful kept a while (their workers may still be unwinding), not one per photo
    assert _alive(module._ThumbnailJob) - before <= 80


def test_queued_thumbnail_jobs_dropped_after_a_jump_are_freed_and_never_run(qtbot, monkeypatch, tmp_path):
    from PySide6.QtGui import QImage

    from app.gui import thumbnail_loader as module

    image_file = tmp_path / "tile.png"
    QImage(8, 8, QImage.Format.Format_RGB32).save(str(image_file))
    gate, decoded = threading.Event(), []

    def cached_thumbnail(path, size):
        decoded.append(str(path))
        if str(path).endswith("blocker.jpg"):
            gate.wait(5)
        return image_file

    monkeypatch.setattr(module, "cached_thumbnail", cached_thumbnail)
    before = _alive(module._ThumbnailJob)
    loader = module.ThumbnailLoader(32, threads=1)
    loader.pixmap(0, "/photos/blocker.jpg")
    qtbot.waitUntil(lambda: decoded == ["/photos/blocker.jpg"], timeout=3000)
    for photo_id in range(1, 101):
        loader.pixmap(photo_id, f"/photos/queued_{photo_id}.jpg")
    loader.drop_queued()
    assert _alive(module._ThumbnailJob) - before == 1  # the running one only
    gate.set()
    assert loader.wait_for_done(5000)
    qtbot.waitUntil(lambda: loader.pixmap(0, "/photos/blocker.jpg") is not None, timeout=3000)
    assert decoded == ["/photos/blocker.jpg"]
    # asked again, a dropped photo is queued afresh and drawn
    qtbot.waitUntil(lambda: loader.pixmap(5, "/photos/queued_5.jpg") is not None, timeout=3000)


def test_previews_of_a_long_session_are_freed(qtbot, monkeypatch, tmp_path):
    from PIL import Image

    from app.gui import preview_loader as module

    monkeypatch.setattr(module, "load_preview", lambda path, max_side: Image.new("RGB", (16, 16)))
    before = _alive(module._PreviewJob)
    loader = module.PreviewLoader(64)
    shown = []
    loader.loaded.connect(shown.append)
    for number in range(60):
        loader.request(tmp_path / f"DSC_{number:04d}.JPG")
        qtbot.waitUntil(lambda n=number: len(shown) == n + 1, timeout=3000)
    assert loader.wait_for_done(5000)
    assert _alive(module._PreviewJob) - before <= 6


def test_finished_jobs_are_freed_when_the_next_one_starts(qtbot):
    from app.gui import job_runner as module

    before = _alive(module._JobRunnable)
    runner = module.JobRunner()
    for number in range(10):
        with qtbot.waitSignal(runner.stopped, timeout=5000):
            assert runner.start(f"job {number}", lambda progress, cancel, emit: number)
    assert _alive(module._JobRunnable) - before <= 3


def test_search_requests_are_freed(qtbot, tmp_path):
    from app.core.index import PhotoIndex
    from app.gui import results_loader as module

    PhotoIndex.open(tmp_path / "index.db").close()
    before = _alive(module._Request)
    loader = module.ResultsLoader(tmp_path / "index.db")
    try:
        for number in range(100):
            with qtbot.waitSignal(loader.searched, timeout=5000):
                loader.search(f"DSC_{number}", with_review=False)
        # a search replaced while still queued is taken back and never answered
        loader.search("first", with_review=False)
        loader.search("second", with_review=False)
        qtbot.waitUntil(lambda: not loader.busy, timeout=5000)
    finally:
        loader.close()
    assert _alive(module._Request) - before <= 70
