"""The scanner's writes to the photos/files tables (and their full-text rows).
Callers hold a transaction; these functions only issue statements."""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from typing import NamedTuple

from app.core.folder_paths import subtree_range
from app.core.index.connection import db_text, now_iso
from app.core.index.records import printable_path
from app.core.index.search_text import refresh_search_text
from app.core.photo_info import PhotoInfo

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


def known_files(conn: sqlite3.Connection, folder: str) -> dict[str, KnownFile]:
    """Every indexed file of one folder in one query (the rescan's fast path)."""
    rows = conn.execute(
        "SELECT f.id, f.photo_id, f.name, f.size, f.mtime_ns, f.fingerprint, f.missing "
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


def save_file(conn: sqlite3.Connection, photo_id: int, state: FileState, run_id: int) -> None:
    conn.execute(
        "INSERT INTO files (photo_id, path, name, ext, kind, size, mtime_ns, fingerprint, missing, last_scan_id) "
        "VALUES (?, CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), ?, ?, ?, ?, 0, ?) "
        "ON CONFLICT (path) DO UPDATE SET photo_id = excluded.photo_id, size = excluded.size, "
        "mtime_ns = excluded.mtime_ns, fingerprint = coalesce(excluded.fingerprint, files.fingerprint), "
        "missing = 0, last_scan_id = excluded.last_scan_id",
        (photo_id, db_text(state.path), db_text(state.name), db_text(state.ext), state.kind,
         state.size, state.mtime_ns, state.fingerprint, run_id),
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


def refresh_fts(conn: sqlite3.Connection, photo_id: int) -> None:
    """Rebuild the photo's full-text row and search_text from the tables."""
    refresh_search_text(conn, photo_id)


def adopt_moved_photo(conn: sqlite3.Connection, old_id: int, new_id: int) -> None:
    """A photo found at a new place is the missing `old_id` moved there: the old
    photo (and its labels) takes over the new files and place; the new row goes."""
    fingerprints = [r[0] for r in conn.execute("SELECT fingerprint FROM files WHERE photo_id = ?", (new_id,))]
    conn.executemany(
        "DELETE FROM files WHERE photo_id = ? AND missing = 1 AND fingerprint = ?",
        [(old_id, fp) for fp in fingerprints],
    )
    conn.execute("UPDATE files SET photo_id = ? WHERE photo_id = ?", (old_id, new_id))
    place = conn.execute(
        f"SELECT folder, stem, primary_path, has_raw, {', '.join(METADATA_COLUMNS)} FROM photos WHERE id = ?",
        (new_id,),
    ).fetchone()
    conn.execute("DELETE FROM photos_fts WHERE rowid = ?", (new_id,))
    for table in ("labels", "predictions", "tagged", "embeddings"):
        conn.execute(f"DELETE FROM {table} WHERE photo_id = ?", (new_id,))
    conn.execute("DELETE FROM photos WHERE id = ?", (new_id,))
    conn.execute(
        "UPDATE photos SET folder = CAST(? AS TEXT), stem = CAST(? AS TEXT), primary_path = CAST(? AS TEXT), "
        f"has_raw = ?, {', '.join(c + ' = ?' for c in METADATA_COLUMNS)}, missing = 0, updated_at = ? WHERE id = ?",
        (*[db_text(v) for v in place[:3]], *place[3:], now_iso(), old_id),
    )
    refresh_fts(conn, old_id)


def moved_candidates(conn: sqlite3.Connection, old_id: int, newer_than: int) -> int | None:
    """A photo created in this scan (id > newer_than) holding a file with the
    same fingerprint as one of the missing photo's files, if any."""
    row = conn.execute(
        "SELECT nf.photo_id FROM files of JOIN files nf ON nf.fingerprint = of.fingerprint "
        "JOIN photos np ON np.id = nf.photo_id "
        "WHERE of.photo_id = ? AND of.fingerprint IS NOT NULL AND nf.missing = 0 AND np.id > ? "
        "AND np.missing = 0 ORDER BY np.id LIMIT 1",
        (old_id, newer_than),
    ).fetchone()
    return None if row is None else int(row[0])


def earlier_copy_of(conn: sqlite3.Connection, old_id: int, newer_than: int) -> int | None:
    """A present photo indexed before this scan (a folder read on its own earlier: the
    photos were moved there, then their old folder read) with a file of the same
    fingerprint as one of the missing photo's files, if it holds nothing of the user's."""
    rows = conn.execute(
        "SELECT DISTINCT nf.photo_id FROM files of JOIN files nf ON nf.fingerprint = of.fingerprint "
        "JOIN photos np ON np.id = nf.photo_id "
        "WHERE of.photo_id = ? AND of.fingerprint IS NOT NULL AND nf.missing = 0 AND np.id <= ? "
        "AND np.id <> ? AND np.missing = 0 ORDER BY np.id",
        (old_id, newer_than, old_id),
    ).fetchall()
    return next((int(r[0]) for r in rows if holds_nothing_of_the_user(conn, int(r[0]))), None)


def missing_original_of(conn: sqlite3.Connection, new_id: int) -> int | None:
    """A photo missing since an earlier scan with a file of the same fingerprint as one
    of `new_id`'s (the photo moved out of the library and is back at a new place)."""
    row = conn.execute(
        "SELECT op.id FROM files nf JOIN files of ON of.fingerprint = nf.fingerprint "
        "JOIN photos op ON op.id = of.photo_id "
        "WHERE nf.photo_id = ? AND nf.fingerprint IS NOT NULL AND op.missing = 1 AND op.id <> ? "
        "ORDER BY op.id DESC LIMIT 1",
        (new_id, new_id),
    ).fetchone()
    return None if row is None else int(row[0])


def holds_nothing_of_the_user(conn: sqlite3.Connection, photo_id: int) -> bool:
    """No label or review of the user's, no taught reference, no rejection: a photo row
    that may give way to the one it is a move of."""
    from app.core.index.labels import has_users_word

    if has_users_word(conn, photo_id):
        return False
    return not any(conn.execute(f"SELECT 1 FROM {table} WHERE photo_id = ? LIMIT 1", (photo_id,)).fetchone()
                   for table in ("taught_refs", "rejections"))


def start_run(conn: sqlite3.Connection, roots: list[str]) -> int:
    cursor = conn.execute(
        "INSERT INTO scan_runs (started_at, roots, status) VALUES (?, ?, 'running')",
        (now_iso(), json.dumps([printable_path(r) for r in roots])),
    )
    return int(cursor.lastrowid)


def finish_run(conn: sqlite3.Connection, run_id: int, counts: dict[str, int], status: str) -> None:
    conn.execute(
        "UPDATE scan_runs SET finished_at = ?, photos = ?, new = ?, changed = ?, moved = ?, missing = ?, "
        "errors = ?, status = ? WHERE id = ?",
        (now_iso(), counts["photos"], counts["new"], counts["changed"], counts["moved"],
         counts["missing"], counts["errors"], status, run_id),
    )


# present photos in `root` or below it: one (folder, stem) index range for the subtree
_UNDER = ("missing = 0 AND (folder = CAST(? AS TEXT) "
          "OR (folder >= CAST(? AS TEXT) AND folder < CAST(? AS TEXT)))")


def _under(root: str, sep: str) -> tuple:
    low, high = subtree_range(root, sep)
    return db_text(root.rstrip(sep) or root), db_text(low), db_text(high)


def folders_under(conn: sqlite3.Connection, root: str, sep: str = os.sep) -> list[str]:
    """Folders with present photos at or below `root` (uses the (folder, stem) index)."""
    return [r[0] for r in conn.execute(f"SELECT DISTINCT folder FROM photos WHERE {_UNDER}", _under(root, sep))]


def count_photos_under(conn: sqlite3.Connection, root: str, sep: str = os.sep) -> int:
    return int(conn.execute(f"SELECT count(*) FROM photos WHERE {_UNDER}", _under(root, sep)).fetchone()[0])


def count_photos_in(conn: sqlite3.Connection, folder: str, sep: str = os.sep) -> int:
    """Present photos in `folder` itself, not in the folders below it."""
    return int(conn.execute(
        "SELECT count(*) FROM photos WHERE missing = 0 AND folder = CAST(? AS TEXT)",
        (db_text(folder.rstrip(sep) or folder),),
    ).fetchone()[0])
