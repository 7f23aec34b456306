"""Every row the index keys by a photo's id, and the one way to take a photo row out.

photos.id has no AUTOINCREMENT: SQLite gives the id of a deleted newest photo to the
next photo added. A row left behind under a gone id (a rejection, a problem, a taught
reference) is then that stranger's: a photo the user never saw came in "Petra rejected".
So a photo row goes only through remove_photos, which takes every such row with it, or
hands it to the photo that took the files over (a moved photo's new row: `heir`).
A test checks PHOTO_TABLES against the schema, so a table added later is not forgotten.
Callers hold a transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from app.core.index.connection import id_chunks

# Rows about the files, which go with them to the photo that takes them over (the files
# themselves are moved first by the caller, moved_photos.adopt_moved_photo: they decide its place).
FOLLOW_THE_FILES = ("files", "errors", "photos_to_print", "photos_to_reread", "photos_to_plan")
# Keyed by path: one row per sidecar, the state the scan saw last (the gone row's) wins.
SIDECAR_STATES = "sidecar_states"
# Rows about the photo row itself (labels, reviews, model results, scan notes): they go with
# it (the user's words that the heir is to keep are taken over before: take_over_users_words).
OF_THE_ROW = ("labels", "predictions", "tagged", "embeddings", "rejections", "taught_refs", "contents_before",
              "moves_pending", "read_back_keywords", "read_backs_unrecorded", "split_off_files", "retag_photos",
              "unwritten_elsewhere")
# Journals, kept for `undo`: write_journal negates a forgotten photo's id (told apart, a
# photo's still and no photo's: else keywords_changed_elsewhere read the files our write
# labelled for it as the stranger's), the review journal marks its rows forgotten. A move is
# no forget: both journals' rows pass to the heir, so `undo` takes their steps back on it.
JOURNALS = ("write_journal", "review_changes", "review_taught_refs")
PHOTO_TABLES = (*FOLLOW_THE_FILES, SIDECAR_STATES, *OF_THE_ROW, *JOURNALS)


def remove_photos(conn: sqlite3.Connection, photo_ids: Sequence[int], heir: int | None = None) -> None:
    """Delete these photo rows and everything the index keys by their ids. `heir`: the
    photo that took their files over (a move recognised), which gets their rows about
    the files and both journals; else (forgotten) the write journal keeps its rows
    for `undo`, the id negated: a photo's still, and no other photo's."""
    from app.core.index.review_journal_edits import forget_photos

    if heir is None:
        forget_photos(conn, photo_ids)
    for chunk, marks in id_chunks([int(i) for i in photo_ids]):
        if heir is None:
            conn.execute(f"UPDATE write_journal SET photo_id = -photo_id WHERE photo_id IN ({marks})", chunk)
            conn.execute(f"DELETE FROM {SIDECAR_STATES} WHERE photo_id IN ({marks})", chunk)
        else:
            conn.execute(f"UPDATE OR REPLACE {SIDECAR_STATES} SET photo_id = ? WHERE photo_id IN ({marks})",
                         [heir, *chunk])
            for table in ("write_journal", *FOLLOW_THE_FILES):
                conn.execute(f"UPDATE OR IGNORE {table} SET photo_id = ? WHERE photo_id IN ({marks})", [heir, *chunk])
            _hand_review_journal_to(conn, heir, chunk, marks)
        # labels after the photo rows: its labels going first made the trigger
        # labels_by_time_delete write each photo's photos_by_time row again (FTS5 reads
        # and tokenises all its folder words, twice) just before the photo row took it out
        for table in (*FOLLOW_THE_FILES, *OF_THE_ROW):  # (with an heir: a row it held the like of already)
            if table != "labels":
                conn.execute(f"DELETE FROM {table} WHERE photo_id IN ({marks})", chunk)
        conn.execute(f"DELETE FROM photos_fts WHERE rowid IN ({marks})", chunk)
        conn.execute(f"DELETE FROM photos WHERE id IN ({marks})", chunk)
        conn.execute(f"DELETE FROM labels WHERE photo_id IN ({marks})", chunk)


def _hand_review_journal_to(conn: sqlite3.Connection, heir: int, chunk: list[int], marks: str) -> None:
    """The review journal's rows of these photo ids become `heir`'s: a label or teach given
    to a moved photo's new row (a scan killed before it recognised the move) is taken back
    by `undo --review` on the photo that survives, as its label was taken over
    (moved_photos.take_over_users_words), not counted as taken out of the library. Where
    the heir holds a row of the same command already, its own stays (one photo, one row)."""
    # both key columns given: the primary key finds the rows (no index on photo_id alone)
    of_these = f"command_id IN (SELECT id FROM review_commands) AND photo_id IN ({marks})"
    for table in ("review_changes", "review_taught_refs"):
        conn.execute(f"UPDATE OR IGNORE {table} SET photo_id = ? WHERE {of_these}", [heir, *chunk])
        conn.execute(f"DELETE FROM {table} WHERE {of_these}", chunk)


def tables_keyed_by_photo(conn: sqlite3.Connection) -> set[str]:
    """The tables of this index with a photo_id column (for the test that keeps PHOTO_TABLES whole)."""
    names = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {name for name in names
            if any(column[1] == "photo_id" for column in conn.execute(f'PRAGMA table_info("{name}")'))}
