"""Thumbnails for the grid, made in a QThreadPool and kept in a small memory cache.

The GUI thread only asks and receives: a request returns the pixmap when it is in
memory, else queues a worker that calls app.core.thumbnails (disk cache, decoding)
and later emits `ready(photo_id)`. Nothing is decoded on the GUI thread.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtGui import QImage, QPixmap

from app.core.errors import TaggerError
from app.core.thumbnails import cached_thumbnail, remade_thumbnail
from app.gui.retired_runnables import FreeableRunnable, RetiredRunnables


class _WorkerSignals(QObject):
    # photo_id, the job's serial number (its path stays on this side: Qt would mangle a
    # name that is not UTF-8), and the image or why not
    finished = Signal(int, int, QImage)
    failed = Signal(int, int, str)


class _ThumbnailJob(FreeableRunnable):
    def __init__(self, photo_id: int, path: Path, size: int, serial: int, signals: _WorkerSignals) -> None:
        super().__init__()
        self.photo_id = photo_id
        self.path = path
        self.size = size
        self.serial = serial
        self.signals = signals

    def work(self) -> None:  # worker thread
        try:
            cached = cached_thumbnail(self.path, self.size)
            image = QImage(str(cached))
            if image.isNull():  # pruned or damaged since it was looked up: make it again, once
                image = QImage(str(remade_thumbnail(self.path, self.size)))
            if image.isNull():
                raise TaggerError(f"cannot load the cached thumbnail of {self.path}")
            self.signals.finished.emit(self.photo_id, self.serial, image)
        except (TaggerError, OSError) as error:
            self.signals.failed.emit(self.photo_id, self.serial, str(error))
        except Exception as error:  # a worker must never take the app down
            self.signals.failed.emit(self.photo_id, self.serial, f"{type(error).__name__}: {error}")


class ThumbnailLoader(QObject):
    """Asynchronous, memory-cached thumbnails keyed by photo id and made again when the
    photo's path changes (the scanner moved it to another name)."""

    ready = Signal(int)
    failed = Signal(int, str)

    def __init__(self, size: int, memory_items: int = 600, threads: int = 3, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.size = size
        # by photo id, with the path each was made from: a photo renamed onto another's name
        # (the scanner moves it) is drawn again from its new path, not the old one's picture
        self._memory: OrderedDict[int, tuple[str, QPixmap]] = OrderedDict()
        self._memory_items = memory_items
        self._failed: dict[int, tuple[str, str]] = {}  # photo id -> (path, why)
        self._jobs: dict[int, _ThumbnailJob] = {}  # queued or running, by photo id
        # Finished jobs are freed a while later: their worker may still be unwinding.
        self._finished_jobs = RetiredRunnables()
        self._serial = 0  # each job's number, to tell a finished job from a newer one of the same photo
        self.requests_started = 0  # for tests: how many thumbnails were ever queued
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self._signals = _WorkerSignals(self)
        self._signals.finished.connect(self._on_finished)
        self._signals.failed.connect(self._on_failed)

    def pixmap(self, photo_id: int, path: str | Path) -> QPixmap | None:
        """The thumbnail when ready; otherwise queue it and return None."""
        path = str(path)
        cached = self._memory.get(photo_id)
        if cached is not None and cached[0] == path:
            self._memory.move_to_end(photo_id)
            return cached[1]
        failed = self._failed.get(photo_id)
        job = self._jobs.get(photo_id)
        if (failed is not None and failed[0] == path) or (job is not None and str(job.path) == path):
            return None
        if job is not None:  # of the photo's old path (which holds another picture now)
            if self._pool.tryTake(job):
                self._finished_jobs.discard_unstarted(job)
            else:
                self._finished_jobs.retire(job)  # its worker runs: its answer is ignored
        self._failed.pop(photo_id, None)  # a failure at the old path says nothing of the new one
        self.requests_started += 1
        self._serial += 1
        job = _ThumbnailJob(photo_id, Path(path), self.size, self._serial, self._signals)
        self._jobs[photo_id] = job
        self._pool.start(job)
        return None

    def pending(self) -> int:
        """Thumbnails asked for and not made yet (queued or being made)."""
        return len(self._jobs)

    def has_failed(self, photo_id: int) -> bool:
        return photo_id in self._failed

    def drop_queued(self) -> None:
        """Forget requests not started yet (after a jump in the grid); visible tiles ask again."""
        for photo_id, job in list(self._jobs.items()):
            if self._pool.tryTake(job):  # only a job still queued is taken, never a running one
                del self._jobs[photo_id]
                self._finished_jobs.discard_unstarted(job)

    def forget(self, photo_ids) -> None:
        """Drop cached thumbnails so they are made again (the file changed)."""
        for photo_id in photo_ids:
            self._memory.pop(photo_id, None)
            self._failed.pop(photo_id, None)

    def wait_for_done(self, msecs: int = 5000) -> bool:
        return self._pool.waitForDone(msecs)

    def _release(self, photo_id: int, serial: int) -> str | None:
        """The path of this photo's job `serial`, which is done (None when a newer job, for
        the photo's new path, took its place: that one stays)."""
        job = self._jobs.get(photo_id)
        if job is None or job.serial != serial:
            return None
        self._finished_jobs.retire(self._jobs.pop(photo_id))
        return str(job.path)

    def _on_finished(self, photo_id: int, serial: int, image: QImage) -> None:
        path = self._release(photo_id, serial)
        if path is None:
            return
        self._failed.pop(photo_id, None)
        self._memory[photo_id] = (path, QPixmap.fromImage(image))
        self._memory.move_to_end(photo_id)
        while len(self._memory) > self._memory_items:
            self._memory.popitem(last=False)
        self.ready.emit(photo_id)

    def _on_failed(self, photo_id: int, serial: int, message: str) -> None:
        path = self._release(photo_id, serial)
        if path is None:
            return
        self._failed[photo_id] = (path, message)
        self.failed.emit(photo_id, message)
