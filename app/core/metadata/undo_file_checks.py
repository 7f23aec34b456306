"""What both restore paths of `undo` (undo_jpeg_restore, undo_sidecar_restore) ask of
a file before putting anything back: its bytes now (or why they cannot be read), whether
anything of our write is left in it, whether `write` holds it; and the answers besides
True/False that a file's undo gives the batch (app/core/metadata/undo.py)."""

from __future__ import annotations

from pathlib import Path

from app.core.cloud_files import NotDownloadedError, not_downloaded_note
from app.core.errors import MetadataWriteError
from app.core.file_owner import AnotherUsersFileError, not_readable_words, other_owner
from app.core.metadata import journal
from app.core.metadata.disk_problems import disk_gone_error, passing_error_class
from app.core.metadata.keywords import FIELD_NAMES, KeywordFields, keyword_form
from app.core.metadata.unwritable import FilePermissionError


# undo_entry's answer for a file our write reached that holds nothing of ours now, which no
# undo of ours put back: another program took our keyword out (saved it without its XMP,
# darktable rewrote its sidecar) or an older copy was put back; left as it is, not restored
CHANGED_ELSEWHERE = "changed elsewhere"
LEFT_AS_IT_IS = "left as it is: changed in another program since our write (nothing of ours left in it)"
# undo_entry's answer for a file all of whose keywords of ours sit where the user moved them
# (landmark_in_users_tree.kept_by_undo): left as it is, its note (in `notes`) says why
KEPT_IN_USERS_TREE = "kept in the user's tree"


def held_by_write(entry: journal.JournalEntry) -> bool:
    """Whether `write` holds the entry's file (its XMP taken out, an older copy put back)."""
    import json

    from app.core.metadata.plan_stripped_hold import hold_of

    return hold_of(Path(entry.path), json.dumps(entry.before), json.dumps(entry.after)) is not None


def current_bytes(path: Path, library_folders: list[Path]) -> bytes | None:
    """The file's bytes, None when it is not there. Raises DiskUnreachableError when it
    is on a card or disk gone (disk_gone_error: a file or folder the user removed leaves
    its library folder, and any link on the way, there), NotDownloadedError when it is
    in iCloud or online-only (not read: that would download it, and fail offline),
    AnotherUsersFileError when another user's file may not be read (FilePermissionError
    when one of ours may not: a chmod gives it), or the error of its
    disk's failure, so the undo keeps the batch for that file."""
    note = not_downloaded_note(path)
    if note is not None:
        raise NotDownloadedError(path, note)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        gone = disk_gone_error(path, library_folders)
        if gone is not None:
            raise gone from None
        return None
    except PermissionError as error:  # worded as `scan` and `write` word it, the owner named
        theirs = other_owner(path) is not None  # only they (or an administrator) can let us: passes
        raise (AnotherUsersFileError if theirs else FilePermissionError)(  # ours: the user can chmod it
            f"{path}: {not_readable_words(path, error)}") from None
    except OSError as error:
        raise (passing_error_class(error) or MetadataWriteError)(f"cannot read {path}: {error.strerror}") from None


# the fields that hold landmark keywords: our private landmarkTagger:Teaches is none, and
# digiKam and exiftool keep it when the user takes the keyword out
LANDMARK_FIELDS = tuple(name for name in FIELD_NAMES if name != "taught")


def none_left_of(current: KeywordFields, before: KeywordFields, after: KeywordFields) -> bool:
    """Whether the write (`before` -> `after`) added keywords and none of them is in any
    landmark keyword field of the file now (`current`; a Teaches field of ours left does
    not count): nothing of that write left, so its undo leaves the file as it is, bytes
    and all (a relabel's undo would otherwise put the older label back into a file
    another program stripped)."""
    added = {keyword_form(keyword).casefold() for name in LANDMARK_FIELDS
             for keyword in set(getattr(after, name) or []) - set(getattr(before, name) or [])}
    # in any letter case, as a write recognises its keyword (keyword_match.is_keyword): "petra" re-cased in Lightroom
    present = {keyword_form(keyword).casefold() for name in LANDMARK_FIELDS for keyword in getattr(current, name) or []}
    return bool(added) and not added & present
