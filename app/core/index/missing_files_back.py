"""Where the files of the photos marked missing are now, as `forget --missing` asks
right before it forgets them.

The missing mark is the last scan's word: a card plugged in again or a folder put back
since brings the files back, and forgetting their photos then would drop labels that may
live only in the index. Each folder is listed once (a stat per file would hold the app for
minutes over a share holding thousands), and no file is opened: one kept in a cloud drive
is not downloaded. A folder that finds its names under another letter case too (macOS,
Windows: path_case) has a file back under another case (DSC_0001.jpg for DSC_0001.JPG)
matched so; a case-sensitive one keeps the exact match. A folder not found behind a folder link that points nowhere (its target
on a card unplugged, a drive not connected) is not known to be gone either: a library
folder not found counts as a drive not connected, and this is the same one level down.
"""

from __future__ import annotations

import os
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from app.core.cloud_files import listed_not_downloaded
from app.core.path_case import DiskNames, fold, is_junction


@dataclass(frozen=True)
class FilesNow:
    """The paths given, by what their folder's listing shows now; any other is gone."""

    back: frozenset[str]  # a file of that name lies in its folder again
    in_the_cloud: frozenset[str]  # its iCloud stand-in lies in its place, or it is online-only
    # its folder could not be read (no permission, an I/O error), or its name has no spelling
    # in the file system's encoding (a POSIX locale): not known to be gone
    not_checked: frozenset[str]
    # its folder is reached through a folder link whose target is not there (dead_links):
    # a drive not connected, not known to be gone
    unreachable: frozenset[str] = frozenset()
    dead_links: frozenset[str] = frozenset()


def files_now(paths: Iterable[str]) -> FilesNow:
    """Look each of `paths` (files the index marked missing) up in its folder's listing."""
    by_folder: dict[str, list[str]] = defaultdict(list)
    not_checked: set[str] = set()
    for path in paths:
        try:
            os.fsencode(path)  # (a name the listing could not spell the same would look gone)
        except (UnicodeError, ValueError):
            not_checked.add(path)
            continue
        folder, name = os.path.split(path)
        by_folder[folder].append(name)
    back: set[str] = set()
    in_the_cloud: set[str] = set()
    unreachable: set[str] = set()
    dead_links: set[str] = set()
    disk_names = DiskNames()
    for folder, names in by_folder.items():
        try:
            with os.scandir(folder or ".") as listing:
                entries = {entry.name: entry for entry in listing}
        except (FileNotFoundError, NotADirectoryError):  # gone with its folder (a drive not
            link = dead_link_on_the_way(folder)  # connected is left out before: its library
            if link is not None:  # folder's photos stay), unless a link on the way points nowhere
                dead_links.add(link)
                unreachable.update(os.path.join(folder, name) for name in names)
            continue
        except (OSError, UnicodeError, ValueError):
            not_checked.update(os.path.join(folder, name) for name in names)
            continue
        composed: set[str] | None = None  # (macOS may list a name decomposed: é as e + ´)
        folded: set[str] | None = None  # (names by case, where the folder ignores it)
        for name in names:
            path = os.path.join(folder, name)
            if listed_not_downloaded(entries, name):
                in_the_cloud.add(path)
            elif name in entries:
                back.add(path)
            else:
                if composed is None:
                    composed = {unicodedata.normalize("NFC", listed) for listed in entries}
                if unicodedata.normalize("NFC", name) in composed:
                    back.add(path)
                    continue
                if folded is None:  # a case-insensitive disk (macOS, Windows) opens it so too
                    folded = ({fold(listed) for listed in entries} if disk_names.ignores_case(Path(folder or "."))
                              else set())
                if fold(name) in folded:
                    back.add(path)
    return FilesNow(frozenset(back), frozenset(in_the_cloud), frozenset(not_checked),
                    frozenset(unreachable), frozenset(dead_links))


def dead_link_on_the_way(folder: str) -> str | None:
    """The folder link on the way to `folder` (it, or a folder above it) that points
    nowhere, its target not there (a card unplugged, a drive not connected): None when
    the folders not there are plain folders (deleted). Only the folders not found are
    looked at, from `folder` up to the first one there."""
    path = os.path.abspath(folder) if folder else ""
    while path and not os.path.exists(path):
        if os.path.islink(path) or is_junction(Path(path)):
            return path
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return None
