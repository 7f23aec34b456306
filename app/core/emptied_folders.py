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
deleted. An index holding no such record yet (scanned by an older version) falls back
on when the folder last changed: deleting its entries changes a folder after the index
saw photos in it, while the empty folder a card was mounted over does not change while
the card is on it. Where the index cannot say either, an empty folder counts as a disk
not connected, as it always did: the labels of photos taken for deleted may be
forgotten (`forget --missing`), those of photos on a card not connected must not be.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

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


def why_unreachable(folder: Path, seen: PhotosSeen | None = None) -> str | None:
    """Why `folder` (followed where it is a link) looks like a card or disk not
    connected: not found, or empty and, per `seen` (how the index last saw photos in it;
    None: not known), left by a card rather than by its photos deleted; None when it has
    something in it, or is empty because its photos were deleted (emptied_by_the_user)."""
    try:
        if not looks_empty(folder):
            return None
    except OSError as error:
        return f"cannot be reached ({error.strerror or error})"
    return None if emptied_by_the_user(folder, seen) else EMPTY_MOUNT_POINT


def emptied_by_the_user(folder: Path, seen: PhotosSeen | None) -> bool:
    """Whether the empty `folder` is the very folder the index saw photos in, emptied
    since: a disk is mounted on it now; or it was no mount point when a scan saw its
    photos; or, with no such record, it changed after that scan started."""
    if is_mount_point(folder):
        return True
    if seen is None:
        return False
    if seen.on_mount_point is not None:
        return not seen.on_mount_point  # a plain folder now: a card unplugged if it was one
    try:
        return seen.at is not None and os.stat(folder).st_mtime > seen.at
    except (OSError, ValueError):
        return False


def is_mount_point(folder: Path) -> bool | None:
    """Whether a card or disk is mounted on `folder` (followed where it is a link): a
    drive root or a volume mounted into a folder (os.path.ismount, Windows' too), or, where
    that fails, a folder on another device than its parent; None when it cannot be told
    (not found, unreadable)."""
    try:
        real = os.path.realpath(folder)
    except (OSError, ValueError):
        return None
    try:
        return os.path.ismount(real)
    except (OSError, ValueError):  # (a Windows path its volume API refuses, say)
        pass
    parent = os.path.dirname(real)
    try:
        return parent == real or os.stat(real).st_dev != os.stat(parent).st_dev
    except (OSError, ValueError):
        return None


def is_mount_point_on_the_walk(folder: str) -> bool | None:
    """is_mount_point of a folder a scan walks, which visits every folder of a library:
    os.path.ismount as it is (which resolves the parent alone), the folder itself
    resolved first only where it is a link or a junction, to which ismount says no."""
    is_junction = getattr(os.path, "isjunction", None)  # (Python 3.12)
    try:
        if os.path.ismount(folder):
            return True
        if not os.path.islink(folder) and not (is_junction and is_junction(folder)):
            return False
    except (OSError, ValueError):
        pass
    return is_mount_point(Path(folder))
