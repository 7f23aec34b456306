"""Freeing the worker jobs our thread pools have run.

QThreadPool.start takes a Python QRunnable over to Qt's side, and our runnables have
auto-delete off (a delete by the pool, in the worker thread, would free Python objects
without the GIL held). So nothing would ever free them: every thumbnail, preview and job
of a long session, each with what it holds, would stay in memory. This keeps the
finished ones a while on the GUI thread and then deletes them there.
"""

from __future__ import annotations

from collections import deque

import shiboken6
from PySide6.QtCore import QRunnable


class FreeableRunnable(QRunnable):
    """A runnable for RetiredRunnables: auto-delete off, and `returned` set once its
    work() is over (work() runs in the worker thread)."""

    def __init__(self) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.returned = False

    def run(self) -> None:  # worker thread
        try:
            self.work()
        finally:
            self.returned = True

    def work(self) -> None:
        raise NotImplementedError


class RetiredRunnables:
    """Runnables done with, deleted once `keep` later ones were retired after them and
    their run() has returned (one still running is kept until it has)."""

    def __init__(self, keep: int = 64) -> None:
        self._keep = keep
        self._retired: deque[QRunnable] = deque()
        self._still_running: list[QRunnable] = []

    def __len__(self) -> int:
        return len(self._retired) + len(self._still_running)

    def retire(self, runnable: QRunnable) -> None:
        """A runnable that finished, or whose answer is no longer wanted (it may still run)."""
        self._retired.append(runnable)
        while len(self._retired) > self._keep:
            oldest = self._retired.popleft()
            if has_returned(oldest):
                _delete(oldest)
            else:
                self._still_running.append(oldest)
        running = []
        for waiting in self._still_running:
            if has_returned(waiting):
                _delete(waiting)
            else:
                running.append(waiting)
        self._still_running = running

    def discard_unstarted(self, runnable: QRunnable) -> None:
        """A runnable taken off the pool's queue before it started (QThreadPool.clear or
        tryTake): nothing else will run or free it."""
        _delete(runnable)


def has_returned(runnable: QRunnable) -> bool:
    """Whether the runnable's run() has returned (or it was freed before it ran);
    FreeableRunnable marks it with `returned` (another runnable counts as still running)."""
    return not shiboken6.isValid(runnable) or bool(getattr(runnable, "returned", False))


def _delete(runnable: QRunnable) -> None:
    if shiboken6.isValid(runnable):
        shiboken6.delete(runnable)
