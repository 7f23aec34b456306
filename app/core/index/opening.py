"""Opening an index file for PhotoIndex: created when new, upgraded when an older
version made it (a copy of it kept first), and every way that can fail said as what
to do; nothing of a failed open stays held or left on disk."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.core.errors import IndexInUseError, IndexStoreError
from app.core.index import schema
from app.core.index.backup import remove_stale_half_copies, upgrade_done, upgrade_failed
from app.core.index.connection import connect, held_by_another, is_read_only
from app.core.index.open_failures import (
    files_absent, holds_no_index, remove_unfinished_index, unfinished_creation_message)
from app.core.index.read_only_files import MAKE_IT_WRITABLE
from app.core.index.schema import migrate
from app.core.index.upgrade import UpgradeHooks, UpgradeWatcher
from app.core.index.upgrade_failures import failed_upgrade_error, interrupts_noted, version_left


def open_index_file(path: str | Path | None, watch_upgrade: UpgradeWatcher | None) -> tuple[sqlite3.Connection, str]:
    """(connection, absolute path) of the index at `path`, created and migrated when
    needed (see PhotoIndex.open). Raises IndexInUseError while another process holds
    it, IndexStoreError for a file that cannot be an index or be upgraded."""
    if path is None:
        from app.core.config import default_db_path

        path = default_db_path()
    # absolute: messages and `stats` name the index a user can find from anywhere
    target = str(path) if str(path) == ":memory:" else str(Path(path).expanduser().absolute())
    absent = files_absent(target) if target != ":memory:" else ()  # what this open may create
    new_file = "" in absent
    conn = connect(target)
    _refuse_upgrading_a_read_only_index(conn, target)
    # an index made by an older version: a copy of it as it was first
    hooks = None if target == ":memory:" else UpgradeHooks(target, watch_upgrade)
    try:
        with interrupts_noted() as interrupts:
            migrate(conn, target, hooks and hooks.keep_a_copy, hooks and hooks.reached)
    except sqlite3.DatabaseError as error:
        busy = held_by_another(error)
        unfinished = not busy and target != ":memory:" and holds_no_index(conn, unreadable=new_file)
        version = None if unfinished else version_left(conn)
        conn.close()
        upgrade_failed(target)  # rolled back: the copy kept for it would take the space a retry needs
        if busy:
            raise IndexInUseError(f"another copy of Landmark Tagger is using the index {target}; "
                                  "try again when it has finished") from error
        if unfinished:  # its first creation failed (a full disk, a FUSE disk): no empty file is left for an index
            removed = remove_unfinished_index(target, absent)
            raise IndexStoreError(unfinished_creation_message(target, error, removed)) from error
        if said := failed_upgrade_error(target, version, schema.LATEST_VERSION, error, bool(interrupts)):
            raise said from error
        raise IndexStoreError(f"{target} is not a usable landmark-tagger index: {error}") from error
    except IndexStoreError:
        conn.close()  # a newer index: nothing of it stays open (Windows would keep the file held)
        raise
    upgrade_done(target)
    remove_stale_half_copies(target)
    return conn, target


def _refuse_upgrading_a_read_only_index(conn: sqlite3.Connection, target: str) -> None:
    """An index made by an older version that the user may not write cannot be upgraded:
    said as such, before its copy is taken or anything is written (SQLite's own "attempt
    to write a readonly database" read as a damaged file). Closes `conn` when it raises."""
    if not is_read_only(conn):
        return
    version = schema.schema_version(conn)
    if 0 < version < schema.LATEST_VERSION:
        conn.close()
        raise IndexStoreError(f"{target} was made by an older version of landmark-tagger (schema {version}) and "
                              f"must be upgraded, but it is read-only: {MAKE_IT_WRITABLE} and run the command again")
