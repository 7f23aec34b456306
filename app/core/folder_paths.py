"""Which paths lie inside a folder, on the platform's separator ('/', or '\\' on
Windows): 'C:\\Photos' holds 'C:\\Photos\\2020' but not 'C:\\Photos-old'. As a plain
test, and as an index range for SQL, since a subtree is one range of sorted paths.
Also which folders belong to other programs and are neither scanned nor written into."""

from __future__ import annotations

import os
from pathlib import Path

# Other programs' private folders, never the user's own photos: the libraries of Apple
# Photos, iPhoto and Aperture (writing into them would break their database) and
# Lightroom's previews and Smart Previews (DNG files); a NAS's thumbnails and recycle
# bins, and Windows' recycle bin.
PRIVATE_LIBRARY_SUFFIXES = (".photoslibrary", ".photolibrary", ".migratedphotolibrary", ".aplibrary", ".lrdata")
SKIPPED_FOLDER_NAMES = frozenset({"@eadir", "#recycle", "#snapshot", "$recycle.bin", "recycler",
                                  "system volume information"})


def is_within(path: str, folder: str, sep: str = os.sep) -> bool:
    """True for the folder itself and everything below it."""
    base = folder.rstrip(sep)
    return path in (folder, base) or path.startswith(base + sep)


def holds_folder(root: str, folder: str, whole: bool, sep: str = os.sep) -> bool:
    """Whether a library folder holds the photos of `folder`: a whole one (added with
    its sub-folders) everything below it, a folder-only one its own photos only."""
    return is_within(folder, root, sep) if whole else folder.rstrip(sep) == root.rstrip(sep)


def subtree_range(folder: str, sep: str = os.sep) -> tuple[str, str]:
    """(low, high) with `low <= p < high` exactly for the paths that start with
    folder + sep: the separator's successor bounds them ('0' after '/', ']' after '\\')."""
    base = folder.rstrip(sep)
    return base + sep, base + chr(ord(sep) + 1)


def native_separators(path: str) -> str:
    """A path typed with '/' on Windows, written with the platform's separator."""
    return path.replace(os.altsep, os.sep) if os.altsep else path


def is_skipped_folder(name: str) -> bool:
    """Hidden folders and other programs' private ones (a photo library package, previews,
    a NAS's thumbnails, a recycle bin): the scanner does not walk into them."""
    lowered = name.lower()
    return name.startswith(".") or lowered in SKIPPED_FOLDER_NAMES or lowered.endswith(PRIVATE_LIBRARY_SUFFIXES)


def private_library_of(path: Path) -> Path | None:
    """The other program's library (an Apple Photos library, Lightroom previews) that
    `path` lies in, or None: its files are never written into, even when scanned.
    A path whose text holds no such suffix is answered from the string alone: walking
    the parents through pathlib cost ~1 ms a photo 200 folders deep (write --dry-run)."""
    lowered = str(path).lower()
    if not any(suffix in lowered for suffix in PRIVATE_LIBRARY_SUFFIXES):
        return None
    for folder in Path(path).parents:
        if folder.name.lower().endswith(PRIVATE_LIBRARY_SUFFIXES):
            return folder
    return None
