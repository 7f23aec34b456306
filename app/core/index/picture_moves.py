"""Photos moved *and* edited between two scans, recognised by their picture.

Lightroom or digiKam adding a keyword rewrites a JPEG's head, so the move fingerprint
(the first and last 64 KiB) of a photo edited and then moved or renamed before the next
scan matches nothing, and the photo came back as new, its labels, reviews, rejections
and taught places left on a missing ghost. What the fingerprint leaves unmatched in a
scan is matched here on what the picture is: the same date taken (sub-seconds
included where recorded), camera and pixel size, and either a file of the same picture
print (the end of a JPEG's image data, which a metadata edit leaves alone:
fingerprint.picture_print) or the same name stem with a recorded date taken. A match is
made only when it is the one on both sides: two candidates are no guess (said, left new).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field

_SHOT = "taken_at, camera_make, camera_model, width, height"
_SAME_SHOT = "p.taken_at IS ? AND p.camera_make IS ? AND p.camera_model IS ? AND p.width IS ? AND p.height IS ?"


@dataclass
class PictureMatches:
    """The pairs to join (missing photo id, new photo id) and the notes on those left new."""

    pairs: list[tuple[int, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def picture_matches(conn: sqlite3.Connection, gone: list[int], newer_than: int) -> PictureMatches:
    """Join each photo of `gone` (missing now) to the one photo created in this scan (id
    > `newer_than`) holding its picture, where that photo holds the picture of no other
    missing photo. A few indexed look-ups per photo gone; nothing when none is."""
    found = PictureMatches()
    if not gone:
        return found
    candidates = {old_id: _alike(conn, old_id, newer_than, missing=False) for old_id in gone}
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
    return found


def _alike(conn: sqlite3.Connection, photo_id: int, newer_than: int | None, missing: bool) -> set[int]:
    """The photos of the same shot as `photo_id` (date taken, camera, pixel size) holding
    a file of the same picture print, or of the same name stem when the date is recorded:
    present ones created after `newer_than`, or (`missing`) missing ones."""
    row = conn.execute(f"SELECT stem, {_SHOT} FROM photos WHERE id = ?", (photo_id,)).fetchone()
    if row is None:
        return set()
    stem, shot = row[0], tuple(row[1:])
    wanted = "p.missing = 1" if missing else "p.missing = 0 AND p.id > ?"
    params = () if missing else (newer_than,)
    alike = {int(r[0]) for r in conn.execute(
        "SELECT DISTINCT p.id FROM files mine JOIN files theirs ON theirs.picture_print = mine.picture_print "
        "JOIN photos p ON p.id = theirs.photo_id "
        f"WHERE mine.photo_id = ? AND mine.picture_print IS NOT NULL AND p.id <> ? AND {wanted} AND {_SAME_SHOT} "
        f"AND theirs.missing = {int(missing)}",
        (photo_id, photo_id, *params, *shot))}
    if shot[0] is not None:
        alike.update(int(r[0]) for r in conn.execute(
            f"SELECT p.id FROM photos p WHERE p.taken_at = ? AND p.stem = CAST(? AS TEXT) AND p.id <> ? "
            f"AND {wanted} AND {_SAME_SHOT}",
            (shot[0], stem, photo_id, *params, *shot)))
    return alike


def _name_of(conn: sqlite3.Connection, photo_id: int) -> str:
    path = conn.execute("SELECT primary_path FROM photos WHERE id = ?", (photo_id,)).fetchone()[0]
    path = os.fsdecode(path) if isinstance(path, bytes) else str(path)
    return path
