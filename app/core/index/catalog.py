"""The scanner's writes to the photos/files tables (and their full-text rows), and the
counts of what a folder holds. Callers hold a transaction; these functions only issue
statements. A photo found at another place is moved_photos.py's; one whose name another
picture took renamed_over_records.py's."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from app.core.folder_paths import subtree_range
from app.core.index.connection import db_text, now_iso
from app.core.index.search_text import refresh_search_text
from app.core.photo_info import PhotoInfo, primary_of

METADATA_COLUMNS = (
    "taken_at", "camera_make", "camera_model", "lens", "orientation",
    "width", "height", "gps_lat", "gps_lon",
)


class KnownFile(NamedTuple):
    """A file row as the last scan left it (a tuple: a rescan builds 100,000s)."""

    id: int
    photo_id: int
    name: str
    size: int | None
    mtime_ns: int | None
    fingerprint: str | None
    missing: int
    photo_stem: str  # the key of its photo in the folder (see pairing)


class FileBefore(NamedTuple):
    """A file of an indexed photo as it was before this scan read other contents in it."""

    path: str
    name: str
    ext: str
    kind: str
    size: int | None
    fingerprint: str


@dataclass(frozen=True)
class FileState:
    """A file as found on disk now; fingerprint None keeps the stored one."""

    path: str
    name: str
    ext: str
    kind: str
    size: int
    mtime_ns: int
    fingerprint: str | None
    picture: str | None = None  # a JPEG's picture print (fingerprint.picture_print), with the fingerprint


def known_files(conn: sqlite3.Connection, folder: str) -> dict[str, KnownFile]:
    """Every indexed file of one folder in one query (the rescan's fast path)."""
    rows = conn.execute(
        "SELECT f.id, f.photo_id, f.name, f.size, f.mtime_ns, f.fingerprint, f.missing, p.stem "
        "FROM photos p JOIN files f ON f.photo_id = p.id WHERE p.folder = CAST(? AS TEXT)",
        (db_text(folder),),
    )
    make = KnownFile._make
    return {row[2]: make(row) for row in rows}


def find_photo(conn: sqlite3.Connection, folder: str, stem: str) -> tuple[int, bool] | None:
    row = conn.execute(
        "SELECT id, missing FROM photos WHERE folder = CAST(? AS TEXT) AND stem = CAST(? AS TEXT)",
        (db_text(folder), db_text(stem)),
    ).fetchone()
    return None if row is None else (row[0], bool(row[1]))


def save_photo(
    conn: sqlite3.Connection,
    folder: str,
    stem: str,
    primary_path: str,
    has_raw: bool,
    info: PhotoInfo | None,
) -> tuple[int, bool]:
    """Insert or update the photo of (folder, stem); `info` None keeps the stored
    metadata. Returns (photo id, whether it was created)."""
    now = now_iso()
    existing = find_photo(conn, folder, stem)
    values = [getattr(info, c) for c in METADATA_COLUMNS] if info is not None else None
    if existing is None:
        cursor = conn.execute(
            "INSERT INTO photos (folder, stem, primary_path, has_raw, missing, added_at, updated_at, "
            f"{', '.join(METADATA_COLUMNS)}) VALUES (CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), "
            f"?, 0, ?, ?, {', '.join('?' * len(METADATA_COLUMNS))})",
            (db_text(folder), db_text(stem), db_text(primary_path), int(has_raw), now, now,
             *(values or [None] * len(METADATA_COLUMNS))),
        )
        return int(cursor.lastrowid), True
    photo_id = existing[0]
    conn.execute(
        "UPDATE photos SET primary_path = CAST(? AS TEXT), has_raw = ?, missing = 0, updated_at = ? WHERE id = ?",
        (db_text(primary_path), int(has_raw), now, photo_id),
    )
    if values is not None:
        conn.execute(
            f"UPDATE photos SET {', '.join(c + ' = ?' for c in METADATA_COLUMNS)} WHERE id = ?",
            (*values, photo_id),
        )
    return photo_id, False


def holds_as_found(conn: sqlite3.Connection, folder: str, stem: str, present: list[FileState]) -> bool:
    """Whether the index already holds the photo of (folder, stem) with exactly these
    files, as big, as old and with the contents they were found with: another scan
    wrote them after this one listed what the index knew of the folder."""
    found = find_photo(conn, folder, stem)
    if found is None or found[1]:
        return False
    photo_id = found[0]
    if conn.execute("SELECT count(*) FROM files WHERE photo_id = ?", (photo_id,)).fetchone()[0] != len(present):
        return False
    for state in present:
        row = conn.execute(
            "SELECT size, mtime_ns, fingerprint FROM files WHERE photo_id = ? AND path = CAST(? AS TEXT) "
            "AND missing = 0", (photo_id, db_text(state.path))).fetchone()
        if row is None or (row[0], row[1]) != (state.size, state.mtime_ns) or (
                state.fingerprint is not None and row[2] != state.fingerprint):
            return False
    return True


def save_file(conn: sqlite3.Connection, photo_id: int, state: FileState, run_id: int) -> None:
    conn.execute(
        "INSERT INTO files (photo_id, path, name, ext, kind, size, mtime_ns, fingerprint, missing, last_scan_id, "
        "contents_scan_id, picture_print) VALUES (?, CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), ?, ?, ?, ?, "
        "0, ?, ?, ?) "
        "ON CONFLICT (path) DO UPDATE SET photo_id = excluded.photo_id, size = excluded.size, "
        "mtime_ns = excluded.mtime_ns, fingerprint = coalesce(excluded.fingerprint, files.fingerprint), "
        "picture_print = CASE WHEN excluded.fingerprint IS NULL THEN files.picture_print "
        "ELSE excluded.picture_print END, "
        "contents_scan_id = CASE WHEN files.missing = 1 OR (excluded.fingerprint IS NOT NULL AND "
        "files.fingerprint IS NOT excluded.fingerprint) THEN excluded.contents_scan_id ELSE files.contents_scan_id END, "
        "missing = 0, last_scan_id = excluded.last_scan_id",
        (photo_id, db_text(state.path), db_text(state.name), db_text(state.ext), state.kind,
         state.size, state.mtime_ns, state.fingerprint, run_id, run_id if state.fingerprint is not None else None,
         state.picture),
    )


def mark_files_missing(conn: sqlite3.Connection, file_ids: list[int]) -> None:
    conn.executemany("UPDATE files SET missing = 1 WHERE id = ?", [(i,) for i in file_ids])


def mark_photo_missing_if_empty(conn: sqlite3.Connection, photo_id: int) -> bool:
    """Flag the photo missing when none of its files is left; True when it changed."""
    present = conn.execute("SELECT 1 FROM files WHERE photo_id = ? AND missing = 0 LIMIT 1", (photo_id,)).fetchone()
    if present is not None:
        return False
    cursor = conn.execute(
        "UPDATE photos SET missing = 1, updated_at = ? WHERE id = ? AND missing = 0", (now_iso(), photo_id)
    )
    return cursor.rowcount > 0


def drop_deleted_files(conn: sqlite3.Connection, photo_id: int) -> bool:
    """A photo still there through another file (the RAW of a pair whose JPEG was
    deleted) stops listing its deleted files, so writes and searches see what is there;
    one with no file left keeps them, missing, for moves and `forget --missing`.
    Returns whether a file was dropped."""
    rows = conn.execute("SELECT path, kind, missing FROM files WHERE photo_id = ?", (photo_id,)).fetchall()
    present = [(path, kind) for path, kind, missing in rows if not missing]
    if not present or len(present) == len(rows):
        return False
    conn.execute("DELETE FROM files WHERE photo_id = ? AND missing = 1", (photo_id,))
    primary = str(primary_of([Path(path) for path, _ in present]))
    # the primary file deleted (a scan that could read none of the others): another stands for the photo
    conn.execute(
        "UPDATE photos SET primary_path = CAST(? AS TEXT), has_raw = ?, updated_at = ? WHERE id = ? "
        "AND primary_path NOT IN (SELECT path FROM files WHERE photo_id = ?)",
        (db_text(primary), int(any(kind == "raw" for _, kind in present)), now_iso(), photo_id, photo_id),
    )
    return True


def refresh_fts(conn: sqlite3.Connection, photo_id: int) -> None:
    """Rebuild the photo's full-text row and search_text from the tables."""
    refresh_search_text(conn, photo_id)


def is_present(conn: sqlite3.Connection, photo_id: int) -> bool:
    row = conn.execute("SELECT missing FROM photos WHERE id = ?", (photo_id,)).fetchone()
    return row is not None and not row[0]


# present photos in `root` or below it: one (folder, stem) index range for the subtree
_UNDER = ("missing = 0 AND (folder = CAST(? AS TEXT) "
          "OR (folder >= CAST(? AS TEXT) AND folder < CAST(? AS TEXT)))")


def _under(root: str, sep: str) -> tuple:
    low, high = subtree_range(root, sep)
    return db_text(root.rstrip(sep) or root), db_text(low), db_text(high)


def folders_under(conn: sqlite3.Connection, root: str, sep: str = os.sep) -> list[str]:
    """Folders with present photos at or below `root` (uses the (folder, stem) index)."""
    return [r[0] for r in conn.execute(f"SELECT DISTINCT folder FROM photos WHERE {_UNDER}", _under(root, sep))]


def photo_ids_under(conn: sqlite3.Connection, root: str, sep: str = os.sep) -> list[int]:
    """Present photos at or below `root` (a card not connected: scan_moves joins their copies)."""
    return [int(r[0]) for r in conn.execute(f"SELECT id FROM photos WHERE {_UNDER} ORDER BY id", _under(root, sep))]


def count_photos_under(conn: sqlite3.Connection, root: str, sep: str = os.sep) -> int:
    return int(conn.execute(f"SELECT count(*) FROM photos WHERE {_UNDER}", _under(root, sep)).fetchone()[0])


def count_photos_in(conn: sqlite3.Connection, folder: str, sep: str = os.sep) -> int:
    """Present photos in `folder` itself, not in the folders below it. A drive or share
    root keeps its separator where photos are stored (`E:\\`, `\\\\nas\\photos\\`: the
    dirname of a file there), other folders none: both forms are looked up."""
    forms = list(dict.fromkeys([folder.rstrip(sep) or folder, folder]))
    return int(conn.execute(
        f"SELECT count(*) FROM photos WHERE missing = 0 AND folder IN ({','.join('CAST(? AS TEXT)' for _ in forms)})",
        [db_text(form) for form in forms],
    ).fetchone()[0])
