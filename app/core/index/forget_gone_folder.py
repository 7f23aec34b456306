"""Forget a folder below a library folder whose photos are all gone: a card lost for good.

A card mounted on a folder inside a library folder (~/Pictures/Card) and unplugged is
a card not connected: its photos stay, and `forget --missing` keeps them, since the
card may come back. A photographer who lost it must be able to say so; a library folder
alone could be forgotten. A folder below one can now be, while none of its photos' files
is there (on disk, or in iCloud) and a scan has looked for them in the library and not
found them (forget_gone_looked_for: files renamed in place, or a folder moved within the
library, are followed by the scan's move join), nor a copy of one in the library holds its
labels elsewhere (forget_gone_copies): forgetting it never drops the labels of a
photo the user still has. As for a library folder, everything the index holds about its photos
goes, taught references included (forget.py says why).
"""

from __future__ import annotations

import os
from pathlib import Path

from app.core.errors import UsageError
from app.core.folder_paths import holds_folder, is_within
from app.core.index.connection import db_text
from app.core.index.forget_gone_copies import refuse_while_copies_would_lose_words
from app.core.index.forget_gone_looked_for import refuse_unless_looked_for
from app.core.index.linked_folders import first_photo_under
from app.core.path_case import canonical_path
from app.core.wording import counted

CHUNK = 500  # ids per statement, under SQLite's variable limit


def folder_below(index, folder: str | os.PathLike, library: dict[str, bool],
                 refused: UsageError) -> tuple[str, dict[str, bool]]:
    """(the folder as the index holds it, the library folders inside it) for `folder`,
    below a whole library folder, holding photos none of which is there any more; else
    `refused` (the word of library_folder), said again with why when photos are there."""
    conn = index.conn
    path = _as_indexed(conn, folder)
    within = max((root for root, whole in library.items() if whole and path is not None
                  and is_within(path, root) and path != root), key=len, default=None)
    if path is None or within is None:
        raise refused
    from app.core.library import drive_not_connected  # (app.core.library reads the index)

    if drive_not_connected(index, Path(within)):
        raise UsageError(f"{refused}; the library folder {within} is not there (drive not connected?): "
                         "plug its drive in to forget a folder in it")
    inner = {root: whole for root, whole in library.items() if is_within(root, path)}
    ids = photo_ids(conn, path, inner)
    there = _files_there(conn, ids)
    if there:
        raise UsageError(f"{path} is inside the library folder {within}; only a whole library folder can be "
                         f"forgotten, or a folder in one whose photos are all gone (a card lost for good), and "
                         f"{counted(len(there), 'file')} of its photos {'is' if len(there) == 1 else 'are'} there "
                         f"({there[0]}): its photos stay while {within} is in the library; a search leaves them "
                         f"out with -folder:\"{path}\"")
    # files gone from where the index has them may be renamed or moved: only a scan tells
    refuse_unless_looked_for(conn, path, ids, inner)
    # copies of its photos indexed in the library: their labels must not go with the card
    refuse_while_copies_would_lose_words(conn, path, ids)
    return path, inner


def _as_indexed(conn, folder: str | os.PathLike) -> str | None:
    """`folder` as the index holds photos below it: as typed (a folder link whose card
    is gone leads nowhere, its photos listed by the link's path), or as resolved."""
    typed = os.path.abspath(os.path.expanduser(os.fspath(folder)))
    for path in dict.fromkeys((typed, str(Path(typed).resolve()), str(canonical_path(typed)))):
        if first_photo_under(conn, path) is not None:
            return path
    return None


def photo_ids(conn, folder: str, inner: dict[str, bool]) -> list[int]:
    """The photos below `folder` but those a library folder inside it holds (`inner`)."""
    from app.core.folder_paths import subtree_range

    low, high = subtree_range(folder)
    rows = conn.execute("SELECT id, folder FROM photos WHERE folder = CAST(? AS TEXT) "
                        "OR (folder >= CAST(? AS TEXT) AND folder < CAST(? AS TEXT))",
                        (db_text(folder), db_text(low), db_text(high)))
    return [int(photo_id) for photo_id, held in rows if is_within(os.fsdecode(held), folder)
            and not any(holds_folder(root, os.fsdecode(held), whole) for root, whole in inner.items())]


def _files_there(conn, ids: list[int]) -> list[str]:
    """The files of these photos that are there: found, in iCloud, or that cannot be told
    (a folder not readable counts as there: nothing is forgotten on a guess)."""
    from app.core.cloud_files import paths_not_downloaded

    there, gone = [], []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for (path,) in conn.execute(f"SELECT path FROM files WHERE photo_id IN ({','.join('?' * len(chunk))})",
                                    chunk):
            path = os.fsdecode(path)
            try:
                os.lstat(path)
                there.append(path)
            except (FileNotFoundError, NotADirectoryError):
                gone.append(path)
            except OSError:
                there.append(path)
    return there + sorted(paths_not_downloaded(gone))


def forget_below(conn, folder: str, inner: dict[str, bool]) -> list[int]:
    """Take the photos of `folder` (checked by folder_below) out, with the problems of
    its files and what scans recorded of a card mounted on it or below (a later folder
    there is no card's), in the caller's transaction; the ids that went."""
    from app.core.index.photo_rows import remove_photos
    from app.core.index.photos_seen import forget_mount_points

    ids = photo_ids(conn, folder, inner)
    remove_photos(conn, ids)
    stale = [error_id for error_id, path in conn.execute("SELECT id, path FROM errors WHERE path IS NOT NULL")
             if is_within(os.fsdecode(path), folder)
             and not any(holds_folder(root, os.fsdecode(path), whole) for root, whole in inner.items())]
    conn.executemany("DELETE FROM errors WHERE id = ?", [(error_id,) for error_id in stale])
    forget_mount_points(conn, folder, True, inner)
    return ids
