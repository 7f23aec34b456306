"""The last steps of a write that a Ctrl-C pressed again must not cut short.

A second Ctrl-C aborts the write loop (KeyboardInterrupt in the main thread), and a
user who wants out presses it again and again. Until the files being written are in
place and the batch is closed, each further one would leave a worker writing into an
index that is about to close, or the batch 'running' (the next write would carry it on
as a killed one's) rather than 'cancelled', the user's choice. Both steps are short: a
file already half-written is renamed into place, verified and journalled in moments,
and closing the batch is one transaction; they are done to their end, and the
KeyboardInterrupt that aborted the loop goes on once they are.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from app.core.index import PhotoIndex


def let_the_files_being_written_finish(pool: ThreadPoolExecutor) -> None:
    """Wait for the files the workers are writing, whatever Ctrl-Cs come meanwhile
    (the pool's `with` waits first; a Ctrl-C may cut that wait short): those queued but
    not started then are dropped, their photos as they were."""
    while True:
        try:
            pool.shutdown(wait=True, cancel_futures=True)
            return
        except KeyboardInterrupt:  # pressed again while waiting: each file is atomic, let it land
            continue


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
