"""The photos_to_reread table: photos whose header the next scan reads once more
though none of their files changed.

A rescan never opens an unchanged file, so what a newer reader learns to find in a
header (the lens beyond EXIF's LensModel: Nikon's maker notes, an XMP's lens,
LensSpecification; the date taken from EXIF CreateDate or IPTC, past a zero
DateTimeOriginal) would reach an index an older version made only as its files
change. An upgrade marks the photos that may lack it (migrations 23 and 31), and the scan of
their folder reads each marked photo's header again (not its pixels: nothing is
decoded or tagged again) and stores its metadata, its labels and review state left as
they are; then the mark goes. A photo that is missing keeps its mark until it is back,
and so does one with a file not read at that scan: kept in the cloud (reading it would
download it) or not readable then (locked, a share's hiccup: reported as its problem).
"""

from __future__ import annotations

import sqlite3

from app.core.index.connection import db_text


def any_to_reread(conn: sqlite3.Connection) -> bool:
    """Whether any photo is marked (forget drops the marks of the photos it drops): an
    index with none costs a scan no query per folder."""
    return conn.execute("SELECT 1 FROM photos_to_reread LIMIT 1").fetchone() is not None


def marked_in(conn: sqlite3.Connection, folder: str) -> dict[int, str]:
    """{photo id: its key in the folder (photos.stem)} of the folder's marked photos."""
    rows = conn.execute(
        "SELECT p.id, p.stem FROM photos_to_reread r JOIN photos p ON p.id = r.photo_id "
        "WHERE p.folder = CAST(? AS TEXT) AND p.missing = 0",
        (db_text(folder),),
    )
    return dict(rows.fetchall())


def reread_done(conn: sqlite3.Connection, photo_id: int) -> None:
    """The photo's header was read again (or its contents could not be, which was reported)."""
    conn.execute("DELETE FROM photos_to_reread WHERE photo_id = ?", (photo_id,))
