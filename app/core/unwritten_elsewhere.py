"""What `write` would fill in of a file another program changed since our write, kept
in the index so `is:unwritten` (read from the index alone) lists it as `write --dry-run`
does: a JPEG that got an IPTC block (Keywords) in another program after our write holds
our label in XMP but not there, and `write` adds the label to each keyword field a file
has (t_life3-1).

A scan that read changed files of photos (or new ones, or ones an upgrade marked: migration
50) marks them in `photos_to_plan` (mark_to_plan, in the batch's transaction, their earlier
notes dropped), and once its folders are read plans the marked photos whose accepted label a
write of ours or a read back put in their files (plan_marked: the plan reads the whole write
journal and lists the photos' folders, so once a scan, not once a folder's batch: a library of
many small folders paid it once per changed photo). A scan killed before leaves the marks,
and the next one plans them. Each file whose keyword fields the write would change is noted in
`unwritten_elsewhere`, with the label planned and our newest standing write of the file
then. A row stands (unwritten_term) while the photo's label is that one and accepted and
that write still the newest standing one: a write of ours since sets it aside (the write
journal speaks for the file), and that write's undo, which puts the file back as the scan
read it, brings it back. A scan reading the photo's files again plans it anew. The note
follows its file when the photo moves (moved_photos, relocate), as the write journal does. A
rescan that finds no file changed plans nothing."""

from __future__ import annotations

import sqlite3
from typing import Collection

from app.core.errors import TaggerError
from app.core.index.connection import db_text, id_chunks
from app.core.index.unwritten_term import ELSEWHERE as TABLE, NEWEST_WRITE


MARKS = "photos_to_plan"


def mark_to_plan(conn: sqlite3.Connection, photo_ids: Collection[int]) -> None:
    """Mark these photos (those a scan read changed files of, in its open transaction) for
    the plan at the scan's end (plan_marked); their earlier notes go, as their files changed."""
    for chunk, marks in id_chunks(sorted(set(photo_ids))):
        conn.execute(f"DELETE FROM {TABLE} WHERE photo_id IN ({marks})", chunk)
        conn.executemany(f"INSERT OR IGNORE INTO {MARKS} (photo_id) VALUES (?)", [(i,) for i in chunk])


def plan_marked(index) -> None:
    """Plan the marked photos' writes, a slice of ids a transaction that takes their marks
    (a scan killed meanwhile leaves the rest to the next), and note the files whose keyword
    fields `write` would change."""
    conn = index.conn
    ids = [row[0] for row in conn.execute(f"SELECT photo_id FROM {MARKS} ORDER BY photo_id")]
    for chunk, marks in id_chunks(ids):
        with index.transaction() as tx:
            _note_planned(index, chunk)
            tx.execute(f"DELETE FROM {MARKS} WHERE photo_id IN ({marks})", chunk)


def _note_planned(index, ids: list[int]) -> None:
    """Note the files of these photos (fewer than SQLite's parameter limit) whose keyword
    fields `write` would change. Only photos with an accepted label our write or a read back
    put in a file are planned: the others' files carry nothing of ours the index knows, and
    is:unwritten's own rule sees them."""
    conn = index.conn
    labels = _accepted_and_in_files(conn, ids)
    if not labels:
        return
    from app.core.metadata.plan import plan_writes  # (the metadata layer imports the index)

    try:
        plan = plan_writes(index, "id:" + ",".join(map(str, sorted(labels))))
    except (TaggerError, OSError):  # a plan that cannot be made notes nothing: the scan goes on
        return
    for item in plan:
        if item.photo_id in labels and item.problem is None and _keywords_change(item):
            path = db_text(str(item.target))
            conn.execute(f"INSERT OR REPLACE INTO {TABLE} (photo_id, path, label, write_id) "
                         f"VALUES (?, CAST(? AS TEXT), ?, {NEWEST_WRITE.format(path='CAST(? AS TEXT)')})",
                         (item.photo_id, path, labels[item.photo_id], path))


def _accepted_and_in_files(conn: sqlite3.Connection, ids: list[int]) -> dict[int, str]:
    """photo id -> accepted label, of those a write of ours or a read back put in a file."""
    found: dict[int, str] = {}
    for chunk, marks in id_chunks(ids):
        found.update(conn.execute(
            f"SELECT l.photo_id, l.label FROM labels l WHERE l.photo_id IN ({marks}) AND l.state = 'accepted' "
            "AND l.label IS NOT NULL AND (EXISTS (SELECT 1 FROM write_journal j WHERE j.photo_id = l.photo_id) "
            "OR EXISTS (SELECT 1 FROM read_back_keywords r WHERE r.photo_id = l.photo_id))", chunk).fetchall())
    return found


def _keywords_change(item) -> bool:
    """Whether the planned write changes a keyword field (our Teaches field aside: the index
    knows what our write put there, and is:unwritten's own rule reads it)."""
    return any(getattr(item.before, name) != getattr(item.after, name) for name in item.fields if name != "taught")
