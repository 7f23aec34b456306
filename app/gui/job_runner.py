"""Long jobs off the GUI thread: the core's progress callback, cancel token and
per-item results become Qt signals.

One job runs at a time (tagging and writing both write to the index and files);
`JobRunner.start` refuses a second one instead of queueing it silently.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QObject, QThreadPool, Signal

from app.core.errors import Cancelled, TaggerError
from app.core.index.connection import index_problem_message
from app.core.progress import CancelToken, Progress
from app.gui.retired_runnables import FreeableRunnable, RetiredRunnables

# work(progress, cancel, emit_item) -> summary; runs in the worker thread.
JobWork = Callable[[Callable[[Progress], None], CancelToken, Callable[[object], None]], object]


@dataclass(frozen=True)
class JobProgress:
    """What the job bar shows: counts plus rate and ETA measured by the GUI."""

    done: int
    total: int | None
    message: str
    rate: float | None
    eta_s: float | None


class _Signals(QObject):
    progress = Signal(object)
    item = Signal(object)
    finished = Signal(object)
    cancelled = Signal(object)
    failed = Signal(str)


class _JobRunnable(FreeableRunnable):
    def __init__(self, work: JobWork, cancel: CancelToken, signals: _Signals) -> None:
        super().__init__()
        self._work = work
        self._cancel = cancel
        self._signals = signals

    def work(self) -> None:  # worker thread
        try:
            summary = self._work(self._signals.progress.emit, self._cancel, self._signals.item.emit)
        except Cancelled:
            self._signals.cancelled.emit(None)
            return
        except TaggerError as error:
            self._signals.failed.emit(str(error))
            return
        except Exception as error:  # a bad index file, model errors and bugs: report, never crash the app
            from model.errors import ModelError

            detail = index_problem_message(None, error)  # the index went bad (or busy) under the job
            if detail is None and isinstance(error, ModelError):
                detail = str(error)  # a bundle gone or broken: the user's to mend, no trace of ours
            elif detail is None:
                detail = f"{type(error).__name__}: {error}"
                traceback.print_exc()  # a bug: its trace for the report
            self._signals.failed.emit(detail)
            return
        if self._cancel.cancelled:
            self._signals.cancelled.emit(summary)
        else:
            self._signals.finished.emit(summary)


class JobRunner(QObject):
    """Runs one named job at a time and re-emits its events on the GUI thread."""

    started = Signal(str)
    progressed = Signal(object)  # JobProgress
    item_done = Signal(object)
    finished = Signal(str, object)  # name, summary
    cancelled = Signal(str, object)
    failed = Signal(str, str)  # name, message
    stopped = Signal(str)  # after any of the three above

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._name: str | None = None
        self._cancel: CancelToken | None = None
        self._holds_index = False  # the running job keeps the index's write lock from start to end
        self._signals: _Signals | None = None
        self._runnable: _JobRunnable | None = None
        self._done_runnables = RetiredRunnables(keep=1)
        self._started_at = 0.0
        self._first_progress: tuple[float, int] | None = None

    @property
    def busy(self) -> bool:
        return self._name is not None

    @property
    def name(self) -> str | None:
        return self._name

    @property
    def holds_index(self) -> bool:
        """A job runs that keeps the index's write lock to its end (one transaction): a change
        made on the GUI thread meanwhile would freeze the window until it ends."""
        return self.busy and self._holds_index

    @property
    def cancelling(self) -> bool:
        """Cancel was asked and the job has not stopped yet (it stops between items)."""
        return self._cancel is not None and self._cancel.cancelled

    def start(self, name: str, work: JobWork, holds_index: bool = False) -> bool:
        """Start a job; False when another one is still running. `holds_index`: see holds_index."""
        if self.busy:
            return False
        self._name = name
        self._holds_index = holds_index
        self._cancel = CancelToken()
        self._started_at = time.monotonic()
        self._first_progress = None
        signals = _Signals()
        signals.progress.connect(self._on_progress)
        signals.item.connect(self.item_done)
        signals.finished.connect(lambda summary: self._stop(self.finished, summary))
        signals.cancelled.connect(lambda summary: self._stop(self.cancelled, summary))
        signals.failed.connect(lambda message: self._stop(self.failed, message))
        self._signals = signals
        self.started.emit(name)
        if self._runnable is not None:
            self._done_runnables.retire(self._runnable)
        self._runnable = _JobRunnable(work, self._cancel, signals)
        self._pool.start(self._runnable)
        return True

    def cancel(self, by_user: bool = True) -> None:
        """Ask the job to stop after the current item; what is done is kept. `by_user`
        False: not the user's Cancel but the app closing (CancelToken.cancel)."""
        if self._cancel is not None:
            self._cancel.cancel(by_user=by_user)

    def wait(self, msecs: int = 30000) -> bool:
        return self._pool.waitForDone(msecs)

    def _on_progress(self, progress: Progress) -> None:
        now = time.monotonic()
        if self._first_progress is None or progress.done < self._first_progress[1]:
            self._first_progress = (now, progress.done)
        rate = eta = None
        since, done_then = self._first_progress
        if now - since > 0.3 and progress.done > done_then:
            rate = (progress.done - done_then) / (now - since)
            if progress.total is not None:
                eta = max(0.0, (progress.total - progress.done) / rate)
        self.progressed.emit(JobProgress(progress.done, progress.total, progress.message, rate, eta))

    def _stop(self, signal, payload) -> None:
        name = self._name or ""
        self._name = None
        self._cancel = None
        # The worker may still be returning from run(); keep the runnable and its
        # signals until the next job replaces them.
        signal.emit(name, payload)
        self.stopped.emit(name)
