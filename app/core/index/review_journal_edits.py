"""How other commands change the review journal's rows, in their own transactions: a
`rename` respells the labels it keeps, a `forget` marks its photos' rows forgotten (the
journal's own job, recording and taking back, is review_journal's)."""

from __future__ import annotations

import sqlite3
from typing import Sequence

from app.core.index import labels as label_store
from app.core.index.connection import id_chunks


def rename_label(conn: sqlite3.Connection, spellings: Sequence[str], new: str, landmark_id: str | None) -> None:
    """`rename`'s change of the journal, in its transaction: the labels it keeps (before
    and after each command) and the references it would give back, spelled as one of
    `spellings`, become `new` (a taught landmark id becomes `landmark_id`, as in labels),
    so taking a command back gives the photos the place by its new name, not the old one
    back as a second taught place."""
    for spelling in (s for s in spellings if s != new):
        conn.execute("UPDATE review_changes SET label = ?, landmark_id = CASE WHEN landmark_id LIKE 'taught:%' "
                     "THEN ? ELSE landmark_id END WHERE label = ? AND photo_id <> 0", (new, landmark_id, spelling))
        # photo 0: a rename's own mark (renames_journalled), which keeps the names it was given
        conn.execute("UPDATE review_changes SET after_label = ? WHERE after_label = ? AND photo_id <> 0",
                     (new, spelling))
        # one reference per photo, place and model: where both spellings were kept, one stays
        conn.execute("UPDATE OR IGNORE review_taught_refs SET label = ? WHERE label = ?", (new, spelling))
        conn.execute("DELETE FROM review_taught_refs WHERE label = ?", (spelling,))


def forget_photos(conn: sqlite3.Connection, photo_ids: Sequence[int]) -> None:
    """Mark these photos forgotten in the journal, in the caller's transaction (forget's):
    the index gives their ids to the next photos it adds, and taking a command back must
    not give such a stranger the label of a photo forgotten when it happens to hold the
    label and state that command left (compared, it would pass). The rows stay, so that
    taking the command back counts them as taken out of the library since."""
    for chunk, marks in id_chunks([int(i) for i in photo_ids]):
        # both key columns given: the primary key finds the rows (no index on photo_id alone)
        conn.execute("UPDATE review_changes SET after_state = ? WHERE command_id IN (SELECT id FROM review_commands) "
                     f"AND photo_id IN ({marks})", [label_store.FORGOTTEN, *chunk])
        conn.execute("DELETE FROM review_taught_refs WHERE command_id IN (SELECT id FROM review_commands) "
                     f"AND photo_id IN ({marks})", chunk)
