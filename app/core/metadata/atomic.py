"""Replace a file atomically: whoever looks (or a crash at any moment) sees either
the old file or the complete new one, never a half-written photo.

The new bytes go to `.<name>.<random>.tmp` in the same folder (same file system,
so the rename is atomic), are flushed and fsynced (F_FULLFSYNC on macOS, where fsync
alone leaves them in the drive's cache), then renamed over the original (on Windows
with ReplaceFileW, which keeps the file's permissions, encryption, compression and
streams, retried for a moment while another program holding the photo blocks it); the
folder is fsynced so the rename itself survives a power cut (POSIX only). The temp
file is removed when anything fails; one a kill left behind is removed by a later
write, undo or scan of its folder once it is stale by the folder's own clock
(`remove_stale_temps_in`). A symbolic link is written through: the file it
points to is replaced, in its own folder, and the link stays a link (renaming over the
link would have turned it into a copy and left the original without the labels).
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
import sys
import time
from pathlib import Path
from typing import Callable, Collection, Iterable, NoReturn

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

from app.core.errors import MetadataWriteError, OnlyCopyKeptError, TaggerError
from app.core.metadata.disk_problems import (READ_ONLY_DISK, FileInUseError, NoFileEntriesError, ReadOnlyDiskError,
                                             disk_gone_error, no_free_file_entries, passing_error_class)
from app.core.metadata.file_attributes import ON_WINDOWS, keep_file_attributes
from app.core.metadata.still_as_read import refuse_if_not_as_found, refuse_if_not_as_read
from app.core.metadata.temp_names import (MAX_NAME_BYTES, MAX_WINDOWS_PATH, names_a_temp_copies, temp_path_for)
from app.core.metadata.temp_names import is_written_by_us as _is_written_by_us
from app.core.metadata.temp_names import _utf16_units
from app.core.metadata.temp_names import path_room as _path_room
from app.core.metadata.temp_names import temp_stem as _temp_stem
# (unwritable_reason: importable from here as before the split)
from app.core.metadata.unwritable import (FilePermissionError, removal_refused_words, unwritable_reason,
                                          unwritable_refusal)
from app.core.metadata.windows_replace import replace_keeping_file_identity
from app.core.photo_info import file_kind


# A hook that lets tests simulate a full disk (ENOSPC) or an I/O error on write.
WriteFunction = Callable[[int, bytes], int]


# A temp file is ours when named `.<photo's name, maybe cut>.<8 lowercase hex>.tmp`;
# on Windows a folder path that leaves no room cuts the name to nothing (`..<hex>.tmp`).
_TEMP_NAME = re.compile(r"\.(?P<stem>.*)\.(?P<digits>[0-9a-f]{8})\.tmp", re.DOTALL)
# How old a temp must be before it counts as a crash's leftover: a write in progress
# (a slow network drive, another process) is younger.
STALE_TEMP_AGE_S = 600.0


def named_as_our_temp(name: str) -> bool:
    """Whether a file name has the form of our temp files (a scan sweeps only folders
    listing one; remove_stale_temps_in decides whether it is really ours and stale)."""
    return _TEMP_NAME.fullmatch(name) is not None


def folder_clock_ns(folder: Path) -> int | None:
    """The time now by the clock that stamps files in `folder`: that of a network
    share's server, which may be minutes off ours, so a temp's age is judged by the
    clock that stamped it. Read from a probe file created and removed at once; None
    when none can be created (a read-only folder, where no temp could go either)."""
    probe = folder / f".landmark-tagger-clock.{secrets.token_hex(4)}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:
        return None
    try:
        return os.fstat(fd).st_mtime_ns
    except OSError:
        return None
    finally:
        os.close(fd)
        _remove_quietly(probe)


def remove_stale_temps_in(folder: Path, older_than_s: float = STALE_TEMP_AGE_S,
                          clock: Callable[[Path], int | None] = folder_clock_ns, kept: list[str] | None = None,
                          kept_after_s: float | None = None, only_copies: Collection[str] = ()) -> int:
    """Delete the temp files a killed write or undo (or a power cut) left in `folder`:
    hidden full-size copies of photos. Only files named exactly as ours are
    (`.<name>.<8 lowercase hex>.tmp`), where `<name>` is a JPEG or XMP sidecar that
    is there beside it (else nothing shows the temp is a copy of ours), and left
    unchanged for over `older_than_s` by the folder's own `clock` (read only when
    such a temp is there) go; see _may_be_in_progress for those kept. `write` and
    `undo` call this for each folder they handle; a scan may call it for each folder
    it walks. Returns how many were removed; problems are ignored (the temps are only
    clutter), and nothing but such temps is ever touched. `kept` (a scan's) gets the
    paths of the stale ones kept because no file beside shows whose copy they are: a
    photo's only copy, or a temp an older version named before tags (its name cut),
    which only the user can tell apart. Those in `only_copies` (normcase'd paths the
    index records as a missing file's only copy, only_copy_temps) are put in `kept` once
    `kept_after_s` old where given (a scan that knows no write of its index runs, which
    might be creating that file now), the others once `older_than_s` old."""
    try:
        with os.scandir(folder) as entries:
            names = {entry.name: entry for entry in entries}
    except OSError:
        return 0
    candidates, orphans = [], []
    for name, entry in names.items():
        match = _TEMP_NAME.fullmatch(name)
        if match is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode):
            written = _files_written_with(folder, names, match["stem"], match["digits"])
            if written:  # else no photo or sidecar of ours beside it: nothing shows it is our copy
                candidates.append((entry, info, written))
            else:
                orphans.append((entry, info))
    now_ns = clock(folder) if candidates or (orphans and kept is not None) else None
    if now_ns is None:
        return 0
    if kept is not None:
        def kept_age_s(path: str) -> float:
            recorded = kept_after_s is not None and os.path.normcase(path) in only_copies
            return kept_after_s if recorded else older_than_s

        kept.extend(sorted(entry.path for entry, info in orphans
                           if info.st_mtime_ns < now_ns - int(kept_age_s(entry.path) * 1e9)))
    removed = 0
    for entry, info, written in candidates:
        if _may_be_in_progress(info, written, now_ns - int(older_than_s * 1e9)):
            continue
        try:
            os.remove(entry.path)
            removed += 1
        except OSError:
            pass
    return removed


def _may_be_in_progress(temp: os.stat_result, written: list[os.DirEntry], young_ns: int) -> bool:
    """Whether a temp may be another process's write still running: changed since
    `young_ns`, or given the time of the photo it is a copy of, as a writer does just
    before its rename. On POSIX that setting of the time itself moves the temp's
    ctime, so such a temp is kept only while its ctime is young too (one a kill left
    between the two steps goes in the end); on Windows, where ctime is the creation
    time and says nothing of that last step, it is kept."""
    if temp.st_mtime_ns >= young_ns:
        return True
    if temp.st_mtime_ns not in _mtimes(written):
        return False
    return ON_WINDOWS or temp.st_ctime_ns >= young_ns


def _files_written_with(folder: Path, names: dict[str, os.DirEntry], stem: str, digits: str) -> list[os.DirEntry]:
    """The files in `folder` a temp named with `stem` and hex `digits` may be a copy of:
    the one so named, or, for a stem that may be cut to fit (a long name), the file whose
    whole name gives that stem and the tag in `digits` (temp_names); only files we write into
    (JPEGs and XMP sidecars) that exist. None: the temp is not provably ours (another
    program's), or it may be the only copy of a photo that is gone (a ReplaceFileW that
    removed it): a DSC_0001.JPG.xmp, an export or another photo beside it, whose name
    begins as the photo's did, is not what it copies."""
    candidates = [names[name] for name in names_a_temp_copies(folder, list(names), stem, digits)]
    written = []
    for entry in candidates:
        try:
            if _is_written_by_us(entry.name) and entry.is_file():
                written.append(entry)
        except OSError:
            pass
    return written


def _mtimes(entries: list[os.DirEntry]) -> set[int]:
    times = set()
    for entry in entries:
        try:
            times.add(entry.stat().st_mtime_ns)
        except OSError:
            pass
    return times


def _write_all(fd: int, data: bytes | memoryview, write: WriteFunction) -> None:
    view = memoryview(data)
    while view:
        written = write(fd, view)
        view = view[written:]


def flush_to_disk(fd: int) -> None:
    """fsync, made real on macOS: there fsync only hands the data to the drive, whose
    cache may still lose it on power loss; F_FULLFSYNC waits until it is stored (as
    SQLite's fullfsync does). Falls back to fsync where the drive refuses it."""
    full_sync = getattr(fcntl, "F_FULLFSYNC", None) if fcntl is not None else None
    if full_sync is not None:
        try:
            fcntl.fcntl(fd, full_sync)
            return
        except OSError:
            pass
    os.fsync(fd)


# Windows refuses to replace a file another program holds open for a moment (a
# virus scanner, a cloud-sync client, an image viewer's preview): try a few times.
REPLACE_RETRIES_S = (0.05, 0.1, 0.2, 0.4, 0.8)


def replace_file(
    source: Path, target: Path, *, windows: bool = os.name == "nt", sleep: Callable[[float], None] = time.sleep
) -> None:
    """os.replace; on Windows ReplaceFileW (windows_replace), retried while the target is
    in use (PermissionError)."""
    for delay in (*REPLACE_RETRIES_S, None):
        try:
            if windows:
                replace_keeping_file_identity(source, target)
            else:
                os.replace(source, target)
            return
        except PermissionError:
            if not windows or delay is None:
                raise
            sleep(delay)


# ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION: another program has the file open or
# locked, which passes when it lets go. Any other refusal (ERROR_ACCESS_DENIED from
# the file's or folder's security settings, a share without delete rights) may last.
_IN_USE_WINERRORS = frozenset({32, 33})


def _held_by_another_program(path: Path, error: PermissionError) -> bool:
    """Whether Windows refused to replace `path` because another program has it open
    (a cause that passes), not for a lack of rights (one that may last for ever, so
    an undo must not keep its batch open for it). A rename over a file open elsewhere
    often fails with ACCESS_DENIED, like a lack of rights: then opening the file
    ourselves tells them apart, failing with a sharing violation only in the first case."""
    if getattr(error, "winerror", None) in _IN_USE_WINERRORS:
        return True
    try:
        with open(path, "r+b"):
            return False
    except OSError as probe:
        return getattr(probe, "winerror", None) in _IN_USE_WINERRORS


def _refused_replace_message(path: Path, error: PermissionError, *, windows: bool | None = None) -> str:
    """Why the finished new file could not take the photo's place. On Windows that is
    nearly always another program holding the photo open (still so after the retries);
    elsewhere a lock or a permission the checks before writing could not see."""
    windows = ON_WINDOWS if windows is None else windows
    why = error.strerror or str(error)
    if windows:
        return (f"could not write {path}: another program has it open, or you may not replace it ({why}); "
                "close the photo in the viewer, editor or sync client that holds it and write again, or check "
                "its permissions (its Security tab); the original is intact")
    return f"could not write {path}: the system refused to replace it ({why}); the original is intact"


def fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable; Windows cannot open folders, so skip there."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_atomically(
    path: Path,
    data: bytes | memoryview | list[bytes | memoryview],
    *,
    keep_mtime: bool = True,
    write: WriteFunction = os.write,
    create: bool = False,
    sync_folder: bool = True,
    library_folders: Iterable[Path] | None = None,
    read_as: os.stat_result | None = None,
) -> os.stat_result:
    """Replace `path` with `data` (bytes or a list of chunks); returns the new stat.

    Keeps the permission bits, the owner where this process may set it, the extended
    attributes, on Windows the creation time and, unless told otherwise, the
    modification time. A file with other names (hard links) is replaced under this
    name only, as exiftool does: the other names keep the old file.
    `create`: the caller found no file there (a new sidecar); one there now, or at the
    rename, is another program's and is left. `read_as`: the stat taken before reading
    the bytes `data` is made of; the file is checked against it at the start and against
    the start's stat just before the rename (still_as_read: another program's file
    renamed over ours meanwhile must not be overwritten with the old one). `sync_folder`
    False leaves the folder fsync to the caller (a batch syncs each folder once;
    until then a power cut can only bring back the old file, never a broken one).
    Raises MetadataWriteError naming the path (a disk_problems subclass when the disk
    is the cause: full, read-only, gone, the last told by disk_gone_error with
    `library_folders`); the original is then untouched.
    """
    path = real_file(path)  # a symbolic link: replace the file it points to
    chunks = data if isinstance(data, list) else [data]
    try:
        old = os.stat(path)
    except FileNotFoundError:
        if not create:
            raise (disk_gone_error(path, library_folders)
                   or MetadataWriteError(f"{path} has disappeared; rescan the folder")) from None
        old = None
    except OSError as error:
        raise (passing_error_class(error) or MetadataWriteError)(f"cannot read {path}: {error.strerror}") from None
    refuse_if_not_as_found(path, old, read_as, create)
    refusal = unwritable_refusal(path, old)
    if refusal:
        raise refusal[0](f"{path}: {refusal[1]}")
    mode = stat.S_IMODE(old.st_mode) if old is not None else 0o666  # os.open applies the umask
    for _attempt in range(32):  # a cut temp name has only 2 random hex digits (temp_names)
        temp = temp_path_for(path)
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
            break
        except FileExistsError:
            continue
        except OSError as error:
            _raise_temp_refused(path, temp, error, new=old is None)
    else:
        raise MetadataWriteError(f"cannot create a temporary file in {path.parent}: every name tried is taken")
    try:
        try:
            for chunk in chunks:
                _write_all(fd, chunk, write)
            flush_to_disk(fd)
        finally:
            os.close(fd)
        if old is not None:
            keep_file_attributes(temp, path, old, keep_mtime=keep_mtime)
        try:
            refuse_if_not_as_read(path, old, gone=lambda: disk_gone_error(path, library_folders) or MetadataWriteError(
                f"{path} has disappeared while being written (moved or deleted?): left so; rescan the folder"))
        except TaggerError:
            _remove_quietly(temp)  # not the photo's only copy: that is elsewhere, or the user removed it
            raise
        try:
            replace_file(temp, path)
        except OSError as error:
            if _temp_is_the_only_copy(path, temp, old):
                raise OnlyCopyKeptError(
                    f"could not write {path}: its old file was removed and the new one could not take its name "
                    f"({error.strerror or error}); the photo, with its new labels, is {temp}: rename it {path.name}",
                    temp) from None
            if not isinstance(error, PermissionError):
                raise
            _remove_quietly(temp)
            # elsewhere a permission (an immutable flag, a sticky folder) the user can give: it passes
            refused = (FileInUseError if _held_by_another_program(path, error) else MetadataWriteError) \
                if ON_WINDOWS else FilePermissionError
            raise refused(_refused_replace_message(path, error)) from None
    except OSError as error:
        _remove_quietly(temp)
        raise _passing_failure(path, error, new=old is None) from None
    except BaseException:
        if not _temp_is_the_only_copy(path, temp, old):
            _remove_quietly(temp)
        raise
    if sync_folder:
        try:
            fsync_folder(path.parent)
        except OSError:
            pass  # the data is safe; only the rename's durability on power loss is weaker
    return os.stat(path)


def _temp_is_the_only_copy(path: Path, temp: Path, old: os.stat_result | None) -> bool:
    """Whether the photo's own file is gone while its finished temp is there (a Windows
    ReplaceFileW that removed it and could not rename the temp, the rename after it
    refused too): the temp must then be kept, as the photo is nowhere else."""
    return old is not None and not os.path.lexists(path) and os.path.lexists(temp)


def _passing_failure(path: Path, error: OSError, new: bool = False) -> MetadataWriteError:
    """The error of a write that failed with `error`: its passing_error_class (a disk
    with room but no free file entries: NoFileEntriesError, for undo to say so), else
    MetadataWriteError. A read-only disk is named as such, whatever words the system
    has for it."""
    # a new file (a sidecar): there is no original to speak of, and none is left behind
    failed, kept = (f"could not create {path}", "") if new else (f"could not write {path}", "; the original is intact")
    kind = passing_error_class(error) or MetadataWriteError
    if kind is ReadOnlyDiskError:
        return kind(f"{failed}: {READ_ONLY_DISK}{kept}")
    if error.errno == errno.ENOSPC and (no_entries := no_free_file_entries(path.parent)) is not None:
        return NoFileEntriesError(f"{failed}: {no_entries}{kept}")
    return kind(f"{failed}: {error.strerror or error}{kept}")


def _raise_temp_refused(path: Path, temp: Path, error: OSError, new: bool = False) -> NoReturn:
    """Raise the error that says why `temp`, beside `path`, could not be created."""
    if _refused_for_length(temp, error):
        raise MetadataWriteError(f"{path}: the file system refuses a file of that name here "
                                 f"({error.strerror}); a shorter file or folder name would do") from None
    if passing_error_class(error) is not None:
        raise _passing_failure(path, error, new) from None
    raise MetadataWriteError(
        f"cannot create a temporary file in {path.parent} ({error.strerror}); "
        "the folder must be writable to store labels"
    ) from None


def _refused_for_length(temp: Path, error: OSError) -> bool:
    """Whether creating `temp` failed for the length of its name or path: ENAMETOOLONG,
    or on Windows ENOENT (ERROR_PATH_NOT_FOUND and ERROR_FILENAME_EXCED_RANGE both map
    to it) for a path over MAX_PATH in a folder that is there; "the folder must be
    writable" would send the user after the wrong fix."""
    if error.errno == errno.ENAMETOOLONG:
        return True
    return (error.errno == errno.ENOENT and sys.platform == "win32"
            and _utf16_units(str(temp)) > MAX_WINDOWS_PATH and temp.parent.is_dir())


def real_file(path: Path) -> Path:
    """`path` itself, or for a symbolic link the file it points to (links followed to the
    end), whose folder gets the temp file and the rename."""
    path = Path(path)
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def temp_folder_of(path: Path) -> Path:
    """The folder that holds `path`'s temp files: the folder of the file a link points
    to, or `path`'s own when that cannot be told (a name the system refuses)."""
    try:
        return real_file(path).parent
    except OSError:
        return Path(path).parent


def remove_file(path: Path) -> None:
    """Delete a file we created (a sidecar, on undo or when its verification failed) and
    make that durable. A file created through a symbolic link (a link to a sidecar not
    there yet) is the link's target: that file goes, and the user's link stays, as it was."""
    path = real_file(path)
    try:
        os.remove(path)
    except PermissionError as error:  # worded as write's refusal of the folder: what to make writable
        refused, why = removal_refused_words(path, error)
        raise refused(f"cannot remove {path}: {why}") from None
    except OSError as error:
        why = READ_ONLY_DISK if passing_error_class(error) is ReadOnlyDiskError else error.strerror
        raise (passing_error_class(error) or MetadataWriteError)(f"cannot remove {path}: {why}") from None
    try:
        fsync_folder(path.parent)
    except OSError:
        pass


def _remove_quietly(path: Path) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
