"""Opening the SQLite file the way every process must: WAL (the rollback journal on a
network share), a busy timeout, surrogate-safe text, and explicit IMMEDIATE transactions.
An index file the user may not write is opened read-only (read_only_files)."""

from __future__ import annotations

import functools
import os
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, Sequence

from app.core.errors import IndexInUseError, IndexStoreError
from app.core.held_at_commit import block_closed, block_opened, hold_signals_inside, release_held
from app.core.index.open_failures import (
    disk_trouble, files_absent, fill_the_holes_of_the_shm, left_as_it_is, refuse_a_nearly_full_disk,
    remove_unfinished_index)
from app.core.index.read_only_files import (
    changed_while_read_only, changed_while_read_only_message, is_read_only_file, journal_trouble, open_sqlite,
    read_only_index_message)

BUSY_TIMEOUT_MS = 10_000
MAX_PAGE_BYTES = 65_536  # SQLite's largest page: a file no bigger holds its first page alone
SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file
# a wait for another program's write lock longer than this is said, once (wait_notice)
WAIT_NOTICE_MS = 1_000
# set by the command line: one line on stderr, so a terminal waiting on the app's bulk job
# does not look hung; None (the app): waits are not said
wait_notice: Callable[[], None] | None = None

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

    if path and _not_an_sqlite_file(path):  # a photo named by --db by mistake: nothing to move aside
        return (f"{Path(path).expanduser()} is not a landmark-tagger index (it is not an SQLite file); "
                "check the index named (--db, $LANDMARK_TAGGER_DB)" + latest_backup_note(path))
    where = f"the index {path}" if path else "the index"
    return (
        f"{where} is damaged or is not a landmark-tagger index ({error}); keep a copy of it, "
        "move it aside and scan your folders again to build a new one (labels already written "
        "into the photos stay in them), or pass another file with --db" + latest_backup_note(path)
    )


def _not_an_sqlite_file(path: str | Path) -> bool:
    """Whether the file at `path` is there, not empty, and lacks SQLite's header."""
    try:
        with open(Path(path).expanduser(), "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError:
        return False
    return bool(header) and header != SQLITE_HEADER


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
        changed = changed_while_read_only(path, BUSY_TIMEOUT_MS / 1000)
        return changed_while_read_only_message(changed, error) if changed else damaged_index_message(path, error)
    if path and "readonly database" in str(error) and is_read_only_file(path):
        return read_only_index_message(path)
    where = f"the index {path}" if path else "the index"
    trouble = disk_trouble(path, error) if path else None
    if trouble:
        return f"cannot use the index ({error}): {trouble}"
    return (f"cannot use {where} ({error}); check the disk (full?) and the file's permissions, "
            "and whether another program keeps it busy")


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
    computer and the file could be corrupted, and on a user-space FUSE file system, which
    may not map it at all (fusefat: "disk I/O error"; see app.core.network_drives)."""
    from app.core.network_drives import is_network_path, user_space_file_system

    return "delete" if is_network_path(path) or user_space_file_system(path) else "wal"


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


def is_read_only(conn: sqlite3.Connection) -> bool:
    """Whether `conn` was opened read-only by `connect` (its file is not writable)."""
    return bool(conn.execute("PRAGMA query_only").fetchone()[0])


def connect(path: str | Path) -> sqlite3.Connection:
    """Open (creating when needed) the index file with the pragmas we rely on; a file
    the user may not write is opened read-only (is_read_only says so), creating nothing.
    Of the folders above it, only the app's data folder is made (missing_index_folder).

    Raises IndexStoreError naming the path when the file cannot be opened."""
    target = str(path)
    conn = None
    # what this open may create: only that is removed if it fails (another process may make the rest)
    absent = files_absent(os.path.expanduser(target)) if target != ":memory:" else ()
    try:
        if target != ":memory:":
            _make_or_refuse_missing_folder(target)
            conn = open_sqlite(target, BUSY_TIMEOUT_MS / 1000)  # we issue BEGIN IMMEDIATE / COMMIT ourselves
        else:
            conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        conn.text_factory = decode_text
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = "memory"
        if is_read_only(conn):
            mode = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
        elif target != ":memory:":
            wanted = journal_mode_for(target)
            if wanted == "wal":  # its -shm mapped on a nearly full disk could kill us (SIGBUS)
                refuse_a_nearly_full_disk(target)
            mode = _set_journal_mode(conn, target, wanted)
            if mode == "wal":
                fill_the_holes_of_the_shm(target)
        # WAL commits are safe with NORMAL; a rollback journal needs FULL to survive a power cut
        conn.execute(f"PRAGMA synchronous = {'NORMAL' if mode == 'wal' else 'FULL'}")
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA cache_size = -32768")  # 32 MiB page cache: bounds a scan's memory
        return conn
    except (sqlite3.DatabaseError, OSError, IndexStoreError) as error:
        if conn is not None:
            conn.close()  # nothing of a failed open stays held (an unmount, Windows' locks)
        failure = _open_failure(target, error)
        # made by this open (a full disk): not left for an index, unless another process wrote into it since
        if "" in absent and _unfinished(target, error):
            if not remove_unfinished_index(os.path.expanduser(target), absent):
                failure = IndexStoreError(f"{failure}; {left_as_it_is(target)}")
        raise failure from error


def missing_index_folder(path: str | Path | None) -> Path | None:
    """The folder of the index file `path` (None: the default one) when it is missing
    and is not the app's own data folder: a folder the user named (--db,
    $LANDMARK_TAGGER_DB) on a drive that is not connected, whose mount point is then
    empty or absent. None when the folder is there, or is the data folder (a first run)."""
    from app.core.config import data_dir, default_db_path

    if str(path) == ":memory:":
        return None
    folder = Path(path or default_db_path()).expanduser().absolute().parent
    if os.path.lexists(folder) or folder == data_dir().expanduser().absolute():
        return None
    return folder


def missing_index_folder_message(folder: Path) -> str:
    """The line for an index whose folder is missing: a new index made there (with its
    folders) would lie under the drive's mount point, hidden once the drive is mounted."""
    return (f"the index folder {folder} does not exist (is its drive connected?); "
            "to start a new index there, create the folder first")


def _make_or_refuse_missing_folder(target: str) -> None:
    """Make the index's folder where it is the app's data folder; refuse one the user
    named that is missing (see missing_index_folder) rather than make it."""
    folder = missing_index_folder(target)
    if folder is not None:
        raise IndexStoreError(missing_index_folder_message(folder))
    Path(target).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _unfinished(path: str, error: BaseException) -> bool:
    """Whether the file a failed `connect` made holds nothing yet: empty, or the one page
    of SQLite's header that setting WAL writes before the -shm it cannot map fails (a
    FUSE disk); not when another process holding it made the open fail (it may be filling it)."""
    try:
        return not held_by_another(error) and os.path.getsize(os.path.expanduser(path)) <= MAX_PAGE_BYTES
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

    def __call__(self) -> _Transaction:
        return _Transaction(self)

    def _begin(self) -> None:
        """BEGIN IMMEDIATE and the schema check: on any exception, a Ctrl-C's included,
        what was begun is rolled back before it is raised."""
        if self._read_only:
            raise IndexStoreError(read_only_index_message(_file_of(self._conn)))
        try:
            try:
                _begin_immediate(self._conn)
            except sqlite3.OperationalError as error:
                trouble = "readonly database" in str(error) and journal_trouble(_file_of(self._conn))
                if trouble:
                    raise IndexStoreError(f"cannot change the index ({error}): {trouble}") from error
                refused = IndexInUseError if held_by_another(error) else IndexStoreError
                raise refused(f"the index is busy or read-only: {error}; close the other program and retry") from error
            self._depth = 1
            self._refuse_a_schema_changed_meanwhile()
        except BaseException:
            self._roll_back()
            raise

    def _end(self, failed: bool) -> None:
        """COMMIT after the block, ROLLBACK after one that raised; a Ctrl-C that cuts the
        commit short (before it ran) rolls back too, so no transaction is left open."""
        self._depth = 0
        try:
            # a library call inside the block (sqlite-utils' `with conn:`) may
            # already have committed; only commit what is still open
            if not failed and self._conn.in_transaction:
                if self._cookie is not None:
                    self._cookie = _schema_cookie(self._conn)  # (a change of this transaction's own)
                self._conn.execute("COMMIT")
        finally:
            if failed or self._conn.in_transaction:
                self._roll_back()

    def _roll_back(self) -> None:
        self._depth = 0
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

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


class _Transaction:
    """One `with index.transaction()` block. A class, not a contextlib generator: a
    signal handler's exception (Ctrl-C, the CLI's SIGTERM) runs at the next bytecode
    check, which can come just after BEGIN, or in contextlib's __enter__ once the
    generator has yielded; raised there, it left the transaction open with no __exit__
    to end it, every later block joined it, and closing the index threw them all away
    (an aborted write's 'cancelled', the journal entries of files already written).
    Here __enter__ rolls back what it began before it raises, and __exit__ always ends
    the transaction it began. A signal handled on entry to __exit__ (or _end, _roll_back),
    before any of it ran, is held by the app's handlers until the block has closed
    (held_at_commit)."""

    __slots__ = ("_manager", "_nested")

    def __init__(self, manager: TransactionManager) -> None:
        self._manager = manager
        self._nested = False

    def __enter__(self) -> sqlite3.Connection:
        manager = self._manager
        if manager._depth > 0 or manager._conn.in_transaction:  # joins the outer transaction
            self._nested = True
            manager._depth += 1
            return manager._conn
        block_opened()
        try:
            manager._begin()
        except BaseException:
            block_closed()  # (a Ctrl-C held while _begin rolled back is raised here)
            raise
        return manager._conn

    def __exit__(self, kind, error, traceback) -> None:
        if self._nested:
            try:
                self._manager._depth -= 1
            finally:
                release_held()  # (the outer block's body goes on, or stops at a held Ctrl-C)
            return
        try:
            self._manager._end(failed=kind is not None)
        finally:
            block_closed()  # the transaction ended: a Ctrl-C held meanwhile is raised now


hold_signals_inside(_Transaction.__exit__, TransactionManager._end, TransactionManager._roll_back, block_closed,
                    release_held)


def _schema_cookie(conn: sqlite3.Connection) -> int:
    """SQLite's schema cookie (a header field): changed by a change of the tables, which
    this version makes only while it upgrades (user_version changes too), and by SQLite's
    backup into the file, which is how `restore-index` puts a copy in."""
    return int(conn.execute("PRAGMA schema_version").fetchone()[0])


def _file_of(conn: sqlite3.Connection) -> str:
    """The file `conn` has open ('' for an in-memory index): the index itself where the
    connection reads a copy of it (read_only_files)."""
    if getattr(conn, "index_file", ""):
        return conn.index_file
    for _, name, file in conn.execute("PRAGMA database_list"):
        if name == "main":
            return file or ""
    return ""


@contextmanager
def savepoint(conn: sqlite3.Connection, name: str = "one_item") -> Iterator[sqlite3.Connection]:
    """One item's share of a transaction that holds many (a scan's batch of moved photos):
    a failure takes back this item's writes alone and is raised on, the batch's others kept.
    Where SQLite itself rolled the whole transaction back (a full disk), there is nothing
    left to take back here."""
    conn.execute(f"SAVEPOINT {name}")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute(f"ROLLBACK TO {name}")
            conn.execute(f"RELEASE {name}")
        raise
    conn.execute(f"RELEASE {name}")
