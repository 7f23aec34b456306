"""Putting a copy of the index back in its place (`landmark-tagger restore-index COPY`).

Copying a copy over the index by hand is not enough: SQLite replays any `<index>-wal`
beside the file onto whatever file is there, so a -wal the index left (a kill, a power
cut: committed pages not yet checkpointed) makes the copy "damaged", or silently turns it
back into the index it replaced. Here the copy goes in through SQLite's own backup API,
after the index has its -wal to itself checkpointed away (which needs no other process to
hold it open), and the index as it was is kept as a copy first.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.core.errors import IndexInUseError, IndexStoreError, UsageError
from app.core.index.backup import backup_folder, write_copy
from app.core.index.connection import journal_mode_for
from app.core.index.read_only_files import open_sqlite
from app.core.index.open_failures import is_disk_full

_JOURNALS = ("-wal", "-shm")
_OUR_TABLES = frozenset({"photos", "labels"})  # what marks a landmark-tagger index, at every schema


@dataclass(frozen=True)
class Restored:
    """What restore_copy did: the copy put back, its schema, and where the index as it
    was went (a copy SQLite can open; or, when the index could not be read, its files as
    they were: `<name>.unreadable` with its -wal and -shm)."""

    copy: Path
    schema: int
    kept: Path


def restore_copy(index_path: str | Path, copy_path: str | Path, now: datetime | None = None,
                 others_closed: bool = False) -> Restored:
    """Make the index at `index_path` hold what the copy at `copy_path` holds, the index
    as it was kept first in its backups folder. Raises UsageError for a copy that is not
    a whole index, IndexInUseError while another process has the index open (nothing
    changed), IndexStoreError when it cannot be written.

    An index in the rollback journal (on a share) is held by no lock while another
    program has it open and idle: that cannot be checked, so the caller must say the user
    closed every other window on it (`others_closed`), else UsageError. One left open
    all the same refuses its next change (TransactionManager: the backup changed the
    file's schema cookie)."""
    index = Path(index_path).expanduser().absolute()
    copy = Path(copy_path).expanduser().absolute()
    if not copy.is_file():
        raise UsageError(f"no copy at {copy}; `landmark-tagger stats` names the copies of the index")
    if copy == index:
        raise UsageError(f"{copy} is the index itself; name one of its copies (in {backup_folder(index)})")
    schema = _whole_copy_schema(copy)
    if not index.is_file():
        raise UsageError(f"no index at {index}; pass the index the copy belongs to with --db")
    if not others_closed and _in_rollback_journal(index):
        raise UsageError(
            f"the index {index} uses SQLite's rollback journal (as on a network share), where whether another "
            "program has it open cannot be checked: close every Landmark Tagger window on it (on every computer), "
            "then run the command again with --yes; nothing changed")
    now = now or datetime.now()
    source = open_sqlite(copy, timeout=30)
    try:
        kept = _keep_as_it_was(index, now)
        conn = sqlite3.connect(str(index), timeout=0, isolation_level=None)
        try:
            try:
                _take_alone(conn, index)
            except IndexStoreError:
                _remove_kept(kept)  # nothing changed: the copy of the index is not needed
                raise
            try:
                source.backup(conn)  # one transaction, under the rollback journal: all or nothing
            except sqlite3.Error as error:
                raise _not_put_in(index, copy, kept, error) from error
            finally:
                try:  # (put in or not: the mode the index is used in, else a retry takes it for a share)
                    conn.execute(f"PRAGMA journal_mode = {journal_mode_for(index)}")
                except sqlite3.Error:
                    pass  # the next open sets it
        finally:
            conn.close()
    finally:
        source.close()
    return Restored(copy, schema, kept)


def _whole_copy_schema(copy: Path) -> int:
    """The copy's schema, after it was found to be a landmark-tagger index (its photos
    and labels tables, there since the first schema) that this version opens, whole
    (SQLite's quick_check): anything else is refused before the index is touched."""
    from app.core.index.schema import LATEST_VERSION  # (schema imports the upgrade's modules)

    try:
        conn = open_sqlite(copy, timeout=30)
        try:
            schema = int(conn.execute("PRAGMA user_version").fetchone()[0])
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            verdict = conn.execute("PRAGMA quick_check").fetchone()[0] if schema <= LATEST_VERSION else "ok"
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        raise UsageError(f"{copy} cannot be put back: it is not a landmark-tagger index or is damaged ({error}); "
                         "nothing changed") from error
    if schema == 0 or not _OUR_TABLES <= tables:
        raise UsageError(f"{copy} cannot be put back: it holds no landmark-tagger index (no "
                         f"{' or '.join(sorted(_OUR_TABLES - tables)) or 'schema'}); nothing changed")
    if schema > LATEST_VERSION:
        raise UsageError(f"{copy} cannot be put back: this copy was written by a newer version (schema {schema}, "
                         f"this one knows {LATEST_VERSION}); upgrade the app, or name another copy; nothing changed")
    if verdict != "ok":
        raise UsageError(f"{copy} cannot be put back: it is damaged ({verdict}); nothing changed")
    return schema


def _in_rollback_journal(index: Path) -> bool:
    """Whether the file's header says rollback journal (bytes 18-19: 1; WAL: 2)."""
    try:
        with open(index, "rb") as handle:
            header = handle.read(20)
    except OSError:
        return False
    return len(header) == 20 and header[18] == 1


def _take_alone(conn: sqlite3.Connection, index: Path) -> None:
    """Leave WAL mode on `conn` (SQLite checkpoints the -wal and removes it), which only a
    connection with the file to itself may do: IndexInUseError when another process has
    the index open. A -wal of another file (a copy put back by hand) is checkpointed too;
    what it made of the file is overwritten by the copy."""
    try:
        mode = str(conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]).lower()
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            raise IndexInUseError(f"another program has the index {index} open (Landmark Tagger, an older "
                                  "version of it?); close it and run the command again; nothing changed") from error
        raise IndexStoreError(f"cannot put a copy in place of the index {index} ({error}); nothing changed") from error
    except sqlite3.DatabaseError:
        return  # damaged beyond reading (a -wal of another file): the copy replaces it all the same
    if mode != "delete":
        raise IndexStoreError(f"cannot put a copy in place of the index {index}: it stayed in {mode} mode "
                              "(read-only?); nothing changed")


def _keep_as_it_was(index: Path, now: datetime) -> Path:
    """A copy of the index before the restore (what its -wal holds too); when SQLite
    cannot read it (damaged), its files as they are, side by side, so nothing is lost
    either way. Any other failure (a full disk) leaves no file behind and changes nothing:
    IndexStoreError."""
    try:
        return write_copy(index, now, "-before-restore")
    except sqlite3.DatabaseError as error:
        if not _cannot_read(error):
            raise _not_kept(index, error) from error
    except OSError as error:
        raise _not_kept(index, error) from error
    folder = backup_folder(index)
    kept = folder / f"{index.stem}-{now:%Y%m%d-%H%M%S-%f}-before-restore.unreadable"
    try:
        folder.mkdir(exist_ok=True)
        for suffix in ("", *_JOURNALS):
            if Path(f"{index}{suffix}").is_file():
                shutil.copy2(f"{index}{suffix}", f"{kept}{suffix}")
    except OSError as error:
        _remove_kept(kept)  # a half copy as large as the free space would block every later open
        raise _not_kept(index, error) from error
    return kept


def _cannot_read(error: sqlite3.DatabaseError) -> bool:
    """Whether SQLite's `error` says the file itself is unreadable (damaged, or not a
    database), not that the copy could not be written (full disk, folder refused)."""
    name = getattr(error, "sqlite_errorname", None) or ""
    if name:
        return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
    return any(words in str(error) for words in ("malformed", "not a database"))


def _not_kept(index: Path, error: BaseException) -> IndexStoreError:
    folder = backup_folder(index)
    if _no_room(error):
        return IndexStoreError(
            f"not enough free space to keep a copy of the index before restoring (needs about "
            f"{_megabytes(_index_bytes(index))} MB on the disk holding {folder}, {_megabytes(_free_bytes(folder))} MB "
            "free); nothing changed")
    return IndexStoreError(f"cannot keep a copy of the index {index} before restoring, in {folder} ({error}); "
                           "nothing changed")


def _not_put_in(index: Path, copy: Path, kept: Path, error: sqlite3.Error) -> IndexStoreError:
    """The copy did not go in (SQLite rolled the index back): the copy kept of it goes
    too, or each retry on a full disk would add one as large as the index. Its raw files
    (a damaged index) stay: the -wal checkpointed before may have changed the file."""
    if kept.suffix == ".db":
        _remove_kept(kept)
        left = "the index was left as it was"
    else:
        left = f"the index was left as it was (its files as they were: {kept})"
    if _no_room(error):  # (the copy, the copy kept of the index and its rollback journal, less the index)
        return IndexStoreError(
            f"not enough free space to put {copy} in place of the index (needs about "
            f"{_megabytes(_index_bytes(copy) + _index_bytes(index))} MB on the disk holding {index.parent}, "
            f"{_megabytes(_free_bytes(index.parent))} MB free); {left}")
    return IndexStoreError(f"could not put {copy} back in place of {index} ({error}); {left}")


def _no_room(error: BaseException) -> bool:
    return is_disk_full(error) or getattr(error, "errno", None) == errno.ENOSPC


def _index_bytes(index: Path) -> int:
    return sum(Path(f"{index}{suffix}").stat().st_size for suffix in ("", "-wal")
               if Path(f"{index}{suffix}").is_file())


def _free_bytes(folder: Path) -> int:
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return 0


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f}"


def _remove_kept(kept: Path) -> None:
    for suffix in ("", *_JOURNALS):
        Path(f"{kept}{suffix}").unlink(missing_ok=True)
