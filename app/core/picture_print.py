"""A JPEG's picture print: what a metadata edit in another program leaves as it was, so
that a photo edited *and* moved between two scans is still recognised
(app/core/index/picture_moves.py), and what two different pictures do not share.

It hashes the entropy-coded image data, all of it where it is small, evenly spread samples
of it where it is large. First the 16 KiB before the image's bound (the file's end, or the
second image an MPF index lists) are read: where they hold the EOI marker, the data's
length from the first SOS to the EOI goes into the print. Data of up to 2 MiB is hashed
whole (one sequential read): a highly compressible frame — a night sky, a clipped sky, a
lens cap, a flat render — is exactly the small one, and a few bright pixels anywhere in it
are bytes no sample could be trusted to hold. Larger data (a detailed frame, where every
region costs many bytes) gets 32 samples of 8 KiB spread evenly from the SOS to the EOI,
each hashed with its offset, and its last 4 KiB: at most ~300 KiB read from a JPEG of any
size; nothing is decoded. Where no EOI is found before the bound (a trailer longer than
~12 KiB, a file cut short), data of up to 2 MiB before the bound is searched for it, and
beyond that the samples spread over the span to the bound, whose length goes into the
print; a sample that holds the EOI ends there, one that holds a marker image data never
holds is past the image (a trailer) and ends the sampling.

What it tells apart: any two pictures whose image data (SOS to EOI) is up to 2 MiB and
differs in one byte; larger data differing in any sample, its last 4 KiB or its length
(two different detailed pictures of one camera and size almost never have data of the same
length to the byte). What it cannot: two pictures of over 2 MiB of data, equal in every
sample, its end and its length, differing only between samples; so picture_moves also asks
the same date taken, camera and pixel size before joining. What keeps it: a metadata edit
in the head (everything is measured from the SOS), a trailer after the EOI (a phone's;
over 2 MiB of data, one of up to ~12 KiB only), an MPF second image. What changes it (the
photo then comes back new, its labels left on the missing one, never on another picture):
a re-encode, even a lossless one (jpegtran), a longer trailer removed or added to large
data (a motion photo's video), a file cut short.
"""

from __future__ import annotations

import hashlib
import os

HEAD = 64 * 1024  # read to find the SOS (in the cache already after fingerprint_file)
PROBE = 16 * 1024  # read before the image's bound to find the EOI
WHOLE = 2 * 1024 * 1024  # image data up to this long is hashed whole
SAMPLES = 32  # evenly spread over larger image data
SAMPLE = 8 * 1024
END_BYTES = 4 * 1024  # the image data before its EOI, hashed with its length
_MAX_SEGMENTS = 4096  # a JPEG head has a few dozen; more is a damaged file
_BETWEEN_SCANS = (0xC4, 0xDA, 0xDB, 0xDD)  # DHT, SOS, DQT, DRI: a progressive JPEG's segments between scans


def picture_print(path: str | os.PathLike, size: int | None = None) -> str | None:
    """"<bytes hashed, hex>-<blake2b>" of a JPEG's image data, whole or sampled (module
    docstring); None for a file that is not a JPEG or whose segments cannot be followed.
    Raises OSError when unreadable."""
    with open(path, "rb") as handle:
        if size is None:
            size = os.fstat(handle.fileno()).st_size
        head = handle.read(HEAD)
        found = _jpeg_image_start(handle, head, size)
        if found is None:
            return None
        start, bound = found
        end = _image_end(handle, head, start, bound)
        if end is None and bound - start <= WHOLE:  # a long trailer after small data: find its EOI
            data, ended, _ = _image_data_in(_read(handle, head, start, bound - start), True)
            end = (start + len(data), data[-END_BYTES - 2:]) if ended else None
        digest = hashlib.blake2b(digest_size=16)
        if end is not None and end[0] - start <= WHOLE:
            data = _read(handle, head, start, end[0] - start)
            digest.update(b"whole %x;" % len(data))
            digest.update(data)
            return f"{len(data):x}-{digest.hexdigest()}"
        if end is not None:
            bound, last_bytes = end
            digest.update(b"end %x;" % (bound - start))  # the data's length, SOS to EOI
            digest.update(last_bytes)
            hashed = len(last_bytes)
        else:
            digest.update(b"span %x;" % (bound - start))  # the EOI not found: to the bound
            hashed = 0
        for offset in _offsets(bound - start):
            first = offset == 0
            at = start + offset - (0 if first else 1)  # one byte back: an FF just before the sample
            data, ended, valid = _image_data_in(_read(handle, head, at, min(SAMPLE, bound - at)), first)
            if not valid:  # a trailer the bound did not exclude: past the image
                break
            digest.update(b"%x:%x;" % (offset, len(data)))
            digest.update(data)
            hashed += len(data)
            if ended:
                break
        return f"{hashed:x}-{digest.hexdigest()}"


def _offsets(length: int) -> list[int]:
    """Where SAMPLES samples start, from the SOS, spread evenly so the last ends at `length`."""
    last = max(length - SAMPLE, 0)
    return sorted({last * n // (SAMPLES - 1) for n in range(SAMPLES)})


def _image_end(handle, head: bytes, start: int, bound: int) -> tuple[int, bytes] | None:
    """(the offset just past the image's EOI marker, the last up to END_BYTES bytes of
    image data before it) where the sample ending at `bound` holds the EOI: the image's
    end is the file's (or the MPF second image's) or a trailer of up to ~12 KiB follows;
    None where it does not (a longer trailer, a file cut short)."""
    at = max(start, bound - PROBE)
    data, ended, valid = _image_data_in(_read(handle, head, at, bound - at), at == start)
    if not (ended and valid):
        return None
    if len(data) < END_BYTES + 2 and at > start:  # the EOI early in the sample: a long trailer follows
        return None
    return at + len(data), data[-END_BYTES - 2:]


def _read(handle, head: bytes, at: int, length: int) -> bytes:
    if at + length <= len(head):
        return head[at:at + length]
    handle.seek(at)
    return handle.read(length)


def _jpeg_image_start(handle, head: bytes, size: int) -> tuple[int, int] | None:
    """(the offset of a JPEG's first SOS marker, where its image data can end: the file's
    end or an MPF index's second image), following the segment lengths from the start;
    None for a file that is not a JPEG or whose segments run off its end."""
    if head[:2] != b"\xff\xd8":
        return None
    position, bound = 2, size
    for _ in range(_MAX_SEGMENTS):
        header = _read(handle, head, position, 4) if position + 4 <= size else b""
        if len(header) < 4 or header[0] != 0xFF:
            return None
        marker = header[1]
        if marker == 0xFF:  # a fill byte before the marker
            position += 1
            continue
        if marker == 0xDA:
            return position, max(bound, position + 1)
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # no length follows
            position += 2
            continue
        length = int.from_bytes(header[2:4], "big")
        if marker == 0xE2 and length >= 16:
            payload = _read(handle, head, position + 4, min(length - 2, 4096))
            if payload[:4] == b"MPF\x00":
                bound = min(bound, _mpf_second_image(payload[4:], position + 8) or bound)
        position += 2 + length
    return None


def _mpf_second_image(tiff: bytes, base: int) -> int | None:
    """The file offset of the first image after the primary that an MPF index (CIPA
    DC-007, offsets from its TIFF header at `base`) lists; None where it lists none or
    cannot be read."""
    order = {b"II": "little", b"MM": "big"}.get(tiff[:2])
    if order is None:
        return None
    number = lambda at, width: int.from_bytes(tiff[at:at + width], order)  # noqa: E731
    ifd = number(4, 4)
    for entry in range(number(ifd, 2)):
        at = ifd + 2 + 12 * entry
        if number(at, 2) != 0xB002:  # MPEntry: 16 bytes per image
            continue
        table, count = number(at + 8, 4), number(at + 4, 4) // 16
        offsets = [number(table + 16 * n + 8, 4) for n in range(count) if table + 16 * n + 12 <= len(tiff)]
        later = [offset for offset in offsets if offset > 0]
        return base + min(later) if later else None
    return None


def _image_data_in(data: bytes, first: bool) -> tuple[bytes, bool, bool]:
    """(the image data of `data` up to and with the EOI marker, whether it held the EOI,
    whether it is image data at all). `first` starts at the SOS marker; any other sample
    starts inside the data, where every 0xFF is stuffed (FF 00), a fill byte, a restart
    marker, the EOI or a segment between a progressive JPEG's scans (skipped by its
    length, so an FF D9 inside it is not taken for the EOI): any other marker says the
    sample is past the image (a trailer) and not image data."""
    position = 2 + int.from_bytes(data[2:4], "big") if first else 0  # past the SOS header
    while True:
        position = data.find(b"\xff", position)
        if position < 0 or position + 1 >= len(data):
            return data, False, True
        marker = data[position + 1]
        if marker == 0xD9:
            return data[:position + 2], True, True
        if marker in (0x00, 0xFF, 0x01) or 0xD0 <= marker <= 0xD7:  # stuffed, fill, TEM, restart
            position += 1 if marker == 0xFF else 2
            continue
        if not first and marker not in _BETWEEN_SCANS:
            return b"", True, False
        if position + 4 > len(data):
            return data, False, True
        position += 2 + int.from_bytes(data[position + 2:position + 4], "big")
