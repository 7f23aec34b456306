"""How the index last saw a folder hold its photos: what tells a folder the user emptied
from the empty mount point of a card not connected (app/core/emptied_folders.py).

Each scan records, for each folder it walks from (a library folder), whether a card or
disk was mounted on it then (mount_points_seen, migration 35; written once its walk is
done, only when that changed), and so each folder below that a card or disk is mounted
on (~/Photos/NAS in the library folder ~/Photos, or a folder link there to a card's
mount point, by the link's path; a plain one gets no row: MountPointsBelow). The records
of a folder go with it: dropped when it leaves the library (forget), moved when relocate
follows it to the same card or folder under another name (forget_mount_points,
move_mount_points). When it saw them the index knows from its scans too, the fallback
for a library folder no scan recorded that for, and for a folder below one
(MountPointsBelow.card_not_connected_by_its_time): one that saved a file of a photo
there saw it, and so did each scan that walked the folder (its roots) and finished
before the photos went missing (all of them still present: any scan that walked it).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path

from app.core.emptied_folders import (EMPTY_MOUNT_POINT, MountTable, PhotosSeen, is_mount_point,
                                      is_mount_point_on_the_walk, why_unreachable)
from app.core.folder_paths import holds_folder, is_within, subtree_range
from app.core.index.connection import db_text
from app.core.index.linked_folders import first_photo_under, walked_as_link
from app.core.index.records import printable_path


def photos_seen_at(conn: sqlite3.Connection, folder: str) -> PhotosSeen | None:
    """How the index last saw photos in `folder` (or below): the time stamp of the start
    of the latest scan that saw them there (None: no scan did, photos indexed otherwise),
    and whether a card or disk was mounted on `folder` at the latest scan that walked it
    (None: none recorded it); None when it holds no photo and no scan recorded that.
    The record outlives the photos: after `forget --missing` took out the photos of a
    folder the user emptied, it still tells that folder from a card not connected."""
    low, high = subtree_range(folder)
    saved_run, all_missing, gone_at = conn.execute(
        "SELECT max(f.last_scan_id), min(p.missing), max(CASE WHEN p.missing = 1 THEN p.updated_at END) "
        "FROM photos p JOIN files f ON f.photo_id = p.id WHERE p.folder = CAST(? AS TEXT) "
        "OR (p.folder >= CAST(? AS TEXT) AND p.folder < CAST(? AS TEXT))",
        (db_text(folder), db_text(low), db_text(high)),
    ).fetchone()
    if all_missing is None:  # no photo there (forgotten since, say): only the mount point's record
        mounted = mount_point_seen(conn, folder)
        return None if mounted is None else PhotosSeen(None, mounted)
    times = []
    if saved_run is not None:
        started = conn.execute("SELECT started_at FROM scan_runs WHERE id = ?", (saved_run,)).fetchone()
        times.append(started[0] if started else None)
    walked = ("SELECT started_at, roots FROM scan_runs WHERE status = 'done' AND id > ?"
              + (" AND finished_at < ?" if all_missing else "") + " ORDER BY id DESC")
    text = printable_path(folder)
    for started_at, roots in conn.execute(walked, (saved_run or 0, *([gone_at] if all_missing else []))):
        if any(is_within(text, root) or is_within(root, text) for root in _roots(roots)):
            times.append(started_at)
            break
    stamps = [stamp for stamp in map(_time_stamp, times) if stamp is not None]
    return PhotosSeen(max(stamps) if stamps else None, mount_point_seen(conn, folder))


def mount_point_seen(conn: sqlite3.Connection, folder: str) -> bool | None:
    """Whether a card or disk was mounted on `folder` at the latest scan that walked it;
    None when no scan recorded it (an index an older version scanned)."""
    row = conn.execute("SELECT mount_point FROM mount_points_seen WHERE folder = CAST(? AS TEXT)",
                       (db_text(folder),)).fetchone()
    return None if row is None else bool(row[0])


def record_mount_point(index, folder: str, mounts: MountTable | None = None, mounted: bool | None = None) -> None:
    """Record whether a card or disk is mounted on `folder` as a scan walks it (a
    PhotoIndex's), so that once it is found empty a card unplugged is told from photos
    deleted without asking a clock; written only when it changed (a rescan writes nothing),
    nothing when it cannot be told. `mounts`: the scan's mount table; `mounted`: as the
    scan found it when its walk began (None: asked now)."""
    if mounted is None:
        mounted = is_mount_point(Path(folder), mounts)
    if mounted is None or mount_point_seen(index.conn, folder) == mounted:
        return
    with index.transaction() as conn:
        conn.execute("INSERT INTO mount_points_seen (folder, mount_point) VALUES (CAST(? AS TEXT), ?) "
                     "ON CONFLICT (folder) DO UPDATE SET mount_point = excluded.mount_point",
                     (db_text(folder), int(mounted)))


def card_not_connected_below(conn: sqlite3.Connection, folder: str, mounts: MountTable | None = None,
                             was_link: bool | None = None) -> bool:
    """Whether `folder`, a folder inside a library folder that a scan recorded a card or
    disk mounted on, is that card's empty mount point now (a plain empty folder), gone
    (the system removes the mount point of a card it unmounts: /media/me/CARD,
    /Volumes/CARD), or a folder link to it that leads nowhere, while the index holds
    photos there: they are on the card, not deleted. A folder link gone was removed by
    the user (no system removes one): the way to say its photos are gone. `was_link`:
    whether a scan walked `folder` as a link (None: asked of the index). The caller knows
    the record (MountPointsBelow, unplugged_cards_below); `mounts`: the mount table as it
    read it."""
    if not os.path.lexists(folder):
        if was_link is None:
            was_link = walked_as_link(conn, folder)
        return not was_link and first_photo_under(conn, folder) is not None
    leads_nowhere = not os.path.exists(folder)
    return ((leads_nowhere or why_unreachable(Path(folder), PhotosSeen(None, on_mount_point=True), mounts)
             == EMPTY_MOUNT_POINT) and first_photo_under(conn, folder) is not None)


def unplugged_cards_below(conn: sqlite3.Connection, roots: Sequence[str],
                          mounts: MountTable | None = None) -> list[str]:
    """The folders inside the library folders `roots` whose card or disk is not
    connected (card_not_connected_below): forget --missing keeps their photos."""
    mounted = [folder for (folder,) in conn.execute("SELECT folder FROM mount_points_seen WHERE mount_point = 1")]
    mounts = mounts or MountTable()
    return [folder for folder in mounted
            if any(is_within(folder, root) and folder != root for root in roots)
            and card_not_connected_below(conn, folder, mounts)]


def forget_mount_point(conn: sqlite3.Connection, folder: str) -> None:
    """Drop the record of `folder` alone (a folder link the user removed: a later folder
    at its path is no card's), in the caller's transaction."""
    conn.execute("DELETE FROM mount_points_seen WHERE folder = CAST(? AS TEXT)", (db_text(folder),))


def forget_mount_points(conn: sqlite3.Connection, folder: str, whole: bool, others: dict[str, bool]) -> None:
    """Drop the records of `folder`, a library folder leaving the library, and (`whole`)
    of the folders below it, but those another library folder holds (`others`: {library
    folder: whole}), in the caller's transaction: a record left behind would decide a
    later, unrelated folder at that path (a plain folder taken for a card's mount point)."""
    gone = [path for path, _ in _recorded_under(conn, folder) if holds_folder(folder, path, whole)
            and not any(holds_folder(other, path, other_whole) for other, other_whole in others.items())]
    conn.executemany("DELETE FROM mount_points_seen WHERE folder = CAST(? AS TEXT)", [(db_text(p),) for p in gone])


def move_mount_points(conn: sqlite3.Connection, folder: str, moved: Callable[[str], str]) -> None:
    """Move the records of `folder` and the folders below it to their new paths
    (`moved`: relocate following the folder to the same card or folder under another
    name), in the caller's transaction; a record a new path had is replaced."""
    recorded = _recorded_under(conn, folder)
    conn.executemany("DELETE FROM mount_points_seen WHERE folder = CAST(? AS TEXT)",
                     [(db_text(path),) for path, _ in recorded])
    conn.executemany("INSERT INTO mount_points_seen (folder, mount_point) VALUES (CAST(? AS TEXT), ?) "
                     "ON CONFLICT (folder) DO UPDATE SET mount_point = excluded.mount_point",
                     [(db_text(moved(path)), mounted) for path, mounted in recorded])


def _recorded_under(conn: sqlite3.Connection, folder: str) -> list[tuple[str, int]]:
    """(folder, mount_point) of the records of `folder` and the folders below it."""
    low, high = subtree_range(folder)
    rows = conn.execute("SELECT folder, mount_point FROM mount_points_seen WHERE folder = CAST(? AS TEXT) "
                        "OR (folder >= CAST(? AS TEXT) AND folder < CAST(? AS TEXT))",
                        (db_text(folder), db_text(low), db_text(high)))
    return [(os.fsdecode(path) if isinstance(path, bytes) else path, mounted) for path, mounted in rows]


class MountPointsBelow:
    """The mount points a scan meets below the folders it walks from (a card reader's
    or a NAS share's folder inside a library folder), read once a scan. A folder with a
    card or disk mounted on it gets a row; a recorded one found a plain folder holding
    something (the card copied into it) has its row changed; a plain folder gets none, so
    a rescan writes nothing and the table stays as small as the mounts."""

    def __init__(self, index) -> None:
        self._index = index
        self.mounts = MountTable()  # the system's mount table, read once a scan (when first asked)
        self._recorded = {folder: bool(mounted) for folder, mounted in
                          index.conn.execute("SELECT folder, mount_point FROM mount_points_seen")}
        # the folder links walked, as the scan began (the walk forgets those it finds removed)
        self._links = {os.fsdecode(path) for (path,) in index.conn.execute("SELECT path FROM linked_folders")}

    def was_mount_point(self, folder: str) -> bool:
        """Whether a scan recorded a card or disk mounted on `folder` (a dictionary look-up)."""
        return self._recorded.get(folder) is True

    def card_not_connected(self, folder: str) -> bool:
        """Whether the walk should leave `folder` as it is: its card is not connected."""
        return self.was_mount_point(folder) and card_not_connected_below(self._index.conn, folder, self.mounts,
                                                                         was_link=folder in self._links)

    def unplugged_card_above(self, folder: str, root: str) -> str | None:
        """The recorded mount point whose card is not connected that holds `folder` (it, or
        a folder above it below the library folder `root`), outermost first; None if none."""
        on_the_way = [str(above) for above in reversed([Path(folder), *Path(folder).parents])
                      if is_within(str(above), root) and str(above) != root]
        return next((above for above in on_the_way if self.card_not_connected(above)), None)

    def card_not_connected_by_its_time(self, folder: str, root: str) -> bool:
        """Whether `folder`, below the library folder `root` and listed holding no photo
        and no folder, is the empty mount point of a card not connected by the time rule
        of a library folder with no record (emptied_folders.emptied_by_the_user), while
        the index holds photos there. Only where no scan of this version has walked `root`
        to the end (no record of it: an index an older version scanned, or one whose
        first walk left a folder to this rule) and none recorded `folder`: a plain folder
        gets no record, so below a recorded root no record means no card (two dictionary
        look-ups; a rescan asks no more)."""
        if root in self._recorded or folder in self._recorded:
            return False
        conn = self._index.conn
        return (first_photo_under(conn, folder) is not None
                and why_unreachable(Path(folder), photos_seen_at(conn, folder), self.mounts) == EMPTY_MOUNT_POINT)

    def record(self, folder: str, through_link: bool = False) -> None:
        """Record whether a card or disk is mounted on `folder` (one the walk visits; a
        folder link it followed, `through_link`, by where the link leads), when it changed."""
        mounted = is_mount_point_on_the_walk(folder, self.mounts, through_link)
        if mounted is None or mounted == self._recorded.get(folder, False):
            return
        with self._index.transaction() as conn:
            conn.execute("INSERT INTO mount_points_seen (folder, mount_point) VALUES (CAST(? AS TEXT), ?) "
                         "ON CONFLICT (folder) DO UPDATE SET mount_point = excluded.mount_point",
                         (db_text(folder), int(mounted)))
        self._recorded[folder] = mounted


def _roots(text: str | None) -> list[str]:
    try:
        roots = json.loads(text or "[]")
    except ValueError:
        return []
    return [root for root in roots if isinstance(root, str)] if isinstance(roots, list) else []


def _time_stamp(iso: str | None) -> float | None:
    try:
        return datetime.fromisoformat(iso).timestamp() if iso else None
    except ValueError:
        return None


class LibraryFolders(Sequence[Path]):
    """The library folders, for write and undo to tell a file gone with its card from one
    deleted (disk_problems.disk_gone_error), with how the index last saw photos in a
    folder (`photos_seen_at`: when, and whether a card was mounted on it), looked up only
    for a folder found empty, once (under a lock of its own: write's threads ask too; a
    read on the shared connection)."""

    def __init__(self, conn: sqlite3.Connection, folders: Sequence[Path]) -> None:
        self._conn = conn
        self._folders = list(folders)
        self._seen: dict[str, PhotosSeen | None] = {}
        self._lock = threading.Lock()

    @classmethod
    def of(cls, index) -> LibraryFolders:
        """Those of `index` (a PhotoIndex)."""
        return cls(index.conn, index.roots())

    def photos_seen_at(self, folder: str) -> PhotosSeen | None:
        with self._lock:
            if folder not in self._seen:
                self._seen[folder] = photos_seen_at(self._conn, folder)
            return self._seen[folder]

    def __getitem__(self, position):
        return self._folders[position]

    def __len__(self) -> int:
        return len(self._folders)

    def __iter__(self) -> Iterator[Path]:
        return iter(self._folders)
