"""Opening the SQLite file the way every process must: WAL (the rollback journal on a
network share), a busy timeout, surrogate-safe text, and explicit IMMEDIATE transactions.

An index file the user may not write (a backup restored read-only, a share mounted
read-only) is opened read-only, and so that no -wal or -shm is made beside it: SQLite
gives those the database file's permissions, so read-only ones would keep the index
unusable once the user made it writable again."""

from __future__ import annotations

import functools
import os
import sqlite3
import stat
import urllib.parse
import weakref
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, Sequence

from app.core.errors import IndexInUseError, IndexStoreError
from app.core.index.open_failures import disk_trouble, remove_unfinished_index

BUSY_TIMEOUT_MS = 10_000
# a wait for another program's write lock longer than this is said, once (wait_notice)
WAIT_NOTICE_MS = 1_000
# set by the command line: one line on stderr, so a terminal waiting on the app's bulk job
# does not look hung; None (the app): waits are not said
wait_notice: Callable[[], None] | None = None
MAKE_IT_WRITABLE = "make it writable (the file's permissions or Read-only attribute, or the disk or share it is on)"
_JOURNALS = ("-wal", "-shm")  # what SQLite keeps beside an index in WAL mode

# Text read back from the index: non-UTF-8 file names were stored as their raw
# bytes, so decode with surrogateescape to get the exact os.fsdecode() string.
decode_text = functools.partial(str, encoding="utf-8", errors="surrogateescape")


def db_text(value: str) -> str | bytes:
    """A value to bind as `CAST(? AS TEXT)`: the string itself, or its raw bytes
    when it holds surrogate escapes (a non-UTF-8 file name), which SQLite would
    otherwise refuse."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape")


def damaged_index_message(path: str | Path | None, error: Exception) -> str:
    """What to do when SQLite finds the index file damaged (a failing disk, a copy
    taken mid-write): the photos are safe, the index can be rebuilt from them."""
    from app.core.index.backup import latest_backup_note

    where = f"the index {path}" if path else "the index"
    return (
        f"{where} is damaged or is not a landmark-tagger index ({error}); keep a copy of it, "
        "move it aside and scan your folders again to build a new one (labels already written "
        "into the photos stay in them), or pass another file with --db" + latest_backup_note(path)
    )


def held_by_another(error: BaseException) -> bool:
    """Whether SQLite failed because another connection holds the index's lock (it
    waited its busy timeout): a later try works, unlike a damaged or read-only file."""
    return isinstance(error, sqlite3.OperationalError) and ("locked" in str(error) or "busy" in str(error))


def index_problem_message(path: str | Path | None, error: BaseException) -> str | None:
    """One line for SQLite failing under a command: a damaged file, or one it cannot
    use now; None when the error is not SQLite's."""
    if not isinstance(error, sqlite3.DatabaseError):
        return None
    if not isinstance(error, sqlite3.OperationalError):
        changed = changed_while_read_only(path)
        return changed_while_read_only_message(changed, error) if changed else damaged_index_message(path, error)
    if path and "readonly database" in str(error) and is_read_only_file(path):
        return read_only_index_message(path)
    where = f"the index {path}" if path else "the index"
    trouble = disk_trouble(path, error) if path else None
    if trouble:
        return f"cannot use the index ({error}): {trouble}"
    return (f"cannot use {where} ({error}); check the disk (full?) and the file's permissions, "
            "and whether another program keeps it busy")


def changed_while_read_only(path: str | Path | None) -> str | None:
    """The index file `path` this process opened read-only (with None, that of a read-only
    connection still open: the app's jobs name no file) when a connection of its own finds
    it whole now: "malformed" read on a read-only connection then came from another
    program or user writing the file under it (an index made writable again, a share
    another computer writes), not from damage; None otherwise."""
    if path is None:
        files = sorted({conn.index_file for conn in list(_HELD_READ_ONLY)})
    elif str(path) == ":memory:":
        return None
    else:
        wanted = os.path.abspath(os.path.expanduser(os.fspath(path)))
        files = [wanted] if wanted in _OPENED_READ_ONLY else []
    return next((file for file in files if _checks_whole(file)), None)


def _checks_whole(file: str) -> bool:
    """Whether SQLite's quick_check finds `file` whole, read afresh (read-only)."""
    if not os.path.isfile(file):
        return False
    try:
        conn = _open_read_only(file, BUSY_TIMEOUT_MS / 1000)
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


def now_iso() -> str:
    """The current time as ISO 8601 UTC with seconds, as stored in *_at columns."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def id_chunks(photo_ids: Sequence[int], size: int = 500) -> Iterator[tuple[list[int], str]]:
    """(ids, "?,?,…") in slices SQLite's parameter limit allows, for `WHERE id IN (…)`."""
    for start in range(0, len(photo_ids), size):
        chunk = list(photo_ids[start : start + size])
        yield chunk, ",".join("?" * len(chunk))


def journal_mode_for(path: str | Path) -> str:
    """WAL (readers never wait for the writer) on the computer's own disks; the rollback
    journal on a network share, where WAL's shared memory does not reach the other
    computer and the file could be corrupted (see app.core.network_drives)."""
    from app.core.network_drives import is_network_path

    return "delete" if is_network_path(path) else "wal"


def _set_journal_mode(conn: sqlite3.Connection, target: str, wanted: str) -> str:
    """Switch the file to `wanted`; returns the mode it is in. Leaving WAL needs the file
    to itself: on a share, an index another process holds open in WAL (the app while a
    command runs) is used as it is, at once, rather than after the busy timeout."""
    if wanted == "delete":
        mode = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
        if mode != "wal":
            return mode
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            return str(conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]).lower()
        except sqlite3.OperationalError:  # locked by the other process
            return mode
        finally:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    mode = str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower()
    if mode != "wal":
        raise IndexStoreError(f"{target}: could not switch the index to WAL mode (got {mode})")
    return mode


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


def is_read_only(conn: sqlite3.Connection) -> bool:
    """Whether `conn` was opened read-only by `connect` (its file is not writable)."""
    return bool(conn.execute("PRAGMA query_only").fetchone()[0])


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
    holding frames must be read, so that case fails as before."""
    uri = read_only_uri(target)
    conn = _connect_uri(uri, timeout)
    if "immutable=1" not in uri and _in_wal_mode(target) and not _wal_holds_frames(target):
        try:
            conn.execute("PRAGMA schema_version").fetchone()
        except sqlite3.OperationalError as error:
            conn.close()
            if "readonly" not in str(error):  # (busy, gone): not what immutable=1 is for
                raise
            conn = _connect_uri(uri + "&immutable=1", timeout)  # no -shm could be made beside it
    conn.execute("PRAGMA query_only = ON")
    conn.index_file = os.path.abspath(target)
    _OPENED_READ_ONLY.add(conn.index_file)
    _HELD_READ_ONLY.add(conn)
    return conn


class _ReadOnlyConnection(sqlite3.Connection):
    """A read-only connection to an index file, listed in _HELD_READ_ONLY while open."""

    index_file = ""

    def close(self) -> None:
        _HELD_READ_ONLY.discard(self)
        super().close()


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


def connect(path: str | Path) -> sqlite3.Connection:
    """Open (creating when needed) the index file with the pragmas we rely on; a file
    the user may not write is opened read-only (is_read_only says so), creating nothing.

    Raises IndexStoreError naming the path when the file cannot be opened."""
    target = str(path)
    conn = None
    new_file = target != ":memory:" and not os.path.lexists(os.path.expanduser(target))
    try:
        if target != ":memory:":
            Path(target).expanduser().parent.mkdir(parents=True, exist_ok=True)
            conn = open_sqlite(target, BUSY_TIMEOUT_MS / 1000)  # we issue BEGIN IMMEDIATE / COMMIT ourselves
        else:
            conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        conn.text_factory = decode_text
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = "memory"
        if is_read_only(conn):
            mode = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
        elif target != ":memory:":
            mode = _set_journal_mode(conn, target, journal_mode_for(target))
        # WAL commits are safe with NORMAL; a rollback journal needs FULL to survive a power cut
        conn.execute(f"PRAGMA synchronous = {'NORMAL' if mode == 'wal' else 'FULL'}")
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA cache_size = -32768")  # 32 MiB page cache: bounds a scan's memory
        return conn
    except (sqlite3.DatabaseError, OSError, IndexStoreError) as error:
        if conn is not None:
            conn.close()  # nothing of a failed open stays held (an unmount, Windows' locks)
        if new_file and _is_empty(target):  # made by this open (a full disk): not left for an index
            remove_unfinished_index(os.path.expanduser(target))
        raise _open_failure(target, error) from error


def _is_empty(path: str) -> bool:
    try:
        return os.path.getsize(os.path.expanduser(path)) == 0
    except OSError:
        return False


def _open_failure(target: str, error: BaseException) -> IndexStoreError:
    """The IndexStoreError for `connect` failing with `error`: its disk full or read-only
    and its folder not writable told apart from a path to check."""
    if isinstance(error, IndexStoreError):
        return error
    if isinstance(error, sqlite3.OperationalError):
        trouble = disk_trouble(target, error)
        if trouble:
            return IndexStoreError(f"cannot open the index ({error}): {trouble}")
        return IndexStoreError(f"cannot open the index {target}: {error}; check the path and its permissions, "
                               "or pass another file with --db")
    if isinstance(error, sqlite3.DatabaseError):  # not a database, or a damaged one
        return IndexStoreError(damaged_index_message(target, error))
    return IndexStoreError(f"cannot create the folder of the index {target}: {error}")


def _begin_immediate(conn: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE, waiting the connection's busy timeout as ever; where the wait
    runs past WAIT_NOTICE_MS, `wait_notice` is called once first (the same total wait,
    in two parts: SQLite has no progress call for a busy wait)."""
    global wait_notice
    notice = wait_notice
    timeout = int(conn.execute("PRAGMA busy_timeout").fetchone()[0]) if notice is not None else 0
    if notice is None or timeout <= WAIT_NOTICE_MS:
        conn.execute("BEGIN IMMEDIATE")
        return
    conn.execute(f"PRAGMA busy_timeout = {WAIT_NOTICE_MS}")
    try:
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if not held_by_another(error):
                raise
        wait_notice = None  # said once
        notice()
        conn.execute(f"PRAGMA busy_timeout = {timeout - WAIT_NOTICE_MS}")
        conn.execute("BEGIN IMMEDIATE")
    finally:
        conn.execute(f"PRAGMA busy_timeout = {timeout}")


class TransactionManager:
    """BEGIN IMMEDIATE … COMMIT/ROLLBACK around a block; nested blocks join the
    outer transaction. IMMEDIATE takes the write lock up front, so two processes
    wait for each other (busy timeout) instead of failing with 'database is locked'."""

    def __init__(self, conn: sqlite3.Connection, schema: int | None = None) -> None:
        self._conn = conn
        self._depth = 0
        self._read_only = is_read_only(conn)
        self._schema = schema  # the schema (user_version) this process reads and writes the file by
        # SQLite's schema cookie of the file: a restore-index (SQLite's backup) raises it
        self._cookie = None if schema is None else _schema_cookie(conn)

    @contextmanager
    def __call__(self) -> Iterator[sqlite3.Connection]:
        if self._depth > 0 or self._conn.in_transaction:
            self._depth += 1
            try:
                yield self._conn
            finally:
                self._depth -= 1
            return
        if self._read_only:
            raise IndexStoreError(read_only_index_message(_file_of(self._conn)))
        try:
            _begin_immediate(self._conn)
        except sqlite3.OperationalError as error:
            trouble = "readonly database" in str(error) and journal_trouble(_file_of(self._conn))
            if trouble:
                raise IndexStoreError(f"cannot change the index ({error}): {trouble}") from error
            refused = IndexInUseError if held_by_another(error) else IndexStoreError
            raise refused(f"the index is busy or read-only: {error}; close the other program and retry") from error
        self._depth = 1
        try:
            self._refuse_a_schema_changed_meanwhile()
            yield self._conn
        except BaseException:
            self._depth = 0
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise
        self._depth = 0
        # a library call inside the block (sqlite-utils' `with conn:`) may
        # already have committed; only commit what is still open
        if self._conn.in_transaction:
            if self._cookie is not None:
                self._cookie = _schema_cookie(self._conn)  # (a change of this transaction's own)
            self._conn.execute("COMMIT")

    def _refuse_a_schema_changed_meanwhile(self) -> None:
        """A newer version upgraded the file while this connection held it (the app left
        open): what this version writes in its own ways into the other schema would stay
        wrong for good. One read of the file's header, under the write lock just taken."""
        if self._schema is None:
            return
        found = int(self._conn.execute("PRAGMA user_version").fetchone()[0])
        if found == self._schema and _schema_cookie(self._conn) == self._cookie:
            return
        index = _file_of(self._conn) or "the index"
        if found == self._schema:  # `restore-index` put a copy in while this one was open (idle: on a share
            raise IndexStoreError(  # nothing tells it), and the photo ids it holds may be other photos there
                f"the index {index} was replaced by a copy (`restore-index`) while this app had it open, so nothing "
                "was changed; restart the app")
        if found > self._schema:
            raise IndexStoreError(
                f"the index {index} was upgraded by a newer version of Landmark Tagger (schema {found}, this one "
                f"knows {self._schema}) while this one had it open, so nothing was changed; restart the app")
        raise IndexStoreError(f"the index {index} was replaced by another file (schema {found}) while this app had "
                              "it open, so nothing was changed; restart the app")


def _schema_cookie(conn: sqlite3.Connection) -> int:
    """SQLite's schema cookie (a header field): changed by a change of the tables, which
    this version makes only while it upgrades (user_version changes too), and by SQLite's
    backup into the file, which is how `restore-index` puts a copy in."""
    return int(conn.execute("PRAGMA schema_version").fetchone()[0])


def _file_of(conn: sqlite3.Connection) -> str:
    """The file `conn` has open ('' for an in-memory index)."""
    for _, name, file in conn.execute("PRAGMA database_list"):
        if name == "main":
            return file or ""
    return ""
