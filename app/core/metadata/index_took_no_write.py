"""The index's disk or folder refusing a write in the middle of `write`: a known condition,
not one file's problem, nor a bug.

Each file is journalled before it is renamed into place and recorded after, so a full
disk under the index (SQLite's "database or disk is full", or "disk I/O error" when the
-wal or -shm cannot grow) stops every file from there on, and recording it as one file's
failure would fail the same way. The write stops where it is, as a SIGTERM stops it:
the batch stays 'running' (journal.leave_for_the_next_write), the next write, once
there is room, carries it on, and one undo takes back both runs' files. The files
already written are safe either way: one whose entry could not be begun was never
touched, one whose entry or index row could not be finished after its rename holds
bytes its open entry names (recovery.py finishes it, undo restores it).
"""

from __future__ import annotations

import sqlite3

from app.core.errors import IndexInUseError, IndexStoreError

# SQLite's words for a write its file, disk or folder refused (app/core/index/open_failures.py
# says which it was); a lock held by another program is not among them: that file fails alone
_REFUSED = ("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_CANTOPEN")
_REFUSED_WORDS = ("database or disk is full", "disk I/O error", "readonly database", "unable to open database file")


def index_took_no_write(error: BaseException) -> sqlite3.Error | None:
    """The SQLite error under `error` when it says the index's disk or folder took no
    write (itself, or the cause of the IndexStoreError a BEGIN raised); None for any
    other error, a busy index's included."""
    if isinstance(error, IndexStoreError) and not isinstance(error, IndexInUseError):
        error = error.__cause__
    if not isinstance(error, sqlite3.OperationalError):
        return None
    name = getattr(error, "sqlite_errorname", None) or ""
    return error if name.startswith(_REFUSED) or any(words in str(error) for words in _REFUSED_WORDS) else None
