"""Large previews for the detail pane, decoded in a worker thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtGui import QImage

from app.core.cloud_files import NotDownloadedError, icloud_stand_in_note
from app.core.thumbnails import load_preview
from app.gui.retired_runnables import FreeableRunnable, RetiredRunnables


class _Signals(QObject):
    loaded = Signal(int, QImage)
    failed = Signal(int, str)


class _PreviewJob(FreeableRunnable):
    def __init__(self, ticket: int, path: Path, max_side: int, signals: _Signals, missing: bool = False) -> None:
        super().__init__()
        self.ticket, self.path, self.max_side, self.signals = ticket, path, max_side, signals
        self.missing = missing

    def work(self) -> None:  # worker thread
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

    def request(self, path: str | Path, max_side: int | None = None, missing: bool = False) -> None:
        """Decode `path` with its long side at most `max_side` (default: self.max_side);
        `missing` (the index says so): decode nothing, only say when iCloud's stand-in
        lies in its place (a file at its name may be another photo)."""
        self.cancel()
        self._job = _PreviewJob(self._ticket, Path(path), max_side or self.max_side, self._signals, missing)
        self._pool.start(self._job)

    def cancel(self) -> None:
        """Answers of earlier requests are dropped; one not started yet never runs."""
        self._ticket += 1
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
            self.loaded.emit(image)

    def _on_failed(self, ticket: int, message: str) -> None:
        if ticket == self._ticket:
            self.failed.emit(message)
