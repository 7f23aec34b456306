"""A JPEG our write put the photo's label into, whose XMP another program took out since
(a "remove metadata" tool, an editor saving without it), or a JPEG or RAW sidecar back as
the journal recorded it before that write (a backup put back, our own undo seen by an
older copy of the index), is held by `write`: nothing tells whether the user meant the
landmark to go, so it is not written back unasked (keywords_changed_elsewhere decides the
cases the file does tell). The note names the ways out: the label accepted (`accept`, the
app's A, release_accepted_holds) or given again (`label`, the app's L, release_holds), both
written at the next `write`, or rejected. A `write` naming the file does not release it:
it names where to write, not that the other program's edit or the backup put back is to be
overwritten. The release is kept in that write's journal entry, marked with the `label`'s
or `accept`'s review command, so only the user's decision gives it, never an undo of
another review command, whatever the times, and taking that command back holds the file
again (app.core.index.released_holds). A hold, not a failure: a nightly `write` still exits 0."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from app.core.index import PhotoIndex
from app.core.index.connection import db_text, id_chunks
from app.core.metadata.dry_run_wording import listed
from app.core.metadata.read_back import same_landmark
from app.core.wording import in_which_shell, shell_quote

if TYPE_CHECKING:
    from app.core.metadata.plan import PlannedWrite

# the newest writes of ours that reached their files (a write killed before its rename
# never completed its entry: the file as before it is no "put back"; the rerun finishes it)
_REACHED = ("FROM write_journal j JOIN write_batches b ON b.id = j.batch_id WHERE b.undone_at IS NULL "
            "AND j.size_after IS NOT NULL AND j.size_after >= 0")


def photos_stripped_since_written_held(index: PhotoIndex, plan: list[PlannedWrite]) -> list[PlannedWrite]:
    """`plan` with each JPEG or sidecar held whose XMP vanished since our write put its
    label there, or that is back as it was before that write, unless the user released
    it since (release_holds)."""
    return [_held(item, how) if (how := _stripped_since_written(index, item)) else item for item in plan]


def _stripped_since_written(index: PhotoIndex, item: PlannedWrite) -> str | None:
    """keywords_changed_elsewhere's STRIPPED or RESTORED where the file our newest write
    put the label into has lost it so (no decision to be read from it), else None."""
    if (item.kind not in ("jpeg", "sidecar") or item.problem is not None or item.rejected or item.label is None
            or item.last_write is None):
        return None
    from app.core.keywords_changed_elsewhere import holds_landmark

    if holds_landmark(item.before, item.label):
        return None
    row = index.conn.execute(f"SELECT j.id, j.before, j.after {_REACHED} AND j.path = CAST(? AS TEXT) "
                             "ORDER BY j.id DESC LIMIT 1", (db_text(str(item.target)),)).fetchone()
    return None if row is None else _hold_of(item.target, item.label, row[1], row[2])


def _hold_of(path: Path, label: str, before: str | None, after: str) -> str | None:
    """STRIPPED or RESTORED where our write of `label` (its entry's `before` and `after`),
    not released, holds `path`, else None (another label written, released, undone)."""
    from app.core.keywords_changed_elsewhere import HELD, what_is_in

    written = json.loads(after)
    if written.get("released") or written.get("label") is None or not same_landmark(written["label"], label):
        return None
    state = what_is_in(path, label, json.loads(before or "{}"))[0]
    return state if state in HELD else None


def release_holds(conn: sqlite3.Connection, photo_ids: Sequence[int], label: str) -> dict[int, str]:
    """The user gave these photos `label` (the hold note's `label` command), in its
    transaction: each file of theirs held for it (_hold_of) is released, the next `write`
    writing it again; {write-journal entry: path} of those released, for the caller to
    mark with its review command (released_holds.mark_released), so taking the command
    back holds them again. A photo whose label is not `label`, accepted, now (the command
    left it) releases nothing."""
    return {entry_id: path for entry_id, (path, now) in release_accepted_holds(conn, photo_ids).items()
            if same_landmark(now, label)}


def release_accepted_holds(conn: sqlite3.Connection, photo_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """The user accepted these photos' labels (`accept`, the app's A: as clear a decision as
    `label`), in its transaction: each file of theirs held for the label each has, accepted,
    now (_hold_of) is released; {write-journal entry: (path, label)}, to be marked with the
    command as release_holds' are."""
    rows = []
    for chunk, marks in id_chunks([int(photo_id) for photo_id in photo_ids]):
        rows += conn.execute(
            "SELECT j.id, j.path, j.before, j.after, l.label FROM write_journal j "
            "JOIN write_batches b ON b.id = j.batch_id JOIN labels l ON l.photo_id = j.photo_id "
            "WHERE b.undone_at IS NULL AND j.size_after IS NOT NULL AND j.size_after >= 0 "
            f"AND l.state = 'accepted' AND j.photo_id IN ({marks})", chunk).fetchall()
    newest: dict[str, tuple] = {}
    for row in sorted(rows + _forgotten_photos_rows(conn, photo_ids), key=lambda row: row[0], reverse=True):
        newest.setdefault(row[1], row)
    return {entry_id: (path, now) for entry_id, path, before, after, now in newest.values()
            if now is not None and _hold_of(Path(path), now, before, after)}


def _forgotten_photos_rows(conn: sqlite3.Connection, photo_ids: Sequence[int]) -> list[tuple]:
    """Our writes of these photos' files (and of sidecars named after them) made for a photo
    forgotten since (its id negated, forget._delete_photos): a folder forgotten and added back
    holds its files under new ids, and `write` holds a file by its path alone, so these rows
    hold it too; (entry, path, before, after, the label the photo now has accepted)."""
    forgotten = {str(row[0]) for row in conn.execute("SELECT DISTINCT path FROM write_journal WHERE photo_id < 0")}
    if not forgotten:  # (the photo_id index: no scan of the journal)
        return []
    labels = {}
    for chunk, marks in id_chunks([int(photo_id) for photo_id in photo_ids]):
        labels.update(conn.execute(f"SELECT photo_id, label FROM labels WHERE state = 'accepted' "
                                   f"AND photo_id IN ({marks})", chunk).fetchall())
    owner: dict[str, int] = {}
    for chunk, marks in id_chunks(list(labels)):
        for photo_id, path in conn.execute(f"SELECT photo_id, path FROM files WHERE missing = 0 "
                                           f"AND photo_id IN ({marks})", chunk):
            file = Path(path)
            for name in (path, f"{path}.xmp", f"{path}.XMP", str(file.with_suffix(".xmp")),
                         str(file.with_suffix(".XMP"))):
                owner.setdefault(name, photo_id)
    rows = []
    for name, photo_id in owner.items():
        newest = None if name not in forgotten else conn.execute(
            f"SELECT j.id, j.path, j.before, j.after, j.photo_id {_REACHED} AND j.path = CAST(? AS TEXT) "
            "ORDER BY j.id DESC LIMIT 1", (db_text(name),)).fetchone()
        if newest is not None and newest[4] < 0:  # the file's newest write, as `write` holds it by
            rows.append((*newest[:4], labels[photo_id]))
    return rows


def _held(item: PlannedWrite, how: str) -> PlannedWrite:
    from app.core.keywords_changed_elsewhere import RESTORED

    query = shell_quote('path:"' + str(item.source).replace('"', '""') + '"')
    which = "the file" if item.kind == "jpeg" else f"its sidecar {item.target.name}"
    what = (f"{which} is back as it was before our write of {listed([item.label])} (a backup put back, or "
            "our own undo seen by an older copy of the index?)" if how == RESTORED else
            f"its XMP metadata was removed since our write of {listed([item.label])} (by another program, or an "
            "older copy of the file put back?)")
    return replace(item, held=True, problem=(
        f"{what}; not written again: {in_which_shell()}`landmark-tagger accept {query}` (or `landmark-tagger "
        f"label {query} {shell_quote(item.label)}`) writes it at the next `write`, `landmark-tagger reject {query}` "
        "takes the label off"))
