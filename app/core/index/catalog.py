"""The scanner's writes to the photos/files tables (and their full-text rows).
Callers hold a transaction; these functions only issue statements."""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from app.core.folder_paths import subtree_range
from app.core.index.connection import db_text, now_iso
from app.core.index.search_text import refresh_search_text
from app.core.metadata.sidecar import SIDECAR_SUFFIXES
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
        "contents_scan_id) VALUES (?, CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), ?, ?, ?, ?, 0, ?, ?) "
        "ON CONFLICT (path) DO UPDATE SET photo_id = excluded.photo_id, size = excluded.size, "
        "mtime_ns = excluded.mtime_ns, fingerprint = coalesce(excluded.fingerprint, files.fingerprint), "
        "contents_scan_id = CASE WHEN files.missing = 1 OR (excluded.fingerprint IS NOT NULL AND "
        "files.fingerprint IS NOT excluded.fingerprint) THEN excluded.contents_scan_id ELSE files.contents_scan_id END, "
        "missing = 0, last_scan_id = excluded.last_scan_id",
        (photo_id, db_text(state.path), db_text(state.name), db_text(state.ext), state.kind,
         state.size, state.mtime_ns, state.fingerprint, run_id, run_id if state.fingerprint is not None else None),
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


def adopt_moved_photo(conn: sqlite3.Connection, old_id: int, new_id: int) -> None:
    """A photo found at a new place is the missing `old_id` moved there: the old
    photo (and its labels) takes over the new files and place; the new row goes."""
    new_files = conn.execute("SELECT fingerprint, path FROM files WHERE photo_id = ?", (new_id,)).fetchall()
    _follow_in_write_journal(conn, old_id, dict(new_files))
    conn.executemany(
        "DELETE FROM files WHERE photo_id = ? AND missing = 1 AND fingerprint = ?",
        [(old_id, fingerprint) for fingerprint, _ in new_files],
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


def _follow_in_write_journal(conn: sqlite3.Connection, old_id: int, new_paths: dict[str, object]) -> None:
    """Point the write journal at the moved files, and at their sidecars (`DSC_1.NEF.xmp`
    or `DSC_1.xmp`) where those moved with them, so `undo` finds the files it wrote
    where they are, and the record of a label read back (read_back_records), so a relabel
    still replaces that keyword. A sidecar left under the old name (the photo renamed in
    Finder, Explorer or `mv`) keeps its path: undo restores it there, not a name that never existed."""
    moves = {}
    for fingerprint, old_path in conn.execute(
        "SELECT fingerprint, path FROM files WHERE photo_id = ? AND missing = 1", (old_id,)
    ).fetchall():
        if fingerprint in new_paths:
            old_path = path_before_detached(os.fsdecode(old_path) if isinstance(old_path, bytes) else old_path)
            old, new = (Path(os.fsdecode(p) if isinstance(p, bytes) else p) for p in (old_path, new_paths[fingerprint]))
            moves[old] = new
            for suffix in SIDECAR_SUFFIXES:  # `.xmp`, or `.XMP` as Photo Mechanic writes it
                sidecar = old.with_name(old.name + suffix)
                if _sidecar_moved(old, sidecar, new.with_name(new.name + suffix)):
                    moves[sidecar] = new.with_name(new.name + suffix)
                sidecar = old.with_name(old.stem + suffix)
                if sidecar not in moves and _sidecar_moved(old, sidecar, new.with_name(new.stem + suffix)):
                    moves[sidecar] = new.with_name(new.stem + suffix)
    for table in ("write_journal", "read_back_keywords"):
        for row_id, path in conn.execute(f"SELECT rowid, path FROM {table} WHERE photo_id = ?", (old_id,)).fetchall():
            moved = moves.get(Path(os.fsdecode(path) if isinstance(path, bytes) else path))
            if moved is not None:
                conn.execute(f"UPDATE OR REPLACE {table} SET path = CAST(? AS TEXT) WHERE rowid = ?",
                             (db_text(str(moved)), row_id))


def _sidecar_moved(old_photo: Path, old_sidecar: Path, new_sidecar: Path) -> bool:
    """Whether the sidecar went with its photo: there is one under the new name, and
    none is left under the old one, unless another picture took the old name (a
    renumbering, whose sidecar there came with that picture)."""
    return os.path.isfile(new_sidecar) and (not os.path.lexists(old_sidecar) or os.path.lexists(old_photo))


def files_held_before_by_another(conn: sqlite3.Connection, fingerprint: str, photo_id: int,
                                 newest_before: int) -> list[tuple[str, int | None]]:
    """(path, size) of the files of other photos indexed before this scan (id <=
    newest_before) that hold, or held, these contents."""
    rows = conn.execute(
        "SELECT path, size FROM files WHERE fingerprint = ? AND photo_id <> ? AND photo_id <= ?",
        (fingerprint, photo_id, newest_before),
    ).fetchall()
    return [(os.fsdecode(path) if isinstance(path, bytes) else path, size) for path, size in rows]


# A photo whose name another picture took keeps its files' paths with this after them
# (no file on disk is named so) until the move recognition finds where its picture went.
_DETACHED = " (renamed over, #{})"
_DETACHED_PATTERN = re.compile(r" \(renamed over, #\d+\)$")


def path_before_detached(path: str) -> str:
    """The path a detached photo's file had (see detach_photo), or `path` as it is."""
    return _DETACHED_PATTERN.sub("", path)


def detach_photo(conn: sqlite3.Connection, photo_id: int) -> None:
    """The photo's name now holds another picture: the photo gives up its name (its key
    and its files' paths get a suffix no file on disk has: the index holds one row a
    path) and is missing, keeping its labels and its files' fingerprints, which find it
    again if its picture turns up under another name in this scan or later. Where it is
    shown (primary path, file names) it keeps the names it had."""
    suffix = _give_up_name(conn, photo_id)
    conn.execute("UPDATE files SET path = path || ?, name = name || ?, missing = 1 WHERE photo_id = ?",
                 (suffix, suffix, photo_id))


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


def is_present(conn: sqlite3.Connection, photo_id: int) -> bool:
    row = conn.execute("SELECT missing FROM photos WHERE id = ?", (photo_id,)).fetchone()
    return row is not None and not row[0]


def detached_photos(conn: sqlite3.Connection) -> list[int]:
    """Photos that gave up their names (see detach_photo) and are still missing, with
    the missing photos of their folders (the last name of a renumbered run, gone): a scan
    killed before it recognised the moves left them, and the next looks for their
    pictures again. (A pass over the photos: asked only after such a scan.)"""
    return [int(r[0]) for r in conn.execute(
        "SELECT id FROM photos WHERE missing = 1 AND folder IN (SELECT folder FROM photos "
        "WHERE missing = 1 AND stem LIKE '% (renamed over, #%)') ORDER BY id")]


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


def earlier_copy_of(conn: sqlite3.Connection, old_id: int, newer_than: int,
                    users_words_too: bool = False) -> int | None:
    """A present photo indexed before this scan (a folder read on its own earlier: the
    photos were moved there, then their old folder read) with a file of the same
    fingerprint as one of the missing photo's files, if it holds nothing of the user's
    (or, `users_words_too`, whatever it holds: the same file under two spellings)."""
    rows = conn.execute(
        "SELECT DISTINCT nf.photo_id FROM files of JOIN files nf ON nf.fingerprint = of.fingerprint "
        "JOIN photos np ON np.id = nf.photo_id "
        "WHERE of.photo_id = ? AND of.fingerprint IS NOT NULL AND nf.missing = 0 AND np.id <= ? "
        "AND np.id <> ? AND np.missing = 0 ORDER BY np.id",
        (old_id, newer_than, old_id),
    ).fetchall()
    return next((int(r[0]) for r in rows if users_words_too or holds_nothing_of_the_user(conn, int(r[0]))), None)


def only_copy_since(conn: sqlite3.Connection, old_id: int, newer_than: int, up_to: int) -> int | None:
    """The present photo a killed scan brought in (newer_than < id <= up_to) that is the
    only present photo sharing a fingerprint with the missing `old_id`, if there is
    exactly one: a photo with a word of the user's is joined only then, never by a guess."""
    rows = conn.execute(
        "SELECT DISTINCT nf.photo_id FROM files of JOIN files nf ON nf.fingerprint = of.fingerprint "
        "JOIN photos np ON np.id = nf.photo_id "
        "WHERE of.photo_id = ? AND of.fingerprint IS NOT NULL AND nf.missing = 0 "
        "AND np.id <> ? AND np.missing = 0 LIMIT 2",
        (old_id, old_id),
    ).fetchall()
    if len(rows) != 1 or not newer_than < int(rows[0][0]) <= up_to:
        return None
    return int(rows[0][0])


# How much of the user's word a label row holds: theirs or accepted, a rejection, a suggestion.
_WORD_WEIGHT = "CASE WHEN source = 'user' OR state = 'accepted' THEN 3 WHEN state = 'rejected' THEN 2 ELSE 1 END"


def take_over_users_words(conn: sqlite3.Connection, old_id: int, new_id: int) -> None:
    """Before `old_id` adopts `new_id` (one photo with a word of the user's on both
    rows): the stronger label of the two stays (the user's or accepted over a rejection
    over a suggestion; the one changed last when equal: the user's newest act), and
    `new_id`'s rejections and taught references join `old_id`'s."""
    words = {int(photo_id): (int(weight), updated_at or "") for photo_id, weight, updated_at in conn.execute(
        f"SELECT photo_id, {_WORD_WEIGHT}, updated_at FROM labels WHERE photo_id IN (?, ?)", (old_id, new_id))}
    if words.get(new_id, (0, "")) >= words.get(old_id, (0, "")):  # same second too: `new_id`'s
        conn.execute("DELETE FROM labels WHERE photo_id = ?", (old_id,))
        conn.execute("UPDATE labels SET photo_id = ? WHERE photo_id = ?", (old_id, new_id))
    for table in ("rejections", "taught_refs"):
        conn.execute(f"UPDATE OR IGNORE {table} SET photo_id = ? WHERE photo_id = ?", (old_id, new_id))
        conn.execute(f"DELETE FROM {table} WHERE photo_id = ?", (new_id,))


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
