"""A cheap content fingerprint that recognises a file after a move or rename
without reading all of it: the size plus a hash of the first and last 64 KiB.

A JPEG also gets a picture print (picture_print): a hash of the start of its image's
entropy-coded data, from its first SOS segment on, which a metadata edit in another
program (Lightroom or digiKam adding a keyword rewrites the head; exiftool removing a
phone's trailer after the image, or an MPF preview image after it) leaves as it was, so
that a photo edited and moved between two scans is still recognised
(app/core/index/picture_moves.py). A lossless re-encode (jpegtran -optimize) changes it."""

from __future__ import annotations

import hashlib
import os

CHUNK = 64 * 1024
_MAX_SEGMENTS = 4096  # a JPEG head has a few dozen; more is a damaged file


def fingerprint_file(path: str | os.PathLike, size: int | None = None) -> str:
    """"<size hex>-<blake2b of head+tail>". Raises OSError when unreadable."""
    with open(path, "rb") as handle:
        if size is None:
            size = os.fstat(handle.fileno()).st_size
        return fingerprint_bytes(size, *_head_and_tail(handle, size))


def picture_print(path: str | os.PathLike, size: int | None = None) -> str | None:
    """A JPEG's picture print: "<bytes hashed, hex>-<blake2b>" of its image data from the
    first SOS marker on, up to 64 KiB or the image's EOI if sooner (what follows the EOI,
    a phone's trailer or an MPF preview image, is not the picture); None for a file that
    is not a JPEG or whose segments cannot be followed. It reads the head (in the cache
    already after fingerprint_file), the segment headers past it and at most 64 KiB from
    the SOS on. Raises OSError when unreadable."""
    with open(path, "rb") as handle:
        if size is None:
            size = os.fstat(handle.fileno()).st_size
        head = handle.read(CHUNK)
        start = _jpeg_image_start(handle, head, size)
        if start is None:
            return None
        if len(head) == size:  # all of it read already
            data = head[start:start + CHUNK]
        else:
            handle.seek(start)
            data = handle.read(CHUNK)
        data = _up_to_end_of_image(data)
        return f"{len(data):x}-{hashlib.blake2b(data, digest_size=16).hexdigest()}"


def fingerprint_bytes(size: int, head: bytes, tail: bytes) -> str:
    digest = hashlib.blake2b(head, digest_size=16)
    digest.update(tail)
    return f"{size:x}-{digest.hexdigest()}"


def _head_and_tail(handle, size: int) -> tuple[bytes, bytes]:
    head = handle.read(CHUNK)
    if size <= CHUNK:
        return head, b""
    handle.seek(max(CHUNK, size - CHUNK))
    return head, handle.read(CHUNK)


def _jpeg_image_start(handle, head: bytes, size: int) -> int | None:
    """The offset of a JPEG's first SOS marker (what follows is image data, which a
    metadata edit does not touch), following the segment lengths from the start; None
    for a file that is not a JPEG or whose segments run off its end."""
    if head[:2] != b"\xff\xd8":
        return None
    position = 2
    for _ in range(_MAX_SEGMENTS):
        header = head[position:position + 4]
        if len(header) < 4 and position + 4 <= size:
            handle.seek(position)
            header = handle.read(4)
        if len(header) < 4 or header[0] != 0xFF:
            return None
        marker = header[1]
        if marker == 0xFF:  # a fill byte before the marker
            position += 1
            continue
        if marker == 0xDA:
            return position
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # no length follows
            position += 2
            continue
        position += 2 + int.from_bytes(header[2:4], "big")
    return None


def _up_to_end_of_image(data: bytes) -> bytes:
    """`data` (from an SOS marker on) up to and with the image's EOI marker, or all of it
    where the EOI lies further: entropy-coded bytes stuff each 0xFF with 0x00 and restart
    markers have no length, while the segments between a progressive JPEG's scans (DHT,
    SOS) are skipped by their lengths, so an 0xFFD9 inside them is not taken for the EOI."""
    position = 2 + int.from_bytes(data[2:4], "big")  # past the SOS header
    while True:
        position = data.find(b"\xff", position)
        if position < 0 or position + 1 >= len(data):
            return data
        marker = data[position + 1]
        if marker == 0xD9:
            return data[:position + 2]
        if marker in (0x00, 0xFF, 0x01) or 0xD0 <= marker <= 0xD7:  # stuffed, fill, TEM, restart
            position += 1 if marker == 0xFF else 2
            continue
        if position + 4 > len(data):
            return data
        position += 2 + int.from_bytes(data[position + 2:position + 4], "big")
