"""The library folders an index keeps (library_roots): a folder added whole holds
the folders below it, one added folder-only its own photos; each is stored as the
disk spells it, so another spelling of it is the same library folder."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.folder_paths import is_within
from app.core.index.connection import db_text, now_iso
from app.core.path_case import DiskNames, canonical_path, same_folder_spelled_otherwise

if TYPE_CHECKING:
    from app.core.index.photo_index import PhotoIndex


def add_root(index: "PhotoIndex", path: str | Path, recursive: bool = True) -> Path:
    """Make `path` a library folder: with the folders below it (a folder the user
    added; a folder-only one becomes whole), or that folder only (`recursive=False`,
    the folder of a photo given by its file; an existing one is left as it is).
    A folder inside a whole library folder is part of it already and is not added
    (a second root there would keep its photos when the outer one is forgotten);
    library folders inside a folder added whole become part of it. The folder is
    stored as the disk spells it (`~/pictures/trip` typed on a case-insensitive disk
    is `~/Pictures/Trip`), so another spelling is the same library folder. A folder
    linked into a library folder (`library/Shared`) is part of it under the link's
    path, as a scan indexes it: its target does not become a second library folder."""
    from app.core.scan_links import library_spelling

    root = Path(library_spelling(index, path, DiskNames()))
    text = str(root)
    with index.transaction() as conn:
        if any(whole and other != text and is_within(text, other) for other, whole in _library_rows(conn)):
            conn.execute("DELETE FROM library_roots WHERE path = CAST(? AS TEXT)", (db_text(text),))
            return root
        conn.execute(
            "INSERT INTO library_roots (path, added_at, recursive) VALUES (CAST(? AS TEXT), ?, ?) "
            + ("ON CONFLICT (path) DO UPDATE SET recursive = 1" if recursive else "ON CONFLICT (path) DO NOTHING"),
            (db_text(text), now_iso(), int(recursive)),
        )
        if recursive:
            conn.executemany("DELETE FROM library_roots WHERE path = CAST(? AS TEXT)", [
                (db_text(other),) for other, _ in _library_rows(conn) if other != text and is_within(other, text)])
    return root


def roots(conn: sqlite3.Connection) -> list[Path]:
    """The library folders (one inside a whole library folder, left by an older
    version, is part of that one and not listed)."""
    return [Path(path) for path, _ in _outermost(_library_rows(conn))]

def folder_only_roots(conn: sqlite3.Connection) -> list[Path]:
    """Library folders that hold their own photos only, not the folders below them."""
    return [Path(path) for path, whole in _outermost(_library_rows(conn)) if not whole]

def remove_root(index: "PhotoIndex", path: str | Path) -> None:
    """Take a library folder off the list (its photos stay indexed): the row of this
    very spelling when there is one (an older version kept folders as typed), else
    the folder as the disk spells it."""
    with index.transaction() as conn:
        for root in (str(path), str(Path(path).expanduser().resolve()), str(canonical_path(path))):
            if conn.execute("DELETE FROM library_roots WHERE path = CAST(? AS TEXT)", (db_text(root),)).rowcount:
                return

def other_spellings_of(conn: sqlite3.Connection, folder: str, whole: bool) -> list[tuple[str, bool]]:
    """(path, whole) of the library folders an older version kept as typed that are
    `folder` (whole: or a folder below it) spelled otherwise on a case-insensitive
    disk: their photos are these photos indexed a second time. A whole one counts
    only for a whole `folder`, which covers the folders below it too."""
    names = DiskNames()
    return [(path, other_whole) for path, other_whole in _library_rows(conn)
            if (whole or not other_whole) and same_folder_spelled_otherwise(path, folder, whole, names)]


def _library_rows(conn: sqlite3.Connection) -> list[tuple[str, bool]]:
    """(path, whole) of every library_roots row, by path; whole: with its sub-folders."""
    return [(path, bool(whole)) for path, whole in conn.execute(
        "SELECT path, recursive FROM library_roots ORDER BY path")]


def _outermost(rows: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """The rows that no other whole library folder holds."""
    wholes = [path for path, whole in rows if whole]
    return [(path, whole) for path, whole in rows
            if not any(other != path and is_within(path, other) for other in wholes)]
