"""Open a RAW file with rawpy whatever bytes its name holds.

On POSIX, rawpy hands LibRaw the path encoded as UTF-8; a name that is not valid UTF-8
(a Latin-1 `Genève.dng` from an old card reader or a Windows zip) reaches Python as a
str with surrogate escapes, which that encoding refuses with a UnicodeEncodeError: the
file was reported as "not a RAW file". Such a file is opened here by Python, which takes
any name, and given to LibRaw as bytes in memory: one read of the whole file, held while the RawPy
is open (tens of MB for a big RAW, once). Names that encode keep the path, so LibRaw
reads only what it needs.
"""

from __future__ import annotations

import os


def name_needs_buffer(path: str | os.PathLike) -> bool:
    """Whether LibRaw cannot be given this path: its name is not valid UTF-8."""
    try:
        os.fspath(path).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def open_raw(path: str | os.PathLike):
    """A rawpy.RawPy opened on `path` (close it, or use it in a `with`).

    Raises OSError when the file cannot be read and rawpy.LibRawError when LibRaw
    refuses its contents, whatever the name."""
    import rawpy

    path = os.fsdecode(path)
    if not name_needs_buffer(path):
        return rawpy.imread(path)
    with open(path, "rb") as stream:  # rawpy reads it once, into a buffer it keeps
        return rawpy.imread(stream)
