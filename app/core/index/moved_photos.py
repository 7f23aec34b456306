"""The index's side of a photo found at another place (app/core/scan_moves.py): the
lookups that find which new photo row holds a missing photo's picture, and the writes
that join the two, the old photo keeping its labels and taking the new place, with its
write journal, read-back records and damage notes following the files. Callers hold a transaction."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from app.core.index.catalog import METADATA_COLUMNS, refresh_fts
from app.core.index.connection import db_text, now_iso
from app.core.index.photo_rows import remove_photos
from app.core.index.problems import follow_damage_notes
from app.core.index.renamed_over_records import path_before_detached
from app.core.index.sidecar_states import state_now
from app.core.metadata.sidecar import SIDECAR_SUFFIXES

# Two JPEGs of one size and the same first and last 64 KiB (two night frames of one card
# swap: black top and bottom rows, the same date) share a fingerprint yet can be two
# pictures: where both files have a picture print, it must agree too.
_SAME_PICTURE = "(of.picture_print IS NULL OR nf.picture_print IS NULL OR of.picture_print = nf.picture_print)"
SAME_PICTURE = _SAME_PICTURE  # for the look-ups of index/left_behind.py


def moved_candidates(conn: sqlite3.Connection, old_id: int, newer_than: int) -> int | None:
    """The photo created in this scan (id > newer_than) holding a file with the same
    fingerprint as one of the missing photo's files, if there is one only. A fingerprint
    that another missing photo's file or another new photo's file holds too (a RAW kept
    twice, byte for byte: a backup copy) says nothing of which photo moved where, and is
    not followed; a photo whose files went to two new photos is not split by a guess."""
    rows = conn.execute(
        "SELECT DISTINCT nf.photo_id FROM files of JOIN files nf ON nf.fingerprint = of.fingerprint "
        "JOIN photos np ON np.id = nf.photo_id "
        "WHERE of.photo_id = ? AND of.fingerprint IS NOT NULL AND nf.missing = 0 AND np.id > ? "
        f"AND np.missing = 0 AND {_SAME_PICTURE} "
        "AND NOT EXISTS (SELECT 1 FROM files xf JOIN photos xp ON xp.id = xf.photo_id "
        "WHERE xf.fingerprint = of.fingerprint AND xf.photo_id <> of.photo_id AND xp.missing = 1) "
        "AND NOT EXISTS (SELECT 1 FROM files yf JOIN photos yp ON yp.id = yf.photo_id "
        "WHERE yf.fingerprint = of.fingerprint AND yf.missing = 0 AND yf.photo_id <> nf.photo_id "
        "AND yp.id > ? AND yp.missing = 0) "
        "ORDER BY np.id LIMIT 2",
        (old_id, newer_than, newer_than),
    ).fetchall()
    return int(rows[0][0]) if len(rows) == 1 else None


def left_on_a_card(conn: sqlite3.Connection, photo_id: int) -> None:
    """Mark `photo_id`, a photo on a card not connected whose copy a scan found, and its
    files missing, so that adopt_moved_photo takes it to the copy (in the caller's savepoint)."""
    conn.execute("UPDATE files SET missing = 1 WHERE photo_id = ?", (photo_id,))
    conn.execute("UPDATE photos SET missing = 1, updated_at = ? WHERE id = ?", (now_iso(), photo_id))


def split_off_what_was_not_copied(conn: sqlite3.Connection, old_id: int, new_id: int) -> int | None:
    """Before the card photo `old_id` joins its copy `new_id`: its files that none of the
    copy's files is (by fingerprint: a RAW+JPEG pair whose JPEG only was imported) stay on
    the card as a photo of their own, not connected like the card's photos not copied,
    with `old_id`'s label and rejections (the RAW keeps the user's word when the card is
    back) and the records of our writes of them. Joined, they would be the copy's files on
    a card not connected, which every `write` failed on and no scan or `forget` could reach. Returns
    the new photo's id; None when every file was copied (or none: no join)."""
    copied = {fingerprint for (fingerprint,) in conn.execute(
        "SELECT fingerprint FROM files WHERE photo_id = ? AND fingerprint IS NOT NULL", (new_id,))}
    files = conn.execute("SELECT id, path, kind, fingerprint FROM files WHERE photo_id = ? ORDER BY id",
                         (old_id,)).fetchall()
    left = [(int(file_id), path, kind) for file_id, path, kind, fingerprint in files if fingerprint not in copied]
    if not left or len(left) == len(files):
        return None
    place = conn.execute(f"SELECT folder, stem, {', '.join(METADATA_COLUMNS)} FROM photos WHERE id = ?",
                         (old_id,)).fetchone()
    primary = next((path for _, path, kind in left if kind == "raw"), left[0][1])
    now = now_iso()
    # its name is the split photo's now: the join gives `old_id` the copy's (a '/' no stem holds, till then)
    conn.execute("UPDATE photos SET stem = stem || '/' || id WHERE id = ?", (old_id,))
    split_id = int(conn.execute(
        "INSERT INTO photos (folder, stem, primary_path, has_raw, missing, added_at, updated_at, "
        f"{', '.join(METADATA_COLUMNS)}) VALUES (?, ?, ?, ?, 0, ?, ?, {', '.join('?' * len(METADATA_COLUMNS))})",
        (place[0], place[1], primary, int(any(kind == "raw" for _, _, kind in left)), now, now, *place[2:]),
    ).lastrowid)
    conn.executemany("UPDATE files SET photo_id = ? WHERE id = ?", [(split_id, file_id) for file_id, _, _ in left])
    conn.execute("INSERT INTO labels (photo_id, label, landmark_id, score, source, state, model_id, updated_at) "
                 "SELECT ?, label, landmark_id, score, source, state, model_id, updated_at FROM labels "
                 "WHERE photo_id = ?", (split_id, old_id))
    # The user's word on the pair is word on its RAW: its rejections too (else the next `tag` of
    # the card, back, suggested the landmark the label says rejected), and the label's mark of a
    # photo labelled before read-backs were recorded. The model's rows (predictions, tagged,
    # embeddings) stay: they are of the JPEG, so `tag` reads the RAW's own files again, the
    # rejections kept out of its answer. Taught references stay with the copy: the same picture
    # taught twice would count twice in its place's centre, and the copy keeps teaching it.
    conn.execute("INSERT INTO rejections (photo_id, label) SELECT ?, label FROM rejections WHERE photo_id = ?",
                 (split_id, old_id))
    conn.execute("INSERT INTO read_backs_unrecorded (photo_id) SELECT ? FROM read_backs_unrecorded "
                 "WHERE photo_id = ?", (split_id, old_id))
    # the review commands that gave the pair its label: `undo --review` takes them back on the RAW too
    conn.execute("INSERT INTO review_changes (command_id, photo_id, label, landmark_id, score, source, state, "
                 "model_id, after_label, after_state) SELECT command_id, ?, label, landmark_id, score, source, "
                 "state, model_id, after_label, after_state FROM review_changes WHERE photo_id = ?", (split_id, old_id))
    paths = []
    for _, path, _ in left:
        name = Path(os.fsdecode(path) if isinstance(path, bytes) else path)
        paths += [name] + [name.with_name(name.name + suffix) for suffix in SIDECAR_SUFFIXES]
        paths += [name.with_name(name.stem + suffix) for suffix in SIDECAR_SUFFIXES]
    for table in ("write_journal", "read_back_keywords", "sidecar_states", "unwritten_elsewhere"):
        conn.executemany(f"UPDATE OR IGNORE {table} SET photo_id = ? WHERE photo_id = ? AND path = CAST(? AS TEXT)",
                         [(split_id, old_id, db_text(str(path))) for path in paths])
    refresh_fts(conn, split_id)
    return split_id


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
        f"AND np.id <> ? AND np.missing = 0 AND {_SAME_PICTURE} ORDER BY np.id",
        (old_id, newer_than, old_id),
    ).fetchall()
    return next((int(r[0]) for r in rows if users_words_too or holds_nothing_of_the_user(conn, int(r[0]))), None)


def only_earlier_copy(conn: sqlite3.Connection, old_id: int, newer_than: int) -> int | None:
    """The present photo indexed before this scan (id <= newer_than) that is the only
    other photo holding a fingerprint of `old_id`'s files (present, missing or new), the
    same picture, if it holds nothing of the user's (as earlier_copy_of) or only the
    label `old_id` holds, read back from its own files (holds_only_the_same_files_word):
    a card photo's copy a scan of its new folder alone brought in. A fingerprint two
    photos hold beside `old_id` (two copies, or two card photos of one picture) is no proof: None."""
    rows = conn.execute(
        "SELECT DISTINCT nf.photo_id FROM files of JOIN files nf ON nf.fingerprint = of.fingerprint "
        "WHERE of.photo_id = ? AND of.fingerprint IS NOT NULL AND nf.photo_id <> ? LIMIT 2",
        (old_id, old_id)).fetchall()
    if len(rows) != 1:
        return None
    new_id = int(rows[0][0])
    proof = conn.execute(
        "SELECT 1 FROM files of JOIN files nf ON nf.fingerprint = of.fingerprint JOIN photos np ON np.id = nf.photo_id "
        "WHERE of.photo_id = ? AND nf.photo_id = ? AND nf.missing = 0 AND np.missing = 0 AND np.id <= ? "
        f"AND {_SAME_PICTURE} LIMIT 1", (old_id, new_id, newer_than)).fetchone()
    return new_id if proof is not None and holds_only_the_same_files_word(conn, new_id, old_id) else None


def holds_only_the_same_files_word(conn: sqlite3.Connection, copy_id: int, photo_id: int) -> bool:
    """Nothing of the user's, or only the label read back from its own files (files_word)
    that `photo_id` holds, accepted: a card photo labelled and written, then imported, whose
    copy's word is the card photo's own (joining loses nothing), not one of its own."""
    if holds_nothing_of_the_user(conn, copy_id):
        return True
    word = files_word(conn, copy_id)
    return word is not None and conn.execute(
        "SELECT 1 FROM labels WHERE photo_id = ? AND label = ? AND state = 'accepted'",
        (photo_id, word[0])).fetchone() is not None


def only_copy_since(conn: sqlite3.Connection, old_id: int, newer_than: int, up_to: int) -> int | None:
    """The present photo a killed scan brought in (newer_than < id <= up_to) that is the
    only present photo sharing a fingerprint with the missing `old_id`, if there is
    exactly one: a photo with a word of the user's is joined only then, never by a guess."""
    rows = conn.execute(
        "SELECT DISTINCT nf.photo_id FROM files of JOIN files nf ON nf.fingerprint = of.fingerprint "
        "JOIN photos np ON np.id = nf.photo_id "
        "WHERE of.photo_id = ? AND of.fingerprint IS NOT NULL AND nf.missing = 0 "
        f"AND np.id <> ? AND np.missing = 0 AND {_SAME_PICTURE} LIMIT 2",
        (old_id, old_id),
    ).fetchall()
    if len(rows) != 1 or not newer_than < int(rows[0][0]) <= up_to:
        return None
    return int(rows[0][0])


def missing_original_of(conn: sqlite3.Connection, new_id: int) -> int | None:
    """The photo missing since an earlier scan with a file of the same fingerprint as one
    of `new_id`'s (the photo moved out of the library and is back at a new place), if it
    is the only missing one: of two (a RAW and its backup copy, both gone) which came
    back is a guess, which would put the other's labels on it (as moved_candidates)."""
    rows = conn.execute(
        "SELECT DISTINCT op.id FROM files nf JOIN files of ON of.fingerprint = nf.fingerprint "
        "JOIN photos op ON op.id = of.photo_id "
        f"WHERE nf.photo_id = ? AND nf.fingerprint IS NOT NULL AND op.missing = 1 AND op.id <> ? AND {_SAME_PICTURE} "
        "LIMIT 2",
        (new_id, new_id),
    ).fetchall()
    return int(rows[0][0]) if len(rows) == 1 else None


def holds_nothing_of_the_user(conn: sqlite3.Connection, photo_id: int) -> bool:
    """No label or review of the user's, no taught reference, no rejection: a photo row
    that may give way to the one it is a move of."""
    from app.core.index.labels import has_users_word

    if has_users_word(conn, photo_id):
        return False
    return not any(conn.execute(f"SELECT 1 FROM {table} WHERE photo_id = ? LIMIT 1", (photo_id,)).fetchone()
                   for table in ("taught_refs", "rejections"))


def holds_only_its_files_word(conn: sqlite3.Connection, photo_id: int) -> bool:
    """Nothing of the user's but, at most, the label read back from its own files when it
    was indexed (files_word): the row a scan that did not finish made of a moved photo
    whose files hold our keyword, which may give way to the photo it is a move of."""
    return holds_nothing_of_the_user(conn, photo_id) or files_word(conn, photo_id) is not None


def stray_of_a_killed_scan(conn: sqlite3.Connection, photo_id: int) -> bool:
    """Whether a missing row a killed scan brought in may go without a trace (the folder it
    read moved back, a photo of it deleted): it holds nothing of the user's, or only the
    label read back from its own files (holds_only_its_files_word), and no write of ours
    is journalled for it (`undo` would need the row)."""
    return holds_only_its_files_word(conn, photo_id) and conn.execute(
        "SELECT 1 FROM write_journal WHERE photo_id = ? LIMIT 1", (photo_id,)).fetchone() is None


def second_row_of_a_known_photo(conn: sqlite3.Connection, photo_id: int, since: int, newest_before: int) -> bool:
    """Whether a file of `photo_id` (a row a killed scan brought in, ids in (since,
    newest_before]) has its fingerprint in another photo's row that the killed scan did not
    bring in, or that is present: the row is then a second one of a photo known elsewhere
    (its folder moved back, a moved copy deleted), not a photo of its own (a killed card
    import whose card was unplugged is a set of missing photos, as after a finished one)."""
    return conn.execute(
        "SELECT 1 FROM files nf JOIN files of ON of.fingerprint = nf.fingerprint JOIN photos op ON op.id = of.photo_id "
        "WHERE nf.photo_id = ? AND nf.fingerprint IS NOT NULL AND op.id <> ? "
        "AND (op.id <= ? OR op.id > ? OR op.missing = 0) LIMIT 1",
        (photo_id, photo_id, since, newest_before)).fetchone() is not None


def read_back_from_its_files(conn: sqlite3.Connection, photo_id: int) -> bool:
    """Whether the photo's label was read back from our keyword in its own files when it was
    indexed (read_back_keywords, kept through relabels and rejections): files holding what a
    write of ours wrote, unlike a card's original of the same picture, whatever the user made
    of the label since."""
    return conn.execute("SELECT 1 FROM read_back_keywords WHERE photo_id = ? LIMIT 1", (photo_id,)).fetchone() is not None


def files_word(conn: sqlite3.Connection, photo_id: int) -> tuple[str, bool | None] | None:
    """(label, what our field said of teaching: False, it taught nothing; None, it said
    nothing) where the photo's one word is the label its own files gave (read back, as
    read_back_records recorded), no rejection or taught place beside it; None where the
    user gave, changed or rejected anything for it since, or it holds no label."""
    if any(conn.execute(f"SELECT 1 FROM {table} WHERE photo_id = ? LIMIT 1", (photo_id,)).fetchone()
           for table in ("taught_refs", "rejections")):
        return None
    row = conn.execute(
        "SELECT l.label, l.source FROM labels l WHERE l.photo_id = ? AND l.state = 'accepted' "
        "AND l.source IN ('user', 'taught') AND EXISTS (SELECT 1 FROM read_back_keywords r "
        "WHERE r.photo_id = l.photo_id AND r.keyword = l.label)", (photo_id,)).fetchone()
    return None if row is None else (str(row[0]), False if row[1] == "taught" else None)


# How much of the user's word a label row holds: theirs or accepted, a rejection, a suggestion.
_WORD_WEIGHT = "CASE WHEN source = 'user' OR state = 'accepted' THEN 3 WHEN state = 'rejected' THEN 2 ELSE 1 END"


def take_over_users_words(conn: sqlite3.Connection, old_id: int, new_id: int) -> None:
    """Before `old_id` adopts `new_id` (one photo with a word of the user's on both
    rows): the stronger label of the two stays (the user's or accepted over a rejection
    over a suggestion; the one changed last when equal: the user's newest act), and
    `new_id`'s rejections and taught references join `old_id`'s. The review journal's
    first step on `new_id` gets `old_id`'s label as its before: `undo --review` gives the
    photo back the label it had (Petra), not the new row's none."""
    _journal_heirs_label_as_before(conn, old_id, new_id)
    words = {int(photo_id): (int(weight), updated_at or "") for photo_id, weight, updated_at in conn.execute(
        f"SELECT photo_id, {_WORD_WEIGHT}, updated_at FROM labels WHERE photo_id IN (?, ?)", (old_id, new_id))}
    if words.get(new_id, (0, "")) >= words.get(old_id, (0, "")):  # same second too: `new_id`'s
        conn.execute("DELETE FROM labels WHERE photo_id = ?", (old_id,))
        conn.execute("UPDATE labels SET photo_id = ? WHERE photo_id = ?", (old_id, new_id))
    for table in ("rejections", "taught_refs"):
        conn.execute(f"UPDATE OR IGNORE {table} SET photo_id = ? WHERE photo_id = ?", (old_id, new_id))
        conn.execute(f"DELETE FROM {table} WHERE photo_id = ?", (new_id,))


def _journal_heirs_label_as_before(conn: sqlite3.Connection, old_id: int, new_id: int) -> None:
    """The earliest review step journalled on `new_id` (of a command `old_id` holds no row
    of: photo_rows hands it over) recorded the new row's state before it; one photo, its
    state before that step was `old_id`'s label, which the join is about to replace."""
    first = conn.execute(
        "SELECT MIN(command_id) FROM review_changes WHERE photo_id = ? AND command_id NOT IN "
        "(SELECT command_id FROM review_changes WHERE photo_id = ?)", (new_id, old_id)).fetchone()[0]
    if first is not None:  # (no label row: all NULL, as the journal records a photo with none)
        conn.execute(
            "UPDATE review_changes SET (label, landmark_id, score, source, state, model_id) = "
            "(SELECT label, landmark_id, score, source, state, model_id FROM labels WHERE photo_id = ?) "
            "WHERE command_id = ? AND photo_id = ?", (old_id, first, new_id))


def adopt_moved_photo(conn: sqlite3.Connection, old_id: int, new_id: int, by_picture: bool = False) -> list[str]:
    """A photo found at a new place is the missing `old_id` moved there: the old
    photo (and its labels) takes over the new files and place; the new row goes, with
    every row of it (photo_rows.remove_photos): the caller takes its read-back records first.
    `by_picture`: recognised by its picture (index/picture_moves.py), its files edited since,
    so each old file is followed to the new one of the same picture print, else of the
    same extension, not only of the same fingerprint. Returns the moved sidecars edited
    since our records last saw them at the old place: the photo's to read again
    (keywords_changed_elsewhere), as a sidecar changed in place is."""
    new_files = conn.execute("SELECT fingerprint, path FROM files WHERE photo_id = ?", (new_id,)).fetchall()
    counterparts = _counterparts(conn, old_id, new_id, by_picture)
    edited = _follow_in_write_journal(conn, old_id, counterparts)
    conn.executemany(
        "DELETE FROM files WHERE photo_id = ? AND missing = 1 AND fingerprint = ?",
        [(old_id, fingerprint) for fingerprint, _ in new_files],
    )
    conn.executemany("DELETE FROM files WHERE id = ? AND missing = 1", [(file_id,) for file_id in counterparts])
    conn.execute("UPDATE files SET photo_id = ? WHERE photo_id = ?", (old_id, new_id))
    place = conn.execute(
        f"SELECT folder, stem, primary_path, has_raw, {', '.join(METADATA_COLUMNS)} FROM photos WHERE id = ?",
        (new_id,),
    ).fetchone()
    # every row of the new one goes or follows the files (the sidecar states the scan recorded
    # at the new place, its problems): none is left for the next photo given its id
    remove_photos(conn, [new_id], heir=old_id)
    conn.execute(
        "UPDATE photos SET folder = CAST(? AS TEXT), stem = CAST(? AS TEXT), primary_path = CAST(? AS TEXT), "
        f"has_raw = ?, {', '.join(c + ' = ?' for c in METADATA_COLUMNS)}, missing = 0, updated_at = ? WHERE id = ?",
        (*[db_text(v) for v in place[:3]], *place[3:], now_iso(), old_id),
    )
    refresh_fts(conn, old_id)
    return edited


def _counterparts(conn: sqlite3.Connection, old_id: int, new_id: int, by_picture: bool) -> dict[int, tuple]:
    """The missing files of `old_id` that `new_id`'s files are (file id -> (old path, new
    path)): the same fingerprint; `by_picture`, else the same picture print, else the one
    new file of the same extension."""
    new_files = conn.execute("SELECT fingerprint, picture_print, ext, path FROM files WHERE photo_id = ?",
                             (new_id,)).fetchall()
    by_fingerprint = {f: path for f, _, _, path in new_files if f is not None}
    by_print = {p: path for _, p, _, path in new_files if p is not None}
    by_ext: dict[str, list] = {}
    for _, _, ext, path in new_files:
        by_ext.setdefault(str(ext).lower(), []).append(path)
    pairs = {}
    for file_id, fingerprint, picture, ext, old_path in conn.execute(
            "SELECT id, fingerprint, picture_print, ext, path FROM files WHERE photo_id = ? AND missing = 1",
            (old_id,)).fetchall():
        new_path = by_fingerprint.get(fingerprint)
        if new_path is None and by_picture:
            same_ext = by_ext.get(str(ext).lower(), [])
            new_path = by_print.get(picture) if picture is not None else None
            new_path = new_path if new_path is not None else (same_ext[0] if len(same_ext) == 1 else None)
        if new_path is not None:
            pairs[int(file_id)] = (old_path, new_path)
    return pairs


def _follow_in_write_journal(conn: sqlite3.Connection, old_id: int, counterparts: dict[int, tuple]) -> list[str]:
    """Point the write journal at the moved files, and at their sidecars (`DSC_1.NEF.xmp`
    or `DSC_1.xmp`) where those moved with them, so `undo` finds the files it wrote
    where they are, and the record of a label read back (read_back_records), so a relabel
    still replaces that keyword, and the sidecar's last seen state (sidecar_states), so a
    rescan does not take the moved sidecar for a changed one, and the note of what `write` would
    fill in of a file changed elsewhere (unwritten_elsewhere), so is:unwritten keeps it. A sidecar left under the old name (the photo renamed in
    Finder, Explorer or `mv`) keeps its path: undo restores it there, not a name that never existed.
    Returns the moved sidecars not as any record knew them at the old path: edited on the way
    (Lightroom saved the keywords before the scan), which the records re-pointed would hide."""
    moves = {}
    for old_path, new_path in counterparts.values():
        old_path = path_before_detached(os.fsdecode(old_path) if isinstance(old_path, bytes) else old_path)
        old, new = (Path(os.fsdecode(p) if isinstance(p, bytes) else p) for p in (old_path, new_path))
        moves[old] = new
        for suffix in SIDECAR_SUFFIXES:  # `.xmp`, or `.XMP` as Photo Mechanic writes it
            sidecar = old.with_name(old.name + suffix)
            if _sidecar_moved(old, sidecar, new.with_name(new.name + suffix)):
                moves[sidecar] = new.with_name(new.name + suffix)
            sidecar = old.with_name(old.stem + suffix)
            if sidecar not in moves and _sidecar_moved(old, sidecar, new.with_name(new.stem + suffix)):
                moves[sidecar] = new.with_name(new.stem + suffix)
    edited = [str(new) for old, new in moves.items() if old.suffix.lower() == ".xmp"
              and (known := _states_known_at(conn, old)) and state_now(str(new)) not in known]
    for table in ("write_journal", "read_back_keywords", "sidecar_states", "unwritten_elsewhere"):
        for row_id, path in conn.execute(f"SELECT rowid, path FROM {table} WHERE photo_id = ?", (old_id,)).fetchall():
            moved = moves.get(Path(os.fsdecode(path) if isinstance(path, bytes) else path))
            if moved is not None:
                conn.execute(f"UPDATE OR REPLACE {table} SET path = CAST(? AS TEXT) WHERE rowid = ?",
                             (db_text(str(moved)), row_id))
    notes = []
    for row_id, path in conn.execute("SELECT id, path FROM errors WHERE photo_id = ? AND stage = 'damaged' "
                                     "AND path IS NOT NULL", (old_id,)).fetchall():
        path = os.fsdecode(path) if isinstance(path, bytes) else path
        if Path(path) in moves:
            notes.append((row_id, path, str(moves[Path(path)])))
    follow_damage_notes(conn, notes)
    return edited


def _states_known_at(conn: sqlite3.Connection, path: Path) -> set[tuple[int, int]]:
    """The (size, mtime_ns) states our records know of the sidecar at `path`, as the scan's
    known_sidecars does: the after-states of our writes of it, and its last seen state."""
    rows = conn.execute(
        "SELECT j.size_after, j.mtime_ns_after FROM write_journal j JOIN write_batches b ON b.id = j.batch_id "
        "WHERE j.path = CAST(? AS TEXT) AND j.kind = 'sidecar' AND b.undone_at IS NULL AND j.size_after >= 0 "
        "UNION ALL SELECT size, mtime_ns FROM sidecar_states WHERE path = CAST(? AS TEXT)",
        (db_text(str(path)), db_text(str(path))))
    return {(int(size), int(mtime_ns or 0)) for size, mtime_ns in rows}


def _sidecar_moved(old_photo: Path, old_sidecar: Path, new_sidecar: Path) -> bool:
    """Whether the sidecar went with its photo: there is one under the new name, and
    none is left under the old one, unless another picture took the old name (a
    renumbering, whose sidecar there came with that picture)."""
    return os.path.isfile(new_sidecar) and (not os.path.lexists(old_sidecar) or os.path.lexists(old_photo))


def follow_file_undo_found(conn: sqlite3.Connection, photo_id: int, old_path: Path, new_path: Path) -> bool:
    """`undo` found the photo's file at `new_path`, renamed or moved outside the app with
    no scan since (or since a scan marked it missing): the photo's record of it moves
    there, as a scan's adopt_moved_photo would move it (the photo keeps its id, labels and
    holds; the journal, read-back records, sidecar states and damage notes follow, its
    sidecars with it), since the undo is about to change the bytes a scan would know it
    by. Not where another photo's record holds `new_path` (the next scan sorts that out).
    Returns whether the record moved. Callers hold a transaction."""
    rows = conn.execute("SELECT id, path FROM files WHERE photo_id = ?", (photo_id,)).fetchall()
    file_id, recorded = next(((row_id, path) for row_id, path in rows
                              if Path(path_before_detached(os.fsdecode(path) if isinstance(path, bytes) else path))
                              == old_path), (None, None))
    if file_id is None or conn.execute("SELECT 1 FROM files WHERE path = CAST(? AS TEXT)",
                                       (db_text(str(new_path)),)).fetchone():
        return False
    # the photo goes where this file is now unless another of its files is there (a pair's RAW left behind)
    with_it = conn.execute("SELECT 1 FROM files WHERE photo_id = ? AND id <> ? AND missing = 0",
                           (photo_id, file_id)).fetchone() is None
    if with_it and conn.execute("SELECT 1 FROM photos WHERE folder = CAST(? AS TEXT) AND stem = CAST(? AS TEXT) "
                                "AND id <> ?", (db_text(str(new_path.parent)), db_text(new_path.stem),
                                                photo_id)).fetchone():
        return False  # another photo of that name there (a RAW of its own): the scan pairs or parts them
    _follow_in_write_journal(conn, photo_id, {file_id: (recorded, str(new_path))})
    conn.execute("UPDATE files SET path = CAST(? AS TEXT), name = CAST(? AS TEXT), missing = 0 WHERE id = ?",
                 (db_text(str(new_path)), db_text(new_path.name), file_id))
    if with_it:
        conn.execute("UPDATE photos SET folder = CAST(? AS TEXT), stem = CAST(? AS TEXT), "
                     "primary_path = CAST(? AS TEXT), missing = 0, updated_at = ? WHERE id = ?",
                     (db_text(str(new_path.parent)), db_text(new_path.stem), db_text(str(new_path)), now_iso(),
                      photo_id))
    else:
        conn.execute("UPDATE photos SET primary_path = CAST(? AS TEXT), updated_at = ? "
                     "WHERE id = ? AND primary_path = CAST(? AS TEXT)",
                     (db_text(str(new_path)), now_iso(), photo_id, db_text(str(old_path))))
    refresh_fts(conn, photo_id)
    return True
