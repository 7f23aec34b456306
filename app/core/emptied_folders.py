"""A library folder found empty: a card or disk not connected, or a folder whose photos
the user deleted?

A card not connected leaves its mount point empty where the system keeps mount points
(Linux's fstab, a network share's mount point), and a user who deletes every photo of a
folder leaves it empty too. What tells them apart is when the folder last changed:
deleting its entries changes a folder then, after the index last saw photos in it,
while the empty folder a card was mounted over does not change while the card is on
it. A folder with a disk mounted on it now is that disk's: what it lacks was deleted.
Where the index cannot say when it saw the photos there, an empty folder counts as a
disk not connected, as it always did: the labels of photos taken for deleted may be
forgotten (`forget --missing`), those of photos on a card not connected must not be.
"""

from __future__ import annotations

import os
from pathlib import Path

EMPTY_MOUNT_POINT = "is empty (a card not connected leaves its mount point empty)"


def why_unreachable(folder: Path, photos_seen_at: float | None = None) -> str | None:
    """Why `folder` (followed where it is a link) looks like a card or disk not
    connected: not found, or empty and unchanged since `photos_seen_at` (when the index
    last saw photos in it, as a time stamp; None: not known); None when it has something
    in it, or is empty because its photos were deleted (emptied_by_the_user)."""
    try:
        with os.scandir(folder) as entries:
            if next(entries, None) is not None:
                return None
    except OSError as error:
        return f"cannot be reached ({error.strerror or error})"
    return None if emptied_by_the_user(folder, photos_seen_at) else EMPTY_MOUNT_POINT


def emptied_by_the_user(folder: Path, photos_seen_at: float | None) -> bool:
    """Whether the empty `folder` is the very folder the index saw photos in, emptied
    since: a disk is mounted on it now, or it changed after `photos_seen_at`."""
    try:
        if os.path.ismount(os.path.realpath(folder)):
            return True
        return photos_seen_at is not None and os.stat(folder).st_mtime > photos_seen_at
    except (OSError, ValueError):
        return False
