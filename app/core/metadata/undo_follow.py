"""Where a file a write batch changed is now, for `undo`, when it was renamed or moved
outside the app (Finder, Explorer, `mv`) and no scan has followed it yet: a scan points
the journal at the new place itself (index/moved_photos.py), an undo run straight after
the rename would otherwise find nothing at the old name, or another picture there.

A file is found under its new name by its bytes only: one file, in the library folder
that held it, whose size and SHA-256 are exactly what our write put in (the entry's
digest); the entry then follows it (its path in the journal), so a retry and the
messages name the new place. A file edited since, or kept twice, is not guessed at: the
undo says it is not there, and a `scan` (which recognises the picture) lets undo follow it.
A name that now holds another picture (a renumbering: DSC_0002.JPG renamed DSC_0001.JPG
after DSC_0001.JPG was moved away), told by the picture print the index keeps of the
file written, is never written into: RenamedOverError names it.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from app.core.cloud_files import not_downloaded_note, online_only_note
from app.core.folder_paths import is_skipped_folder
from app.core.index import PhotoIndex
from app.core.index.connection import db_text
from app.core.index.renamed_over_records import path_before_detached
from app.core.metadata import journal, recovery
from app.core.metadata.undo_outcome import PhotoGoneError
from app.core.picture_print import picture_print


class RenamedOverError(PhotoGoneError):
    """The photo file's name holds another picture now (a renumbering renamed another
    photo onto it) and ours was not found under a new name: that picture is left as it is."""


class FilesBySize:
    """The files of the library folders the undo looks in, by size: walked once per
    undo, and only when a file is not at its path (_sizes_under)."""

    def __init__(self, library_folders: list[Path]) -> None:
        self._library_folders = list(library_folders)
        self._walked: dict[Path, dict[int, list[Path]]] = {}

    def of_size(self, path: Path, size: int) -> list[Path]:
        """The files of `size` bytes in the library folder holding `path` (its own folder
        when no library folder does)."""
        root = next((folder for folder in self._library_folders if path.is_relative_to(folder)), path.parent)
        if root not in self._walked:
            self._walked[root] = _sizes_under(root)
        return self._walked[root].get(size, [])


def _sizes_under(root: Path) -> dict[int, list[Path]]:
    """The files under `root` by size, from the listings and one stat each (no file is
    opened). Left out: links (to files or folders: a loop or another disk is never
    walked), hidden names (our temps, which hold the same bytes; iCloud stand-ins), the
    folders a scan skips (a recycle bin: a file deleted there is not followed), files in
    the cloud (online-only, dataless: reading one would download it) and whatever cannot
    be listed or stat'ed (no permission, gone while walked)."""
    sizes: dict[int, list[Path]] = {}
    pending, seen = [root], set()
    while pending:
        folder = pending.pop()
        try:
            folder_stat = os.stat(folder)
            if folder_stat.st_ino and (folder_stat.st_dev, folder_stat.st_ino) in seen:
                continue  # walked already: a Windows junction (not is_symlink() there) back up the tree
            seen.add((folder_stat.st_dev, folder_stat.st_ino))
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError:
            continue  # unreadable, or gone: not where the file looked for is
        for entry in entries:
            try:
                if entry.name.startswith(".") or entry.is_symlink():
                    continue
                if entry.is_dir(follow_symlinks=False):
                    if not is_skipped_folder(entry.name):
                        pending.append(Path(entry.path))
                    continue
                stat = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if online_only_note(stat) is None:
                sizes.setdefault(stat.st_size, []).append(Path(entry.path))
    return sizes


def entry_where_it_is(index: PhotoIndex, entry: journal.JournalEntry, files: FilesBySize) -> journal.JournalEntry:
    """`entry`, following its file to where it is now (module docstring): as it is when
    its file is at its path (or cannot be found elsewhere: the undo then says it is gone),
    else pointed at the new path, in the journal too. Raises RenamedOverError when its
    path holds another picture and ours is not found."""
    path = Path(entry.path)
    if not_downloaded_note(path) is not None:  # in the cloud (its iCloud stand-in in its place): the undo waits
        return entry
    there = os.path.lexists(path)
    if there and _same_picture(index, entry, path):
        return entry
    found = _holding_our_bytes(entry, files)
    if found is None:
        if there:
            raise RenamedOverError(f"{path} now holds another picture (renamed over it since our write?), and the "
                                   "file our write changed was not found under another name: that picture is left "
                                   "as it is; if you renamed or moved ours, scan, then undo again")
        return entry
    with index.transaction() as conn:
        conn.execute("UPDATE write_journal SET path = CAST(? AS TEXT) WHERE id = ?", (db_text(str(found)), entry.id))
    return replace(entry, path=str(found))


def _same_picture(index: PhotoIndex, entry: journal.JournalEntry, path: Path) -> bool:
    """Whether the JPEG at `path` is the picture our write changed there (the picture
    print the index recorded for that file, under its name or, after a scan found the
    name renamed over, the name it gave up: renamed_over_records; True where it recorded
    none, and for a sidecar: nothing to tell it by)."""
    if entry.kind != "jpeg":
        return True
    recorded = next((print_ for name, print_ in index.conn.execute(
        "SELECT path, picture_print FROM files WHERE photo_id = ?", (entry.photo_id,))
        if path_before_detached(os.fsdecode(name) if isinstance(name, bytes) else name) == entry.path), None)
    if recorded is None:
        return True
    try:
        return picture_print(path) in (recorded, None)
    except OSError:
        return True  # unreadable: the undo's own read says why


def _holding_our_bytes(entry: journal.JournalEntry, files: FilesBySize) -> Path | None:
    """The one file, other than at the entry's path, whose bytes are exactly those our
    write put in; None when there is none or more than one (copies: not guessed)."""
    size = entry.after.get("size", entry.size_after)
    if entry.digest is None or size is None or size < 0:
        return None
    matches = []
    for candidate in files.of_size(Path(entry.path), size):
        if candidate == Path(entry.path):
            continue
        try:
            data = candidate.read_bytes()
        except OSError:
            continue
        if recovery.file_digest(data) == entry.digest:
            matches.append(candidate)
    return matches[0] if len(matches) == 1 else None
