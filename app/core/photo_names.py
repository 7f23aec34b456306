"""Which file names in a photo folder are photos of the library, and why a name is not."""

from __future__ import annotations

from app.core.photo_info import NOT_A_PHOTO, file_kind

# Our XMP sidecars, our writer's temp files (".name.tmp"), and partial downloads.
SKIPPED_SUFFIXES = (".xmp", ".tmp", "~", ".part", ".crdownload", ".partial")


def is_skipped_name(name: str) -> bool:
    """Hidden files, our sidecars and temp files are never photos."""
    return name.startswith(".") or name.lower().endswith(SKIPPED_SUFFIXES)


def photo_kind(name: str) -> str | None:
    """The kind ('jpeg', 'raw', 'png', 'tiff', 'heic') of a file the scan takes as a
    photo, else None (not_a_photo_reason says why). `landmark-train evaluate --data`
    takes the same files, so that its figures are those of the photos `tag` sees."""
    return None if is_skipped_name(name) else file_kind(name)


def not_a_photo_reason(name: str) -> str | None:
    """Why a file given by its name (`tag FILE`, `teach NAME FILE`) is no photo of the
    library, in words for its error line; None when it may be one."""
    if name.startswith("._"):  # AppleDouble: a Mac's Finder data on a disk that is not a Mac's
        return f"a macOS resource file that belongs to {name[2:]}, not a photo"
    if name.startswith("."):
        return "a hidden file, which the library leaves out"
    if name.lower().endswith(SKIPPED_SUFFIXES):
        return "a sidecar or temporary file, not a photo"
    return NOT_A_PHOTO if file_kind(name) is None else None
