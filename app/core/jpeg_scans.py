"""How many scans a progressive JPEG holds, counted from its markers without decoding.

libjpeg decodes every scan over the whole image, so a 1.2 MB file repeating one
53-byte refinement scan 20,000 times kept a decoder busy for 300 s (and the app's
preview thread with it), although libjpeg accepts it. Cameras and editors write about
10 scans; libjpeg-turbo's tools refuse more than 500 (`-maxscans`, TJPARAM_SCANLIMIT),
and so does this app, before any decoding.
"""

from __future__ import annotations

import re
import struct
from typing import BinaryIO

MAX_SCANS = 500
# The next marker after a scan's entropy-coded data: 0xFF not followed by a stuffed 0x00,
# a restart marker (RST0-7) or another 0xFF (fill).
_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def count_scans(data: bytes) -> int:
    """The SOS markers of the first image in `data` (a JPEG stream), up to its EOI;
    embedded thumbnails (inside APPn segments) and MPF previews after it not counted."""
    position, scans = 2, 0
    while position + 4 <= len(data):
        if data[position] != 0xFF:  # garbage between segments: libjpeg skips to the next marker
            found = _NEXT_MARKER.search(data, position)
            if found is None:
                break
            position = found.start()
            continue
        marker = data[position + 1]
        if marker == 0xFF:
            position += 1
        elif marker == 0xD9:
            break
        elif 0xD0 <= marker <= 0xD7 or marker in (0x01, 0xD8):
            position += 2
        else:
            (length,) = struct.unpack_from(">H", data, position + 2)
            position += 2 + length
            if marker == 0xDA:
                scans += 1
                found = _NEXT_MARKER.search(data, position)
                if found is None:
                    break
                position = found.start()
    return scans


def count_scans_in(stream: BinaryIO) -> int:
    """count_scans of an open file, its position left where it was."""
    where = stream.tell()
    try:
        stream.seek(0)
        return count_scans(stream.read())
    finally:
        stream.seek(where)
