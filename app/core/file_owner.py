"""Whose a file or folder is, for the words of a refusal. Only its owner (or an
administrator) can chmod it, so "make it writable" sends the user of a file that belongs
to someone else to a command that fails: such a refusal names the owner instead (found by
the hostile tester: a rw-r--r-- photo of another user called "read-only").

POSIX only: where there is no pwd module or no getuid (Windows), nothing is said of the
owner and the callers keep their plain words."""

from __future__ import annotations

import os
from pathlib import Path

from app.core.errors import MetadataWriteError


class AnotherUsersFileError(MetadataWriteError):
    """A file (or the folder holding it) of another user that we may not read or change:
    neither a chmod of ours nor a retry can help, only its owner or an administrator. An
    undo keeps its batch open for it (undo_outcome.PASSING_CAUSES): a retry before they
    act must not close the batch and lose the file's undo."""


def other_owner(path: Path, stat: os.stat_result | None = None) -> str | None:
    """The name of the user `path` (its stat `stat`, else read now) belongs to when that
    is not this process's user ("user 1005" for an id with no name here: a disk from
    another computer); None when it is ours or cannot be told."""
    try:
        import pwd

        owner = (stat if stat is not None else os.stat(path)).st_uid
        if owner == _this_users_id():
            return None
        try:
            return pwd.getpwuid(owner).pw_name
        except KeyError:
            return f"user {owner}"
    except (ImportError, OSError, AttributeError):
        return None


def _this_users_id() -> int:
    return os.getuid()  # (no getuid on Windows: AttributeError, caught by the caller)


def owner_hint(path: Path) -> str:
    """' (it belongs to root, another user)' where `path` is another user's; '' otherwise."""
    owner = other_owner(path)
    return f" (it belongs to {owner}, another user)" if owner else ""


def not_readable_words(path: Path, error: PermissionError) -> str:
    """The problem of a file `write` or `undo` may not read: "cannot read the file
    (Permission denied): it belongs to tester2, another user; check its permissions", as
    `scan` words it, the owner named where it is someone else. `path`: the file the problem
    is listed under; the error's own file is named where it is another (a RAW beside its
    sidecar)."""
    name = Path(os.fsdecode(error.filename)) if error.filename else path
    return with_permission_advice(f"cannot read {'the file' if name == path else name} "
                                  f"({error.strerror or error})", name)


def with_permission_advice(words: str, path: Path) -> str:
    """`words` (a refusal: "cannot read (Permission denied)") and what to do, the owner
    of `path` named where it is someone else: "…: it belongs to tester2, another user;
    check its permissions", else "…; check its permissions"."""
    owner = other_owner(Path(path))
    return f"{words}: it belongs to {owner}, another user; check its permissions" if owner \
        else f"{words}; check its permissions"


def file_of_another_user(path: Path, current: os.stat_result | None = None) -> str | None:
    """Why we may not change `path` (its stat `current`) when another user owns it and
    we may not write it: "the file belongs to tester2, another user: you may not change
    it (…)"; None when we may, or it is ours (chmod is then ours), or that cannot be told."""
    owner = other_owner(path, current) if not os.access(path, os.W_OK) else None
    return (f"the file belongs to {owner}, another user: you may not change it ({owner} or an "
            "administrator can make it writable for you)") if owner else None


def folder_of_another_user(path: Path, needs: str = "") -> str | None:
    """As file_of_another_user for the folder of `path`, which changing `path` writes a
    temporary file into (`needs`: what else needs the folder, "removing it")."""
    owner = other_owner(path.parent) if not os.access(path.parent, os.W_OK) else None
    needs = needs or f"changing {path.name} needs a temporary file next to it"
    return (f"the folder {path.parent} belongs to {owner}, another user, and you may not write into it; "
            f"{needs}") if owner else None
