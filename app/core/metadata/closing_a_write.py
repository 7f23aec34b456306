"""The last steps of a write that a Ctrl-C pressed again must not cut short.

A second Ctrl-C aborts the write loop (KeyboardInterrupt in the main thread), and a
user who wants out presses it again and again. Until the files being written are in
place and the batch is closed, each further one would leave a worker writing into an
index that is about to close, or the batch 'running' (the next write would carry it on
as a killed one's) rather than 'cancelled', the user's choice. Both steps are short: a
file already half-written is renamed into place, verified and journalled in moments,
and closing the batch is one transaction; they are done to their end, and the
KeyboardInterrupt that aborted the loop goes on once they are. A file write can stall
though (a stalled share): one more KeyboardInterrupt while it does ends the wait
(StoppedWhileWriting), the batch left for the next write to check and carry on.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from app.core.index import PhotoIndex

if TYPE_CHECKING:
    from app.core.metadata.plan import PlannedWrite


class StoppedWhileWriting(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) pressed on while a worker still writes a file (a photo folder on
    a stalled share): the write ends without its batch closed, rather than wait on. Each
    file is journalled first and replaced atomically, so the next write or undo finds the
    batch 'running' and checks `paths`. `signal_exception`: the KeyboardInterrupt (or the
    CLI's Terminated) that ended the wait, which says how the command ends."""

    def __init__(self, paths: list[Path], batch_id: int | None, signal_exception: KeyboardInterrupt) -> None:
        super().__init__(", ".join(str(path) for path in paths))
        self.paths, self.batch_id, self.signal_exception = paths, batch_id, signal_exception


class WriteAbandoned(BaseException):
    """Raised in a worker that reaches for the index after the write gave up waiting on it
    (StoppedWhileWriting): the index is about to close, and a closed SQLite connection used
    from another thread crashes the process. Its file is replaced atomically or not at all;
    the journal entry begun for it is what a killed write leaves, which the next write or
    undo checks."""


class WriterLock:
    """The lock every index call of a write goes through (workers and loop alike), which the
    write can abandon: once it has, each later `with lock:` raises WriteAbandoned instead of
    touching the index."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.abandoned = False

    def __enter__(self) -> "WriterLock":
        self._lock.acquire()
        if self.abandoned:
            self._lock.release()
            raise WriteAbandoned()
        return self

    def __exit__(self, *exc) -> None:
        self._lock.release()

    def abandon(self) -> None:
        """Wait for the index call in progress (one short transaction), then refuse the rest."""
        with self._lock:
            self.abandoned = True


def let_the_files_being_written_finish(pool: ThreadPoolExecutor, running: dict[Future, PlannedWrite],
                                       batch_id: int | None = None, lock: WriterLock | None = None) -> None:
    """Wait for the files the workers are writing (`running`: each future's PlannedWrite);
    those queued but not started are dropped, their photos as they were. The wait is on
    the futures, never a thread's join: on Python 3.11 a join cut short by a signal
    handler's exception marks the thread stopped while it still writes, so no later join,
    nor the interpreter's exit, would wait for it. A KeyboardInterrupt during the wait (the
    user pressing on after the abort) ends it: StoppedWhileWriting names the files still
    being written."""
    try:
        pool.shutdown(wait=False, cancel_futures=True)  # idle workers end by themselves
        wait([future for future in running if not future.cancelled()])  # wait() never sees one cancelled so done
    except KeyboardInterrupt as insisted:
        still = [item.target for future, item in running.items() if not future.done()]
        if still:
            if lock is not None:  # the index closes next: no worker may be inside it then, nor come after
                lock.abandon()
            raise StoppedWhileWriting(still, batch_id, insisted) from insisted
        # every file landed meanwhile: the batch closes as the abort asked


def close_the_batch(index: PhotoIndex, close: Callable[[], None]) -> None:
    """Run `close` (journal.finish_batch or leave_for_the_next_write) to its end: a
    Ctrl-C inside it rolls its transaction back (TransactionManager), and it is run
    again; one that came between BEGIN and the block is rolled back here first."""
    interrupted = False
    while True:
        try:
            if interrupted and index.conn.in_transaction:  # the write's own connection: no outer one is open
                index.conn.execute("ROLLBACK")
            close()
            return
        except KeyboardInterrupt:
            interrupted = True
