"""The places a photo this scan brought in may have been moved from: indexed photos
elsewhere, not read by this scan, that hold its picture (app/core/scanner.py reads their
folders, so that a photo moved before a scan of its new folder alone is joined as moved
rather than indexed a second time)."""

from __future__ import annotations

import sqlite3

from app.core.index.connection import decode_text
from app.core.index.moved_photos import SAME_PICTURE


def places_left_behind(conn: sqlite3.Connection, newer_than: int) -> dict[str, list[str]]:
    """{folder: its files' paths} of the present photos indexed before this scan (id <=
    `newer_than`) with a file of the same fingerprint and picture as one of a present photo
    this scan brought in (id > `newer_than`): the one-indexed-look-up-per-file rule the
    move recognition joins by (moved_photos.moved_candidates). Nothing when this scan
    brought in no photo."""
    found: dict[str, list[str]] = {}
    for folder, path in conn.execute(
            "SELECT DISTINCT op.folder, of.path FROM files nf JOIN photos np ON np.id = nf.photo_id "
            "JOIN files of ON of.fingerprint = nf.fingerprint JOIN photos op ON op.id = of.photo_id "
            "WHERE np.id > ? AND np.missing = 0 AND nf.missing = 0 AND nf.fingerprint IS NOT NULL "
            f"AND op.id <= ? AND op.missing = 0 AND of.missing = 0 AND {SAME_PICTURE}",
            (newer_than, newer_than)):
        found.setdefault(_text(folder), []).append(_text(path))
    return found


def _text(value) -> str:
    return decode_text(value) if isinstance(value, bytes) else str(value)
