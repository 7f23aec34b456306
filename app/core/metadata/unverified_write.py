"""Take back a write whose read-back check failed, but only while the file is still the
one we renamed in.

Another program may rename its file over ours between our rename and the check (an
editor's save, a sync client's download, Lightroom saving its sidecar): the check then
fails on THEIR file, and putting our original back (or removing a sidecar we created)
would destroy it (review3-1). Their file is left as it is, and the error says so
instead of "did not read back as written". The window left is the microseconds between
the last stat and the restore's rename (or the removal).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from app.core.errors import FileChangedError
from app.core.metadata.disk_problems import disk_gone_error
from app.core.metadata.still_as_read import changed_after_written_message, not_ours_since_written


def take_back_unverified(path: Path, written: os.stat_result, restore: Callable[[os.stat_result], object],
                         forget: Callable[[], None], library_folders: list[Path] | None = None) -> None:
    """Put the file back as it was before our write (`restore`, given `written`: our
    file's stat right after the rename, to pass on as read_as) and `forget` its journal
    entry; the caller then raises the check's error. A file no longer ours is left and
    its entry forgotten (undo must not touch it either): FileChangedError, or the disk's
    error when its card or disk is gone. A restore that fails otherwise raises its own
    error and keeps the entry: our unverified file is still there for undo to take back."""
    why = not_ours_since_written(path, written, library_folders)
    if why is None:
        try:
            restore(written)
        except FileChangedError:  # replaced between that look and the restore's rename
            why = changed_after_written_message(path)
    forget()
    if why is None:
        return
    gone = not os.path.lexists(path) and disk_gone_error(path, library_folders)
    raise gone or FileChangedError(why)
