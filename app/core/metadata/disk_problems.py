"""Failures that come from the disk holding a photo, not from the photo: a full disk,
a card mounted read-only (its lock switch), a card or drive unplugged, another program
holding the file (Windows). They pass once the user acts, so a write names the disk
and an undo keeps its batch open for them (app/core/metadata/undo.py), where a file
changed or removed may close it.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Iterable

from app.core.emptied_folders import looks_empty, why_unreachable
from app.core.errors import MetadataWriteError
from app.core.folder_paths import is_within
from app.core.path_case import fold, is_junction


class OutOfSpaceError(MetadataWriteError):
    """The disk holding the file, or the user's quota on it, is full: nothing was
    changed, and trying again once there is room works."""


class NoFileEntriesError(OutOfSpaceError):
    """The disk has room but can hold no more files (no free inodes on ext4, a full root
    folder on FAT): freeing space does not help, deleting files does."""


class FileInUseError(MetadataWriteError):
    """Another program holds the file open, so it could not be replaced (Windows):
    nothing was changed, and trying again once that program lets go works."""


class ReadOnlyDiskError(MetadataWriteError):
    """The file system holding the file is read-only (a card's lock switch, a disk
    mounted read-only, one the system remounted read-only after an error): nothing was
    changed, chmod cannot help, and trying again once it is writable works."""


class DiskUnreachableError(MetadataWriteError):
    """The card or disk holding the file cannot be reached (unplugged, its driver gone,
    an I/O error): nothing was changed, and trying again once it is back works."""

    def __init__(self, message: str, library_folder: str | None = None, link: str | None = None) -> None:
        super().__init__(message)
        # the library folder, or the folder link in one, not found, when that is why: a
        # folder the user moved or deleted is indistinguishable from a card unplugged, and
        # only relocating or forgetting it (removing the link) settles that
        self.library_folder = library_folder
        self.link = link


READ_ONLY_DISK = ("the card or disk holding it is read-only (mounted read-only, or its lock switch is on); "
                  "make it writable for this app to change it")

# "No space left on device" and "Disk quota exceeded" (no EDQUOT on Windows)
NO_SPACE = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})
# the disk went away under the file: unplugged, a FUSE driver that died ("Transport
# endpoint is not connected", "Software caused connection abort"), a stale network handle
_UNREACHABLE = frozenset(getattr(errno, name) for name in
                         ("ENODEV", "ENXIO", "EIO", "ENOTCONN", "ECONNABORTED", "ESTALE") if hasattr(errno, name))
# Windows: ERROR_WRITE_PROTECT; ERROR_NOT_READY, ERROR_DEV_NOT_EXIST, ERROR_DEVICE_NOT_CONNECTED
_WINDOWS_WRITE_PROTECT = 19
_WINDOWS_UNREACHABLE = frozenset({21, 55, 1167})
# GetVolumeInformationW's flag for a read-only volume
_FILE_READ_ONLY_VOLUME = 0x00080000


def passing_error_class(error: OSError) -> type[MetadataWriteError] | None:
    """The error a failed open, write, rename or removal should raise when its cause is
    the disk's and passes (see the module's docstring); None for any other cause."""
    winerror = getattr(error, "winerror", None)
    if error.errno in NO_SPACE:
        return OutOfSpaceError
    if error.errno == errno.EROFS or winerror == _WINDOWS_WRITE_PROTECT:
        return ReadOnlyDiskError
    if error.errno in _UNREACHABLE or winerror in _WINDOWS_UNREACHABLE:
        return DiskUnreachableError
    return None


def no_free_file_entries(folder: Path) -> str | None:
    """Why a disk with free space says "No space left on device": it can hold no more
    files (no free inodes on ext4, a full root folder on FAT), in words with the space it
    still has; None when it has free entries or cannot say (no statvfs, Windows)."""
    try:
        info = os.statvfs(folder)
    except (OSError, AttributeError):
        return None
    if info.f_files == 0 or info.f_favail > 0:  # 0 files in all: a file system that does not count them
        return None
    free_mb = info.f_bavail * info.f_frsize // (1 << 20)
    return (f"the disk holding {folder} can hold no more files ({free_mb} MB free, but no free file "
            "entries): delete some files on it")


def on_read_only_disk(path: Path) -> bool:
    """Whether `path` (or, for a file still to be created, its folder) is on a read-only
    file system. os.access reports such a file as not writable, like a read-only file,
    but chmod cannot help there, so the message must name the disk."""
    for where in (path, path.parent):
        try:
            if hasattr(os, "statvfs"):
                return bool(os.statvfs(where).f_flag & os.ST_RDONLY)
            return _read_only_volume_windows(where)
        except OSError:
            continue
    return False


def disk_gone_error(path: Path, library_folders: Iterable[Path] | None) -> DiskUnreachableError | None:
    """For a file not found, write's and undo's one rule: the error to raise when it is on
    a card or disk gone (so an undo keeps its batch open), None when the user removed it
    (or a folder of it). Gone is the library folder holding the file (the innermost)
    not found or empty (a card unplugged, its mount point left empty), or a folder link
    on the way from there to the file whose target is not found or empty (a card linked
    into a library folder). An empty one the user emptied (its photos deleted: it
    changed after the index last saw them there, or a disk is mounted on it;
    emptied_folders.why_unreachable, told by LibraryFolders) is no disk gone. A folder
    without a link on that way that is not found was removed, so is a file no library
    folder holds (its folder was taken out of the library). `library_folders` None (a
    caller that does not know the library): the file's own folder stands for its
    library folder."""
    if library_folders is None:
        root = str(path.parent)
    else:
        # compared folded: an older version kept folders as typed, and a file a case-
        # insensitive disk spells otherwise must not pass for one outside the library
        holding = [str(folder) for folder in library_folders if is_within(fold(str(path)), fold(str(folder)))]
        if not holding:
            return None
        root = max(holding, key=len)
    # index.photos_seen.LibraryFolders tells when the index saw photos there, asked by name:
    # importing it would load app.core.index, whose backup imports atomic, which imports us
    seen_at = getattr(library_folders, "photos_seen_at", None) or (lambda _: None)
    why = why_unreachable(Path(root), seen_at(root))
    if why is not None and library_folders is None:
        return DiskUnreachableError(f"{path}: its folder {why}; connect the card or disk holding it and try again")
    if why is not None:
        return DiskUnreachableError(f"{path}: its library folder {root} {why}; connect the card or disk holding it "
                                    "and try again", library_folder=root)
    link = Path(root)
    for part in path.parent.parts[len(Path(root).parts):]:
        link = link / part
        try:
            if not stat.S_ISLNK(os.lstat(link).st_mode) and not is_junction(link):
                if (card := _card_folder_gone(path, link, seen_at)) is not None:
                    return card
                continue
        except OSError:
            return None  # a folder on the way removed: so is the file
        why = why_unreachable(link, seen_at(str(link)))
        if why is not None:
            return DiskUnreachableError(f"{path}: the folder the link {link} points to {why}; connect the card "
                                        "or disk holding it and try again", link=str(link))
    return None


def _card_folder_gone(path: Path, folder: Path, seen_at) -> DiskUnreachableError | None:
    """The error for a file below a folder inside a library folder that a scan saw a card
    or disk mounted on (~/Photos/card) and that is a plain empty folder now: the card is
    unplugged, not the file deleted (emptied_folders). None for any other folder (the
    index is asked only about an empty one)."""
    try:
        if not looks_empty(folder):
            return None
    except OSError:
        return None
    seen = seen_at(str(folder))
    if seen is None or not seen.on_mount_point:
        return None
    why = why_unreachable(folder, seen)
    if why is None:
        return None
    return DiskUnreachableError(f"{path}: its folder {folder} {why}; connect the card or disk holding it and "
                                "try again")


def _read_only_volume_windows(path: Path) -> bool:
    """Windows has no statvfs: ask the volume holding `path` for its read-only flag."""
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    root = ctypes.create_unicode_buffer(1024)
    if not kernel32.GetVolumePathNameW(str(path), root, len(root)):
        raise OSError(ctypes.get_last_error(), "cannot find the volume")
    flags = wintypes.DWORD()
    if not kernel32.GetVolumeInformationW(root, None, 0, None, None, ctypes.byref(flags), None, 0):
        raise OSError(ctypes.get_last_error(), "cannot read the volume's flags")
    return bool(flags.value & _FILE_READ_ONLY_VOLUME)
