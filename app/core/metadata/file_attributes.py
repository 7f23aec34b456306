"""What a rewritten file keeps of the one it replaces besides its bytes: owner and group,
permissions, modification time when asked, extended attributes (Finder tags, a
download's origin) and, on Windows, the creation time Explorer shows as "Date created"
and the Hidden, System and not-indexed attributes (the rest Windows keeps itself:
windows_replace).
All best effort: a platform or file system that refuses one leaves it, as the photo's
own data is what counts."""

from __future__ import annotations

import errno
import os
import stat
import sys
from pathlib import Path

from app.core import windows_api

ON_WINDOWS = os.name == "nt"


def keep_file_attributes(temp: Path, original: Path, old: os.stat_result, *, keep_mtime: bool) -> None:
    """Give `temp`, about to replace `original` (whose stat is `old`), what it kept."""
    keep_owner(temp, old)
    copy_extended_attributes(original, temp)
    keep_mode(temp, old)
    if keep_mtime:
        _unless_refused(os.utime, temp, ns=(old.st_atime_ns, old.st_mtime_ns))
    if ON_WINDOWS:
        keep_creation_time(temp, old)
        keep_windows_attributes(temp, old)


# What a file system says when it cannot set permissions or times at all (FUSE file
# systems such as fusefat, MTP through gvfs, some sshfs): not a reason to fail the write.
_CANNOT = {errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP}
_REFUSALS = _CANNOT | {errno.EPERM}


def keep_mode(temp: Path, old: os.stat_result) -> None:
    """Give `temp` the photo's permissions. A file system that cannot set them leaves
    the mode it gives. EPERM is not that (an sshfs server refusing setstat, a file not
    ours): the temp, created with the photo's mode cut by the umask (0644 -> 0600 under
    umask 077), passes only when it has the photo's mode already; otherwise the
    PermissionError stops the write, the original intact, its permissions kept."""
    wanted = stat.S_IMODE(old.st_mode)
    try:
        os.chmod(temp, wanted)
    except OSError as error:
        if error.errno in _CANNOT:
            return
        if error.errno != errno.EPERM:
            raise
        got = stat.S_IMODE(os.stat(temp).st_mode)
        if got != wanted:
            raise PermissionError(errno.EPERM, f"the disk refuses to give the new file the photo's permissions "
                                               f"({wanted:04o}; it would have {got:04o})") from None


def _unless_refused(change, *args, **kwargs) -> None:
    """`change(*args, **kwargs)` (os.chmod, os.utime); a file system that does not
    support it leaves the new file as it made it. Other errors (the disk gone) raise."""
    try:
        change(*args, **kwargs)
    except OSError as error:
        if error.errno not in _REFUSALS:
            raise


def keep_owner(temp: Path, old: os.stat_result) -> None:
    """Give the new file the old one's owner and group (a photo shared through a group
    folder stays shared); a process that may not (not root, not a member) leaves it."""
    if not hasattr(os, "chown") or (old.st_uid, old.st_gid) == (os.getuid(), os.getgid()):
        return
    for uid, gid in ((old.st_uid, old.st_gid), (-1, old.st_gid)):
        try:
            os.chown(temp, uid, gid)
            return
        except OSError:
            continue


def copy_extended_attributes(source: Path, target: Path) -> None:
    """Copy the extended attributes a new file would lack: Finder tags and comments on
    macOS, Dolphin and GNOME tags, a download's origin. Where the platform or the file
    system has none, or refuses one, it is left: the photo's own data is what counts."""
    if hasattr(os, "listxattr"):  # Linux
        try:
            names = os.listxattr(source)
        except OSError:
            return
        for name in names:
            try:
                os.setxattr(target, name, os.getxattr(source, name))
            except OSError:
                pass
    elif sys.platform == "darwin":
        _copy_attributes_macos(source, target)


def _copy_attributes_macos(source: Path, target: Path) -> None:
    """macOS's copyfile(3) copies extended attributes (Finder tags live there) and ACLs."""
    import ctypes

    try:
        libc = ctypes.CDLL("/usr/lib/libSystem.B.dylib", use_errno=True)
        copyfile_xattr, copyfile_acl = 1 << 2, 1 << 0
        libc.copyfile(os.fsencode(source), os.fsencode(target), None, copyfile_xattr | copyfile_acl)
    except (OSError, AttributeError):
        pass


# FILE_ATTRIBUTE_HIDDEN, _SYSTEM, _NOT_CONTENT_INDEXED: the user's choices about the file
# that a new file lacks. ARCHIVE is set on the new file whatever the old had: its
# contents changed, so backup tools that go by it must copy it again.
_KEPT_WINDOWS_ATTRIBUTES = 0x2 | 0x4 | 0x2000
_FILE_ATTRIBUTE_ARCHIVE = 0x20


def keep_windows_attributes(temp: Path, old: os.stat_result) -> None:
    """Keep a photo hidden (or System, or out of the search index) in Explorer when it is
    rewritten. Best effort, like the rest: a refusal leaves the new file as it is."""
    kept = getattr(old, "st_file_attributes", 0) & _KEPT_WINDOWS_ATTRIBUTES
    kernel32 = windows_api.kernel32() if kept else None
    if kernel32 is not None:
        kernel32.SetFileAttributesW(str(temp), kept | _FILE_ATTRIBUTE_ARCHIVE)


# FILETIME counts 100-ns ticks from 1601-01-01; the Unix epoch is this many ticks later.
_FILETIME_AT_UNIX_EPOCH = 116_444_736_000_000_000


def filetime(ns_since_epoch: int) -> int:
    """A time in ns since 1970 as Windows FILETIME ticks."""
    return ns_since_epoch // 100 + _FILETIME_AT_UNIX_EPOCH


def creation_time_ns(old: os.stat_result) -> int | None:
    """When the photo's file was created, where the platform says (Windows: st_birthtime_ns
    from Python 3.12, st_ctime_ns before it, which is the creation time there)."""
    birth = getattr(old, "st_birthtime_ns", None)
    if birth is None and ON_WINDOWS:
        birth = old.st_ctime_ns
    return birth


def keep_creation_time(temp: Path, old: os.stat_result) -> None:
    """Give the new file the photo's creation time: Explorer shows it as "Date created",
    and a rewrite would make it today. Best effort: a file system or API that refuses
    it leaves the new time; the photo's own data is what counts."""
    created = creation_time_ns(old)
    if created is None:
        return
    try:
        _set_creation_time_windows(temp, filetime(created))
    except Exception:  # noqa: BLE001 - best effort by design: any failure leaves the new time
        pass


def _set_creation_time_windows(path: Path, ticks: int) -> None:
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.CreateFileW.argtypes = (wintypes.LPCWSTR, wintypes.DWORD, wintypes.DWORD, wintypes.LPVOID,
                                     wintypes.DWORD, wintypes.DWORD, wintypes.HANDLE)
    kernel32.CreateFileW.restype = wintypes.HANDLE
    filetime_pointer = ctypes.POINTER(wintypes.FILETIME)
    kernel32.SetFileTime.argtypes = (wintypes.HANDLE, filetime_pointer, filetime_pointer, filetime_pointer)
    kernel32.SetFileTime.restype = wintypes.BOOL
    kernel32.CloseHandle.argtypes = (wintypes.HANDLE,)
    kernel32.CloseHandle.restype = wintypes.BOOL
    file_write_attributes, share_all, open_existing, backup_semantics = 0x100, 0x7, 3, 0x02000000
    handle = kernel32.CreateFileW(str(path), file_write_attributes, share_all, None, open_existing,
                                  backup_semantics, None)
    if handle in (None, wintypes.HANDLE(-1).value):
        raise OSError(ctypes.get_last_error(), "cannot open the new file to set its creation time")
    try:
        created = wintypes.FILETIME(ticks & 0xFFFFFFFF, ticks >> 32)
        if not kernel32.SetFileTime(handle, ctypes.byref(created), None, None):
            raise OSError(ctypes.get_last_error(), "cannot set the creation time")
    finally:
        kernel32.CloseHandle(handle)
