"""The size and time of the sidecars the index knows held a photo's landmark keyword
(a DSC_0001.NEF.xmp our write put it in, a Lightroom DSC_0001.xmp the label was read
back from), as last seen. Lightroom edits a RAW's keywords in its sidecar alone, the
RAW untouched, so the scan compares these as it compares the photo files' own and reads
the photo again where one changed: keywords_changed_elsewhere then sees what the user
did there. A sidecar is known by the write journal's after-state of our writes of it
and by its row here, written when the scan read the photo since; GONE marks one known
to be deleted, so that its photo is read again once, not at every scan.

The table is made by migration 42 (not by the scan that first needs it: a table made
under an open app would change the schema the app's connections opened with, and the
app refuses to write into a schema changed under it)."""

from __future__ import annotations

import os
import sqlite3
from collections import defaultdict
from collections.abc import Iterable

from app.core.index.connection import db_text

GONE = (-1, -1)

# folder -> sidecar name -> (photo id, the (size, mtime_ns) the index knows it by)
KnownSidecars = dict[str, dict[str, tuple[int, set[tuple[int, int]]]]]


def known_sidecars(conn: sqlite3.Connection) -> KnownSidecars:
    """Every sidecar the index knows, by folder: two queries a scan, not one a folder."""
    known: KnownSidecars = defaultdict(dict)
    rows = conn.execute(
        "SELECT j.path, j.photo_id, j.size_after, j.mtime_ns_after FROM write_journal j "
        "JOIN write_batches b ON b.id = j.batch_id WHERE j.kind = 'sidecar' AND b.undone_at IS NULL "
        "AND j.photo_id IS NOT NULL AND j.size_after IS NOT NULL AND j.size_after >= 0 "
        "UNION ALL SELECT path, photo_id, size, mtime_ns FROM sidecar_states")
    for path, photo_id, size, mtime_ns in rows:
        folder, name = os.path.split(str(path))
        entry = known[folder].setdefault(name, (int(photo_id), set()))
        if entry[0] == int(photo_id):
            entry[1].add((int(size), int(mtime_ns or 0)))
    return known


def state_now(path: str) -> tuple[int, int]:
    """(size, mtime_ns) of the sidecar, GONE where it is not there (or cannot be looked at)."""
    try:
        status = os.stat(path)
    except OSError:
        return GONE
    return status.st_size, status.st_mtime_ns


def changed_in(folder: str, sidecars: dict[str, tuple[int, set[tuple[int, int]]]]) -> set[int]:
    """The photos of `folder` a known sidecar of which is not as the index knows it."""
    return {photo_id for name, (photo_id, states) in sidecars.items()
            if state_now(os.path.join(folder, name)) not in states}


def remember(conn: sqlite3.Connection, photo_id: int, paths: Iterable[str]) -> None:
    """Record the sidecars of the photo as they are now (the scan read the photo)."""
    rows = []
    for path in dict.fromkeys(str(path) for path in paths):
        size, mtime_ns = state_now(path)
        rows.append((db_text(path), photo_id, size, mtime_ns))
    conn.executemany("INSERT OR REPLACE INTO sidecar_states (path, photo_id, size, mtime_ns) "
                     "VALUES (CAST(? AS TEXT), ?, ?, ?)", rows)


def sidecars_of(photo_id: int, folder_known: dict[str, tuple[int, set]], folder: str) -> list[str]:
    """The photo's sidecars in `folder_known` (those the index knows in its folder)."""
    return [os.path.join(folder, name) for name, (owner, _) in folder_known.items() if owner == photo_id]
