"""A JPEG our write put the photo's label into, whose XMP another program took out since
(a "remove metadata" tool, an editor saving without it), or that is back as the journal
recorded it before that write (a backup put back, our own undo seen by an older copy of
the index), is held by `write`: nothing tells whether the user meant the landmark to
go, so it is not written back unasked (keywords_changed_elsewhere decides the cases the
file does tell). The note names the two ways out: the label given again
(written at the next `write`) or rejected. A hold, not a failure: a nightly `write`
still exits 0."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING

from app.core.index import PhotoIndex
from app.core.index.connection import db_text
from app.core.metadata.dry_run_wording import listed
from app.core.metadata.read_back import same_landmark
from app.core.wording import in_which_shell, shell_quote

if TYPE_CHECKING:
    from app.core.metadata.plan import PlannedWrite


def photos_stripped_since_written_held(index: PhotoIndex, plan: list[PlannedWrite]) -> list[PlannedWrite]:
    """`plan` with each JPEG held whose XMP vanished since our write put its label there,
    or that is back as it was before that write, unless the label was given again since
    that write (the user's way out)."""
    return [_held(item, how) if (how := _stripped_since_written(index, item)) else item for item in plan]


def _stripped_since_written(index: PhotoIndex, item: PlannedWrite) -> str | None:
    """keywords_changed_elsewhere's STRIPPED or RESTORED where the JPEG our newest write
    put the label into has lost it so (no decision to be read from it), else None."""
    from app.core.keywords_changed_elsewhere import HELD, holds_landmark, what_is_in

    if (item.kind != "jpeg" or item.problem is not None or item.rejected or item.label is None
            or item.last_write is None or holds_landmark(item.before, item.label)):
        return None
    # the newest write of ours that reached the file: one killed before its rename (its
    # entry never completed) left the file as before it, which is no "put back"; the
    # rerun finishes it (recovery.find_own_write tells one killed after its rename)
    row = index.conn.execute(
        "SELECT j.before, j.after, j.at, l.updated_at FROM write_journal j JOIN labels l ON l.photo_id = ? "
        "JOIN write_batches b ON b.id = j.batch_id WHERE j.path = CAST(? AS TEXT) AND b.undone_at IS NULL "
        "AND j.size_after IS NOT NULL AND j.size_after >= 0 ORDER BY j.id DESC LIMIT 1",
        (item.photo_id, db_text(str(item.target)))).fetchone()
    if row is None:
        return None  # none, or undone: a write puts the label back, as after any undo
    written = json.loads(row[1]).get("label")
    if written is None or not same_landmark(written, item.label) or (row[3] or "") > (row[2] or ""):
        return None  # another label was written, or the label was given again since
    state = what_is_in(item.target, item.label, json.loads(row[0] or "{}"))[0]
    return state if state in HELD else None


def _held(item: PlannedWrite, how: str) -> PlannedWrite:
    from app.core.keywords_changed_elsewhere import RESTORED

    query = shell_quote('path:"' + str(item.target).replace('"', '""') + '"')
    what = (f"the file is back as it was before our write of {listed([item.label])} (a backup put back, or "
            "our own undo seen by an older copy of the index?)" if how == RESTORED else
            f"its XMP metadata was removed since our write of {listed([item.label])} (by another program, or an "
            "older copy of the file put back?)")
    return replace(item, held=True, problem=(
        f"{what}; not written again: {in_which_shell()}`landmark-tagger label {query} {shell_quote(item.label)}` "
        f"writes it at the next `write`, `landmark-tagger reject {query}` takes the label off"))
