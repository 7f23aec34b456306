"""Every EXIF entry's raw value bytes, for verification where piexif cannot read a block.

A write patches XPKeywords in place and moves no other byte, so every other entry's
type, count and value bytes, and the IFD1 thumbnail's bytes, must read the same after
it. Read straight from the TIFF structure, values clamped to the block: a forged count
costs no more memory than the block, and a value Pillow would skip is compared too.

A block cut short (a thumbnail or value running past its end) is padded by the write and
appended after: the new block is read only as far as the original held each value, as the
bytes past the original's end did not exist before the write.
"""

from __future__ import annotations

import struct

from app.core.metadata.exif_keywords import XP_KEYWORDS_TAG, ExifLayoutError, _Tiff

_SUB_IFDS = {0x8769: "Exif", 0x8825: "GPS", 0xA005: "Interop"}
_THUMBNAIL_OFFSET, _THUMBNAIL_LENGTH = 0x0201, 0x0202
MAX_IFDS = 64  # a chain longer than this is a loop or a forgery: the rest is compared as "cut"
_OFFSET_BYTES = "offset bytes"  # marks a value that ran past its block, compared by where it claims to lie


def raw_exif_values(tiff: bytes, original: dict[tuple, object] | None = None) -> dict[tuple, object]:
    """(IFD, tag) -> (type, count, value bytes) of every entry but XPKeywords, plus the
    thumbnail's bytes; where a value lies (a sub-IFD or thumbnail offset) is left out, as a
    write may move it. `original`: this function's answer for the block before a write;
    each thumbnail is then read only as far as that block held it, and each value it read
    by its offset bytes is read so again. Raises ExifLayoutError where the block has no TIFF header."""
    parsed = _Tiff(tiff)
    original = original or {}
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
                values[(name, entry.tag)] = _entry_value(parsed, entry, original.get((name, entry.tag)))
            if entry.tag in (_THUMBNAIL_OFFSET, _THUMBNAIL_LENGTH):
                thumbnail[entry.tag] = _number(parsed, entry)
        if _THUMBNAIL_OFFSET in thumbnail and _THUMBNAIL_LENGTH in thumbnail:
            start, length = thumbnail[_THUMBNAIL_OFFSET], thumbnail[_THUMBNAIL_LENGTH]
            held = original.get((name, "thumbnail"))
            if isinstance(held, bytes):
                length = min(length, len(held))  # what the original block held of it (cut short)
            values[(name, "thumbnail")] = bytes(parsed.data[start : start + length])
        if name.startswith("IFD"):
            pending.append((f"IFD{int(name[3:]) + 1}", parsed.next_ifd(offset)))
    if pending:
        values[("chain", "cut")] = len(seen)
    return values


def _entry_value(parsed: _Tiff, entry, original: object) -> tuple:
    """(type, count, value bytes); for a value whose count runs past the block (forged, or
    the block cut short: no reader reads it) its 4 offset bytes instead, as the bytes it
    claims overlap what a write may change. Where the original block's value ran past its
    end, the offset bytes, though the write's padding now makes it fit."""
    ran_past = original[2] == _OFFSET_BYTES if isinstance(original, tuple) else (
        entry.size() > 4 and parsed.value_offset(entry) + entry.size() > len(parsed.data)
    )
    if ran_past:
        return (entry.type, entry.count, _OFFSET_BYTES, entry.raw_value)
    return (entry.type, entry.count, parsed.value(entry))


def _number(parsed: _Tiff, entry) -> int:
    """A SHORT or LONG entry's first number (a thumbnail's offset or length)."""
    code = "H" if entry.type == 3 else "I"
    return struct.unpack_from(parsed.order + code, entry.raw_value)[0]
