"""A JPEG picture under a camera RAW name (DSC_0001.NEF holding a JPEG: a renaming or
recovery tool named it so) is read by its content, as a RAW named .JPG already is.

LibRaw opens such a file (a camera's EXIF makes it look like that camera's RAW) and
then fails to unpack it with "Input/output error", which read as damage or a failing
disk, and the scan found no date or camera in it. Reading it, decoding it and showing
it go by the JPEG signature; its labels still go into a sidecar, as for any file with
a RAW name (the index keeps its kind "raw"), so the file itself is never rewritten:
other programs that go by its name treat it as a RAW and leave it alone too.
"""

from __future__ import annotations

import os
from collections.abc import Container

JPEG_SIGNATURE = b"\xff\xd8\xff"  # SOI and the first marker's 0xFF

NAMED_RAW = "a JPEG picture with a RAW name"


def holds_jpeg(path: str | os.PathLike) -> bool:
    """Whether the file starts as a JPEG does; False when it cannot be read (the reader
    that follows says why)."""
    try:
        with open(path, "rb") as stream:
            return stream.read(len(JPEG_SIGNATURE)) == JPEG_SIGNATURE
    except OSError:
        return False


def holds_raw_picture(path: str, kind: str, in_the_cloud: Container[str] = ()) -> bool:
    """Whether a file the scan took as `kind` by its name holds a RAW picture, so that its
    photo has a RAW (photos.has_raw: the app's RAW badge, `has:raw`): a JPEG with a RAW
    name does not. One kept in the cloud (its name in `in_the_cloud`) is not opened, which
    would download it: it goes by its name until it is read."""
    if kind != "raw":
        return False
    return os.path.basename(path) in in_the_cloud or not holds_jpeg(path)
