"""EXIF XPKeywords (tag 0x9C9E in IFD0): read it and patch it in place.

Why not piexif.load/dump for writing: piexif rebuilds the whole TIFF structure; on
the real Nikon, Fuji, Panasonic and Samsung JPEGs that reorders IFD entries, lets
values overlap IFDs and moves data that maker notes point to by absolute offset
(`exiftool -validate` goes from 0-6 to 7-33 warnings). So we never move a byte that
is already there: a new value (and, when the tag is new, a copy of IFD0 with one
more entry) goes into the unused zero padding at the end of the EXIF block, or is
appended to it. A write gives XPKeywords only to a block that holds it already
(keywords.ONLY_WHEN_PRESENT) and creates no EXIF block; adding the tag stays for undo,
which redoes the writes of older versions (they added it to camera EXIF) to know them.
piexif rebuilds, for undo too, the blocks versions before 2026-12-05 created for a JPEG
without EXIF (older_creations), and is an independent reader in verification.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from app.core.errors import MetadataWriteError
from app.core.exif_counts import oversized_count
from app.core.metadata.jpeg_segments import EXIF_HEADER, JFIF_HEADER, MAX_SEGMENT_PAYLOAD

XP_KEYWORDS_TAG = 0x9C9E
TYPE_BYTE = 1
_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
_SUB_IFD_TAGS = (0x8769, 0x8825, 0xA005)  # Exif, GPS, Interoperability
_THUMBNAIL_OFFSET, _THUMBNAIL_LENGTH = 0x0201, 0x0202
_X_RESOLUTION, _Y_RESOLUTION, _RESOLUTION_UNIT, _YCBCR_POSITIONING = 0x011A, 0x011B, 0x0128, 0x0213
_INCHES = 2  # EXIF ResolutionUnit; JFIF's units 1 (dots per inch) and 2 (per cm) are EXIF's 2 and 3
_JFIF_UNITS = {1: _INCHES, 2: 3}


class ExifLayoutError(MetadataWriteError):
    """The EXIF block is malformed or has no room for XPKeywords."""


class ExifFullError(ExifLayoutError):
    """XPKeywords would not fit into the EXIF block; the other fields still can be written."""


def encode_xp_keywords(keywords: list[str]) -> bytes:
    """`;`-separated, UTF-16LE, two null bytes at the end, no byte-order mark."""
    return ";".join(keywords).encode("utf-16-le") + b"\x00\x00"


def decode_xp_keywords(raw: bytes) -> list[str]:
    """The `;`-separated parts of an XPKeywords value, each as it is written ("Family;
    Trip" gives "Family", " Trip"), so that joining them gives the user's text back
    byte for byte (tolerates a BOM and a missing terminator). The keywords are the
    parts stripped; an empty value has none."""
    if len(raw) % 2:
        raw = raw[:-1]
    text = raw.decode("utf-16-le", errors="replace")
    text = text.lstrip("\ufeff").split("\x00", 1)[0]
    return text.split(";") if text else []


@dataclass
class _Entry:
    position: int  # where the 12-byte entry sits, relative to the TIFF header
    tag: int
    type: int
    count: int
    raw_value: bytes  # the 4 value/offset bytes

    def size(self) -> int:
        return _TYPE_SIZES.get(self.type, 1) * self.count


class _Tiff:
    """Just enough TIFF to find IFD0, its entries and the extent of every value."""

    def __init__(self, tiff: bytes):
        if len(tiff) < 8 or tiff[:2] not in (b"II", b"MM"):
            raise ExifLayoutError("EXIF block has no TIFF header")
        self.data = bytearray(tiff)
        self.order = "<" if tiff[:2] == b"II" else ">"
        (self.ifd0_offset,) = struct.unpack_from(self.order + "I", tiff, 4)
        self.reserved_end = 0  # end of what place() wrote, which nothing points to yet
        self._used_end: int | None = None
        self.block_size = len(tiff)
        self.farthest = ""  # what reaches used_end, in words, when it lies past the block

    def u16(self, pos: int) -> int:
        return struct.unpack_from(self.order + "H", self.data, pos)[0]

    def u32(self, pos: int) -> int:
        return struct.unpack_from(self.order + "I", self.data, pos)[0]

    def entries(self, offset: int) -> list[_Entry]:
        return [
            _Entry(offset + 2 + 12 * index, tag, typ, n, raw)
            for index, (tag, typ, n, raw) in enumerate(self.raw_entries(offset))
        ]

    def raw_entries(self, offset: int):
        """(tag, type, count, the 4 value/offset bytes) of each entry of the IFD at `offset`."""
        if offset + 2 > len(self.data):
            raise ExifLayoutError(f"IFD at offset {offset} lies outside the EXIF block")
        count = self.u16(offset)
        if offset + 2 + 12 * count + 4 > len(self.data):
            raise ExifLayoutError(f"IFD at offset {offset} runs past the EXIF block")
        return struct.iter_unpack(self.order + "HHI4s", self.data[offset + 2 : offset + 2 + 12 * count])

    def next_ifd(self, offset: int) -> int:
        return self.u32(offset + 2 + 12 * self.u16(offset))

    def value_offset(self, entry: _Entry) -> int:
        return struct.unpack(self.order + "I", entry.raw_value)[0]

    def value(self, entry: _Entry) -> bytes:
        size = entry.size()
        if size <= 4:
            return entry.raw_value[:size]
        start = self.value_offset(entry)
        return bytes(self.data[start : start + size])

    def used_end(self) -> int:
        """One past the last byte any IFD, value or thumbnail we know of uses. Walked
        once: `place` fills only the padding after it, and no IFD changes before the
        last `place` of a change."""
        if self._used_end is None:
            self._used_end = self._walk_used_end()
        return self._used_end

    def _walk_used_end(self) -> int:
        end = 8
        block = len(self.data)
        seen: set[int] = set()
        pending = [self.ifd0_offset]
        pointer_format = self.order + "I"
        while pending:
            offset = pending.pop()
            if offset == 0 or offset in seen or offset + 2 > len(self.data):
                continue
            seen.add(offset)
            entries = self.raw_entries(offset)
            end = max(end, offset + 2 + 12 * self.u16(offset) + 4)
            thumb_start = thumb_len = 0
            for tag, typ, n, raw in entries:
                (pointer,) = struct.unpack(pointer_format, raw)
                size = _TYPE_SIZES.get(typ, 1) * n
                if size > 4 and pointer + size > end:
                    end = pointer + size
                    if end > block:
                        self.farthest = (f"tag 0x{tag:04X} claims {n:,} values ({size:,} bytes from offset "
                                         f"{pointer:,}), more than the {block:,}-byte block holds")
                if tag in _SUB_IFD_TAGS:
                    pending.append(pointer)
                elif tag == _THUMBNAIL_OFFSET:
                    thumb_start = pointer
                elif tag == _THUMBNAIL_LENGTH:
                    thumb_len = pointer
            if thumb_start and thumb_len and thumb_start + thumb_len > end:
                end = thumb_start + thumb_len
                if end > block:
                    self.farthest = (f"its thumbnail claims {thumb_len:,} bytes from offset {thumb_start:,}, "
                                     f"more than the {block:,}-byte block holds")
            pending.append(self.next_ifd(offset))
        return end

    def free_offset(self) -> int:
        """Start of the zero padding nothing points to, rounded up to a word."""
        start = max(self.used_end(), len(bytes(self.data).rstrip(b"\x00")), self.reserved_end)
        return start + (start % 2)

    def place(self, blob: bytes) -> int:
        """Put `blob` into free space at the end (growing the block when needed)."""
        at = self.free_offset()
        needed = at + len(blob)
        if len(EXIF_HEADER) + needed > MAX_SEGMENT_PAYLOAD:  # before growing: a forged count reaches gigabytes
            raise ExifFullError(self.no_room_reason())
        if needed > len(self.data):
            self.data.extend(b"\x00" * (needed - len(self.data)))
        self.data[at:needed] = blob
        self.reserved_end = needed
        return at

    def no_room_reason(self) -> str:
        """Why XPKeywords does not fit: a value that claims to run past the block (a malformed
        block, whose new values would go after it) or a block that fills its segment."""
        if self.used_end() > self.block_size and self.farthest:
            return (f"the EXIF block is malformed: {self.farthest}, and XPKeywords would have to go "
                    "after that value, past the 64 KB JPEG segment limit")
        return "the EXIF block has no room left for XPKeywords (64 KB JPEG segment limit)"

    def pack_entry(self, tag: int, typ: int, count: int, raw_value: bytes) -> bytes:
        return struct.pack(self.order + "HHI", tag, typ, count) + raw_value


def read_xp_keywords(tiff: bytes) -> list[str] | None:
    """XPKeywords of IFD0 from a TIFF block (EXIF payload without 'Exif\\0\\0'), or None."""
    parsed = _Tiff(tiff)
    for entry in parsed.entries(parsed.ifd0_offset):
        if entry.tag == XP_KEYWORDS_TAG:
            return decode_xp_keywords(parsed.value(entry))
    return None


def set_xp_keywords(tiff: bytes, keywords: list[str] | None) -> bytes:
    """A TIFF block with IFD0 XPKeywords set to `keywords` (None removes the tag).

    Existing bytes never move, so offsets in maker notes stay valid.
    Raises ExifLayoutError when the block is malformed or would outgrow a JPEG segment.
    """
    parsed = _Tiff(tiff)
    entries = parsed.entries(parsed.ifd0_offset)
    current = next((e for e in entries if e.tag == XP_KEYWORDS_TAG), None)
    if current is not None and current.size() > 4:
        start = parsed.value_offset(current)
        parsed.data[start : start + current.size()] = b"\x00" * current.size()  # old keywords go
    if keywords is None:
        if current is not None:
            _remove_entry(parsed, entries, current)
    else:
        value = encode_xp_keywords(keywords)
        if len(value) <= 4:
            raw_value = value.ljust(4, b"\x00")
        elif current is not None and current.size() >= len(value):
            start = parsed.value_offset(current)  # reuse the old value's room
            parsed.data[start : start + len(value)] = value
            raw_value = current.raw_value
        else:
            raw_value = struct.pack(parsed.order + "I", parsed.place(value))
        new_entry = parsed.pack_entry(XP_KEYWORDS_TAG, TYPE_BYTE, len(value), raw_value)
        if current is not None:
            parsed.data[current.position : current.position + 12] = new_entry
        else:
            _add_entry(parsed, entries, new_entry)
    if len(EXIF_HEADER) + len(parsed.data) > MAX_SEGMENT_PAYLOAD:
        raise ExifFullError(parsed.no_room_reason())
    return bytes(parsed.data)


def _add_entry(parsed: _Tiff, entries: list[_Entry], new_entry: bytes) -> None:
    """Copy IFD0 with the new entry (in tag order) into free space and point the
    header at the copy; the old IFD0 bytes stay where they are, unused."""
    next_ifd = parsed.next_ifd(parsed.ifd0_offset)
    packed = [(e.tag, parsed.pack_entry(e.tag, e.type, e.count, e.raw_value)) for e in entries]
    packed.append((XP_KEYWORDS_TAG, new_entry))
    packed.sort(key=lambda item: item[0])
    ifd = struct.pack(parsed.order + "H", len(packed)) + b"".join(p for _, p in packed)
    ifd += struct.pack(parsed.order + "I", next_ifd)
    at = parsed.place(ifd)
    parsed.data[4:8] = struct.pack(parsed.order + "I", at)
    parsed.ifd0_offset = at


def _remove_entry(parsed: _Tiff, entries: list[_Entry], current: _Entry) -> None:
    """Rewrite IFD0 in place without the entry; the freed 12 bytes become zeros."""
    offset = parsed.ifd0_offset
    next_ifd = parsed.next_ifd(offset)
    kept = [e for e in entries if e is not current]
    body = struct.pack(parsed.order + "H", len(kept))
    body += b"".join(parsed.pack_entry(e.tag, e.type, e.count, e.raw_value) for e in kept)
    body += struct.pack(parsed.order + "I", next_ifd) + b"\x00" * 12
    parsed.data[offset : offset + len(body)] = body


def older_creations(keywords: list[str], jfif: bytes | None) -> list[bytes]:
    """The EXIF APP1 payloads versions before 2026-12-05 created for a JPEG without EXIF
    to hold XPKeywords `keywords` (`jfif`: the file's APP0 JFIF payload, if any), so undo
    recognises their write: XPKeywords alone (until 2026-12-04, c8a3410), then with the
    tags EXIF makes mandatory at 72 dpi, then at the JFIF header's density (63da325)."""
    import piexif

    xp = {XP_KEYWORDS_TAG: encode_xp_keywords(keywords)}
    tag_sets = ({}, mandatory_tags(None), mandatory_tags(jfif))
    return list(dict.fromkeys(piexif.dump({"0th": {**tags, **xp}}) for tags in tag_sets))


def mandatory_tags(jfif: bytes | None) -> dict[int, object]:
    """IFD0's mandatory tags in the EXIF blocks older versions created (older_creations),
    as piexif takes them: the JFIF density when it is one (in dots per inch or per cm), else
    72 dpi; centred chroma samples."""
    x_density, y_density, unit = jfif_density(jfif) or (72, 72, _INCHES)
    return {
        _X_RESOLUTION: (x_density, 1),
        _Y_RESOLUTION: (y_density, 1),
        _RESOLUTION_UNIT: unit,
        _YCBCR_POSITIONING: 1,
    }


def jfif_density(jfif: bytes | None) -> tuple[int, int, int] | None:
    """(x, y, EXIF ResolutionUnit) of a JFIF APP0 payload whose density is in dots per
    inch or per cm; None without one (no JFIF, unit 0 gives a pixel aspect ratio only,
    or a zero density)."""
    if jfif is None or not jfif.startswith(JFIF_HEADER) or len(jfif) < len(JFIF_HEADER) + 7:
        return None
    unit, x_density, y_density = struct.unpack_from(">BHH", jfif, len(JFIF_HEADER) + 2)
    if unit not in _JFIF_UNITS or not x_density or not y_density:
        return None
    return x_density, y_density, _JFIF_UNITS[unit]


def is_emptied_creation(payload: bytes, jfif: bytes | None) -> bool:
    """Whether an EXIF APP1 payload holds nothing but the mandatory tags an older version's
    write gave a file without EXIF (older_creations: at the JFIF density, 72 dpi or none at
    all), its XPKeywords gone: the block that write created, with nothing of anyone else's in it."""
    import piexif

    if oversized_count(payload) is not None:  # not ours, and piexif would build gigabytes
        return False
    try:
        found = piexif.load(payload)
    except Exception:  # piexif's errors share no base; a block it cannot read is not our bare one
        return False
    return any(found == {"0th": tags, "Exif": {}, "GPS": {}, "Interop": {}, "1st": {}, "thumbnail": None}
               for tags in (mandatory_tags(jfif), mandatory_tags(None), {}))
