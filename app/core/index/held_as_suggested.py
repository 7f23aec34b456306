"""A keyword written as accepted and now held as a suggestion: the user took the accept
back (`undo --review`, the app's Ctrl+Z) and then wrote the suggestions themselves
(`write --include-suggested`). The file already holds the keyword, so that write leaves
it unchanged and journals nothing; without a record the photo stayed an accept taken
back (plan_targets.taken_back_accept), and the next plain `write` took out the keyword
the user had just asked to keep, while the other suggestions of that write kept theirs.

The record is a mark on the accepted write's journal entry naming the batch that held
it (its id and start, as a dropped batch's id is given again): the mark stands while
that batch is not undone, so `undo` of the --include-suggested write makes the photo an
accept taken back again, as before it. The entry's bytes, and so undo's restore, are
left as they are; the held file is no file of the batch's count."""

from __future__ import annotations

import sqlite3

_MARK = "$.held_as_suggested"


def mark_held(conn: sqlite3.Connection, entry_id: int, photo_id: int, label: str, batch_id: int) -> None:
    """Mark our write `entry_id`, made for `photo_id` while its `label` was accepted, as held
    as a suggestion by batch `batch_id` (json_set: what else the entry notes stays); an
    entry of another photo, label or state is left."""
    conn.execute(
        f"UPDATE write_journal SET after = json_set(after, '{_MARK}', json_object('batch', ?, 'at', "
        "(SELECT started_at FROM write_batches WHERE id = ?))) WHERE id = ? AND photo_id = ? "
        "AND json_valid(after) AND json_extract(after, '$.state') = 'accepted' AND json_extract(after, '$.label') = ?",
        (batch_id, batch_id, entry_id, photo_id, label),
    )


def held_sql(entry: str = "j") -> str:
    """SQL true where journal entry `entry` (an alias) holds a standing mark: its batch not undone."""
    return (f"(json_extract({entry}.after, '{_MARK}.batch') IS NOT NULL AND NOT EXISTS (SELECT 1 FROM write_batches h "
            f"WHERE h.id = json_extract({entry}.after, '{_MARK}.batch') "
            f"AND h.started_at IS json_extract({entry}.after, '{_MARK}.at') AND h.undone_at IS NOT NULL))")


def is_held(conn: sqlite3.Connection, after: dict) -> bool:
    """Whether a journal entry's `after` holds a standing mark (held_sql, read in Python)."""
    mark = after.get("held_as_suggested")
    if not isinstance(mark, dict) or mark.get("batch") is None:
        return False
    return conn.execute("SELECT 1 FROM write_batches WHERE id = ? AND started_at IS ? AND undone_at IS NOT NULL",
                        (mark["batch"], mark.get("at"))).fetchone() is None
