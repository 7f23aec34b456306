"""A library folder found empty: a card or disk not connected, or a folder whose photos
the user deleted?

A card not connected leaves its mount point empty where the system keeps mount points
(Linux's fstab, a network share's mount point), and a user who deletes every photo of a
folder leaves it empty too. What tells them apart is whether a card or disk was mounted
on the folder when a scan saw its photos there (each scan records it for the library
folders it walks, and for the folders below them that a card or NAS share is mounted on:
index/photos_seen.py): a folder that was a mount point then and is a
plain empty folder now lost its card; one that was never a mount point was emptied by
the user. No clock decides: a folder's time need not move when its files are deleted
(a camera deleting on its FAT card, FAT's 2-second local-time stamps, a NAS clock
behind). A folder with a disk mounted on it now is that disk's: what it lacks was
deleted. A mount point is what the system's mount table lists (Linux's mountinfo, which
has bind mounts too: a folder mounted from the same file system, a Docker volume, some
NAS and automount set-ups, all of which os.path.ismount misses, the folder having its
parent's device) or what os.path.ismount says (drive roots, Windows' and macOS' mounts).
An index holding no such record yet (scanned by an older version) falls back on when
the folder last changed: deleting its entries changes a folder after the index
saw photos in it, while the empty folder a card was mounted over does not change while
the card is on it. Where the index cannot say either, an empty folder counts as a disk
not connected, as it always did: the labels of photos taken for deleted may be
forgotten (`forget --missing`), those of photos on a card not connected must not be.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

# Linux's table of what is mounted where (proc(5)), read once a scan or command; tests
# point it at a file of their own. Where it is missing (macOS, Windows) or cannot be
# read, os.path.ismount alone tells mount points.
MOUNTINFO = Path("/proc/self/mountinfo")

EMPTY_MOUNT_POINT = "is empty (a card not connected leaves its mount point empty)"

# What systems put into a folder by themselves, the user only opening it (macOS Finder's
# .DS_Store and ._ files, Spotlight's and the trash's folders, Windows Explorer's
# Thumbs.db and desktop.ini, the recycle bin, KDE's .directory): a card's mount point
# holding one is still the empty folder a card unplugged leaves.
SYSTEM_BOOKKEEPING = frozenset({
    ".ds_store", ".localized", ".spotlight-v100", ".fseventsd", ".trashes", ".temporaryitems",
    "thumbs.db", "desktop.ini", "$recycle.bin", "system volume information", ".directory",
})


def looks_empty(folder: Path) -> bool:
    """Whether `folder` holds nothing but what systems leave there by themselves
    (SYSTEM_BOOKKEEPING, macOS's ._ files); OSError when it cannot be listed."""
    with os.scandir(folder) as entries:
        return all(entry.name.casefold() in SYSTEM_BOOKKEEPING or entry.name.startswith("._") for entry in entries)


@dataclass(frozen=True)
class PhotosSeen:
    """How the index last saw photos in a folder: `at`, the start of the latest scan
    that saw them (a time stamp; None: not known), and `on_mount_point`, whether a card
    or disk was mounted on the folder then (None: no scan recorded it)."""

    at: float | None
    on_mount_point: bool | None = None


def why_unreachable(folder: Path, seen: PhotosSeen | None = None, mounts: MountTable | None = None) -> str | None:
    """Why `folder` (followed where it is a link) looks like a card or disk not
    connected: not found, or empty and, per `seen` (how the index last saw photos in it;
    None: not known), left by a card rather than by its photos deleted; None when it has
    something in it, or is empty because its photos were deleted (emptied_by_the_user;
    `mounts` as there)."""
    try:
        if not looks_empty(folder):
            return None
    except OSError as error:
        return f"cannot be reached ({error.strerror or error})"
    return None if emptied_by_the_user(folder, seen, mounts) else EMPTY_MOUNT_POINT


def emptied_by_the_user(folder: Path, seen: PhotosSeen | None, mounts: MountTable | None = None) -> bool:
    """Whether the empty `folder` is the very folder the index saw photos in, emptied
    since: a disk is mounted on it now; or it was no mount point when a scan saw its
    photos; or, with no such record, it changed after that scan started. `mounts`: the
    mount table as the caller read it (None: read now)."""
    if is_mount_point(folder, mounts):
        return True
    if seen is None:
        return False
    if seen.on_mount_point is not None:
        return not seen.on_mount_point  # a plain folder now: a card unplugged if it was one
    try:
        return seen.at is not None and os.stat(folder).st_mtime > seen.at
    except (OSError, ValueError):
        return False


class MountTable:
    """The folders the system lists something mounted on (MOUNTINFO), read the first
    time it is asked and kept: one scan or command reads it once, not once a folder.
    Empty where there is no such table or it cannot be read (is_mount_point then goes by
    os.path.ismount alone)."""

    def __init__(self, source: Path | None = None) -> None:
        self._source = source
        self._points: frozenset[str] | None = None

    def lists(self, folder: str) -> bool:
        """Whether `folder` (a real path, links resolved) is a mount point in the table."""
        if self._points is None:
            self._points = read_mount_points(self._source or MOUNTINFO)
        return folder in self._points


_OCTAL_ESCAPE = re.compile(rb"\\([0-7]{3})")


def read_mount_points(source: Path) -> frozenset[str]:
    """The mount points a mountinfo file lists (its fifth field, the octal escapes the
    kernel writes for a space, tab, newline or backslash decoded), as str paths (a name
    that is not UTF-8 as os.fsdecode gives it); empty when it cannot be read."""
    try:
        lines = source.read_bytes().splitlines()
    except (OSError, ValueError):
        return frozenset()
    points = set()
    for line in lines:
        fields = line.split(b" ")
        if len(fields) > 4:
            points.add(os.fsdecode(_OCTAL_ESCAPE.sub(lambda m: bytes([int(m.group(1), 8) & 0xFF]), fields[4])))
    return frozenset(points)


def is_mount_point(folder: Path, mounts: MountTable | None = None) -> bool | None:
    """Whether a card or disk is mounted on `folder` (followed where it is a link): one
    the mount table lists (`mounts`, read now when None: bind mounts too), a drive root
    or a volume mounted into a folder (os.path.ismount, Windows' too), or, where that
    fails, a folder on another device than its parent; None when it cannot be told (not
    found, unreadable)."""
    try:
        real = os.path.realpath(folder)
    except (OSError, ValueError):
        return None
    if (mounts or MountTable()).lists(real):
        return True
    try:
        return os.path.ismount(real)
    except (OSError, ValueError):  # (a Windows path its volume API refuses, say)
        pass
    parent = os.path.dirname(real)
    try:
        return parent == real or os.stat(real).st_dev != os.stat(parent).st_dev
    except (OSError, ValueError):
        return None


def is_mount_point_on_the_walk(folder: str, mounts: MountTable, through_link: bool = False) -> bool | None:
    """is_mount_point of a folder a scan walks, which visits every folder of a library:
    the table (`mounts`, the scan's) and os.path.ismount (which resolves the parent
    alone) as they are, the folder itself resolved first only where it is a link or a
    junction, to which ismount says no: a folder link the walk followed (`through_link`,
    a card's mount point linked into a library folder: Python before 3.12 does not tell
    a Windows junction), or one os.path tells."""
    if not through_link:
        is_junction = getattr(os.path, "isjunction", None)  # (Python 3.12)
        try:
            if mounts.lists(folder) or _is_mount_unresolved(folder):
                return True
            if not os.path.islink(folder) and not (is_junction and is_junction(folder)):
                return False
        except (OSError, ValueError):
            pass
    return is_mount_point(Path(folder), mounts)


def _is_mount_unresolved(folder: str) -> bool:
    """os.path.ismount without its realpath of the parent, which lstats every folder
    of the path: per folder of a walk, a chain of 2,100 nested folders took 86-115 s.
    A folder that is no link (the caller's case) sits in the folder its parent path
    names, so stat of that (the kernel resolving it) is the same test. Windows keeps
    ismount: its volume API tells a mount there."""
    if os.name == "nt":
        return os.path.ismount(folder)
    try:
        own = os.lstat(folder)
        parent = os.stat(os.path.dirname(folder) or os.curdir)
    except (OSError, ValueError):
        return False
    if stat.S_ISLNK(own.st_mode):
        return False  # as ismount: the caller resolves a link
    return own.st_dev != parent.st_dev or own.st_ino == parent.st_ino
