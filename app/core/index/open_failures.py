"""Why the index could not be opened, created or written, said so the user knows what to fix.

SQLite names the symptom, not the cause: a disk with no room left for the `-shm` file
reads "disk I/O error", a folder that cannot hold the `-wal` and `-shm` files beside a
writable index reads "attempt to write a readonly database"; "check the path and its
permissions" then sent users to a file that was fine. And a first creation that failed
(a full disk) left a 4 KB file with no schema that later commands took for a broken
index and the weekly copy kept as the index's copy.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from app.core.errors import IndexStoreError

# An I/O error on a disk with less room than this left is taken for a full disk (SQLite
# needs 32 KiB for the -shm file alone, more for the -wal and the pages it writes).
NEARLY_FULL_BYTES = 1 << 20

# SQLite's errors of a write the disk or folder refused: (its error names, its messages)
_FULL = (("SQLITE_FULL",), ("database or disk is full",))
_IO = (("SQLITE_IOERR",), ("disk I/O error",))
_REFUSED = (("SQLITE_READONLY", "SQLITE_CANTOPEN"), ("readonly database", "unable to open database file"))
_LEFTOVER_SUFFIXES = ("", "-wal", "-shm", "-journal")


def disk_trouble(index_path: str | Path, error: BaseException) -> str | None:
    """What keeps the index's disk or folder from taking a write, when SQLite's `error`
    comes from that: no space left, a read-only disk, a folder the user may not write
    into. None for other errors (a damaged file, a lock) and for ":memory:"."""
    if str(index_path) == ":memory:":
        return None
    full, io, refused = (_is(error, kind) for kind in (_FULL, _IO, _REFUSED))
    if not (full or io or refused):
        return None
    path = Path(index_path).expanduser()
    folder = path.parent
    if full or (io and _free_bytes(folder) < NEARLY_FULL_BYTES):
        return f"no space left on the disk holding the index ({path}); free some space"
    if _read_only_disk(folder):
        return f"the disk holding the index ({path}) is read-only; make it writable or pass another file with --db"
    if folder.is_dir() and not os.access(folder, os.W_OK):
        return (f"the folder holding the index is not writable: {folder}; SQLite keeps {path.name}-wal and "
                f"{path.name}-shm beside the index: make the folder writable or pass another file with --db")
    return None


def refuse_a_nearly_full_disk(index_path: str | Path) -> None:
    """Say the index's disk full, before SQLite sets up WAL on it, when it has less than
    NEARLY_FULL_BYTES free. SQLite maps the -shm file and grows it a byte per 4 KiB page:
    on a disk of 1 KiB blocks (mkfs' choice under 512 MB: USB sticks, small partitions)
    the rest of each page stays a hole, and nearly full, the first store into one kills
    the process with SIGBUS ("Bus error", no message) rather than failing with SQLITE_FULL."""
    path = Path(index_path).expanduser()
    free = _free_bytes(path.parent)
    if free < NEARLY_FULL_BYTES:
        raise IndexStoreError(f"cannot open the index ({free // 1024:,} KB free, at least "
                              f"{NEARLY_FULL_BYTES // (1 << 20)} MB needed): no space left on the disk holding the "
                              f"index ({path}); free some space")


def is_disk_full(error: BaseException) -> bool:
    """Whether SQLite's `error` says the disk is full (SQLITE_FULL)."""
    return _is(error, _FULL)


def _is(error: BaseException, kind: tuple[tuple[str, ...], tuple[str, ...]]) -> bool:
    names, messages = kind
    return (getattr(error, "sqlite_errorname", None) or "").startswith(names) or any(
        message in str(error) for message in messages)


def _free_bytes(folder: Path) -> int:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return NEARLY_FULL_BYTES  # not known: not taken for full


def _read_only_disk(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # AttributeError: no statvfs (Windows)
        return False


def holds_no_index(conn: sqlite3.Connection, unreadable: bool = False) -> bool:
    """Whether the file open in `conn` has no schema at all (a first creation that
    failed); `unreadable` when that cannot be read: True for a file this open created
    (a FUSE disk whose -shm SQLite cannot map fails every read after its first write),
    False for one that was there (then nothing is to be removed)."""
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.Error:
        return unreadable
    return version == 0 and tables == 0


def remove_unfinished_index(path: str | Path) -> None:
    """Remove a file that holds no index (see holds_no_index; its connection closed) and
    the journals beside it: later commands would take it for a damaged index."""
    for suffix in _LEFTOVER_SUFFIXES:
        try:
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        except OSError:
            pass  # left as it is: the next creation tries again


def unfinished_creation_message(path: str | Path, error: BaseException) -> str:
    """The line for a creation of the index that failed and left nothing behind."""
    folder = Path(path).expanduser().parent
    cause = (disk_trouble(path, error)
             or f"check the disk and the permissions of {folder}, or pass another file with --db")
    return (f"could not create the index ({error}); nothing was stored, and the unfinished file was removed: "
            f"{cause}, then try again")
