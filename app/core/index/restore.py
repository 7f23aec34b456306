"""Putting a copy of the index back in its place (`landmark-tagger restore-index COPY`).

Copying a copy over the index by hand is not enough: SQLite replays any `<index>-wal`
beside the file onto whatever file is there, so a -wal the index left (a kill, a power
cut: committed pages not yet checkpointed) makes the copy "damaged", or silently turns it
back into the index it replaced. Here the copy goes in through SQLite's own backup API,
after the index has its -wal to itself checkpointed away (which needs no other process to
hold it open), and the index as it was is kept as a copy first.
"""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.core.errors import IndexInUseError, IndexStoreError, UsageError
from app.core.index.backup import backup_folder, write_copy
from app.core.index.connection import journal_mode_for, open_sqlite

_JOURNALS = ("-wal", "-shm")


@dataclass(frozen=True)
class Restored:
    """What restore_copy did: the copy put back, its schema, and where the index as it
    was went (a copy SQLite can open; or, when the index could not be read, its files as
    they were: `<name>.unreadable` with its -wal and -shm)."""

    copy: Path
    schema: int
    kept: Path


def restore_copy(index_path: str | Path, copy_path: str | Path, now: datetime | None = None) -> Restored:
    """Make the index at `index_path` hold what the copy at `copy_path` holds, the index
    as it was kept first in its backups folder. Raises UsageError for a copy that is not
    a whole index, IndexInUseError while another process has the index open (nothing
    changed), IndexStoreError when it cannot be written."""
    index = Path(index_path).expanduser().absolute()
    copy = Path(copy_path).expanduser().absolute()
    if not copy.is_file():
        raise UsageError(f"no copy at {copy}; `landmark-tagger stats` names the copies of the index")
    if copy == index:
        raise UsageError(f"{copy} is the index itself; name one of its copies (in {backup_folder(index)})")
    schema = _whole_copy_schema(copy)
    if not index.is_file():
        raise UsageError(f"no index at {index}; pass the index the copy belongs to with --db")
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
                raise IndexStoreError(f"could not put {copy} back in place of {index} ({error}); the index was "
                                      f"left as it was (its copy: {kept})") from error
            conn.execute(f"PRAGMA journal_mode = {journal_mode_for(index)}")
        finally:
            conn.close()
    finally:
        source.close()
    return Restored(copy, schema, kept)


def _whole_copy_schema(copy: Path) -> int:
    """The copy's schema, after SQLite's quick_check found it whole."""
    try:
        conn = open_sqlite(copy, timeout=30)
        try:
            schema = int(conn.execute("PRAGMA user_version").fetchone()[0])
            verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        raise UsageError(f"{copy} cannot be put back: it is not a landmark-tagger index or is damaged ({error})") from error
    if schema == 0 or verdict != "ok":
        raise UsageError(f"{copy} cannot be put back: " + (
            "it holds no landmark-tagger index" if schema == 0 else f"it is damaged ({verdict})"))
    return schema


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
    cannot read it, its files as they are, side by side, so nothing is lost either way."""
    try:
        return write_copy(index, now, "-before-restore")
    except sqlite3.DatabaseError:
        pass
    folder = backup_folder(index)
    folder.mkdir(exist_ok=True)
    kept = folder / f"{index.stem}-{now:%Y%m%d-%H%M%S-%f}-before-restore.unreadable"
    for suffix in ("", *_JOURNALS):
        if Path(f"{index}{suffix}").is_file():
            shutil.copy2(f"{index}{suffix}", f"{kept}{suffix}")
    return kept


def _remove_kept(kept: Path) -> None:
    for suffix in ("", *_JOURNALS):
        Path(f"{kept}{suffix}").unlink(missing_ok=True)
