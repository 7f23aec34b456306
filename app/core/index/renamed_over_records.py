"""The index's side of names renamed onto each other (app/core/renamed_over.py): a photo
that gives up its name to another picture (detached, or split from what is at its name
now), the contents a changed file held before (noted until a scan decides them), and the
lookups that tell a renamed picture from one edited in place. Callers hold a transaction."""

from __future__ import annotations

import os
import re
import sqlite3

from app.core.index.catalog import METADATA_COLUMNS, FileBefore, refresh_fts
from app.core.index.connection import db_text, now_iso


# A photo whose name another picture took keeps its files' paths with this after them
# (no file on disk is named so) until the move recognition finds where its picture went.
_DETACHED = " (renamed over, #{})"
_DETACHED_PATTERN = re.compile(r" \(renamed over, #\d+\)$")


def path_before_detached(path: str) -> str:
    """The path a detached photo's file had (see detach_photo), or `path` as it is."""
    return _DETACHED_PATTERN.sub("", path)


def detach_photo(conn: sqlite3.Connection, photo_id: int) -> bool:
    """The photo's name now holds another picture: the photo gives up its name (its key
    and its files' paths get a suffix no file on disk has: the index holds one row a
    path) and is missing, keeping its labels and its files' fingerprints, which find it
    again if its picture turns up under another name in this scan or later. Where it is
    shown (primary path, file names) it keeps the names it had. Returns whether it went
    missing now: False for one missing since an earlier scan (its card away, formatted
    meanwhile), which that scan counted and the move recognition looks for as such."""
    went_missing = not conn.execute("SELECT missing FROM photos WHERE id = ?", (photo_id,)).fetchone()[0]
    suffix = _give_up_name(conn, photo_id)
    conn.execute("UPDATE files SET path = path || ?, name = name || ?, missing = 1 WHERE photo_id = ?",
                 (suffix, suffix, photo_id))
    return went_missing


def _give_up_name(conn: sqlite3.Connection, photo_id: int) -> str:
    """Mark the photo missing under a key no other photo of its folder has; returns the
    suffix that key got (its files' paths get it too)."""
    suffix = _DETACHED.format(photo_id)
    conn.execute("UPDATE photos SET stem = stem || ?, missing = 1, updated_at = ? WHERE id = ?",
                 (suffix, now_iso(), photo_id))
    return suffix


def split_photo(conn: sqlite3.Connection, photo_id: int, files_before: list[FileBefore]) -> int:
    """The photo's picture moved to another name, and its name holds another picture now:
    what is at the name becomes a new photo (no labels), and the photo, missing, keeps its
    words and the contents its files had (see detach_photo), to be found where its picture
    went. Returns the new photo's id."""
    place = conn.execute(
        f"SELECT folder, stem, primary_path, has_raw, {', '.join(METADATA_COLUMNS)} FROM photos WHERE id = ?",
        (photo_id,),
    ).fetchone()
    suffix = _give_up_name(conn, photo_id)
    now = now_iso()
    new_id = int(conn.execute(
        "INSERT INTO photos (folder, stem, primary_path, has_raw, missing, added_at, updated_at, "
        f"{', '.join(METADATA_COLUMNS)}) VALUES (?, ?, ?, ?, 0, ?, ?, {', '.join('?' * len(METADATA_COLUMNS))})",
        (*place[:4], now, now, *place[4:]),
    ).lastrowid)
    conn.execute("UPDATE files SET photo_id = ? WHERE photo_id = ? AND missing = 0", (new_id, photo_id))
    conn.executemany(
        "INSERT INTO files (photo_id, path, name, ext, kind, size, fingerprint, missing) "
        "VALUES (?, CAST(? AS TEXT), CAST(? AS TEXT), ?, ?, ?, ?, 1)",
        [(photo_id, db_text(f.path + suffix), db_text(f.name + suffix), f.ext, f.kind, f.size, f.fingerprint)
         for f in files_before],
    )
    refresh_fts(conn, new_id)
    return new_id


def files_held_before_by_another(conn: sqlite3.Connection, fingerprint: str, photo_id: int,
                                 newest_before: int) -> list[tuple[str, int | None]]:
    """(path, size) of the files of other photos indexed before this scan (id <=
    newest_before) that hold, or held, these contents."""
    rows = conn.execute(
        "SELECT path, size FROM files WHERE fingerprint = ? AND photo_id <> ? AND photo_id <= ?",
        (fingerprint, photo_id, newest_before),
    ).fetchall()
    return [(os.fsdecode(path) if isinstance(path, bytes) else path, size) for path, size in rows]


def held_here_until_this_scan(conn: sqlite3.Connection, fingerprint: str, photo_id: int, newest_before: int,
                              folder: str, run_id: int) -> list[str]:
    """Paths in `folder` of other photos' files indexed before this scan that held these
    contents and were there until this scan (not missing, or their photo went missing in
    scan `run_id`): where a file renamed over another in this folder came from. A copy
    deleted or moved away in an earlier scan, or one in another folder, is not."""
    rows = conn.execute(
        "SELECT f.path FROM files f WHERE f.fingerprint = ? AND f.photo_id <> ? AND f.photo_id <= ? "
        "AND (f.missing = 0 OR EXISTS (SELECT 1 FROM moves_pending m WHERE m.photo_id = f.photo_id "
        "AND m.run_id = ?)) ORDER BY f.id", (fingerprint, photo_id, newest_before, run_id)).fetchall()
    paths = [path_before_detached(os.fsdecode(r[0]) if isinstance(r[0], bytes) else r[0]) for r in rows]
    return [path for path in paths if os.path.dirname(path) == folder]


def was_a_pairs_jpeg(conn: sqlite3.Connection, place: str) -> bool:
    """Whether the index knew the file at `place` (DSC_0002.JPG) as the JPEG of a RAW+JPEG
    pair (its photo had a RAW): the picture renamed from it was a pair's JPEG, renumbered,
    not an edit of its own (DSC_0001-edit.jpg, a photo without a RAW) moved over the JPEG it
    was made from. Asked of the index, not the disk: the renumbering may have moved or
    deleted that RAW too (sorted into a RAW/ folder in the same session)."""
    detached = _detached_like(place)
    return conn.execute(
        "SELECT 1 FROM files f JOIN photos p ON p.id = f.photo_id WHERE (f.path = CAST(? AS TEXT) "
        "OR f.path LIKE CAST(? AS TEXT) ESCAPE '\\') AND (p.has_raw = 1 OR EXISTS (SELECT 1 FROM files r "
        "WHERE r.photo_id = f.photo_id AND r.kind = 'raw')) LIMIT 1",
        (db_text(place), db_text(detached))).fetchone() is not None


def _detached_like(place: str) -> str:
    """A LIKE pattern (escaped by backslash) of the paths `place` has once detached (detach_photo)."""
    return re.sub(r"([\\%_])", r"\\\1", place) + " (renamed over, #%)"


def photo_renamed_from(conn: sqlite3.Connection, place: str | None, fingerprint: str | None) -> int | None:
    """The photo whose file at `place` held these contents until this scan, the picture
    renamed over another photo's file (renamed_over.Renamed.came_in: DSC_0002.JPG renamed
    DSC_0001.JPG): the photo that holds the user's word about that picture. Asked before
    the scan writes the folder; None when the index has no such file, or no place (another
    frame at the name, renamed from nowhere)."""
    if place is None:
        return None
    row = conn.execute(
        "SELECT photo_id FROM files WHERE fingerprint = ? AND (path = CAST(? AS TEXT) "
        "OR path LIKE CAST(? AS TEXT) ESCAPE '\\') ORDER BY id DESC LIMIT 1",
        (fingerprint, db_text(place), db_text(_detached_like(place)))).fetchone()
    return None if row is None else int(row[0])


def note_split_off(conn: sqlite3.Connection, photo_id: int, name: str, fingerprint: str) -> None:
    """The photo's file `name` left it, renamed over (renamed_over.Renamed.came_in): the
    contents it had as the photo's, so that putting them back rejoins it (split_off_print)."""
    conn.execute("INSERT OR REPLACE INTO split_off_files (photo_id, name, fingerprint) VALUES (?, CAST(? AS TEXT), ?)",
                 (photo_id, db_text(name), fingerprint))


def split_off_print(conn: sqlite3.Connection, photo_id: int, name: str) -> str | None:
    """The contents the photo's file `name` had before it was renamed over (note_split_off)."""
    row = conn.execute("SELECT fingerprint FROM split_off_files WHERE photo_id = ? AND name = CAST(? AS TEXT)",
                       (photo_id, db_text(name))).fetchone()
    return None if row is None else row[0]


def forget_split_off(conn: sqlite3.Connection, photo_id: int, name: str) -> None:
    """The file rejoined the photo."""
    conn.execute("DELETE FROM split_off_files WHERE photo_id = ? AND name = CAST(? AS TEXT)", (photo_id, db_text(name)))


def present_prints(conn: sqlite3.Connection, photo_id: int) -> list[str]:
    """The contents (fingerprints) of the photo's files that are there."""
    return [r[0] for r in conn.execute(
        "SELECT fingerprint FROM files WHERE photo_id = ? AND missing = 0 AND fingerprint IS NOT NULL", (photo_id,))]


def missing_holders(conn: sqlite3.Connection, fingerprint: str) -> set[int]:
    """The photos with a missing file that held these contents."""
    return {int(r[0]) for r in conn.execute(
        "SELECT photo_id FROM files WHERE fingerprint = ? AND missing = 1", (fingerprint,))}


def fresh_holders(conn: sqlite3.Connection, fingerprint: str, photo_id: int, run_id: int) -> list[int]:
    """Other photos with a file there now whose contents, these, were first read in scan
    `run_id` or later (new at that name, or changed: not a duplicate merely read again)."""
    return [int(r[0]) for r in conn.execute(
        "SELECT DISTINCT photo_id FROM files WHERE fingerprint = ? AND missing = 0 AND photo_id <> ? "
        "AND contents_scan_id >= ?", (fingerprint, photo_id, run_id))]


def same_shot(conn: sqlite3.Connection, photo_id: int, other_id: int) -> bool:
    """Whether two photos record the same moment and camera (an edit and its original),
    which two frames of a renumbered run do not; photos without a date are not told apart."""
    rows = conn.execute(
        "SELECT taken_at, camera_make, camera_model FROM photos WHERE id IN (?, ?)", (photo_id, other_id)).fetchall()
    return len(rows) == 2 and rows[0][0] is not None and rows[0] == rows[1]


def save_contents_before(conn: sqlite3.Connection, photo_id: int, file: FileBefore, run_id: int) -> None:
    conn.execute(
        "INSERT INTO contents_before (photo_id, path, name, ext, kind, size, fingerprint, run_id) "
        "VALUES (?, CAST(? AS TEXT), CAST(? AS TEXT), ?, ?, ?, ?, ?)",
        (photo_id, db_text(file.path), db_text(file.name), file.ext, file.kind, file.size, file.fingerprint, run_id),
    )


def contents_before(conn: sqlite3.Connection) -> list[tuple[int, FileBefore, int]]:
    """(photo, file as it was, scan) noted by scans that did not decide them yet."""
    return [(int(photo_id), FileBefore(*(os.fsdecode(v) if isinstance(v, bytes) else v for v in file)), int(run_id))
            for photo_id, *file, run_id in conn.execute(
                "SELECT photo_id, path, name, ext, kind, size, fingerprint, run_id FROM contents_before")]


def forget_contents_before(conn: sqlite3.Connection, photo_ids: list[int] | None = None) -> None:
    """Drop the notes of these photos (None: of all), once decided."""
    if photo_ids is None:
        conn.execute("DELETE FROM contents_before")
    else:
        conn.executemany("DELETE FROM contents_before WHERE photo_id = ?", [(i,) for i in photo_ids])


def detached_photos(conn: sqlite3.Connection) -> list[int]:
    """Photos that gave up their names (see detach_photo) and are still missing, with
    the missing photos of their folders (the last name of a renumbered run, gone): a scan
    killed before it recognised the moves left them, and the next looks for their
    pictures again. (A pass over the photos: asked only after such a scan.)"""
    return [int(r[0]) for r in conn.execute(
        "SELECT id FROM photos WHERE missing = 1 AND folder IN (SELECT folder FROM photos "
        "WHERE missing = 1 AND stem LIKE '% (renamed over, #%)') ORDER BY id")]
