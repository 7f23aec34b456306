"""A keyword written as accepted and now held as a suggestion: the user took the accept
back (`undo --review`, the app's Ctrl+Z) and then wrote the suggestions themselves
(`write --include-suggested`). The file already holds the keyword, so that write leaves
it unchanged and journals nothing; without a record the photo stayed an accept taken
back (plan_targets.taken_back_accept), and the next plain `write` took out the keyword
the user had just asked to keep, while the other suggestions of that write kept theirs.

The record is a mark on the accepted write's journal entry naming the batch that held
it: the mark stands while that batch is not undone, so `undo` of the --include-suggested
write makes the photo an accept taken back again, as before it. A batch that journalled
nothing is dropped and its id given to the next batch (max + 1), whose undo must not
take the mark back: the drop makes its marks name no batch (keep_marks_of_dropped_batch),
and such a mark stands for good, as no undo can take a dropped batch back. The entry's
bytes, and so undo's restore, are left as they are; the held file is no file of the
batch's count."""

from __future__ import annotations

import sqlite3

_MARK = "$.held_as_suggested"


def mark_held(conn: sqlite3.Connection, entry_id: int, photo_id: int, label: str, batch_id: int) -> bool:
    """Mark our write `entry_id`, made for `photo_id` while its `label` was accepted, as held
    as a suggestion by batch `batch_id` (json_set: what else the entry notes stays); an
    entry of another photo, label or state is left. A mark still standing (held_sql) is left
    too: a later write that finds the file unchanged again must not put its own batch in
    its place, or undoing that write, which never touched the photo, would take the hold
    back. Whether it marked the entry."""
    return conn.execute(
        f"UPDATE write_journal SET after = json_set(after, '{_MARK}', json_object('batch', ?)) "
        "WHERE id = ? AND photo_id = ? AND json_valid(after) AND json_extract(after, '$.state') = 'accepted' "
        f"AND json_extract(after, '$.label') = ? AND NOT {held_sql('write_journal')}",
        (batch_id, entry_id, photo_id, label),
    ).rowcount == 1


def keep_marks_of_dropped_batch(conn: sqlite3.Connection, batch_id: int) -> None:
    """Before `batch_id` is dropped, in its transaction: its marks name no batch from now on."""
    conn.execute(
        f"UPDATE write_journal SET after = json_set(after, '{_MARK}.batch', NULL) "
        f"WHERE instr(after, 'held_as_suggested') AND json_valid(after) AND json_extract(after, '{_MARK}.batch') = ?",
        (batch_id,))


def held_sql(entry: str = "j") -> str:
    """SQL true where journal entry `entry` (an alias) holds a standing mark: its batch not undone."""
    return (f"(json_type({entry}.after, '{_MARK}') IS 'object' AND NOT EXISTS (SELECT 1 FROM write_batches h "
            f"WHERE h.id = json_extract({entry}.after, '{_MARK}.batch') AND h.undone_at IS NOT NULL))")


def is_held(conn: sqlite3.Connection, after: dict) -> bool:
    """Whether a journal entry's `after` holds a standing mark (held_sql, read in Python)."""
    mark = after.get("held_as_suggested")
    if not isinstance(mark, dict):
        return False
    if mark.get("batch") is None:  # set by a batch since dropped (keep_marks_of_dropped_batch)
        return True
    return conn.execute("SELECT 1 FROM write_batches WHERE id = ? AND undone_at IS NOT NULL",
                        (mark["batch"],)).fetchone() is None
