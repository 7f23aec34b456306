"""Every EXIF entry's raw value bytes, for verification where piexif cannot read a block.

A write patches XPKeywords in place and moves no other byte, so every other entry's
type, count and value bytes, and the IFD1 thumbnail's bytes, must read the same after
it. Read straight from the TIFF structure, values clamped to the block: a forged count
costs no more memory than the block, and a value Pillow would skip is compared too.
"""

from __future__ import annotations

import struct

from app.core.metadata.exif_keywords import XP_KEYWORDS_TAG, ExifLayoutError, _Tiff

_SUB_IFDS = {0x8769: "Exif", 0x8825: "GPS", 0xA005: "Interop"}
_THUMBNAIL_OFFSET, _THUMBNAIL_LENGTH = 0x0201, 0x0202
MAX_IFDS = 64  # a chain longer than this is a loop or a forgery: the rest is compared as "cut"


def raw_exif_values(tiff: bytes) -> dict[tuple, object]:
    """(IFD, tag) -> (type, count, value bytes) of every entry but XPKeywords, plus the
    thumbnail's bytes; where a value lies (a sub-IFD or thumbnail offset) is left out, as a
    write may move it. Raises ExifLayoutError where the block has no TIFF header."""
    parsed = _Tiff(tiff)
    values: dict[tuple, object] = {}
    pending = [("IFD0", parsed.ifd0_offset)]
    seen: set[int] = set()
    while pending and len(seen) < MAX_IFDS:
        name, offset = pending.pop()
        if offset == 0 or offset in seen:
            continue
        seen.add(offset)
        try:
            entries = parsed.entries(offset)
        except ExifLayoutError:
            values[(name, "unreadable")] = offset
            continue
        thumbnail = {}
        for entry in entries:
            if entry.tag in _SUB_IFDS:
                pending.append((_SUB_IFDS[entry.tag], parsed.value_offset(entry)))
            elif entry.tag == _THUMBNAIL_OFFSET or (name == "IFD0" and entry.tag == XP_KEYWORDS_TAG):
                pass
            else:
                values[(name, entry.tag)] = (entry.type, entry.count, _value(parsed, entry))
            if entry.tag in (_THUMBNAIL_OFFSET, _THUMBNAIL_LENGTH):
                thumbnail[entry.tag] = _number(parsed, entry)
        if _THUMBNAIL_OFFSET in thumbnail and _THUMBNAIL_LENGTH in thumbnail:
            start = thumbnail[_THUMBNAIL_OFFSET]
            values[(name, "thumbnail")] = bytes(parsed.data[start : start + thumbnail[_THUMBNAIL_LENGTH]])
        if name.startswith("IFD"):
            pending.append((f"IFD{int(name[3:]) + 1}", parsed.next_ifd(offset)))
    if pending:
        values[("chain", "cut")] = len(seen)
    return values


def _value(parsed: _Tiff, entry) -> bytes:
    """An entry's value bytes; for one whose count runs past the block (forged: no reader
    reads it) its 4 offset bytes, as the bytes it claims overlap what a write may change."""
    if entry.size() > 4 and parsed.value_offset(entry) + entry.size() > len(parsed.data):
        return entry.raw_value
    return parsed.value(entry)


def _number(parsed: _Tiff, entry) -> int:
    """A SHORT or LONG entry's first number (a thumbnail's offset or length)."""
    code = "H" if entry.type == 3 else "I"
    return struct.unpack_from(parsed.order + code, entry.raw_value)[0]
