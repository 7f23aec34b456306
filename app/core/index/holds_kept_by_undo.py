"""Holds an `undo` of a write batch keeps (plan_stripped_hold): a file `write` held (its XMP
taken out by another program since our write, or an older copy put back) holds nothing of
ours, so the undo leaves it as it is; and the other program's edit still stands after the
undo, so the next `write` must not put the label into it unasked either. Its journal entry
stays, marked, in the undone batch; the hold is read from it as from a standing write's,
until the user releases it (`--release-held`), as every hold ends."""

from __future__ import annotations

import sqlite3

_MARK = "$.held_after_undo"

# the journal entries a hold is read from: a standing batch's, or one an undo kept held
HOLDING = f"(b.undone_at IS NULL OR json_extract(j.after, '{_MARK}') = 1)"


def keep_held(conn: sqlite3.Connection, entry_id: int) -> None:
    """The undo left this entry's file as it is, held: the entry stays, marked, though its
    batch is undone (json_set: what the entry noted before, a release, stays)."""
    conn.execute(f"UPDATE write_journal SET after = json_set(after, '{_MARK}', json('true')) WHERE id = ?",
                 (entry_id,))


def paths_kept_held(conn: sqlite3.Connection) -> frozenset[str]:
    """The paths of the entries an undo kept held (a handful: `write` asks once per plan)."""
    return frozenset(str(row[0]) for row in conn.execute(
        f"SELECT path FROM write_journal WHERE json_extract(after, '{_MARK}') = 1"))
