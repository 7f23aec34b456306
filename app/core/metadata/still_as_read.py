"""Whether a file is still the one whose bytes a write or undo read, checked by
atomic.replace_atomically just before it renames its temp over the file.

Another program may rename a new file over a photo while we build its temp (a sync
client, a camera import, an editor's save: all replace by rename); renaming our temp,
made from the old bytes, over it then destroys that new picture for good. The stat
taken when the bytes were read is compared with the file's now: the same file (device
and inode, where the system gives them), the same size and modification time. The
window that remains is the microseconds between that last stat and the rename (and on
Windows the retries of a replace refused while another program holds the file).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterable

from app.core.errors import FileChangedError


def changed_while_written_message(path: Path) -> str:
    return (f"{path}: changed on disk while being written (by another program?): left as it is; "
            "scan, then write (or undo) again")


def created_while_written_message(path: Path) -> str:
    return (f"{path}: another program created this file while ours was being written: left as it is; "
            "scan, then write (or undo) again")


def changed_after_written_message(path: Path) -> str:
    return (f"{path}: changed on disk right after our write (by another program?): left as it is "
            "(our write of it is not kept, and undo leaves it); scan, then write again")


def gone_after_written_message(path: Path, library_folders: Iterable[Path] | None = None) -> str:
    """Said as every other file gone is (file_now.gone_since_scan): the commands, whole."""
    from app.core.metadata.file_now import scan_then_write_for_gone  # (at the top: an import cycle through the index)

    return (f"{path}: has disappeared right after our write (moved or deleted?): left so "
            f"(our write of it is not kept): {scan_then_write_for_gone(path, library_folders)}")


def stat_before_reading(path: Path) -> os.stat_result | None:
    """The file's stat, taken before its bytes are read (so any change after it is seen
    at the rename); None where it cannot be taken (not there: the read says why)."""
    try:
        return os.stat(path)
    except OSError:
        return None


def same_file(read: os.stat_result, now: os.stat_result) -> bool:
    """Whether `now` is the file `read` was taken of, unchanged: same size and time,
    and the same device and inode where both are given (Windows on a network share,
    FAT under some drivers, give 0)."""
    if (read.st_size, read.st_mtime_ns) != (now.st_size, now.st_mtime_ns):
        return False
    if read.st_ino and now.st_ino and (read.st_ino, read.st_dev) != (now.st_ino, now.st_dev):
        return False
    return True


def refuse_if_not_as_read(path: Path, read: os.stat_result | None, gone: Callable[[], Exception]) -> None:
    """Raise FileChangedError unless `path` is still the file stat'ed as `read` (None:
    no file was there, as for a sidecar still to be created), and `gone()` when a file
    that was there is gone (moved or deleted meanwhile, or its card unplugged): our temp
    renamed in would bring back a file the user or a sync client took away."""
    try:
        now = os.stat(path)
    except FileNotFoundError:
        if read is not None:
            raise gone() from None
        return
    except OSError:
        return  # cannot tell: the rename itself says what is wrong
    if read is None:
        raise FileChangedError(created_while_written_message(path))
    if not same_file(read, now):
        raise FileChangedError(changed_while_written_message(path))


def refuse_if_not_as_found(path: Path, now: os.stat_result | None, read: os.stat_result | None, create: bool) -> None:
    """At the start of a replace: raise FileChangedError when the caller found no file
    (`create`) and there is one (`now`), or one other than the one it read (`read`)."""
    if now is None:
        return  # not there (any more): the caller of replace_atomically says so
    if create:
        raise FileChangedError(created_while_written_message(path))
    if read is not None and not same_file(read, now):
        raise FileChangedError(changed_while_written_message(path))


def not_ours_since_written(path: Path, written: os.stat_result,
                           library_folders: Iterable[Path] | None = None) -> str | None:
    """Why `path` is no longer the file we renamed in (`written`: its stat right after
    the rename): another program's file renamed over it, or none there (the scan named
    no higher than its library folder, of `library_folders`); None while it is ours, or
    where that cannot be told (the restore itself then says what is wrong)."""
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return gone_after_written_message(path, library_folders)
    except OSError:
        return None
    return None if same_file(written, now) else changed_after_written_message(path)
