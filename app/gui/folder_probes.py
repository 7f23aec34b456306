"""Questions to the disk about a folder, asked in daemon threads, at most one per folder
at a time. On a network drive that stopped answering one stat or listing can take
minutes; a thread that never returns must neither hold up closing the app (a daemon
thread, not a QThreadPool, which waits for its threads when deleted) nor be joined by a
new one at each click or panel rebuild, piling up threads stuck on the same dead drive."""

from __future__ import annotations

import threading
from typing import Callable, Hashable, TypeVar

T = TypeVar("T")


class FolderProbes:
    """Runs `work` for a folder in a daemon thread unless that folder's last probe is still
    running, then gives its answer to `answer` in that thread (None when work raised).
    Thread-safe: a probe ends in its own thread."""

    def __init__(self, thread_name: str) -> None:
        self._thread_name = thread_name
        self._lock = threading.Lock()
        self._running: set[Hashable] = set()

    def start(self, folder: Hashable, work: Callable[[], T], answer: Callable[[T | None], None]) -> bool:
        """Start work() for `folder`; False (nothing started) while its last probe runs."""
        with self._lock:
            if folder in self._running:
                return False
            self._running.add(folder)
        threading.Thread(target=self._run, args=(folder, work, answer), name=self._thread_name, daemon=True).start()
        return True

    def running(self, folder: Hashable) -> bool:
        """Whether a probe of `folder` has not returned yet."""
        with self._lock:
            return folder in self._running

    def _run(self, folder: Hashable, work: Callable[[], T], answer: Callable[[T | None], None]) -> None:
        result = None  # in the probe's thread
        try:
            result = work()
        except Exception:  # a disk that fails to answer gives no answer; never take the app down
            pass
        finally:
            with self._lock:  # done before the answer, so whoever it wakes may ask again at once
                self._running.discard(folder)
        answer(result)
