"""The rejections an R (the app's, or `reject`) gave to photos labelled again since, withdrawn
when the R is taken back: `undo --review` leaves such a photo's label as it is and withdraws
them (review_journal.take_back); the app's Ctrl+Z, which sets an R's photos back itself, left
them, and the next `tag` gave the rejection the user took back (model_suggestions.rejection_kept)."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from app.core.index import labels as label_store

if TYPE_CHECKING:
    from app.core.index.review_journal import ReviewCommand


def withdraw_left_rejections(conn: sqlite3.Connection, command: "ReviewCommand") -> None:
    """In the caller's transaction, after the photos still as `command` left them were set
    back: each photo it rejected whose (label, state) is another now keeps no rejection of
    the label it gave "rejected" (labels.withdraw_rejections)."""
    after = {int(photo_id): (label, state) for photo_id, label, state in conn.execute(
        "SELECT photo_id, after_label, after_state FROM review_changes WHERE command_id = ? "
        "AND after_state = 'rejected'", (command.id,))}
    if after:
        left = label_store.changed_since(conn, list(after), after)
        label_store.withdraw_rejections(conn, {photo_id: after[photo_id] for photo_id in left})
