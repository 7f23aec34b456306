"""Take a folder out of the library: the index forgets its photos; the files stay.

A folder added by mistake (the whole home folder, a card reader's DCIM) would
otherwise stay in every search and count for good. Everything the index holds about
those photos goes with them, taught references included: photo ids are reused once
the newest photos are deleted, so a reference left behind would point at a stranger.
Photos that another library folder still covers (a folder added inside another) stay.

Photos deleted from a folder (culled after a trip) stay in the index as missing, with
their labels, so that a photo moved elsewhere keeps them when a later scan finds it;
`forget_missing` takes out those whose library folder is there to say they are gone.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from app.core.errors import UsageError
from app.core.folder_paths import is_within, subtree_range
from app.core.index.connection import db_text
from app.core.wording import counted

PHOTO_TABLES = ("files", "labels", "predictions", "tagged", "embeddings", "rejections", "taught_refs", "errors")
CHUNK = 500  # ids per statement, under SQLite's variable limit


@dataclass(frozen=True)
class FolderContents:
    """What forgetting a library folder takes out of the index."""

    folder: str
    photos: int  # photos only this folder covers
    yours: int  # of those, labelled or reviewed by the user: their labels live only in the index unless written
    taught: int  # taught references from those photos
    backup: Path | None = None  # the copy of the index taken right before forgetting

    def line(self) -> str:
        return _what_goes(counted(self.photos, "photo"), self.yours, self.taught)


def library_folder(index, folder: str | Path, action: str = "forgotten") -> str:
    """The library folder (a root) that `folder` names; UsageError naming the library's
    folders when it is none (a sub-folder is part of its root and cannot be `action`)."""
    root = str(Path(folder).expanduser().resolve())
    roots = [str(r) for r in index.roots()]
    if root in roots:
        return root
    within = next((r for r in roots if is_within(root, r)), None)
    if within is not None:
        raise UsageError(f"{root} is inside the library folder {within}; only a whole library folder can be "
                         f"{action}")
    listed = ", ".join(roots) if roots else "none yet"
    raise UsageError(f"{root} is not a folder of the library (its folders: {listed})")


def folder_contents(index, folder: str | Path) -> FolderContents:
    """What `forget_folder` would take out, without changing anything."""
    return _contents(index.conn, library_folder(index, folder), [str(r) for r in index.roots()])[0]


def _contents(conn: sqlite3.Connection, root: str, roots: list[str]) -> tuple[FolderContents, list[int]]:
    ids = _photos_only_under(conn, root, roots)
    return FolderContents(root, len(ids), _count(conn, ids, _YOURS), _count(conn, ids, _TAUGHT)), ids


def forget_folder(index, folder: str | Path) -> FolderContents:
    """Remove the library folder and every photo only it covers from the index, in one
    transaction (a kill leaves all or nothing). Returns what went."""
    from app.core.index.backup import backup_quietly

    root = library_folder(index, folder)
    roots = [str(r) for r in index.roots()]
    backup = backup_quietly(index.path, every=timedelta(0))  # the one step that drops labels: a copy first
    with index.transaction() as conn:
        contents, ids = _contents(conn, root, roots)
        contents = replace(contents, backup=backup)
        _delete_photos(conn, ids)
        others = [r for r in roots if r != root]
        stale = [
            error_id for error_id, path in conn.execute("SELECT id, path FROM errors WHERE path IS NOT NULL")
            if _only_under(path, root, others)
        ]  # problems of files that never became photos (unreadable ones)
        for start in range(0, len(stale), CHUNK):
            chunk = stale[start : start + CHUNK]
            conn.execute(f"DELETE FROM errors WHERE id IN ({','.join('?' * len(chunk))})", chunk)
        conn.execute("DELETE FROM library_roots WHERE path = CAST(? AS TEXT)", (db_text(root),))
    return contents


@dataclass(frozen=True)
class MissingPhotos:
    """The missing photos `forget_missing` takes out of the index."""

    photos: int
    yours: int  # labelled or reviewed by the user
    taught: int  # taught references from them
    skipped_folders: tuple[str, ...] = ()  # library folders not found: their photos stay
    backup: Path | None = None

    def line(self) -> str:
        return _what_goes(counted(self.photos, "missing photo"), self.yours, self.taught)


def _what_goes(photos: str, yours: int, taught: int) -> str:
    """"4 photos, 2 with a label or review of yours, 1 taught reference"."""
    parts = [photos]
    if yours:
        parts.append(f"{yours:,} with a label or review of yours")
    if taught:
        parts.append(counted(taught, "taught reference"))
    return ", ".join(parts)


def missing_photos(index) -> MissingPhotos:
    """What `forget_missing` would take out, without changing anything."""
    return _missing(index.conn, index.roots())[0]


def forget_missing(index) -> MissingPhotos:
    """Forget the photos marked missing in library folders that are there (a folder not
    found may be a drive not connected: its photos stay), in one transaction after a copy
    of the index. Returns what went."""
    from app.core.index.backup import backup_quietly

    preview = missing_photos(index)
    if preview.photos == 0:
        return preview
    backup = backup_quietly(index.path, every=timedelta(0))
    with index.transaction() as conn:
        missing, ids = _missing(conn, index.roots())
        _delete_photos(conn, ids)
    return replace(missing, backup=backup)


def _missing(conn: sqlite3.Connection, roots: list[Path]) -> tuple[MissingPhotos, list[int]]:
    # a library folder not found, or one whose photos are all missing (an empty mount
    # point of a drive not connected, say), may hold them still: its photos stay
    present = [str(root) for root in roots if root.is_dir() and _holds_a_photo(conn, str(root))]
    absent = tuple(str(root) for root in roots if str(root) not in present)
    ids = [int(photo_id) for photo_id, folder in conn.execute("SELECT id, folder FROM photos WHERE missing = 1")
           if any(is_within(folder, root) for root in present) and not any(is_within(folder, a) for a in absent)]
    return MissingPhotos(len(ids), _count(conn, ids, _YOURS), _count(conn, ids, _TAUGHT), absent), ids


def _holds_a_photo(conn: sqlite3.Connection, root: str) -> bool:
    """Whether a photo in `root` or below is there (not missing)."""
    low, high = subtree_range(root)
    return conn.execute(
        "SELECT 1 FROM photos WHERE missing = 0 AND (folder = CAST(? AS TEXT) "
        "OR (folder >= CAST(? AS TEXT) AND folder < CAST(? AS TEXT))) LIMIT 1",
        (db_text(root), db_text(low), db_text(high)),
    ).fetchone() is not None


def _delete_photos(conn: sqlite3.Connection, ids: list[int]) -> None:
    """Everything the index holds about these photos."""
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        marks = ",".join("?" * len(chunk))
        for table in PHOTO_TABLES:
            conn.execute(f"DELETE FROM {table} WHERE photo_id IN ({marks})", chunk)
        conn.execute(f"DELETE FROM photos_fts WHERE rowid IN ({marks})", chunk)
        conn.execute(f"DELETE FROM photos WHERE id IN ({marks})", chunk)


_YOURS = "SELECT count(*) FROM labels WHERE (source = 'user' OR state <> 'suggested') AND photo_id IN ({})"
_TAUGHT = "SELECT count(*) FROM taught_refs WHERE photo_id IN ({})"


def _count(conn: sqlite3.Connection, ids: list[int], sql: str) -> int:
    total = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        total += conn.execute(sql.format(",".join("?" * len(chunk))), chunk).fetchone()[0]
    return total


def _photos_only_under(conn: sqlite3.Connection, root: str, roots: list[str]) -> list[int]:
    """Photos in `root` or below that no other library folder covers."""
    others = [r for r in roots if r != root]
    low, high = subtree_range(root)
    rows = conn.execute(
        "SELECT id, folder FROM photos WHERE folder = CAST(? AS TEXT) "
        "OR (folder >= CAST(? AS TEXT) AND folder < CAST(? AS TEXT))",
        (db_text(root), db_text(low), db_text(high)),
    )
    return [int(photo_id) for photo_id, folder in rows if _only_under(folder, root, others)]


def _only_under(path: str, root: str, others: list[str]) -> bool:
    """Inside `root` and in none of the other library folders."""
    return is_within(path, root) and not any(is_within(path, other) for other in others)
