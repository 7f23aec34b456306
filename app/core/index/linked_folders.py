"""The folders linked into library folders that scans walked, with the device and
inode of the folder each leads to. A folder linked from two library folders (each
scanned alone) is then known as already indexed when the second link is met, and the
second is skipped rather than indexing every photo twice (scan_links.ScanLinks)."""

from __future__ import annotations

import os
import sqlite3

from app.core.index.connection import db_text
from app.core.folder_paths import subtree_range


def remember(conn: sqlite3.Connection, link: str, device: int, inode: int) -> None:
    """Record that a scan walked `link`, leading to the folder (device, inode)."""
    conn.execute(
        "INSERT INTO linked_folders (path, device, inode) VALUES (CAST(? AS TEXT), ?, ?) "
        "ON CONFLICT (path) DO UPDATE SET device = excluded.device, inode = excluded.inode",
        (db_text(link), device, inode),
    )


def forget(conn: sqlite3.Connection, link: str) -> None:
    """`link` no longer leads where it did (removed, relinked, out of the library)."""
    conn.execute("DELETE FROM linked_folders WHERE path = CAST(? AS TEXT)", (db_text(link),))


def any_walked(conn: sqlite3.Connection) -> bool:
    """Whether a scan has walked a link (a path typed through one is then looked up)."""
    return conn.execute("SELECT 1 FROM linked_folders LIMIT 1").fetchone() is not None


def links_to_inode(conn: sqlite3.Connection, inode: int) -> list[tuple[str, int]]:
    """(link, order recorded) of the links walked to a folder with this inode. The device
    is not compared: a drive mounted again may get another number, so the caller checks
    that each still leads to the same folder."""
    return [(os.fsdecode(path), order) for path, order in conn.execute(
        "SELECT path, rowid FROM linked_folders WHERE inode = ? ORDER BY rowid", (inode,))]


def first_photo_under(conn: sqlite3.Connection, folder: str, sep: str = os.sep) -> int | None:
    """The oldest photo row at or below `folder` (missing ones too: a link skipped since
    keeps the rows it made first), None when it holds none."""
    low, high = subtree_range(folder, sep)
    row = conn.execute(
        "SELECT min(id) FROM photos WHERE folder = CAST(? AS TEXT) "
        "OR (folder >= CAST(? AS TEXT) AND folder < CAST(? AS TEXT))",
        (db_text(folder.rstrip(sep) or folder), db_text(low), db_text(high)),
    ).fetchone()
    return None if row[0] is None else int(row[0])
