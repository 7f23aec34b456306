"""Index files this user may not write (a backup restored read-only, a share mounted
read-only): opened read-only, and so that no -wal or -shm is made beside them for good.
SQLite gives those the database file's permissions, so read-only ones would keep the
index unusable once the user made it writable again. A "malformed" read on such a
connection is told apart from damage (changed_while_read_only)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import tempfile
import threading
import time
import urllib.parse
import weakref
from dataclasses import dataclass
from pathlib import Path

import psutil

from app.core.errors import IndexStoreError

MAKE_IT_WRITABLE = "make it writable (the file's permissions or Read-only attribute, or the disk or share it is on)"
_JOURNALS = ("-wal", "-shm")  # what SQLite keeps beside an index in WAL mode


def is_read_only_file(path: str | Path) -> bool:
    """Whether the index file is there and this user may not write it (its permissions,
    Windows' Read-only attribute, a read-only disk or share)."""
    if str(path) == ":memory:":
        return False
    file = os.path.expanduser(os.fspath(path))
    return os.path.isfile(file) and not os.access(file, os.W_OK)


def read_only_index_message(path: str | Path) -> str:
    """The line for a change asked of an index the user may not write, or of one opened
    read-only and made writable since (its connection stays read-only until reopened)."""
    target = Path(path).expanduser()
    if not is_read_only_file(target) and target.is_file():
        return (f"the index {target} was opened read-only and has been made writable since: open it again "
                "(run the command again, or reopen the library in the app) to change it")
    return (f"the index {target} is read-only, so it cannot be changed (searching it works): "
            f"{MAKE_IT_WRITABLE} and run the command again")


def open_sqlite(path: str | Path, timeout: float) -> sqlite3.Connection:
    """sqlite3.connect for an index file: read-only where the user may not write it
    (see read_only_uri), and with any -wal or -shm that an earlier read-only open left
    read-only given the file's own permissions again, so they no longer refuse writes."""
    target = os.path.expanduser(os.fspath(path))
    if is_read_only_file(target):
        return _open_read_only(target, timeout)
    _make_journals_writable(target)
    return sqlite3.connect(target, timeout=timeout, isolation_level=None, check_same_thread=False)


def _open_read_only(target: str, timeout: float) -> sqlite3.Connection:
    """A read-only connection to `target` (PRAGMA query_only too), recorded in
    _OPENED_READ_ONLY. Where `mode=ro` cannot read a WAL index (no -shm beside it, and a
    folder in which none can be made), `immutable=1` is the only way to read it; a -wal
    holding frames must be read: on a read-only disk it is read from a copy
    (_open_copy_with_its_wal), else that case fails as before."""
    uri = read_only_uri(target)
    if "immutable=1" in uri and _in_wal_mode(target) and _wal_holds_frames(target):
        return _open_copy_with_its_wal(target, timeout)
    conn = _connect_uri(uri, timeout)
    if "immutable=1" not in uri and _in_wal_mode(target) and not _wal_holds_frames(target):
        try:
            conn.execute("PRAGMA schema_version").fetchone()
        except sqlite3.OperationalError as error:
            conn.close()
            if "readonly" not in str(error):  # (busy, gone): not what immutable=1 is for
                raise
            conn = _connect_uri(uri + "&immutable=1", timeout)  # no -shm could be made beside it
    return _held_read_only(conn, target)


def _held_read_only(conn: sqlite3.Connection, target: str) -> sqlite3.Connection:
    """`conn` to `target` made query-only and recorded as a read-only connection (in
    _OPENED_READ_ONLY and _HELD_READ_ONLY), however it was opened."""
    conn.execute("PRAGMA query_only = ON")
    conn.index_file = os.path.abspath(target)
    _OPENED_READ_ONLY.add(conn.index_file)
    _HELD_READ_ONLY.add(conn)
    return conn


READ_ONLY_DISK_NOTE = "read-only disk: showing the index as it is, nothing can be changed"


def _open_copy_with_its_wal(target: str, timeout: float) -> sqlite3.Connection:
    """A read-only connection to a copy of `target` and its -wal in a temp folder, for an
    index on a read-only disk whose -wal holds the last changes (a program that had it open
    was killed, or the disk unplugged): `immutable=1` never reads a -wal, so the index would
    look as it was before them (labels lost), and `mode=ro` cannot read it where no -shm
    can be made. One copy serves every connection this process opens to the index while
    it is unchanged (the app opens several; each copy costs the index's size in the temp
    folder); it goes when the last of them is closed; `shown_from_copy` says so.
    Raises IndexStoreError when the copy cannot be made (a full temp disk)."""
    key = _copy_key(target)
    with _COPIES_LOCK:
        copy = _COPIES.get(key)
        if copy is None or not os.path.isdir(copy.folder):
            copy = _COPIES[key] = _IndexCopy(_make_copy(target))
        copy.users += 1
    release = _CopyRelease(key, copy)
    try:
        conn = _connect_uri(_file_uri(os.path.join(copy.folder, os.path.basename(target))) + "?mode=ro", timeout)
    except sqlite3.Error as error:
        release()
        raise _no_copy_error(target, error) from error
    conn.copy_folder = copy.folder
    conn.release_copy = weakref.finalize(conn, release)  # (also for a connection never closed)
    conn.shown_from_copy = True
    return _held_read_only(conn, target)


# Copies live in folders named landmark-tagger-ro-<pid>-..., so that a later start can
# remove those whose process is gone (ended by a kill, a logout: no close ran).
_COPY_PREFIX = "landmark-tagger-ro-"
_UNNAMED_COPY_PREFIX = "landmark-tagger-read-only-"  # (earlier versions': no pid, removed after a day)
_UNNAMED_COPY_KEPT_S = 24 * 3600.0
# How far a process's create_time may read after its copy folder's last change (psutil's
# clock and the file system's may differ) for the process to be the copy's.
_PROCESS_START_SLACK_S = 120.0


@dataclass
class _IndexCopy:
    folder: str
    users: int = 0  # connections open on it


# the copies this process holds, by (index file, size and mtime of it and its -wal)
_COPIES: dict[tuple, _IndexCopy] = {}
_COPIES_LOCK = threading.Lock()


@dataclass
class _CopyRelease:
    """Called once when a connection to a copy closes: the last one removes the copy."""

    key: tuple
    copy: _IndexCopy

    def __call__(self) -> None:
        with _COPIES_LOCK:
            self.copy.users -= 1
            if self.copy.users > 0:
                return
            if _COPIES.get(self.key) is self.copy:
                del _COPIES[self.key]
        shutil.rmtree(self.copy.folder, ignore_errors=True)


def _copy_key(target: str) -> tuple:
    """What tells the index unchanged since its copy was made: its size and mtime, its -wal's."""
    key: list = [os.path.abspath(target)]
    for file in (target, f"{target}-wal"):
        try:
            found = os.stat(file)
            key.append((found.st_size, found.st_mtime_ns))
        except OSError:
            key.append(None)
    return tuple(key)


def _make_copy(target: str) -> str:
    """A new temp folder holding a copy of `target` and its -wal (copies left by processes
    gone are removed first); raises IndexStoreError when it cannot be made."""
    _remove_copies_of_gone_processes()
    try:
        folder = tempfile.mkdtemp(prefix=f"{_COPY_PREFIX}{os.getpid()}-")
    except OSError as error:
        raise _no_copy_error(target, error) from error
    copy = os.path.join(folder, os.path.basename(target))
    try:
        shutil.copyfile(target, copy)
        shutil.copyfile(f"{target}-wal", f"{copy}-wal")
    except OSError as error:
        shutil.rmtree(folder, ignore_errors=True)
        raise _no_copy_error(target, error) from error
    return folder


def _no_copy_error(target: str, error: BaseException) -> IndexStoreError:
    return IndexStoreError(
        f"the index {target} is on a read-only disk and its last changes are in {target}-wal, which can be "
        f"read only from a copy, and none could be made ({error}): make the disk writable, or free some "
        f"space in {tempfile.gettempdir()}, and run the command again")


def _remove_copies_of_gone_processes() -> None:
    """Remove the copy folders in the temp folder whose process has ended without closing
    them (a SIGTERM at logout, a kill, a crash); an earlier version's, unnamed, after a day."""
    try:
        entries = list(os.scandir(tempfile.gettempdir()))
    except OSError:
        return
    for entry in entries:
        try:
            changed = entry.stat(follow_symlinks=False).st_mtime
            if not entry.is_dir(follow_symlinks=False):
                continue
        except OSError:
            continue
        if entry.name.startswith(_UNNAMED_COPY_PREFIX):
            gone = time.time() - changed > _UNNAMED_COPY_KEPT_S
        elif entry.name.startswith(_COPY_PREFIX):
            pid = entry.name[len(_COPY_PREFIX):].split("-")[0]
            gone = pid.isdigit() and int(pid) != os.getpid() and _process_gone(int(pid), changed)
        else:
            continue
        if gone:
            shutil.rmtree(entry.path, ignore_errors=True)


def _process_gone(pid: int, folder_changed: float) -> bool:
    """Whether no process `pid` made the copy folder last changed at `folder_changed`:
    none has that id, or the one that has it started after (it got the id since). One
    that cannot be asked (another user's, on macOS and Windows) is taken as there."""
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return True  # ended, its parent has not reaped it yet
        return process.create_time() > folder_changed + _PROCESS_START_SLACK_S
    except psutil.NoSuchProcess:
        return True
    except psutil.AccessDenied:
        return False


class _ReadOnlyConnection(sqlite3.Connection):
    """A read-only connection to an index file, listed in _HELD_READ_ONLY while open;
    one that reads a copy (a read-only disk with a -wal) lets it go on close."""

    index_file = ""
    copy_folder = ""
    shown_from_copy = False
    release_copy = None

    def close(self) -> None:
        _HELD_READ_ONLY.discard(self)
        super().close()
        if self.release_copy is not None:
            self.release_copy()  # (a finalize: once only)


def _connect_uri(uri: str, timeout: float) -> sqlite3.Connection:
    return sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None, check_same_thread=False,
                           factory=_ReadOnlyConnection)


# The index files this process opened read-only, and its read-only connections still
# open: one SQLite cannot lock against writers (immutable=1) may read a mix of old and new
# pages once another program or user writes the file, which looks like damage but is not
# (see changed_while_read_only).
_OPENED_READ_ONLY: set[str] = set()
_HELD_READ_ONLY: "weakref.WeakSet[_ReadOnlyConnection]" = weakref.WeakSet()


def read_only_uri(path: str) -> str:
    """The URI that opens an index file read-only. `mode=ro` reads it under SQLite's usual
    locks, so a change another program or user makes meanwhile (the owner, this user after
    making it writable, a computer that may write the share) is seen; for a WAL index it
    makes a -wal and -shm beside it when there are none, with the file's read-only
    permissions, which a later writable open puts right (_make_journals_writable).
    `immutable=1` (no locks, no -wal nor -shm, the file read once and trusted) only where
    nothing on this computer can write the file: a disk or share mounted read-only."""
    uri = _file_uri(path) + "?mode=ro"
    if _on_read_only_disk(path):
        uri += "&immutable=1"
    return uri


def _on_read_only_disk(path: str) -> bool:
    """Whether the file system holding `path` is mounted read-only (statvfs's ST_RDONLY);
    False where statvfs is missing (Windows) or fails."""
    statvfs = getattr(os, "statvfs", None)
    read_only_flag = getattr(os, "ST_RDONLY", 0)
    if statvfs is None or not read_only_flag:
        return False
    try:
        return bool(statvfs(path).f_flag & read_only_flag)
    except OSError:
        return False


def _file_uri(path: str) -> str:
    """`file:` and the absolute path, percent-encoded (a `?` or `#` in a folder name, bytes
    that are not UTF-8). Its authority is always empty: a Windows share (`\\\\nas\\photos`)
    is `file:////nas/photos/...`, as SQLite refuses `file://nas/...`."""
    spelled = Path(path).absolute().as_posix()
    encoded = urllib.parse.quote_from_bytes(os.fsencode(spelled), safe="/:")
    return "file://" + ("" if encoded.startswith("/") else "/") + encoded


def _in_wal_mode(path: str) -> bool:
    """The file header's read and write versions (bytes 18-19) are 2 in WAL mode."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(20)
    except OSError:
        return False
    return header[18:20] == b"\x02\x02"


def _wal_holds_frames(path: str) -> bool:
    try:
        return os.path.getsize(f"{path}-wal") > 0
    except OSError:
        return False


def _make_journals_writable(path: str) -> None:
    """Give a -wal or -shm this user may not write the permissions of the index file (which
    the user may write), as SQLite does when it makes them: an open while the index was
    read-only (by an older version, or one reading a -wal) left them read-only, and every
    later write was refused with "attempt to write a readonly database". Nothing is
    removed (a -wal may hold the last changes); one that is not ours stays as it is, and
    the refused write names it (see journal_trouble)."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return
    for suffix in _JOURNALS:
        journal = f"{path}{suffix}"
        try:
            if os.path.isfile(journal) and not os.access(journal, os.W_OK):
                os.chmod(journal, mode)
        except OSError:
            continue


def journal_trouble(path: str | Path) -> str | None:
    """What keeps a writable index from being written: a -wal or -shm beside it this user
    may not write (one of another user, which _make_journals_writable could not change)."""
    for suffix in _JOURNALS:
        journal = Path(f"{Path(path).expanduser()}{suffix}")
        if journal.is_file() and not os.access(journal, os.W_OK):
            return (f"{journal} is read-only (left by an open while the index was read-only); make it writable, "
                    "or remove it while no program has the index open, and run the command again")
    return None


def changed_while_read_only(path: str | Path | None, timeout: float) -> str | None:
    """The index file `path` this process opened read-only (with None, that of a read-only
    connection still open: the app's jobs name no file) when a connection of its own finds
    it whole now: "malformed" read on a read-only connection then came from another
    program or user writing the file under it (an index made writable again, a share
    another computer writes), not from damage; None otherwise. `timeout`: seconds to wait
    for a lock while reading it afresh."""
    if path is None:
        files = sorted({conn.index_file for conn in list(_HELD_READ_ONLY)})
    elif str(path) == ":memory:":
        return None
    else:
        wanted = os.path.abspath(os.path.expanduser(os.fspath(path)))
        files = [wanted] if wanted in _OPENED_READ_ONLY else []
    return next((file for file in files if _checks_whole(file, timeout)), None)


def _checks_whole(file: str, timeout: float) -> bool:
    """Whether SQLite's quick_check finds `file` whole, read afresh (read-only)."""
    if not os.path.isfile(file):
        return False
    try:
        conn = _open_read_only(file, timeout)
        try:
            return conn.execute("PRAGMA quick_check").fetchall() == [("ok",)]
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def changed_while_read_only_message(path: str | Path, error: BaseException) -> str:
    """The line for a read-only connection that read a file changed under it."""
    return (f"the index {path} changed while it was open read-only (another program or user wrote it; {error}); "
            "it is not damaged: open it again (run the command again, or reopen the library in the app)")
