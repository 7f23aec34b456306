"""The folders linked into library folders that scans walked, with the device and
inode of the folder each leads to. A folder linked from two library folders (each
scanned alone) is then known as already indexed when the second link is met, and the
second is skipped rather than indexing every photo twice (scan_links.ScanLinks). The
paths skipped so are kept too, with the path the library holds their folder under, so
that a path typed through one (`path:"…/libB/Shared/x.jpg"`) finds the photo without
reading the disk (migration 30, index/linked_paths.py)."""

from __future__ import annotations

import os
import sqlite3

from app.core.index.connection import db_text
from app.core.folder_paths import subtree_range


def remember(conn: sqlite3.Connection, link: str, device: int, inode: int) -> None:
    """Record that a scan walked `link`, leading to the folder (device, inode); what was
    skipped in it before is not any more, unless said again (skip)."""
    low, high = subtree_range(link)
    conn.execute("DELETE FROM skipped_links WHERE path = CAST(? AS TEXT) "
                 "OR (path >= CAST(? AS TEXT) AND path < CAST(? AS TEXT))",
                 (db_text(link), db_text(low), db_text(high)))
    conn.execute(
        "INSERT INTO linked_folders (path, device, inode) VALUES (CAST(? AS TEXT), ?, ?) "
        "ON CONFLICT (path) DO UPDATE SET device = excluded.device, inode = excluded.inode",
        (db_text(link), device, inode),
    )


def forget(conn: sqlite3.Connection, link: str) -> None:
    """`link` no longer leads where it did (removed, relinked, out of the library)."""
    conn.execute("DELETE FROM linked_folders WHERE path = CAST(? AS TEXT)", (db_text(link),))


def skip(conn: sqlite3.Connection, path: str, kept: str) -> None:
    """Record that scans skip `path` (a link, or a folder in one): the library holds its
    folder as `kept`, under another link."""
    conn.execute(
        "INSERT INTO skipped_links (path, kept) VALUES (CAST(? AS TEXT), CAST(? AS TEXT)) "
        "ON CONFLICT (path) DO UPDATE SET kept = excluded.kept",
        (db_text(path), db_text(kept)),
    )


def unskip_kept_as(conn: sqlite3.Connection, kept: str) -> None:
    """Forget the paths skipped as `kept`'s, a link removed: nothing is held under it now."""
    conn.execute("DELETE FROM skipped_links WHERE kept = CAST(? AS TEXT)", (db_text(kept),))


def skipped(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(path skipped, the path the library holds its folder under) as the last scans said."""
    return [(os.fsdecode(path), os.fsdecode(kept)) for path, kept in conn.execute(
        "SELECT path, kept FROM skipped_links ORDER BY path")]


def walked(conn: sqlite3.Connection) -> list[tuple[str, int, int]]:
    """(link, device and inode of its folder) of every link walked, in the order recorded."""
    return [(os.fsdecode(path), device, inode) for path, device, inode in conn.execute(
        "SELECT path, device, inode FROM linked_folders ORDER BY rowid")]


def kept_for(conn: sqlite3.Connection, path: str) -> str | None:
    """The path the library holds `path`'s folder under, as scans recorded skipping it
    (skip); None when they did not: a rescan writes a skip only when it is news."""
    row = conn.execute("SELECT kept FROM skipped_links WHERE path = CAST(? AS TEXT)", (db_text(path),)).fetchone()
    return None if row is None else os.fsdecode(row[0])


def skips_under(conn: sqlite3.Connection, link: str) -> dict[str, str]:
    """{`link`, or a folder in it, that scans recorded as skipped: the path kept} (remember
    clears them), so that a rescan finding the same writes nothing."""
    low, high = subtree_range(link)
    return {os.fsdecode(path): os.fsdecode(kept) for path, kept in conn.execute(
        "SELECT path, kept FROM skipped_links WHERE path = CAST(? AS TEXT) "
        "OR (path >= CAST(? AS TEXT) AND path < CAST(? AS TEXT))",
        (db_text(link), db_text(low), db_text(high)))}


def walked_to(conn: sqlite3.Connection, device: int, inode: int) -> list[str]:
    """The links walked to the folder (device, inode), in the order recorded."""
    return [os.fsdecode(path) for (path,) in conn.execute(
        "SELECT path FROM linked_folders WHERE device = ? AND inode = ? ORDER BY rowid", (device, inode))]


def walked_as_link(conn: sqlite3.Connection, path: str) -> bool:
    """Whether a scan walked `path` as a folder link (and none found it removed since)."""
    return conn.execute("SELECT 1 FROM linked_folders WHERE path = CAST(? AS TEXT)",
                        (db_text(path),)).fetchone() is not None


def any_walked(conn: sqlite3.Connection) -> bool:
    """Whether a scan has walked a link (a path typed through one is then looked up)."""
    return conn.execute("SELECT 1 FROM linked_folders LIMIT 1").fetchone() is not None


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
