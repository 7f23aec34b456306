"""Why a file cannot be changed, asked before a write or an undo touches it and by a
dry run, so it does not promise a write that would be refused: a read-only disk, a
read-only or locked file or folder, or one of another user (whose owner alone can change
that). Each refusal comes with the error it raises (app/core/metadata/atomic.py), so an
undo can tell one that passes from one that closes its batch."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from app.core.errors import MetadataWriteError
from app.core.file_owner import AnotherUsersFileError, file_of_another_user, folder_of_another_user
from app.core.metadata.disk_problems import READ_ONLY_DISK, ReadOnlyDiskError, on_read_only_disk


class FilePermissionError(MetadataWriteError):
    """A file or folder of ours whose permissions refuse the change: read-only (chmod,
    the Read-only attribute, a copy from a read-only source), locked, or a folder we may
    not write into. The user can make it writable, as a card's lock switch: an undo keeps
    its batch open for it (undo_outcome.PASSING_CAUSES); the file is there and intact."""


# The immutable flags of macOS/BSD st_flags (no st_flags on Linux or Windows).
_LOCKED_FLAGS = stat.UF_IMMUTABLE | stat.SF_IMMUTABLE


def unwritable_reason(path: Path, current: os.stat_result | None) -> str | None:
    """unwritable_refusal's words alone (a dry run's, the plan's)."""
    refusal = unwritable_refusal(path, current)
    return None if refusal is None else refusal[1]


def unwritable_refusal(path: Path, current: os.stat_result | None) -> tuple[type[MetadataWriteError], str] | None:
    """Why `path` (stat `current`, None for a file still to be created) could not be
    replaced, and the error to raise for it, or None: the file or its folder is read-only.
    Checked before writing, and by a dry run so it does not promise a write that would be refused.

    The permission bits are checked as well as os.access, so a read-only flag is
    respected even by a process that could override it (root, a Windows admin). A
    read-only disk, or a file or folder of another user, is named as such: a chmod of
    ours cannot help there."""
    if on_read_only_disk(path):
        return ReadOnlyDiskError, READ_ONLY_DISK
    if current is not None and (not os.access(path, os.W_OK) or not current.st_mode & 0o222):
        theirs = file_of_another_user(path, current)  # chmod is the owner's
        return (AnotherUsersFileError, theirs) if theirs else \
            (FilePermissionError, "the file is read-only; make it writable for this app to change it")
    if current is not None and getattr(current, "st_flags", 0) & _LOCKED_FLAGS:
        # macOS (and BSD): Finder's "Locked" sets uchg; a rename over such a file fails
        return FilePermissionError, "the file is locked (Finder: Get Info, untick Locked) so it cannot be changed"
    try:
        folder_mode = os.stat(path.parent).st_mode
    except OSError as error:
        refused = FilePermissionError if isinstance(error, PermissionError) else MetadataWriteError
        return refused, f"cannot open the folder {path.parent}: {error.strerror}"
    if os.name != "nt" and (not os.access(path.parent, os.W_OK) or not folder_mode & 0o222):
        theirs = folder_of_another_user(path)
        return (AnotherUsersFileError, theirs) if theirs else (
            FilePermissionError,
            f"the folder {path.parent} is read-only; changing {path.name} needs a temporary file next to it")
    return None


def removal_refused_words(path: Path, error: PermissionError) -> tuple[type[MetadataWriteError], str]:
    """Why `path` (a sidecar we created) could not be removed, worded as a write's refusal
    is: the folder of another user, or read-only ("make it writable"), else the system's
    words with what to check. Each is a permission the user (or the owner) can give."""
    theirs = folder_of_another_user(path, "removing files needs that")
    if theirs:
        return AnotherUsersFileError, theirs
    try:
        folder_mode = os.stat(path.parent).st_mode
    except OSError:
        folder_mode = 0o777
    if not os.access(path.parent, os.W_OK) or not folder_mode & 0o222:
        return FilePermissionError, (f"the folder {path.parent} is read-only; make it writable for this app "
                                     f"to remove {path.name}")
    return FilePermissionError, f"{error.strerror or error}; check the permissions of the file and its folder"
