"""Whose a file or folder is, for the words of a refusal. Only its owner (or an
administrator) can chmod it, so "make it writable" sends the user of a file that belongs
to someone else to a command that fails: such a refusal names the owner instead (found by
the hostile tester: a rw-r--r-- photo of another user called "read-only").

POSIX only: where there is no pwd module or no getuid (Windows), nothing is said of the
owner and the callers keep their plain words."""

from __future__ import annotations

import os
from pathlib import Path


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
    """The problem of a file `write` may not read: "cannot read the file (Permission
    denied): it belongs to tester2, another user; check its permissions", as `scan` words
    it, the owner named where it is someone else. `path`: the file the problem is listed
    under; the error's own file is named where it is another (a RAW beside its sidecar)."""
    name = Path(os.fsdecode(error.filename)) if error.filename else path
    words = f"cannot read {'the file' if name == path else name} ({error.strerror or error})"
    owner = other_owner(name)
    return f"{words}: it belongs to {owner}, another user; check its permissions" if owner \
        else f"{words}; check its permissions"
