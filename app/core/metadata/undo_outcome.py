"""How an undo of a write batch ends when files could not be restored: the kinds of
failure (a file gone for good closes the batch; a full disk, a card unplugged, a file in
use, in the cloud only, read-only or of another user keeps it open) and the line that says what to do next."""

from __future__ import annotations

from collections import Counter

from app.core.cloud_files import NotDownloadedError
from app.core.errors import MetadataWriteError
from app.core.file_owner import AnotherUsersFileError
from app.core.metadata.disk_problems import (DiskUnreachableError, FileInUseError, NoFileEntriesError, OutOfSpaceError,
                                             ReadOnlyDiskError, passing_error_class)
from app.core.metadata.unwritable import FilePermissionError
from app.core.wording import counted, shell_quote


def closed_line(kept: int, gone: Counter[str]) -> str:
    """The closing line of a batch closed with files not restored: `kept` still hold
    the label written; `gone` (by kind: "photo file", "sidecar", "sidecar and photo file")
    are not there: a sidecar deleted since (its photo file still beside it) took our
    keyword with it; a photo file, or a sidecar gone with its photo file (the usual way
    to move a RAW), may have been renamed or moved away (the journal knows only the old
    path), so it is not said gone with our keyword."""
    parts = []
    if kept:
        parts.append(f"the {'other ' if gone else ''}file keeps the label written "
                     "(give it a new label to change it)" if kept == 1 else
                     f"{counted(kept, 'file')} keep the labels written (give them a new label to change them)"
                     if gone else
                     "the files keep the labels written (give them a new label to change them)")
    sidecars, moved = gone.get("sidecar", 0), gone.get(SidecarMovedError.kind, 0)
    photo_files = sum(gone.values()) - sidecars - moved
    if sidecars:
        parts.append(f"{'the sidecar was' if sidecars == 1 else counted(sidecars, 'sidecar') + ' were'} deleted "
                     f"since, and our keyword with {'it' if sidecars == 1 else 'them'}: nothing left to take "
                     "back there")
    if moved:  # a RAW moved with its sidecar: that sidecar still holds our keyword
        parts.append(f"{'the sidecar is' if moved == 1 else counted(moved, 'sidecar') + ' are'} no longer there, "
                     f"nor {'its photo file' if moved == 1 else 'their photo files'} (deleted, renamed or moved "
                     "away): if you renamed or moved them, "
                     + ("the sidecar keeps the label written (scan, then give the photo a new label to change it)"
                        if moved == 1 else "the sidecars keep the labels written (scan, then give the photos new "
                        "labels to change them)"))
    if photo_files:
        # a JPEG not at its path may have been renamed or moved, still holding our keyword
        kept_where_moved = ("it, it keeps the label written (scan, then give the photo a new label to change it)"
                            if photo_files == 1 else "them, they keep the labels written (scan, then give the "
                            "photos new labels to change them)")
        parts.append(f"{'the photo file is' if photo_files == 1 else counted(photo_files, 'photo file') + ' are'}"
                     f" no longer there (deleted, renamed or moved away): if you renamed or moved {kept_where_moved}")
    return "this batch is closed: " + "; ".join(parts)


class FileGoneError(MetadataWriteError):
    """A file our write changed was deleted since (by the user, or the program that
    made it): there is nothing to restore, and no label of ours left in it."""

    kind = "file"


class PhotoGoneError(FileGoneError):
    """The photo file (a JPEG written into) is not at its path any more: deleted (the
    JPEG of a pair, say, whose RAW stands for the photo now), renamed or moved away."""

    kind = "photo file"


class SidecarGoneError(FileGoneError):
    """A sidecar our write changed was deleted since."""

    kind = "sidecar"


class SidecarMovedError(SidecarGoneError):
    """A sidecar our write changed is not at its path, nor its photo file beside it:
    deleted, or renamed or moved away with it (still holding our keyword)."""

    kind = "sidecar and photo file"


class LeftWithItsPhotoError(NotDownloadedError):
    """A file of a photo another file of which (a sidecar, most often the RAW's) is in
    iCloud or online-only: left as it is with it, so that the photo's files never name
    two places (as `write` leaves such a photo alone); undone together once downloaded."""

    def __init__(self, path, held_by: str, note: str) -> None:
        super().__init__(path, f"left as it is with its photo's {held_by}, which is {note}")
        self.held_by, self.why = held_by, note

    def __reduce__(self):
        return type(self), (self.path, self.held_by, self.why)


# undo's note on a sidecar we created that is gone with its photo (counted restored, as a
# sidecar the user deleted is): deleted, or moved out of the library, which undo cannot tell
GONE_WITH_ITS_PHOTO = ("gone with its photo (if you moved it out of the library rather than deleting it, it still "
                       "holds the label)")


class CopiesFoundError(MetadataWriteError):
    """The file our write changed is not at its path and our exact bytes are in two
    files or more under other names (moved, and copied): which one is the photo is not
    guessed; the batch stays open until the copies are settled (one left, or a scan)."""


# (a subclass before its class: the first that matches names the cause)
PASSING_CAUSES = {LeftWithItsPhotoError: "left with its photo", CopiesFoundError: "copies",
                   NoFileEntriesError: "no file entries", OutOfSpaceError: "space", ReadOnlyDiskError: "read-only disk",
                   DiskUnreachableError: "disk gone", FileInUseError: "in use",
                   NotDownloadedError: "in the cloud", AnotherUsersFileError: "another user's",
                   FilePermissionError: "permission"}


def passing_cause(error: BaseException) -> str | None:
    """Why a file could not be restored for now only (a PASSING_CAUSES value), else None."""
    if isinstance(error, PermissionError):  # a raw refusal (EACCES, EPERM): a permission the user can give
        return PASSING_CAUSES[FilePermissionError]
    if isinstance(error, OSError):
        cause = passing_error_class(error)
        return None if cause is None else PASSING_CAUSES[cause]
    return next((word for kind, word in PASSING_CAUSES.items() if isinstance(error, kind)), None)


def new_folder_gone(error: DiskUnreachableError, met: list[DiskUnreachableError]) -> bool:
    """Whether `error` names a library folder or link not found that no error in `met` named."""
    if error.library_folder is None and error.link is None:
        return False
    return all((error.library_folder, error.link) != (other.library_folder, other.link) for other in met)


def ways_out(unreachable: list[DiskUnreachableError], command: str) -> list[str]:
    """For each library folder (or folder link in one) not found, what to do when it was
    not a card unplugged: relocate a folder moved or renamed (its labels kept), forget one
    deleted on purpose (its photos' labels go), remove or repoint a link to a folder
    moved or deleted. Each ends with undo again."""
    ways = []
    for error in unreachable:
        if error.link is not None:
            ways.append(f"if you moved or deleted the folder the link {error.link} points to, point the link at "
                        "its new place or remove the link, and undo again")
            continue
        folder = shell_quote(error.library_folder)
        ways.append(f"if you moved or renamed the library folder {error.library_folder}, follow it "
                    f"(`{command} relocate {folder} NEW`, or Locate folder… in the app) and undo again; "
                    f"if you deleted it yourself, take it out of the library (`{command} forget {folder} --yes`, "
                    "or Remove from library… in the app) and undo again: its files then count as gone")
    return ways


def what_to_do(lasting: int, passing: Counter, retrying: bool, ways_out: list[str]) -> str:
    """The next step for an undo that leaves its batch open: one clause per cause, and
    `ways_out` (ways_out) after the disk gone."""
    steps = []
    if passing["space"]:
        steps.append(f"no room to restore {counted(passing['space'], 'file')}: free space on the disk "
                     "(or your quota on it) and undo again; a full disk does not close this batch")
    if passing["no file entries"]:
        steps.append(f"{counted(passing['no file entries'], 'file')} on a disk that can hold no more files: delete "
                     "some files on it (free space does not help) and undo again; that does not close this batch")
    if passing["read-only disk"]:
        steps.append(f"{counted(passing['read-only disk'], 'file')} on a read-only card or disk: make it writable "
                     "(the card's lock switch) and undo again; that does not close this batch")
    if passing["disk gone"]:
        steps.append(f"{counted(passing['disk gone'], 'file')} on a card or disk that cannot be reached: connect it "
                     "and undo again; that does not close this batch")
    steps.extend(ways_out)
    if passing["in use"]:
        steps.append(f"{counted(passing['in use'], 'file')} open in another program: close it and undo again; "
                     "that does not close this batch")
    if passing["left with its photo"]:
        steps.append(f"{counted(passing['left with its photo'], 'file')} left as "
                     f"{'it is' if passing['left with its photo'] == 1 else 'they are'} with a file of "
                     "the same photo that is in the cloud, so its files keep naming one place: undo again "
                     "once that is downloaded; that does not close this batch")
    if passing["copies"]:
        steps.append(f"{counted(passing['copies'], 'file')} found as two copies or more under other names: "
                     "delete or move out of the library the copies that are not the photo, or scan (the photo "
                     "then goes with one of them), and undo again; that does not close this batch")
    theirs = passing["another user's"]  # only the owner (or an administrator) can let this process in
    if theirs:
        steps.append(f"{counted(theirs, 'file')} of another user (named above) that you may not change: "
                     f"{'its owner' if theirs == 1 else 'their owners'} or an administrator can make "
                     f"{'it' if theirs == 1 else 'them'} readable and writable for you; then undo again; "
                     "that does not close this batch")
    refused = passing["permission"]  # chmod 444, a folder 555, a Locked flag: the user can give it
    if refused:
        one = refused == 1
        steps.append(f"{counted(refused, 'file')} this app may not change for {'its' if one else 'their'} permissions "
                     "(read-only, locked, or in a read-only folder; named above): make "
                     f"{'it and its' if one else 'them and their'} folder writable for this app and undo again; "
                     "that does not close this batch")
    if passing["in the cloud"]:
        steps.append(f"{counted(passing['in the cloud'], 'file')} in iCloud or online-only, not downloaded: "
                     "download it (in Finder, or “Always keep on this device” in Explorer) and undo again; "
                     "that does not close this batch")
    if lasting:
        files = ("the other " if passing else "the ") + ("file" if lasting == 1 else "files")
        closes = f"{'another' if retrying else 'a second'} failure closes this batch"
        if passing:  # the batch stays open while any of those lasts: "a second" would not be the last
            closes = f"once nothing above keeps it open, {'another' if retrying else 'a second'} failure closes it"
        steps.append(f"put {files} back (or make {'it' if lasting == 1 else 'them'} writable) and undo again "
                     f"to retry; {closes}")
    return "; ".join(steps)
