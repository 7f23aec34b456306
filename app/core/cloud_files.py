"""Photos a cloud drive keeps online only, told from what the disk shows (no provider API).

macOS 13 and earlier ("Optimize Mac Storage") replace an evicted IMG_0001.jpg by a hidden
stand-in, `.IMG_0001.jpg.icloud`; macOS 14 and later keep the name but mark the file
dataless (st_flags SF_DATALESS); Windows cloud drives (OneDrive Files On-Demand, iCloud
for Windows, Dropbox) leave a placeholder whose attributes say that reading it recalls its
data (RECALL_ON_DATA_ACCESS, or OFFLINE). Such a photo is not missing: the scan keeps it
as it was indexed, with its labels, and reads none of it (reading downloads it, and fails
offline); tag and write skip it with a note saying how to download it.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path
from typing import Iterable

from app.core.errors import PhotoNotReadError

ICLOUD_STAND_IN_SUFFIX = ".icloud"
# winnt.h: the data of a placeholder is not on the disk; reading it recalls it from the cloud.
# (RECALL_ON_OPEN is left out: its value, 0x40000, is also FILE_ATTRIBUTE_EA's, which any
# file with extended attributes carries.)
FILE_ATTRIBUTE_OFFLINE = 0x1000
FILE_ATTRIBUTE_RECALL_ON_DATA_ACCESS = 0x400000
# macOS sys/stat.h: the file's data is not on the disk (a File Provider keeps it: iCloud Drive)
SF_DATALESS = 0x40000000

IN_ICLOUD = "in iCloud, not downloaded; download it in Finder first"
DATALESS = "in iCloud (or another cloud drive), not downloaded; download it in Finder first"
ONLINE_ONLY = ("online-only in its cloud drive (OneDrive or another), not downloaded: not read, as reading it "
               "would download it; choose “Always keep on this device” in Explorer first")


class NotDownloadedError(PhotoNotReadError):
    """The photo is in iCloud or online only: it is not read, since reading it would
    download it (and fail offline). `note` says which, and how to download it."""

    def __init__(self, path: Path | str, note: str) -> None:
        super().__init__(f"{path}: {note}")
        self.path, self.note = path, note

    def __reduce__(self):  # (two arguments: pickled whole, as a process pool hands it back)
        return type(self), (self.path, self.note)


def icloud_stand_in_name(name: str) -> str:
    """The hidden name iCloud gives the stand-in of an evicted file `name`."""
    return f".{name}{ICLOUD_STAND_IN_SUFFIX}"


def name_of_icloud_stand_in(entry_name: str) -> str | None:
    """The file an iCloud stand-in (`.IMG_0001.jpg.icloud`) stands for; None for any other name."""
    if not (entry_name.startswith(".") and entry_name.endswith(ICLOUD_STAND_IN_SUFFIX)):
        return None
    name = entry_name[1 : -len(ICLOUD_STAND_IN_SUFFIX)]
    return name if name and not name.startswith(".") else None


def online_only_note(stat: os.stat_result) -> str | None:
    """Why a file with this stat is not on the disk (its data in the cloud, recalled by
    any read), in words for a per-file note; None for a file whose data is here."""
    if getattr(stat, "st_file_attributes", 0) & (FILE_ATTRIBUTE_RECALL_ON_DATA_ACCESS | FILE_ATTRIBUTE_OFFLINE):
        return ONLINE_ONLY
    if getattr(stat, "st_flags", 0) & SF_DATALESS:
        return DATALESS
    return None


def not_downloaded_note(path: Path | str) -> str | None:
    """Why the photo at `path` cannot be read without downloading it (its iCloud stand-in
    lies there in its place, or it is an online-only placeholder); None when it is on the
    disk, or not there for another reason (the caller's own message says that)."""
    path = Path(path)
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return _stand_in_note(path)
    except OSError:
        return None
    return online_only_note(stat)


def icloud_stand_in_note(path: Path | str) -> str | None:
    """IN_ICLOUD when the photo at `path` is gone and its iCloud stand-in lies in its
    place; None otherwise. For a photo the index marked missing, whose name may hold
    another file since (that file's own state says nothing of the photo)."""
    path = Path(path)
    return None if os.path.lexists(path) else _stand_in_note(path)


def _stand_in_note(path: Path) -> str | None:
    # os.path.isfile answers False for any error: a photo named 248-255 bytes has a
    # stand-in name over the file system's limit (ENAMETOOLONG), which cannot be there.
    return IN_ICLOUD if os.path.isfile(path.with_name(icloud_stand_in_name(path.name))) else None


def paths_not_downloaded(paths: Iterable[str]) -> set[str]:
    """Those of `paths` (files the index marked missing) that not_downloaded_note would
    name: their iCloud stand-in lies in their place, or they are online-only. Each folder
    is listed once, where a stat per file (two for one not there) would keep the app's
    window frozen for minutes over a network share holding thousands of them."""
    by_folder: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        folder, name = os.path.split(path)
        by_folder[folder].append(name)
    found: set[str] = set()
    for folder, names in by_folder.items():
        try:
            with os.scandir(folder or ".") as listing:
                entries = {entry.name: entry for entry in listing}
        except OSError:  # a folder gone holds nothing in the cloud
            continue
        for name in names:
            if listed_not_downloaded(entries, name):
                found.add(os.path.join(folder, name))
    return found


def listed_not_downloaded(entries: dict[str, os.DirEntry], name: str) -> bool:
    """Whether the file `name`, looked up in its folder's listing `entries`, is in the
    cloud (its iCloud stand-in there, or online-only); False when that cannot be told."""
    try:
        if name in entries:  # (Windows gives a listing's attributes with no further call)
            return online_only_note(entries[name].stat()) is not None
        stand_in = entries.get(icloud_stand_in_name(name))
        return stand_in is not None and stand_in.is_file()
    except OSError:
        return False


def refuse_not_downloaded(path: Path | str) -> None:
    """Raise NotDownloadedError when the photo at `path` is in the cloud (see
    not_downloaded_note): for what only shows a photo (a thumbnail, a preview), which
    must not download it while the user merely browses."""
    note = not_downloaded_note(path)
    if note is not None:
        raise NotDownloadedError(path, note)
