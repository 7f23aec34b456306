"""Thumbnails for the grid, made in a QThreadPool and kept in a small memory cache.

The GUI thread only asks and receives: a request returns the pixmap when it is in
memory, else queues a worker that calls app.core.thumbnails (disk cache, decoding)
and later emits `ready(photo_id)`. Nothing is decoded on the GUI thread.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtGui import QImage, QPixmap

from app.core.errors import TaggerError
from app.core.thumbnails import cached_thumbnail, remade_thumbnail


class _WorkerSignals(QObject):
    finished = Signal(int, int, QImage)  # photo_id, generation, image
    failed = Signal(int, int, str)


class _ThumbnailJob(QRunnable):
    def __init__(self, photo_id: int, path: Path, size: int, generation: int, signals: _WorkerSignals) -> None:
        super().__init__()
        self.setAutoDelete(False)  # deleted from Python on the GUI thread, never by the pool
        self.started = False
        self.photo_id = photo_id
        self.path = path
        self.size = size
        self.generation = generation
        self.signals = signals

    def run(self) -> None:  # worker thread
        self.started = True
        try:
            cached = cached_thumbnail(self.path, self.size)
            image = QImage(str(cached))
            if image.isNull():  # pruned or damaged since it was looked up: make it again, once
                image = QImage(str(remade_thumbnail(self.path, self.size)))
            if image.isNull():
                raise TaggerError(f"cannot load the cached thumbnail of {self.path}")
            self.signals.finished.emit(self.photo_id, self.generation, image)
        except (TaggerError, OSError) as error:
            self.signals.failed.emit(self.photo_id, self.generation, str(error))
        except Exception as error:  # a worker must never take the app down
            self.signals.failed.emit(self.photo_id, self.generation, f"{type(error).__name__}: {error}")


class ThumbnailLoader(QObject):
    """Asynchronous, memory-cached thumbnails keyed by photo id."""

    ready = Signal(int)
    failed = Signal(int, str)

    def __init__(self, size: int, memory_items: int = 600, threads: int = 3, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.size = size
        self._memory: OrderedDict[int, QPixmap] = OrderedDict()
        self._memory_items = memory_items
        self._failed: dict[int, str] = {}
        self._jobs: dict[int, _ThumbnailJob] = {}  # queued or running, by photo id
        # Finished jobs are released a while later: their worker may still be unwinding.
        self._finished_jobs: deque[_ThumbnailJob] = deque(maxlen=256)
        self._generation = 0
        self.requests_started = 0  # for tests: how many thumbnails were ever queued
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self._signals = _WorkerSignals(self)
        self._signals.finished.connect(self._on_finished)
        self._signals.failed.connect(self._on_failed)

    def pixmap(self, photo_id: int, path: str | Path) -> QPixmap | None:
        """The thumbnail when ready; otherwise queue it and return None."""
        cached = self._memory.get(photo_id)
        if cached is not None:
            self._memory.move_to_end(photo_id)
            return cached
        if photo_id in self._failed or photo_id in self._jobs:
            return None
        self.requests_started += 1
        job = _ThumbnailJob(photo_id, Path(path), self.size, self._generation, self._signals)
        self._jobs[photo_id] = job
        self._pool.start(job)
        return None

    def has_failed(self, photo_id: int) -> bool:
        return photo_id in self._failed

    def drop_queued(self) -> None:
        """Forget requests not started yet (after a jump in the grid); visible tiles ask again."""
        self._pool.clear()
        self._generation += 1
        self._jobs = {photo_id: job for photo_id, job in self._jobs.items() if job.started}

    def forget(self, photo_ids) -> None:
        """Drop cached thumbnails so they are made again (the file changed)."""
        for photo_id in photo_ids:
            self._memory.pop(photo_id, None)
            self._failed.pop(photo_id, None)

    def wait_for_done(self, msecs: int = 5000) -> bool:
        return self._pool.waitForDone(msecs)

    def _release(self, photo_id: int) -> None:
        job = self._jobs.pop(photo_id, None)
        if job is not None:
            self._finished_jobs.append(job)

    def _on_finished(self, photo_id: int, generation: int, image: QImage) -> None:
        self._release(photo_id)
        self._memory[photo_id] = QPixmap.fromImage(image)
        self._memory.move_to_end(photo_id)
        while len(self._memory) > self._memory_items:
            self._memory.popitem(last=False)
        self.ready.emit(photo_id)

    def _on_failed(self, photo_id: int, generation: int, message: str) -> None:
        self._release(photo_id)
        self._failed[photo_id] = message
        self.failed.emit(photo_id, message)
