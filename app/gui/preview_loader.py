"""Large previews for the detail pane, decoded in a worker thread.

The preview shown remembers the state of its file (thumbnail_loader.file_state, taken by
the worker before it reads); `recheck()` stats it on the worker thread and decodes it
again when it changed (written, edited elsewhere, evicted to iCloud, downloaded)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtGui import QImage

from app.core.cloud_files import NotDownloadedError, icloud_stand_in_note
from app.core.thumbnails import load_preview
from app.gui.retired_runnables import FreeableRunnable, RetiredRunnables
from app.gui.thumbnail_loader import FileState, _RecheckJob, file_state


class _Signals(QObject):
    loaded = Signal(int, QImage)
    failed = Signal(int, str)
    rechecked = Signal(int, object)  # a recheck's ticket, [(0, path, state seen)] when the file changed


class _PreviewJob(FreeableRunnable):
    def __init__(self, ticket: int, path: Path, max_side: int, signals: _Signals, missing: bool = False) -> None:
        super().__init__()
        self.ticket, self.path, self.max_side, self.signals = ticket, path, max_side, signals
        self.missing = missing
        self.file_state: FileState | None = None  # set by the worker before it reads the file

    def work(self) -> None:  # worker thread
        self.file_state = file_state(self.path)  # before the read: a change during it shows at a recheck
        if self.missing:  # the index says missing: no picture, but iCloud may have left its stand-in
            if (note := icloud_stand_in_note(self.path)) is not None:
                self.signals.failed.emit(self.ticket, preview_problem(NotDownloadedError(self.path, note)))
            return
        try:
            image = load_preview(self.path, self.max_side)
            data = image.tobytes("raw", "RGB")
            qimage = QImage(data, image.width, image.height, 3 * image.width, QImage.Format.Format_RGB888).copy()
            self.signals.loaded.emit(self.ticket, qimage)
        except Exception as error:  # shown in the pane; never crash the app
            self.signals.failed.emit(self.ticket, preview_problem(error))


MISSING_FILE = "File missing: moved, deleted, or on a drive that is not connected; its labels are kept"
IN_THE_CLOUD = ("In iCloud/online only, not downloaded: not read, as reading it would download it "
                "(download it in Finder, or choose “Always keep on this device” in Explorer, to see it); "
                "its labels are kept")


def preview_problem(error: BaseException) -> str:
    """What the pane says when a preview fails: a file gone since the last scan is said
    in words (the next scan marks it missing), not as the system's error number; a
    photo in iCloud or online only (its stand-in in its place) is no missing file."""
    if isinstance(error, NotDownloadedError):
        return IN_THE_CLOUD
    if isinstance(error, FileNotFoundError) or isinstance(error.__cause__, FileNotFoundError):
        return MISSING_FILE
    return str(error)


class PreviewLoader(QObject):
    """Loads one preview at a time; answers for older requests are dropped."""

    loaded = Signal(QImage)
    failed = Signal(str)

    def __init__(self, max_side: int = 1600, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.max_side = max_side
        self._ticket = 0
        self._job: _PreviewJob | None = None
        self._done_jobs = RetiredRunnables(keep=4)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._signals = _Signals(self)
        self._signals.loaded.connect(self._on_loaded)
        self._signals.failed.connect(self._on_failed)
        self._signals.rechecked.connect(self._on_rechecked)
        self._shown: tuple[Path, int, bool, FileState] | None = None  # what the answer shown was made of
        self._rechecking: _RecheckJob | None = None
        self.rechecks_started = 0  # for tests

    def request(self, path: str | Path, max_side: int | None = None, missing: bool = False) -> None:
        """Decode `path` with its long side at most `max_side` (default: self.max_side);
        `missing` (the index says so): decode nothing, only say when iCloud's stand-in
        lies in its place (a file at its name may be another photo)."""
        self.cancel()
        self._shown = None
        self._job = _PreviewJob(self._ticket, Path(path), max_side or self.max_side, self._signals, missing)
        self._pool.start(self._job)

    def recheck(self) -> None:
        """Stat the file of the preview shown, on the worker thread, and decode it again when
        it changed since; the old picture stays until the new one is there. Called when the
        grid's thumbnails are rechecked (after a job that may change files, app active again)."""
        if self._shown is None or self._rechecking is not None:
            return  # nothing shown yet (its answer comes from the file as it is now), or one running
        path, _max_side, _missing, seen = self._shown
        self.rechecks_started += 1
        self._rechecking = _RecheckJob(self._ticket, [(0, str(path), seen)], self._signals)
        self._pool.start(self._rechecking)

    def _on_rechecked(self, ticket: int, changed: list) -> None:
        job, self._rechecking = self._rechecking, None
        if job is not None:
            self._done_jobs.retire(job)
        if ticket == self._ticket and changed and self._shown is not None:
            path, max_side, missing, _seen = self._shown
            self.request(path, max_side, missing)

    def cancel(self) -> None:
        """Answers of earlier requests are dropped; one not started yet never runs."""
        self._ticket += 1
        self._shown = None
        job, self._job = self._job, None
        if job is None:
            return
        if self._pool.tryTake(job):
            self._done_jobs.discard_unstarted(job)
        else:
            self._done_jobs.retire(job)  # running or done

    def wait_for_done(self, msecs: int = 5000) -> bool:
        return self._pool.waitForDone(msecs)

    def _on_loaded(self, ticket: int, image: QImage) -> None:
        if ticket == self._ticket:
            self._remember_shown()
            self.loaded.emit(image)

    def _on_failed(self, ticket: int, message: str) -> None:
        if ticket == self._ticket:
            self._remember_shown()
            self.failed.emit(message)

    def _remember_shown(self) -> None:
        job = self._job
        if job is not None:
            self._shown = (job.path, job.max_side, job.missing, job.file_state)
