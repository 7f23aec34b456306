"""Where the files of the photos marked missing are now, as `forget --missing` asks
right before it forgets them.

The missing mark is the last scan's word: a card plugged in again or a folder put back
since brings the files back, and forgetting their photos then would drop labels that may
live only in the index. Each folder is listed once (a stat per file would hold the app for
minutes over a share holding thousands), and no file is opened: one kept in a cloud drive
is not downloaded.
"""

from __future__ import annotations

import os
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from app.core.cloud_files import listed_not_downloaded


@dataclass(frozen=True)
class FilesNow:
    """The paths given, by what their folder's listing shows now; any other is gone."""

    back: frozenset[str]  # a file of that name lies in its folder again
    in_the_cloud: frozenset[str]  # its iCloud stand-in lies in its place, or it is online-only
    # its folder could not be read (no permission, an I/O error), or its name has no spelling
    # in the file system's encoding (a POSIX locale): not known to be gone
    not_checked: frozenset[str]


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
    for folder, names in by_folder.items():
        try:
            with os.scandir(folder or ".") as listing:
                entries = {entry.name: entry for entry in listing}
        except (FileNotFoundError, NotADirectoryError):  # gone with its folder (a drive not
            continue  # connected is left out before: its library folder's photos stay)
        except (OSError, UnicodeError, ValueError):
            not_checked.update(os.path.join(folder, name) for name in names)
            continue
        composed: set[str] | None = None  # (macOS may list a name decomposed: é as e + ´)
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
    return FilesNow(frozenset(back), frozenset(in_the_cloud), frozenset(not_checked))
