"""The app's exceptions. Every error the core raises derives from TaggerError,
so the CLI can print one line and the GUI can show it without a traceback."""

from __future__ import annotations


class TaggerError(Exception):
    """Base class of every error the app reports to the user."""


class UsageError(TaggerError):
    """The user asked for something that cannot work (bad argument, bad path)."""


class QuerySyntaxError(UsageError):
    """A search query could not be parsed; the message says where and why."""


class IndexStoreError(TaggerError):
    """The SQLite index cannot be opened, migrated or written."""


class PhotoReadError(TaggerError):
    """A photo file could not be read or decoded (corrupt, truncated, no image data)."""


class DecompressionBombError(PhotoReadError):
    """An image declares more pixels than we are willing to allocate."""


class MetadataWriteError(TaggerError):
    """Labels could not be written into a photo or its sidecar; the original is intact."""


class FileChangedError(MetadataWriteError):
    """The file changed on disk since it was indexed, so we refuse to write it."""


class Cancelled(TaggerError):
    """A long job was cancelled by the user; what was done so far is kept."""
