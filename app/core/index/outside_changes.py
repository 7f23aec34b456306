"""How the app notices that another program changed the index (a terminal's
`landmark-tagger label` while the app shows the photo): SQLite's data_version."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.index.photo_index import PhotoIndex


def data_version(index: "PhotoIndex") -> int | None:
    """A number that changes when another connection (another process, or a worker's
    connection in this one) committed to the index since the last call on this one,
    and never for this connection's own commits; None when the index cannot be read
    now (closed, a disk gone). It reads no table: cheap enough for a timer on the GUI
    thread."""
    try:
        return int(index.conn.execute("PRAGMA data_version").fetchone()[0])
    except sqlite3.Error:
        return None
