"""Photos moved *and* edited between two scans, recognised by their picture.

Lightroom or digiKam adding a keyword rewrites a JPEG's head, so the move fingerprint
(the first and last 64 KiB) of a photo edited and then moved or renamed before the next
scan matches nothing, and the photo came back as new, its labels, reviews, rejections
and taught places left on a missing ghost. What the fingerprint leaves unmatched in a
scan is matched here on what the picture is: the same date taken (sub-seconds
included where recorded), camera and pixel size, and a file of the same picture print
(samples of a JPEG's image data throughout, which a metadata edit leaves alone:
app/core/picture_print.py). Only equal prints join: file counters repeat across cards
and bodies and unset camera clocks give every shot one date, so a name is no identity,
and a photo gone without a print (indexed before migration 42, gone before a scan could
print it) joins nothing: its labels stay on the missing one, and the scan names the new
photo that looks like it. A match is made only when it is the one
on both sides: two candidates are no guess (said, left new); a new photo of a missing
one's date, camera and size but another picture (or the same re-encoded) is said too.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from typing import Callable

from app.core.wording import counted

_SHOT = "taken_at, camera_make, camera_model, width, height"
_SAME_SHOT = "p.taken_at IS ? AND p.camera_make IS ? AND p.camera_model IS ? AND p.width IS ? AND p.height IS ?"
_EXAMPLES = 3  # lookalikes named in the scan line; the rest counted


@dataclass
class PictureMatches:
    """The pairs to join (missing photo id, new photo id) and the notes on those left new."""

    pairs: list[tuple[int, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def picture_matches(conn: sqlite3.Connection, gone: list[int], newer_than: int, reach_back_to: int | None = None,
                    may_reach: Callable[[int], bool] | None = None) -> PictureMatches:
    """Join each photo of `gone` (missing now) to the one photo created in this scan (id
    > `newer_than`) holding its picture, where that photo holds the picture of no other
    missing photo; or, with `reach_back_to`, one created after it that `may_reach` allows
    (brought in by a killed scan: scan_moves). A few indexed look-ups per photo gone;
    nothing when none is."""
    found = PictureMatches()
    if not gone:
        return found
    since = newer_than if reach_back_to is None or may_reach is None else min(newer_than, reach_back_to)
    candidates = {old_id: {new_id for new_id in _alike(conn, old_id, since, missing=False)
                           if new_id > newer_than or (may_reach is not None and may_reach(new_id))}
                  for old_id in gone}
    claimants: dict[int, set[int]] = {}
    for new_ids in candidates.values():
        for new_id in new_ids:
            if new_id not in claimants:
                claimants[new_id] = _alike(conn, new_id, None, missing=True)
    unsure: dict[int, int] = {}
    for old_id, new_ids in candidates.items():
        if len(new_ids) == 1 and claimants[next(iter(new_ids))] == {old_id}:
            found.pairs.append((old_id, next(iter(new_ids))))
            continue
        for new_id in new_ids:
            unsure[new_id] = max(len(claimants[new_id]), len(new_ids), unsure.get(new_id, 0))
    for new_id, count in sorted(unsure.items()):
        found.notes.append(f"{_name_of(conn, new_id)} holds the picture of one of {count} photos gone missing "
                           "or another new one; not joined to any (no guess), left new")
    joined = {new_id for _, new_id in found.pairs} | set(unsure)
    left = [old_id for old_id, new_ids in candidates.items() if not new_ids]
    lookalikes = _lookalikes(conn, left, newer_than, joined)
    if lookalikes:
        found.notes.append(_lookalikes_note(conn, lookalikes))
    return found


def missing_with_the_picture_of(conn: sqlite3.Connection, new_ids: list[int]) -> list[int]:
    """The missing photos of the same shot and picture print as one of `new_ids` (present):
    those missing since an earlier scan whose picture came back with a keyword added
    elsewhere (picture_matches decides which join). An indexed look-up per new photo."""
    found: dict[int, None] = {}
    for new_id in new_ids:
        found.update(dict.fromkeys(sorted(_alike(conn, new_id, None, missing=True))))
    return list(found)


def _alike(conn: sqlite3.Connection, photo_id: int, newer_than: int | None, missing: bool) -> set[int]:
    """The photos of the same shot as `photo_id` (date taken, camera, pixel size) holding
    a file of the same picture print: present ones created after `newer_than`, or
    (`missing`) missing ones. No print, no match: a name stem cannot tell two cards apart."""
    row = conn.execute(f"SELECT {_SHOT} FROM photos WHERE id = ?", (photo_id,)).fetchone()
    if row is None:
        return set()
    wanted = "p.missing = 1" if missing else "p.missing = 0 AND p.id > ?"
    params = () if missing else (newer_than,)
    return {int(r[0]) for r in conn.execute(
        "SELECT DISTINCT p.id FROM files mine JOIN files theirs ON theirs.picture_print = mine.picture_print "
        "JOIN photos p ON p.id = theirs.photo_id "
        f"WHERE mine.photo_id = ? AND mine.picture_print IS NOT NULL AND p.id <> ? AND {wanted} AND {_SAME_SHOT} "
        f"AND theirs.missing = {int(missing)}",
        (photo_id, photo_id, *params, *tuple(row)))}


def _lookalikes(conn: sqlite3.Connection, gone: list[int], newer_than: int, taken: set[int]) -> list[tuple[int, int]]:
    """(new photo, missing photo) of `gone` left unjoined with a recorded date taken,
    camera and size that a photo new in this scan also has: another picture, or the same
    one re-encoded (jpegtran -optimize changes the print), which the user can tell."""
    found: list[tuple[int, int]] = []
    for old_id in gone:
        row = conn.execute(f"SELECT {_SHOT} FROM photos WHERE id = ?", (old_id,)).fetchone()
        if row is None or row[0] is None:
            continue
        found.extend((int(r[0]), old_id) for r in conn.execute(
            f"SELECT p.id FROM photos p WHERE p.taken_at = ? AND p.missing = 0 AND p.id > ? AND {_SAME_SHOT} "
            "ORDER BY p.id", (row[0], newer_than, *row)) if int(r[0]) not in taken)
    return found


def _lookalikes_note(conn: sqlite3.Connection, lookalikes: list[tuple[int, int]]) -> str:
    named = ", ".join(f"{_name_of(conn, new_id)} like {_name_of(conn, old_id)}"
                      for new_id, old_id in lookalikes[:_EXAMPLES])
    more = f" and {len(lookalikes) - _EXAMPLES:,} more" if len(lookalikes) > _EXAMPLES else ""
    return (f"{counted(len({new_id for new_id, _ in lookalikes}), 'new photo')} with the date taken, camera and "
            f"size of one gone missing but not its picture, not joined ({named}{more}); if one is the same photo "
            "re-encoded (an optimiser, a lossless rotate), its labels are on the missing one (`search is:missing`)")


def _name_of(conn: sqlite3.Connection, photo_id: int) -> str:
    path = conn.execute("SELECT primary_path FROM photos WHERE id = ?", (photo_id,)).fetchone()[0]
    path = os.fsdecode(path) if isinstance(path, bytes) else str(path)
    return path
