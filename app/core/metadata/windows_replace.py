"""On Windows, put a rewritten photo in its old file's place with ReplaceFileW, not a rename.

A rename (os.replace, MoveFileExW) brings the new file in as it was made: the folder's
inherited permissions, plain (neither EFS-encrypted nor NTFS-compressed), no alternate
data streams. A photo with permissions of its own would take the folder's, one encrypted
or compressed on its own would be stored plain, and a download's Zone.Identifier would
go. ReplaceFileW gives the new bytes the old file's creation time, DACL, encryption,
compression and named streams. Where it cannot (a file system or share without it, a
file not there yet), the rename is done instead, as before.
"""

from __future__ import annotations

import ctypes
import errno
import os
from pathlib import Path

from app.core import windows_api

REPLACEFILE_IGNORE_MERGE_ERRORS = 0x2  # an attribute or stream that cannot be kept does not stop the write
REPLACEFILE_IGNORE_ACL_ERRORS = 0x4  # nor do permissions it may not copy (the rename would lose them anyway)
# Another program has the photo open or locked, so its old file could not be removed:
# raised as PermissionError, which replace_file retries and then reports as such.
ERROR_SHARING_VIOLATION = 32
ERROR_LOCK_VIOLATION = 33
ERROR_UNABLE_TO_REMOVE_REPLACED = 1175
_HELD_BY_ANOTHER_PROGRAM = frozenset({ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION, ERROR_UNABLE_TO_REMOVE_REPLACED})
# The old file was removed but the new one could not be renamed to its name (it is
# still under the temp's name): the rename below finishes the job.
ERROR_UNABLE_TO_MOVE_REPLACEMENT = 1176


def replace_keeping_file_identity(source: Path, target: Path) -> None:
    """Put `source` in `target`'s place keeping `target`'s creation time, permissions,
    encryption, compression and streams (ReplaceFileW); os.replace where kernel32 is not
    there or ReplaceFileW fails for another reason than the file being in use. Raises
    PermissionError while another program holds `target`, else what os.replace raises."""
    kernel32 = windows_api.kernel32()
    if kernel32 is None:
        os.replace(source, target)
        return
    given = os.stat(source)
    flags = REPLACEFILE_IGNORE_MERGE_ERRORS | REPLACEFILE_IGNORE_ACL_ERRORS
    if kernel32.ReplaceFileW(str(target), str(source), None, flags, None, None):
        _keep_times(target, given)
        return
    code = windows_api.last_error()
    if code in _HELD_BY_ANOTHER_PROGRAM:
        raise PermissionError(errno.EACCES, _error_text(code), str(target), code)
    os.replace(source, target)


def _keep_times(target: Path, given: os.stat_result) -> None:
    """Give the photo back the modification time its new file was given (the old one's,
    or now's with --touch): ReplaceFileW writes the old file's streams into the new file,
    which may move it. Best effort: the bytes are in place either way."""
    try:
        if os.stat(target).st_mtime_ns != given.st_mtime_ns:
            os.utime(target, ns=(given.st_atime_ns, given.st_mtime_ns))
    except OSError:
        pass


def _error_text(code: int) -> str:
    format_error = getattr(ctypes, "FormatError", None)  # Windows only
    return format_error(code).strip() if format_error is not None else f"Windows error {code}"
