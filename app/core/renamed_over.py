"""Files renamed onto each other's names, told from photos edited in place.

A batch renamer closing the gap after a deleted frame (DSC_0002 → DSC_0001, DSC_0003 →
DSC_0002, …), opening one for an inserted frame (DSC_0001 → DSC_0002, …), or two names
swapped: each name now holds another picture. The index went by the name, so every
label stayed on the name and `write` put one landmark's keyword into another's photo.
A name whose new contents are a picture another photo held before this scan, and that
picture is no longer where that photo had it, holds that photo moved; a photo whose own
picture turns up at another name read in this scan has moved away from its name. Such a
photo gives up its name (catalog.detach_photo, catalog.split_photo): the name becomes a
new photo and the scanner's move recognition hands it the words of the photo whose
picture it holds. A picture still in its place is a copy (a backup copied back over an
edited photo, two copies edited alike): the photo at the name stays itself.
"""

from __future__ import annotations

import os
import sqlite3
from collections import defaultdict

from app.core.fingerprint import fingerprint_file
from app.core.index import catalog
from app.core.index.catalog import FileBefore


class RenamedOver:
    """What one scan read, to tell renamed pictures from edited ones."""

    def __init__(self, conn: sqlite3.Connection, newest_before: int) -> None:
        self.conn = conn
        self.newest_before = newest_before
        self.read_at: dict[str, set[str]] = defaultdict(set)  # contents read in this scan -> the paths holding them
        self.before: dict[int, list[FileBefore]] = defaultdict(list)  # photo -> its changed files as they were
        self.kept: set[int] = set()  # photos with a file read unchanged: they stay at their names

    def note_read(self, path: str, fingerprint: str | None) -> None:
        if fingerprint is not None:
            self.read_at[fingerprint].add(path)

    def note_unchanged(self, photo_ids: set[int]) -> None:
        self.kept |= photo_ids

    def note_changed(self, photo_id: int, file: FileBefore) -> None:
        """A file of an indexed photo that holds other contents now (kept: the photo's own)."""
        self.before[photo_id].append(file)

    def picture_of_another_that_left(self, fingerprint: str, photo_id: int) -> bool:
        """Whether another photo indexed before this scan held this picture and it is no
        longer where that photo has it (renamed away, or its name now holds another)."""
        holders = catalog.files_held_before_by_another(self.conn, fingerprint, photo_id, self.newest_before)
        for path, size in holders:
            try:
                if os.stat(path).st_size == size and fingerprint_file(path, size) == fingerprint:
                    return False
            except FileNotFoundError:
                continue
            except OSError:
                return False  # cannot tell (no permission, a drive gone): the photo stays as it is
        return bool(holders)

    def photos_moved_away(self) -> dict[int, list[FileBefore]]:
        """After the walk: the photos kept at their names whose own picture was read at
        another name in this scan, or whose name now holds the picture of another photo
        changed or gone in this scan (its name was read before that photo's)."""
        gone_before = {f.fingerprint: photo_id for photo_id, files in self.before.items() for f in files}
        moved = {}
        for photo_id, files in self.before.items():
            if photo_id in self.kept:
                continue
            own_paths = {f.path for f in files}
            picture_elsewhere = any(self.read_at.get(f.fingerprint, set()) - own_paths for f in files)
            holds_anothers = any(
                gone_before.get(now, photo_id) != photo_id or catalog.missing_photo_held(self.conn, now, photo_id)
                for now in catalog.present_prints(self.conn, photo_id)
            )
            if (picture_elsewhere or holds_anothers) and catalog.is_present(self.conn, photo_id):
                moved[photo_id] = files
        return moved
