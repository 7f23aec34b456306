"""Whether an EXIF block can be handed to piexif: every value's count fits in the block.

piexif builds a struct format of `count` letters for each SHORT, LONG or RATIONAL
entry before it reads a byte: one forged count of 2^31 in a 5.7 KB photo made it
build strings of gigabytes (4.2 GB and 51 s to verify a write, the app frozen for 20 s
while it made a thumbnail). A value can never be larger than the block that holds it,
so a count that claims more is refused here, walking the IFDs' headers only.
"""

from __future__ import annotations

import struct

EXIF_PREFIX = b"Exif\x00\x00"
# Bytes per value of each TIFF type; an unknown type counts one byte a value.
_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8}
# Exif, GPS and Interoperability IFD pointers: piexif follows them.
_SUB_IFD_TAGS = frozenset({0x8769, 0x8825, 0xA005})
MAX_IFDS = 64  # piexif reads five; a chain or loop past this is not followed


def oversized_count(payload: bytes) -> str | None:
    """What in `payload` (an APP1 EXIF payload or a bare TIFF block) claims more values
    than the block holds, as words; None when every count fits (or the block is not
    TIFF at all, which piexif refuses quickly by itself)."""
    tiff = payload[len(EXIF_PREFIX):] if payload.startswith(EXIF_PREFIX) else payload
    endian = {b"II": "<", b"MM": ">"}.get(tiff[:2])
    if endian is None or len(tiff) < 8:
        return None
    pending = [struct.unpack_from(endian + "I", tiff, 4)[0]]
    seen: set[int] = set()
    while pending and len(seen) < MAX_IFDS:
        offset = pending.pop()
        if offset in seen or offset < 8 or offset + 2 > len(tiff):
            continue
        seen.add(offset)
        (entries,) = struct.unpack_from(endian + "H", tiff, offset)
        for start in range(offset + 2, offset + 2 + 12 * entries, 12):
            if start + 12 > len(tiff):
                break
            tag, kind, count = struct.unpack_from(endian + "HHI", tiff, start)
            if count * _TYPE_SIZES.get(kind, 1) > len(tiff):
                return (f"EXIF tag 0x{tag:04X} claims {count:,} values, more than its "
                        f"{len(tiff):,}-byte block can hold")
            if tag in _SUB_IFD_TAGS and kind in (4, 13):
                pending.append(struct.unpack_from(endian + "I", tiff, start + 8)[0])
        next_at = offset + 2 + 12 * entries
        if next_at + 4 <= len(tiff):
            pending.append(struct.unpack_from(endian + "I", tiff, next_at)[0])
    return None
