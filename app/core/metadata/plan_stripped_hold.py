"""A JPEG our write put the photo's label into, whose XMP another program took out since
(a "remove metadata" tool, an editor saving without it), or a JPEG or RAW sidecar back as
the journal recorded it before that write (a backup put back, our own undo seen by an
older copy of the index), is held by `write`: nothing tells whether the user meant the
landmark to go, so it is not written back unasked (keywords_changed_elsewhere decides the
cases the file does tell). The hold is read from the file against our newest write of it,
whatever the photo's label has become since (an `accept`, `label`, `rename`, merge, `teach`,
a new model, an `undo` of that write: holds_kept_by_undo): it stays until the user releases
it in so many words, `accept --release-held` or `label --release-held` (the app asks at A
and L), or rejects the label. A `write` naming
the file does not release it: it names where to write, not that the other program's edit
or the backup put back is to be overwritten. The release is kept in that write's journal
entry, marked with the releasing review command, so taking that command back holds the file
again (app.core.index.released_holds). A hold, not a failure: a nightly `write` still exits 0."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from app.core.index import PhotoIndex
from app.core.index.connection import db_text, id_chunks
from app.core.index.holds_kept_by_undo import HOLDING, paths_kept_held
from app.core.metadata.dry_run_wording import listed
from app.core.wording import in_which_shell, pasted_whole, photo_file_word, shell_quote

if TYPE_CHECKING:
    from app.core.metadata.plan import PlannedWrite

# the newest writes of ours that reached their files (a write killed before its rename
# never completed its entry: the file as before it is no "put back"; the rerun finishes it),
# an undone one's where the undo kept the file held (holds_kept_by_undo)
_REACHED = (f"FROM write_journal j JOIN write_batches b ON b.id = j.batch_id WHERE {HOLDING} "
            "AND j.size_after IS NOT NULL AND j.size_after >= 0")


def photos_stripped_since_written_held(index: PhotoIndex, plan: list[PlannedWrite],
                                       stop: Callable[[], None] = lambda: None) -> list[PlannedWrite]:
    """`plan` with each JPEG or sidecar held whose XMP vanished since our write put its
    label there, or that is back as it was before that write, unless the user released
    it since (release_holds). `stop` is called before each item (a cancelled plan raises there)."""
    kept = paths_kept_held(index.conn)  # an undone write's file left held: no write of it stands
    checked = []
    for item in plan:
        stop()
        held = _stripped_since_written(index, item, kept)
        checked.append(_held(item, *held) if held else item)
    return checked


def _stripped_since_written(index: PhotoIndex, item: PlannedWrite, kept: frozenset[str]) -> tuple[str, str] | None:
    """(keywords_changed_elsewhere's STRIPPED or RESTORED, the label that write put there)
    where the file our newest write put a label into has lost it so (no decision to be
    read from it), else None."""
    if (item.kind not in ("jpeg", "sidecar") or item.problem is not None or item.rejected or item.label is None
            or (item.last_write is None and str(item.target) not in kept)):
        return None
    from app.core.keywords_changed_elsewhere import holds_landmark

    if holds_landmark(item.before, item.label):
        return None
    row = index.conn.execute(f"SELECT j.id, j.before, j.after {_REACHED} AND j.path = CAST(? AS TEXT) "
                             "ORDER BY j.id DESC LIMIT 1", (db_text(str(item.target)),)).fetchone()
    how = None if row is None else hold_of(item.target, row[1], row[2])
    return None if how is None else (how, json.loads(row[2])["label"])


def hold_of(path: Path, before: str | None, after: str) -> str | None:
    """STRIPPED or RESTORED where our write (its entry's `before` and `after`), not released,
    holds `path`, else None (released, no label written, the file still holds what we wrote).
    Read from the file against the label that write put there, not the photo's label now:
    a rename, a merge or a new label is no decision about the other program's edit."""
    from app.core.keywords_changed_elsewhere import HELD, what_is_in

    written = json.loads(after)
    if written.get("released") or written.get("label") is None:
        return None
    state = what_is_in(path, written["label"], json.loads(before or "{}"))[0]
    return state if state in HELD else None


def held_files_of(conn: sqlite3.Connection, photo_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """The files `write` holds (hold_of) of these photos whose label is accepted now, whatever
    its name, by the newest write of each file: {write-journal entry: (path, label now)}. Given
    --release-held (the app's "Write them again"), the caller releases them, marked with its
    review command (released_holds.mark_released), so taking the command back holds them again;
    else it names how many it left held."""
    rows = []
    for chunk, marks in id_chunks([int(photo_id) for photo_id in photo_ids]):
        rows += conn.execute(
            "SELECT j.id, j.path, j.before, j.after, l.label, j.size_after, j.mtime_ns_after FROM write_journal j "
            "JOIN write_batches b ON b.id = j.batch_id JOIN labels l ON l.photo_id = j.photo_id "
            f"WHERE {HOLDING} AND j.size_after IS NOT NULL AND j.size_after >= 0 "
            f"AND l.state = 'accepted' AND j.photo_id IN ({marks})", chunk).fetchall()
    newest: dict[str, tuple] = {}
    for row in sorted(rows + _forgotten_photos_rows(conn, photo_ids), key=lambda row: row[0], reverse=True):
        newest.setdefault(row[1], row)
    return {row[0]: (row[1], row[4]) for row in newest.values()
            if row[4] is not None and not _as_written(row) and hold_of(Path(row[1]), row[2], row[3])}


def _as_written(row: tuple) -> bool:
    """Whether the file is as our write left it (its size and time then): a stat, not a read,
    for the many photos of a select-all; such a file holds what we wrote, so no hold."""
    size, mtime_ns = (row[5], row[6]) if len(row) > 6 else (None, None)
    try:
        now = Path(row[1]).stat()
    except OSError:
        return False
    return size is not None and mtime_ns is not None and (now.st_size, now.st_mtime_ns) == (size, mtime_ns)


def _forgotten_photos_rows(conn: sqlite3.Connection, photo_ids: Sequence[int]) -> list[tuple]:
    """Our writes of these photos' files (and of sidecars named after them) made for a photo
    forgotten since (its id negated, photo_rows.remove_photos): a folder forgotten and added back
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


_NOT_WRITTEN_AGAIN = "; not written again: "  # what this hold's note says, and no other hold's


def is_stripped_hold(item: PlannedWrite) -> bool:
    """Whether `item` is held here (not plan_jpeg_hold's JPEG holding an older label of ours):
    the app names its own keys for it (A, L, R) where the note names `--release-held`."""
    return bool(getattr(item, "held", False) and _NOT_WRITTEN_AGAIN in (getattr(item, "problem", None) or ""))


def _held(item: PlannedWrite, how: str, written: str) -> PlannedWrite:
    """`item` held, its note naming the label our write put in the file (`written`, what the
    user compares the file with) and how to write the photo's label now (item.label)."""
    from app.core.keywords_changed_elsewhere import RESTORED

    query = photo_file_word(item.source)
    which = "the file" if item.kind == "jpeg" else f"its sidecar {item.target.name}"
    what = (f"{which} is back as it was before our write of {listed([written])} (a backup put back, or "
            "our own undo seen by an older copy of the index?)" if how == RESTORED else
            f"its XMP metadata was removed since our write of {listed([written])} (by another program, or an "
            "older copy of the file put back?)")
    # a label holding a " reaches the program from no quoting in Windows PowerShell 5.1 (pasted_whole)
    label = (f"`landmark-tagger label --release-held {query} {shell_quote(item.label)}`"
             if pasted_whole(item.label) else "L on it in the app: Windows PowerShell 5.1 drops the \" of its label")
    return replace(item, held=True, problem=(
        f"{what}{_NOT_WRITTEN_AGAIN}{in_which_shell()}`landmark-tagger accept --release-held {query}` (or "
        f"{label}) writes it at the next `write`, `landmark-tagger reject {query}` takes the label off"))
