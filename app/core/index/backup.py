"""Copies of the index kept beside it.

The labels a user accepted or corrected, the places taught and the write journal live
only in the index until `write` puts labels into the photos. A damaged index file (a
failing disk, a machine that lost power while the file was being copied) would lose
them all; with a weekly copy it costs a week of review at most. The copy is SQLite's
own online backup (a consistent snapshot, taken while other processes use the index),
written to a temp file and renamed, so a copy is whole or absent.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from app.core.metadata.atomic import flush_to_disk

BACKUP_EVERY = timedelta(days=7)
KEEP = 3  # the newest copies kept; older ones are removed
SUFFIX = ".backups"


def backup_folder(index_path: str | Path) -> Path:
    """`<index>.backups/` beside the index file."""
    path = Path(index_path).expanduser()
    return path.with_name(path.name + SUFFIX)


def backups(index_path: str | Path) -> list[Path]:
    """The copies there are, oldest first (their names carry the time they were taken)."""
    folder = backup_folder(index_path)
    return sorted(folder.glob("*.db")) if folder.is_dir() else []


def backup_if_due(index_path: str | Path, now: datetime | None = None, every: timedelta = BACKUP_EVERY,
                  keep: int = KEEP) -> Path | None:
    """Copy the index when the newest copy is older than `every` (or there is none);
    returns the new copy, or None when none was due. OSError/sqlite3.Error propagate
    (the caller runs this in the background and may ignore them)."""
    if str(index_path) == ":memory:" or not Path(index_path).expanduser().is_file():
        return None
    now = now or datetime.now()
    existing = backups(index_path)
    if existing and datetime.fromtimestamp(existing[-1].stat().st_mtime) > now - every:
        return None
    folder = backup_folder(index_path)
    folder.mkdir(exist_ok=True)
    # named to the microsecond, and never over another copy: two copies within a second
    # (two merges by rename) must not overwrite each other
    target = folder / f"{Path(index_path).stem}-{now:%Y%m%d-%H%M%S-%f}.db"
    while target.exists():
        now += timedelta(microseconds=1)
        target = folder / f"{Path(index_path).stem}-{now:%Y%m%d-%H%M%S-%f}.db"
    temp = target.with_name(target.name + ".tmp")
    try:
        source = sqlite3.connect(str(Path(index_path).expanduser()), timeout=30)
        try:
            copy = sqlite3.connect(str(temp))
            try:
                source.backup(copy)  # one step: a consistent snapshot under a read lock
            finally:
                copy.close()
        finally:
            source.close()
        # opened for writing: Windows flushes only a handle with write access (fsync on
        # a read-only one fails with EBADF, and no copy would ever be kept there)
        with open(temp, "r+b") as handle:
            flush_to_disk(handle.fileno())
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)  # (gone after the rename; a half copy after a failure)
    for old in backups(index_path)[:-keep]:
        old.unlink(missing_ok=True)
    return target


def backup_quietly(index_path: str | Path, every: timedelta = BACKUP_EVERY) -> Path | None:
    """backup_if_due for the app's start: a copy that cannot be made (a full disk, a
    read-only folder) is tried again next time and never stops the app."""
    try:
        return backup_if_due(index_path, every=every)
    except (OSError, sqlite3.Error):
        return None


def latest_backup_note(index_path: str | Path | None) -> str:
    """'; a copy of the index from <date> is at <path>' for messages about a damaged
    index, or '' when there is none."""
    if not index_path or str(index_path) == ":memory:":
        return ""
    try:
        found = backups(index_path)
    except OSError:
        return ""
    if not found:
        return ""
    taken = datetime.fromtimestamp(found[-1].stat().st_mtime)
    return (f"; a copy of the index from {taken:%Y-%m-%d %H:%M} is at {found[-1]} (copy it over "
            f"{Path(index_path).expanduser()} to go back to it)")
