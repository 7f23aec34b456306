"""Thumbnails for the grid, made in a QThreadPool and kept in a small memory cache.

The GUI thread only asks and receives: a request returns the pixmap when it is in
memory, else queues a worker that calls app.core.thumbnails (disk cache, decoding)
and later emits `ready(photo_id)`. Nothing is decoded on the GUI thread. A photo in
iCloud or online only is not read (that would download it): its failure says so
(`in_the_cloud`), for the tile to say it in place of its picture.

Each picture kept in memory remembers the state of the file it came from (mtime, size,
online-only or not). `recheck()` (after a job that may change files, and when the app
becomes active again) stats those files on a worker thread and makes again only the
thumbnails whose file changed or went to the cloud; the old picture stays on its tile
until the new one is there, and an unchanged one is kept as it is.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal
from PySide6.QtGui import QImage, QPixmap

from app.core.cloud_files import NotDownloadedError, icloud_stand_in_note, online_only_note
from app.core.errors import TaggerError
from app.core.thumbnails import cached_thumbnail, remade_thumbnail
from app.gui.retired_runnables import FreeableRunnable, RetiredRunnables


FileState = tuple  # what file_state() saw: compared whole, never taken apart


def file_state(path: Path | str) -> FileState:
    """What tells a changed file from the one a thumbnail was made of: its mtime and
    size, and whether it is online only (an eviction may keep both); for a file not
    there, whether its iCloud stand-in is. Stats the file: worker threads only."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return ("gone", icloud_stand_in_note(path) is not None)
    except OSError as error:
        return ("unreadable", error.errno)
    return (stat.st_mtime_ns, stat.st_size, online_only_note(stat) is not None)


class _WorkerSignals(QObject):
    # photo_id, the job's serial number (its path stays on this side: Qt would mangle a
    # name that is not UTF-8), and the image or why not (and whether it is in the cloud)
    finished = Signal(int, int, QImage)
    failed = Signal(int, int, str, bool)
    # a recheck's serial number and the [(photo id, path, state seen before)] that changed
    rechecked = Signal(int, object)


class _ThumbnailJob(FreeableRunnable):
    def __init__(self, photo_id: int, path: Path, size: int, serial: int, signals: _WorkerSignals,
                 missing: bool = False) -> None:
        super().__init__()
        self.photo_id = photo_id
        self.path = path
        self.size = size
        self.serial = serial
        self.signals = signals
        self.missing = missing  # the index says so: nothing is drawn, only iCloud's stand-in looked for
        self.file_state: FileState | None = None  # set by the worker before it reads the file

    def work(self) -> None:  # worker thread
        # before the read: a change during it then shows as a change at the next recheck
        self.file_state = file_state(self.path)
        if self.missing:  # a file at its name may be another photo: never drawn for this one
            note = icloud_stand_in_note(self.path)
            self.signals.failed.emit(self.photo_id, self.serial, note or "file missing", note is not None)
            return
        try:
            cached = cached_thumbnail(self.path, self.size)
            image = QImage(str(cached))
            if image.isNull():  # pruned or damaged since it was looked up: make it again, once
                image = QImage(str(remade_thumbnail(self.path, self.size)))
            if image.isNull():
                raise TaggerError(f"cannot load the cached thumbnail of {self.path}")
            self.signals.finished.emit(self.photo_id, self.serial, image)
        except NotDownloadedError as error:  # nothing read: browsing must not download it
            self.signals.failed.emit(self.photo_id, self.serial, str(error), True)
        except (TaggerError, OSError) as error:
            self.signals.failed.emit(self.photo_id, self.serial, str(error), False)
        except Exception as error:  # a worker must never take the app down
            self.signals.failed.emit(self.photo_id, self.serial, f"{type(error).__name__}: {error}", False)


class _RecheckJob(FreeableRunnable):
    """Stats the files of the thumbnails in memory, off the GUI thread (a network share
    answers 600 stats in seconds), and reports those whose file is not as it was."""

    def __init__(self, serial: int, entries: list[tuple[int, str, FileState]], signals: _WorkerSignals) -> None:
        super().__init__()
        self.serial = serial
        self.entries = entries
        self.signals = signals

    def work(self) -> None:  # worker thread
        changed = []
        try:
            for photo_id, path, seen in self.entries:
                if file_state(path) != seen:
                    changed.append((photo_id, path, seen))
        finally:  # even a surprise must not leave the loader waiting for this answer
            self.signals.rechecked.emit(self.serial, changed)


class ThumbnailLoader(QObject):
    """Asynchronous, memory-cached thumbnails keyed by photo id and made again when the
    photo's path changes (the scanner moved it to another name)."""

    ready = Signal(int)
    failed = Signal(int, str)
    rechecking = Signal()  # recheck() was asked: the detail pane's preview looks again too

    def __init__(self, size: int, memory_items: int = 600, threads: int = 3, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.size = size
        # by photo id, with the path each was made from: a photo renamed onto another's name
        # (the scanner moves it) is drawn again from its new path, not the old one's picture;
        # and the state its file had then, for recheck()
        self._memory: OrderedDict[int, tuple[str, QPixmap, FileState]] = OrderedDict()
        self._memory_items = memory_items
        # photo id -> ((path, whether the index said missing), why, whether it is in the cloud, file state)
        self._failed: dict[int, tuple[tuple[str, bool], str, bool, FileState]] = {}
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
        self._signals.rechecked.connect(self._on_rechecked)
        # one recheck at a time, on its own thread: thumbnails queued ahead do not delay it
        self._recheck_pool = QThreadPool(self)
        self._recheck_pool.setMaxThreadCount(1)
        self._recheck_running: _RecheckJob | None = None
        self._recheck_wanted: set[int] | None = set()  # photos to look at next; None: all
        self._recheck_from = -1  # jobs up to this serial may have read a file before the latest recheck()
        self.rechecks_started = 0  # for tests

    def pixmap(self, photo_id: int, path: str | Path, missing: bool = False) -> QPixmap | None:
        """The thumbnail when ready; otherwise queue it and return None. `missing` (the
        index says so): None always, and the job only looks whether the photo is in
        iCloud (in_the_cloud), as a file at its name may be another photo."""
        path = str(path)
        cached = self._memory.get(photo_id)
        if cached is not None and cached[0] == path and not missing:
            self._memory.move_to_end(photo_id)
            return cached[1]
        failed = self._failed.get(photo_id)
        job = self._jobs.get(photo_id)
        if (failed is not None and failed[0] == (path, missing)) or (
                job is not None and (str(job.path), job.missing) == (path, missing)):
            return None
        if job is not None:  # of the photo's old path (which holds another picture now)
            self._drop_job(photo_id)
        self._failed.pop(photo_id, None)  # a failure at the old path says nothing of the new one
        self._start_job(photo_id, path, missing)
        return None

    def _start_job(self, photo_id: int, path: str, missing: bool) -> None:
        self.requests_started += 1
        self._serial += 1
        job = _ThumbnailJob(photo_id, Path(path), self.size, self._serial, self._signals, missing)
        self._jobs[photo_id] = job
        self._pool.start(job)

    def pending(self) -> int:
        """Thumbnails asked for and not made yet (queued or being made)."""
        return len(self._jobs)

    def has_failed(self, photo_id: int) -> bool:
        return photo_id in self._failed

    def in_the_cloud(self, photo_id: int) -> bool:
        """Whether the photo's thumbnail was not made because the photo is in iCloud or
        online only (its iCloud stand-in in its place, or a placeholder)."""
        failed = self._failed.get(photo_id)
        return failed is not None and failed[2]

    def drop_queued(self) -> None:
        """Forget requests not started yet (after a jump in the grid); visible tiles ask again."""
        for photo_id, job in list(self._jobs.items()):
            if self._pool.tryTake(job):  # only a job still queued is taken, never a running one
                del self._jobs[photo_id]
                self._finished_jobs.discard_unstarted(job)

    def forget(self, photo_ids) -> None:
        """Drop cached thumbnails so they are made again (the file changed), and any job
        of theirs queued or running: one that read the file before the change (a write,
        an eviction to iCloud) would cache the old picture after this."""
        for photo_id in photo_ids:
            self._memory.pop(photo_id, None)
            self._failed.pop(photo_id, None)
            self._drop_job(photo_id)

    def recheck(self) -> None:
        """Look again, on a worker thread, at the files of the thumbnails in memory (and of
        those that failed) and make again those whose file changed since: written, taken
        back, edited elsewhere, evicted to iCloud or downloaded. Called after a job that
        may change files and when the app becomes active again."""
        self._recheck_from = self._serial  # a job queued by now may have read the old file
        self._recheck_wanted = None
        self._start_recheck()
        self.rechecking.emit()

    def recheck_when_active(self, state: Qt.ApplicationState) -> None:
        """For QGuiApplication.applicationStateChanged: files may have changed while the
        user was in another app (Finder's "Remove Download", an editor)."""
        if state == Qt.ApplicationState.ApplicationActive:
            self.recheck()

    def _recheck_later(self, photo_id: int) -> None:
        """A photo whose job may have read its file before the latest recheck() asked."""
        if self._recheck_wanted is not None:
            self._recheck_wanted.add(photo_id)
        self._start_recheck()

    def _start_recheck(self) -> None:
        if self._recheck_running is not None or self._recheck_wanted == set():
            return  # the running one's end starts the next
        wanted, self._recheck_wanted = self._recheck_wanted, set()
        entries = [(photo_id, path, state) for photo_id, (path, _pixmap, state) in self._memory.items()
                   if wanted is None or photo_id in wanted]
        entries += [(photo_id, key[0], state) for photo_id, (key, _why, _cloud, state) in self._failed.items()
                    if wanted is None or photo_id in wanted]
        if not entries:
            return
        self.rechecks_started += 1
        self._recheck_running = _RecheckJob(self.rechecks_started, entries, self._signals)
        self._recheck_pool.start(self._recheck_running)

    def _on_rechecked(self, serial: int, changed: list) -> None:
        running = self._recheck_running
        if running is None or running.serial != serial:
            return
        self._recheck_running = None
        self._finished_jobs.retire(running)
        for photo_id, path, seen in changed:
            self._make_again(photo_id, path, seen)
        self._start_recheck()

    def _make_again(self, photo_id: int, path: str, seen: FileState) -> None:
        """Make the photo's thumbnail again when what the recheck saw change is still what
        is shown (not replaced meanwhile). Its old picture stays until the new one is there."""
        if photo_id in self._jobs:
            return  # one is being made already, from the file as it is now
        cached, failed = self._memory.get(photo_id), self._failed.get(photo_id)
        if cached is not None and (cached[0], cached[2]) == (path, seen):
            self._start_job(photo_id, path, False)
        elif failed is not None and (failed[0][0], failed[3]) == (path, seen):
            self._start_job(photo_id, path, failed[0][1])

    def _drop_job(self, photo_id: int) -> None:
        """Take the photo's job out: a queued one is not run, a running one's answer is
        ignored (_release finds it no longer there)."""
        job = self._jobs.pop(photo_id, None)
        if job is None:
            return
        if self._pool.tryTake(job):
            self._finished_jobs.discard_unstarted(job)
        else:
            self._finished_jobs.retire(job)  # its worker runs: freed a while after it ends

    def wait_for_done(self, msecs: int = 5000) -> bool:
        """Wait for the thumbnail jobs and a recheck running (before the window closes)."""
        return self._pool.waitForDone(msecs) and self._recheck_pool.waitForDone(msecs)

    def _release(self, photo_id: int, serial: int) -> _ThumbnailJob | None:
        """This photo's job `serial`, which is done (None when a newer job, for the
        photo's new path, took its place: that one stays)."""
        job = self._jobs.get(photo_id)
        if job is None or job.serial != serial:
            return None
        self._finished_jobs.retire(self._jobs.pop(photo_id))
        return job

    def _on_finished(self, photo_id: int, serial: int, image: QImage) -> None:
        job = self._release(photo_id, serial)
        if job is None:
            return
        self._failed.pop(photo_id, None)
        self._memory[photo_id] = (str(job.path), QPixmap.fromImage(image), job.file_state)
        self._memory.move_to_end(photo_id)
        while len(self._memory) > self._memory_items:
            self._memory.popitem(last=False)
        if job.serial <= self._recheck_from:
            self._recheck_later(photo_id)
        self.ready.emit(photo_id)

    def _on_failed(self, photo_id: int, serial: int, message: str, in_the_cloud: bool) -> None:
        job = self._release(photo_id, serial)
        if job is None:
            return
        self._memory.pop(photo_id, None)  # a picture made again after a change: the old one goes too
        self._failed[photo_id] = ((str(job.path), job.missing), message, in_the_cloud, job.file_state)
        if job.serial <= self._recheck_from:
            self._recheck_later(photo_id)
        self.failed.emit(photo_id, message)
