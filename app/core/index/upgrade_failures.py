"""What an upgrade of the index that failed says, when SQLite's error would mislead.

A full disk during the migrations reads "database or disk is full", and Ctrl+C inside a
Python SQL function a migration registers reads "user-defined function raised exception"
(sqlite3 swallows the KeyboardInterrupt); said as "is not a usable landmark-tagger index",
both told users their index was broken, though the rollback had left it as it was.
"""

from __future__ import annotations

import math
import shutil
import signal
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.core.errors import IndexStoreError
from app.core.index.open_failures import is_disk_full

_MB = 1 << 20


@contextmanager
def interrupts_noted() -> Iterator[list[int]]:
    """A list that gets an entry for each Ctrl+C (SIGINT) while the block runs; the
    handler in place still runs (KeyboardInterrupt as usual). Nothing is noted off the
    main thread, or where SIGINT is ignored: no KeyboardInterrupt comes there either."""
    seen: list[int] = []
    previous = signal.getsignal(signal.SIGINT) if threading.current_thread() is threading.main_thread() else None
    if not callable(previous):
        yield seen
        return

    def note(signum, frame):
        seen.append(signum)
        previous(signum, frame)

    signal.signal(signal.SIGINT, note)
    try:
        yield seen
    finally:
        signal.signal(signal.SIGINT, previous)


def version_left(conn: sqlite3.Connection) -> int | None:
    """The schema of the index after a failed migration was rolled back (None when it
    cannot be read)."""
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.Error:
        return None


class UpgradeInterrupted(KeyboardInterrupt):
    """Ctrl+C stopped an upgrade; the index was left as it was (its message says so)."""


def failed_upgrade_error(index: str, version: int | None, newer: int, error: sqlite3.DatabaseError,
                         interrupted: bool) -> BaseException | None:
    """The exception to raise for a migration that failed with `error` and was rolled
    back (the index at schema `version` still): UpgradeInterrupted after Ctrl+C, an
    IndexStoreError saying how much space is missing after a full disk; None otherwise."""
    left = f"the index was left as it was (schema {version})" if version else "the index was left as it was"
    if interrupted:
        return UpgradeInterrupted(f"{left} and is upgraded at the next command")
    if not is_disk_full(error) or version is None:
        return None
    path = Path(index)
    size = path.stat().st_size if path.is_file() else 0
    needed = max(1, math.ceil(2 * size / _MB))  # its copy, and about as much again while the tables are rewritten
    try:
        free = f" ({shutil.disk_usage(path.parent).free / _MB:,.1f} MB free now)"
    except OSError:
        free = ""
    return IndexStoreError(
        f"not enough free space to upgrade the index {index} from schema {version} to {newer} ({error}); {left}. "
        f"Free about {needed:,} MB on the disk holding {path.parent}{free}, then try again")
