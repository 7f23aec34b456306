"""The app's exceptions. Every error the core raises derives from TaggerError,
so the CLI can print one line and the GUI can show it without a traceback."""

from __future__ import annotations


class TaggerError(Exception):
    """Base class of every error the app reports to the user."""


class UsageError(TaggerError):
    """The user asked for something that cannot work (bad argument, bad path)."""


class IndexBusyError(TaggerError):
    """Another run holds the index (its tagging lock, a write or undo batch, SQLite's own
    lock): nothing was done, and the same command will work once that run has finished.
    The CLI exits 75 (EX_TEMPFAIL) for it, which schedulers take as "try again later"."""


class QuerySyntaxError(UsageError):
    """A search query could not be parsed; the message says where and why."""


class IndexStoreError(TaggerError):
    """The SQLite index cannot be opened, migrated or written."""


class IndexInUseError(IndexStoreError, IndexBusyError):
    """The index cannot be opened or changed now: another program holds SQLite's lock."""


class PhotoReadError(TaggerError):
    """A photo file could not be read or decoded (corrupt, truncated, no image data)."""


class PhotoNotReadError(PhotoReadError):
    """The file could not be read this time, which says nothing of its contents: it is
    not there (a drive or share gone), no permission, an I/O error, not enough memory.
    Unlike a PhotoReadError of the contents, it is not remembered: the next run tries
    the file again."""


def cannot_read_file(path, error: OSError) -> PhotoNotReadError:
    """The error for a file the system could not read now (its strerror, as the user
    reads it: "Permission denied", "Input/output error"); a permission refused says what
    to do, naming the owner where it is another user, as `scan` and `write` do."""
    words = f"cannot read the file ({error.strerror or error})"
    if isinstance(error, PermissionError):
        from app.core.file_owner import with_permission_advice  # (it imports this module)

        words = with_permission_advice(words, path)
    return PhotoNotReadError(f"{path}: {words}")


def failed_reading(error: BaseException) -> bool:
    """Whether `error` is the system's failure to read a file (an OSError with an errno:
    missing, permission, I/O error, a drive gone) or memory running out, rather than a
    decoder's verdict on bytes it read (Pillow's "broken data stream" is an OSError
    without errno)."""
    return isinstance(error, (PhotoNotReadError, MemoryError)) or (
        isinstance(error, OSError) and error.errno is not None)


class DecompressionBombError(PhotoReadError):
    """An image declares more pixels than we are willing to allocate."""


class MetadataWriteError(TaggerError):
    """Labels could not be written into a photo or its sidecar; the original is intact."""


class OnlyCopyKeptError(MetadataWriteError):
    """A replace removed the file (Windows ReplaceFileW) and could not rename our finished
    temp into its place: `temp` is the file's only copy, recorded so that no write puts a
    new file in its place (only_copy_temps) until the user renames it."""

    def __init__(self, message: str, temp):
        super().__init__(message)
        self.temp = temp


class FileChangedError(MetadataWriteError):
    """The file changed on disk since it was indexed, so we refuse to write it."""


class Cancelled(TaggerError):
    """A long job was cancelled by the user; what was done so far is kept."""
