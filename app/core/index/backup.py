"""Copies of the index kept beside it.

The labels a user accepted or corrected, the places taught and the write journal live
only in the index until `write` puts labels into the photos. A damaged index file (a
failing disk, a machine that lost power while the file was being copied) would lose
them all; with a weekly copy it costs a week of review at most. The copy is SQLite's
own online backup (a consistent snapshot, taken while other processes use the index),
written to a temp file and renamed, so a copy is whole or absent.

Before an older index is upgraded to a newer schema, a copy of it as it was is taken
too (`<index>-<time>-before-upgrade-from-schema-<N>.db`): the only file an older app
can still open, and the way back if an upgrade goes wrong. The weekly rule (the newest
3 kept) never removes it. A later upgrade's copy (of a copy put back by `restore-index`,
say) replaces none that holds another index: the newest UPGRADE_KEEP are kept, and only
a byte-identical one goes (the same index kept twice).
"""

from __future__ import annotations

import errno
import filecmp
import os
import re
import shutil
import sqlite3
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

from app.core.errors import IndexStoreError
from app.core.file_owner import owner_hint
from app.core.index.open_failures import NEARLY_FULL_BYTES, SHM_ROOM_BYTES, holds_no_index, is_disk_full
from app.core.index.read_only_files import is_read_only_file, open_sqlite
from app.core.metadata.atomic import STALE_TEMP_AGE_S, flush_to_disk

BACKUP_EVERY = timedelta(days=7)
KEEP = 3  # the newest copies kept; older ones are removed
UPGRADE_KEEP = 3  # the newest copies taken before upgrades kept (each of another index)
SUFFIX = ".backups"
_UPGRADE_COPY = re.compile(r"-before-upgrade-from-schema-(\d+)\.db$")
_HALF_COPY = re.compile(r"\.db\.tmp(-journal|-wal|-shm)?$")  # write_copy's temp file and its journals


def backup_folder(index_path: str | Path) -> Path:
    """`<index>.backups/` beside the index file."""
    path = Path(index_path).expanduser()
    return path.with_name(path.name + SUFFIX)


def backups(index_path: str | Path) -> list[Path]:
    """The copies there are, oldest first (their names carry the time they were taken).
    A copy of a file with no schema (an older version copied what a failed first
    creation left) is none: it must not count as the week's copy, nor be offered."""
    folder = backup_folder(index_path)
    return sorted(path for path in folder.glob("*.db") if _holds_an_index(path)) if folder.is_dir() else []


def _holds_an_index(copy: Path) -> bool:
    """Whether the copy has a schema: its header's schema cookie or user_version (bytes
    40-43 and 60-63, big-endian; a copy is a whole file, with no -wal beside it) is not 0.
    One that cannot be read now is listed, as before."""
    try:
        with open(copy, "rb") as handle:
            header = handle.read(100)
    except OSError:
        return True
    return len(header) == 100 and (int.from_bytes(header[40:44], "big") or int.from_bytes(header[60:64], "big")) != 0


def backup_if_due(index_path: str | Path, now: datetime | None = None, every: timedelta = BACKUP_EVERY,
                  keep: int = KEEP, skipped: Callable[[str], None] | None = None) -> Path | None:
    """Copy the index when the newest copy is older than `every` (or there is none; the
    copy taken before an upgrade counts, it holds the same labels); returns the new
    copy, or None when none was due (nor for an index the user may not write). A copy
    due on a disk without room for it and as much again (no_room_for_copy) is skipped,
    `skipped` told why. OSError/sqlite3.Error propagate
    (the caller runs this in the background and may ignore them)."""
    if str(index_path) == ":memory:" or not Path(index_path).expanduser().is_file():
        return None
    if is_read_only_file(index_path):
        return None  # nothing can change it, so nothing is lost without a copy
    now = now or datetime.now()
    existing = backups(index_path)
    if existing and datetime.fromtimestamp(existing[-1].stat().st_mtime) > now - every:
        return None
    if not _has_schema(index_path):
        return None  # what a failed first creation left (see open_failures): nothing to keep a copy of
    if (why := no_room_for_copy(index_path)) is not None:
        if skipped is not None and why:
            skipped(why)
        return None
    target = write_copy(index_path, now)
    for old in [path for path in backups(index_path) if not is_upgrade_copy(path)][:-keep]:
        old.unlink(missing_ok=True)
    return target


def no_room_for_copy(index_path: str | Path) -> str | None:
    """Why this week's copy is not taken now, None when it is: on a nearly full disk the
    copy, taken just before a command, used the room that command needed (a `label` then
    failed "disk full" where it fitted without the copy). So the disk must hold the copy
    (the index and its -wal), as much again for the command, and NEARLY_FULL_BYTES; free
    space not known: the copy is taken. "": skipped without a word, the disk too full for
    the index to open (under SHM_ROOM_BYTES: connection's refuse_a_nearly_full_disk says so)."""
    index = Path(index_path).expanduser()
    try:
        size = sum(os.path.getsize(f"{index}{suffix}") for suffix in ("", "-wal") if os.path.isfile(f"{index}{suffix}"))
        free = shutil.disk_usage(index.parent).free
    except OSError:
        return None
    needed = 2 * size + NEARLY_FULL_BYTES
    if free >= needed:
        return None
    if free < SHM_ROOM_BYTES:
        return ""
    return (f"this week's copy of the index was skipped for lack of room: {free / 1e6:.1f} MB free on the disk "
            f"holding {index}, about {needed / 1e6:.1f} MB needed (the copy, and room left for the command); "
            "free some space and the next command takes it")


def _has_schema(index_path: str | Path) -> bool:
    """Whether the index file has a schema, read by a connection of its own, which sees
    what is still in its -wal."""
    source = open_sqlite(index_path, timeout=30)
    try:
        return not holds_no_index(source)
    finally:
        source.close()


def is_upgrade_copy(path: str | Path) -> bool:
    """Whether `path` is the copy taken before an upgrade (kept apart from the weekly rule)."""
    return bool(_UPGRADE_COPY.search(Path(path).name))


def copies_opened_by(index_path: str | Path, schema: int) -> list[tuple[Path, int]]:
    """The copies (taken before an upgrade, kept before a `restore-index`, or weekly) a
    version knowing `schema` opens, oldest first, each with its schema (in the name of a
    copy taken before an upgrade, else in its header): the newest is the way back."""
    if str(index_path) == ":memory:":
        return []
    try:
        found = [(path, int(match.group(1)) if (match := _UPGRADE_COPY.search(path.name)) else _schema_in_header(path))
                 for path in backups(index_path)]
    except OSError:
        return []
    return [(path, version) for path, version in found if 0 < version <= schema]


def _schema_in_header(copy: Path) -> int:
    """The copy's user_version (header bytes 60-63; a copy is a whole file); 0 unread."""
    try:
        with open(copy, "rb") as handle:
            header = handle.read(100)
    except OSError:
        return 0
    return int.from_bytes(header[60:64], "big") if len(header) == 100 else 0


def is_restore_copy(path: str | Path) -> bool:
    """Whether `path` is the copy of the index `restore-index` kept before putting another in."""
    return Path(path).name.endswith("-before-restore.db")


def backup_before_upgrade(index_path: str | Path, version: int, newer: int, now: datetime | None = None) -> Path:
    """Copy the index as it is (schema `version`; the caller holds the write lock the
    upgrade will use) before it is upgraded to schema `newer`; the copy
    joins those taken before earlier upgrades once the upgrade is done (upgrade_done),
    and goes if it fails (upgrade_failed). Returns the copy.

    Raises IndexStoreError when the copy cannot be made (a full disk, a read-only
    folder): the index must then not be upgraded, since nothing could bring it back."""
    try:
        # (write_copy reads by a connection of its own: SQLite refuses a backup from the
        # connection that holds the write transaction; the lock keeps others from changing the file)
        target = write_copy(index_path, now or datetime.now(), f"-before-upgrade-from-schema-{version}")
    except (OSError, sqlite3.Error) as error:
        raise IndexStoreError(
            f"cannot keep a copy of the index {Path(index_path).expanduser()} before upgrading it from schema "
            f"{version} to {newer} ({error}); it was left as it was. {_what_to_fix(index_path, error)}, then try again"
        ) from error
    _COPIES_OF_UPGRADES_UNDER_WAY[_key(index_path)] = target
    return target


def _what_to_fix(index_path: str | Path, error: BaseException) -> str:
    """What keeps the copy from being written: the folder of copies not writable (one a
    `sudo` run left owned by another user), or its disk full; both when it cannot be told."""
    folder = backup_folder(index_path)
    blocked = folder if folder.is_dir() else folder.parent
    if not os.access(blocked, os.W_OK):  # (SQLite says only "unable to open database file")
        return f"The folder {blocked} is not writable (Permission denied): make it writable{owner_hint(blocked)}"
    if is_disk_full(error) or getattr(error, "errno", None) == errno.ENOSPC:
        return f"Free some space on the disk holding {blocked}"
    return f"Free some space on its disk or make {blocked} writable (the copy goes to {folder})"


# index file -> the copy backup_before_upgrade took for the upgrade under way in this process
_COPIES_OF_UPGRADES_UNDER_WAY: dict[str, Path] = {}


def _key(index_path: str | Path) -> str:
    return str(Path(index_path).expanduser().absolute())


def upgrade_done(index_path: str | Path, keep: int = UPGRADE_KEEP) -> None:
    """After the upgrade backup_before_upgrade kept a copy for: a copy taken before an
    earlier upgrade goes only when it is the same file as the new one, or beyond the
    newest `keep`. One of another index stays: after `restore-index` of an older weekly
    copy, the copy taken before the first upgrade is the only one of the user's latest
    labels an older version opens (replacing it lost the way back with them)."""
    copy = _COPIES_OF_UPGRADES_UNDER_WAY.pop(_key(index_path), None)
    if copy is None:
        return
    for old in backups(index_path):
        if is_upgrade_copy(old) and old != copy and _same_bytes(old, copy):
            old.unlink(missing_ok=True)
    for old in [path for path in backups(index_path) if is_upgrade_copy(path)][:-keep]:
        old.unlink(missing_ok=True)


def _same_bytes(one: Path, other: Path) -> bool:
    """Whether two copies are byte-identical (SQLite's backup of the same index writes
    the same bytes); one that cannot be read is not the same, so it stays."""
    try:
        return filecmp.cmp(one, other, shallow=False)
    except OSError:
        return False


def upgrade_failed(index_path: str | Path) -> None:
    """After an upgrade that failed and left the index as it was: the copy kept for it
    goes, so that it does not take the space the next try needs (a full disk), and the
    copy taken before an earlier upgrade stays."""
    copy = _COPIES_OF_UPGRADES_UNDER_WAY.pop(_key(index_path), None)
    if copy is not None:
        copy.unlink(missing_ok=True)


def write_copy(index_path: str | Path, now: datetime, tail: str = "") -> Path:
    """SQLite's online backup of the index, read by a connection of its own, into a new
    copy in backup_folder, written to a temp file, flushed and renamed, so it is whole or
    absent; returns the copy. The folder is made only for a copy of a file SQLite reads
    (not for a photo named by --db by mistake), and goes again when it stays empty."""
    folder = backup_folder(index_path)
    source = open_sqlite(index_path, timeout=30)
    made = False
    try:
        source.execute("PRAGMA schema_version").fetchone()  # "file is not a database": nothing made beside it
        made = not folder.is_dir()
        folder.mkdir(exist_ok=True)
        target = _copy_from(source, folder, Path(index_path).stem, now, tail)
    except BaseException:
        if made:
            _remove_if_empty(folder)
        raise
    finally:
        source.close()
    return target


def _copy_from(source: sqlite3.Connection, folder: Path, stem: str, now: datetime, tail: str) -> Path:
    """write_copy's copy of the index open in `source` into `folder`."""
    _remove_stale_half_copies(folder)
    # named to the microsecond, and never over another copy: two copies within a second
    # (two merges by rename) must not overwrite each other
    target = folder / f"{stem}-{now:%Y%m%d-%H%M%S-%f}{tail}.db"
    while target.exists():
        now += timedelta(microseconds=1)
        target = folder / f"{stem}-{now:%Y%m%d-%H%M%S-%f}{tail}.db"
    temp = target.with_name(target.name + ".tmp")
    try:
        copy = sqlite3.connect(str(temp))
        try:
            source.backup(copy)  # one step: a consistent snapshot under a read lock
        finally:
            copy.close()
        # opened for writing: Windows flushes only a handle with write access (fsync on
        # a read-only one fails with EBADF, and no copy would ever be kept there)
        with open(temp, "r+b") as handle:
            flush_to_disk(handle.fileno())
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)  # (gone after the rename; a half copy after a failure)
    return target


def _remove_if_empty(folder: Path) -> None:
    """Remove the folder of copies write_copy made for a copy that failed, if it holds nothing."""
    try:
        folder.rmdir()
    except OSError:
        pass  # not empty (another process's copy), or gone already


def remove_stale_half_copies(index_path: str | Path) -> None:
    """_remove_stale_half_copies for an index being opened: a kill during the copy taken
    before an upgrade left one as large as the index, which the next copy, up to a week
    later, would have been the first to remove."""
    if str(index_path) == ":memory:":
        return
    folder = backup_folder(index_path)
    if folder.is_dir():
        _remove_stale_half_copies(folder)


def remove_half_upgrade_copies(index_path: str | Path) -> None:
    """The half copies a kill left while a copy was taken before an upgrade, at once, not
    after STALE_TEMP_AGE_S: the caller holds the index's write lock, under which alone such
    a copy is written, so none of them is being written now (each is as large as the index)."""
    folder = backup_folder(index_path)
    if not folder.is_dir():
        return
    for path in folder.glob("*-before-upgrade-from-schema-*.db.tmp*"):
        try:
            if _HALF_COPY.search(path.name):
                path.unlink(missing_ok=True)
        except OSError:
            continue  # not ours to remove: the stale rule tries again later


def _remove_stale_half_copies(folder: Path) -> None:
    """The half-written copies (and their SQLite journals) a kill or a power cut left:
    the `finally` that removes them never ran, and each is as large as the index. Only
    those untouched for STALE_TEMP_AGE_S, so another process's copy in progress stays: a
    `.db.tmp` and its journals are judged together by the newest of them, since a copy
    writes its -journal once, at its start, and a copy running longer (a slow disk or
    share) would otherwise lose it and fail ("disk I/O error")."""
    groups: dict[str, list[Path]] = {}
    for path in folder.glob("*.db.tmp*"):
        found = _HALF_COPY.search(path.name)
        if found:
            groups.setdefault(path.name[: found.start()], []).append(path)
    cutoff = time.time() - STALE_TEMP_AGE_S
    for paths in groups.values():
        try:
            touched = max(path.stat().st_mtime for path in paths)
        except OSError:
            continue  # one is gone meanwhile: its copy ended, or another open removes them
        if touched >= cutoff:
            continue
        for path in paths:
            try:
                path.unlink()
            except OSError:
                continue  # gone already, or not ours to remove: the next copy tries again


def backup_quietly(index_path: str | Path, every: timedelta = BACKUP_EVERY,
                   skipped: Callable[[str], None] | None = None) -> Path | None:
    """backup_if_due for the app's start: a copy that cannot be made (a full disk, a
    read-only folder) is tried again next time and never stops the app; `skipped` is
    told of one skipped for lack of room."""
    try:
        return backup_if_due(index_path, every=every, skipped=skipped)
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
    return f"; a copy of the index from {taken:%Y-%m-%d %H:%M} is at {found[-1]}" + going_back_to(index_path, found[-1])


def going_back_to(index_path: str | Path, copy: Path) -> str:
    """' (`landmark-tagger restore-index COPY` goes back to it; …)': the way back to a copy.
    By hand the index's -wal and -shm must go too: SQLite replays a -wal left beside the
    file onto whatever file is there (app.core.index.restore)."""
    from app.core.wording import shell_quote

    index = Path(index_path).expanduser()
    return (f" (`landmark-tagger restore-index {shell_quote(str(copy))}` goes back to it; copied over {index} "
            f"by hand, {index.name}-wal and {index.name}-shm must be moved away with the old file)")
