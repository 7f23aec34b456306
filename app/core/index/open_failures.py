"""Why the index could not be opened, created or written, said so the user knows what to fix.

SQLite names the symptom, not the cause: a disk with no room left for the `-shm` file
reads "disk I/O error", a folder that cannot hold the `-wal` and `-shm` files beside a
writable index reads "attempt to write a readonly database"; "check the path and its
permissions" then sent users to a file that was fine. And a first creation that failed
(a full disk) left a 4 KB file with no schema that later commands took for a broken
index and the weekly copy kept as the index's copy.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from pathlib import Path

from app.core.errors import IndexStoreError

# An I/O error on a disk with less room than this left is taken for a full disk (SQLite
# needs 32 KiB for the -shm file alone, more for the -wal and the pages it writes).
NEARLY_FULL_BYTES = 1 << 20
# Room the -shm file needs to grow into on opening in WAL (refuse_a_nearly_full_disk):
# its first 32 KiB region and the next, with margin; reads and small changes fit above it.
SHM_ROOM_BYTES = 128 << 10
WAL_HEADER_BYTES = 32  # a -wal longer than its header holds frames: someone wrote to the index

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
    SHM_ROOM_BYTES free. SQLite maps the -shm file and grows it a byte per 4 KiB page:
    on a disk of 1 KiB blocks (mkfs' choice under 512 MB: USB sticks, small partitions)
    the rest of each page stays a hole, and nearly full, the first store into one kills
    the process with SIGBUS ("Bus error", no message) rather than failing with SQLITE_FULL.
    So the floor is SHM_ROOM_BYTES, and a -shm already there with every block allocated (no
    hole to fault on) is no reason to refuse: a full card can still be searched and labelled."""
    path = Path(index_path).expanduser()
    free = _free_bytes(path.parent)
    if free < SHM_ROOM_BYTES and not _fully_allocated(Path(f"{path}-shm")):
        raise _nearly_full(path, free)


def fill_the_holes_of_the_shm(index_path: str | Path) -> None:
    """Give the -shm SQLite has just mapped (the index open in WAL) a block for every byte,
    its contents unchanged: with holes left in it, a write that then fills the disk (a
    `label` with 140 KB free on a 1 KiB-block disk) died of SIGBUS at its next store into
    one, where it now fails with SQLITE_FULL, said and rolled back. Only a file with holes
    is touched (a file system that has none, FAT, is left alone); where posix_fallocate is
    missing (Windows, macOS) nothing is done. Raises IndexStoreError when no room is left."""
    allocate = getattr(os, "posix_fallocate", None)
    shm = Path(f"{Path(index_path).expanduser()}-shm")
    if allocate is None or _fully_allocated(shm):
        return
    try:
        handle = os.open(shm, os.O_RDWR)
    except OSError:
        return  # not there (nothing mapped), or not ours to change
    try:
        size = os.fstat(handle).st_size
        if size:
            allocate(handle, 0, size)
    except OSError as error:
        if error.errno == errno.ENOSPC:
            raise _nearly_full(Path(index_path).expanduser(), _free_bytes(shm.parent)) from error
    finally:
        os.close(handle)


def _nearly_full(path: Path, free: int) -> IndexStoreError:
    return IndexStoreError(f"cannot open the index ({free // 1024:,} KB free, at least "
                           f"{SHM_ROOM_BYTES // 1024} KB needed): no space left on the disk holding the "
                           f"index ({path}); free some space")


def _fully_allocated(path: Path) -> bool:
    """Whether the file at `path` is there, not empty, and has no holes (its blocks cover
    its size); False where that cannot be known (no st_blocks: Windows)."""
    try:
        stat = os.stat(path)
    except OSError:
        return False
    blocks = getattr(stat, "st_blocks", None)
    return stat.st_size > 0 and blocks is not None and blocks * 512 >= stat.st_size


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


def files_absent(path: str | Path) -> tuple[str, ...]:
    """The suffixes ("" the index itself, "-wal", "-shm", "-journal") of the files not
    there at `path` now: taken before an open, what that open may have created."""
    return tuple(suffix for suffix in _LEFTOVER_SUFFIXES if not os.path.lexists(f"{path}{suffix}"))


def remove_unfinished_index(path: str | Path, created: tuple[str, ...] = _LEFTOVER_SUFFIXES) -> bool:
    """Remove, of the index file that holds no index (its connection closed) and the
    journals beside it, those `created` by the failed open (files_absent before it): later
    commands would take it for a damaged index. Nothing is removed where anything shows
    another process has stored into it meanwhile (two processes creating the index at
    once): a -wal with frames, a schema in the file's header, a rollback journal. Returns
    whether the files were removed (False: left as they are)."""
    if _written_by_someone(Path(path)):
        return False
    for suffix in created:
        try:
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        except OSError:
            pass  # left as it is: the next creation tries again
    return True


def _written_by_someone(path: Path) -> bool:
    """Whether the index file at `path` (closed by this process) shows a write: a -wal
    holding frames (what another process committed, in WAL, is there until a checkpoint),
    a rollback journal with content, or a header with a schema, a user_version or more
    than one page; a file that is not SQLite's and not empty; True when unreadable."""
    try:
        for suffix, empty_up_to in (("-wal", WAL_HEADER_BYTES), ("-journal", 0)):
            if os.path.lexists(f"{path}{suffix}") and os.path.getsize(f"{path}{suffix}") > empty_up_to:
                return True
        if not os.path.lexists(path):
            return False
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError:
        return True
    if not header:
        return False
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return True
    pages, schema_cookie, user_version = (int.from_bytes(header[at:at + 4], "big") for at in (28, 40, 60))
    return pages > 1 or schema_cookie != 0 or user_version != 0


def unfinished_creation_message(path: str | Path, error: BaseException, removed: bool = True) -> str:
    """The line for a creation of the index that failed: its unfinished file removed, or
    left where another process has written into it meanwhile (remove_unfinished_index)."""
    folder = Path(path).expanduser().parent
    cause = (disk_trouble(path, error)
             or f"check the disk and the permissions of {folder}, or pass another file with --db")
    what = "the unfinished file was removed" if removed else left_as_it_is(path)
    return f"could not create the index ({error}); nothing was stored, and {what}: {cause}, then try again"


def left_as_it_is(path: str | Path) -> str:
    """Said where a failed open kept the index file it had started (remove_unfinished_index)."""
    return f"{path} was left as it is (another program has just written into it)"
