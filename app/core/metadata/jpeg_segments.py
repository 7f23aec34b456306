"""Split a JPEG into its header segments and its image data, and put it back together.

We only ever replace the few segments we own (EXIF APP1, the main XMP APP1, the
Photoshop APP13); every other byte — other APPn segments, tables, the scan data, any
trailer after EOI such as MPF secondary images — is copied through unchanged.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from app.core.errors import MetadataWriteError

SOI = 0xD8
SOS = 0xDA
EOI = 0xD9
APP0 = 0xE0
APP1 = 0xE1
APP2 = 0xE2
APP13 = 0xED

EXIF_HEADER = b"Exif\x00\x00"
JFIF_HEADER = b"JFIF\x00"
XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"
EXTENDED_XMP_HEADER = b"http://ns.adobe.com/xmp/extension/\x00"
PHOTOSHOP_HEADER = b"Photoshop 3.0\x00"
MPF_HEADER = b"MPF\x00"

# A segment's length field is 16 bits and counts itself.
MAX_SEGMENT_PAYLOAD = 0xFFFF - 2

# Markers that stand alone, without a length field.
_STANDALONE = {0x01, *range(0xD0, 0xD8)}


class JpegFormatError(MetadataWriteError):
    """The file is not a JPEG we can safely rewrite (truncated or malformed headers)."""


class StrayBytesError(JpegFormatError):
    """Bytes that belong to no segment sit between the header segments (libjpeg's
    "extraneous bytes before marker"). The file is whole, and readers skip them; but
    they usually mean a segment's length field is wrong (the bytes are the end of its
    data), so rewriting that segment could part them from it: we leave the file alone."""


@dataclass(frozen=True)
class Segment:
    """One marker segment before the image data: its marker byte and its payload."""

    marker: int
    payload: bytes

    @property
    def is_exif(self) -> bool:
        return self.marker == APP1 and self.payload.startswith(EXIF_HEADER)

    @property
    def is_jfif(self) -> bool:
        return self.marker == APP0 and self.payload.startswith(JFIF_HEADER)

    @property
    def is_xmp(self) -> bool:
        return self.marker == APP1 and self.payload.startswith(XMP_HEADER)

    @property
    def is_extended_xmp(self) -> bool:
        return self.marker == APP1 and self.payload.startswith(EXTENDED_XMP_HEADER)

    @property
    def is_photoshop(self) -> bool:
        return self.marker == APP13 and self.payload.startswith(PHOTOSHOP_HEADER)

    @property
    def is_mpf(self) -> bool:
        return self.marker == APP2 and self.payload.startswith(MPF_HEADER)

    def encode(self) -> bytes:
        if len(self.payload) > MAX_SEGMENT_PAYLOAD:
            raise JpegFormatError(
                f"segment 0xFF{self.marker:02X} would hold {len(self.payload)} bytes, "
                f"more than the JPEG limit of {MAX_SEGMENT_PAYLOAD}; write fewer keywords"
            )
        return bytes((0xFF, self.marker)) + struct.pack(">H", len(self.payload) + 2) + self.payload


@dataclass(frozen=True)
class JpegLayout:
    """A parsed JPEG: the header segments, the offset where the image data starts and
    where in the file each segment's payload starts (fill bytes between segments count)."""

    segments: tuple[Segment, ...]
    scan_offset: int
    payload_offsets: tuple[int, ...] = ()

    def first(self, kind: str) -> Segment | None:
        """The first segment with property `is_<kind>` set, e.g. first("xmp")."""
        for segment in self.segments:
            if getattr(segment, f"is_{kind}"):
                return segment
        return None


def parse_jpeg(data: bytes | memoryview, name: str = "file") -> JpegLayout:
    """Read the marker segments up to the first SOS. Raises JpegFormatError."""
    if len(data) < 4 or data[0] != 0xFF or data[1] != SOI:
        raise JpegFormatError(f"{name} does not start like a JPEG (no SOI marker)")
    segments: list[Segment] = []
    starts: list[int] = []
    pos = 2
    size = len(data)
    while True:
        # Fill bytes (0xFF) may precede a marker.
        while pos < size and data[pos] == 0xFF and pos + 1 < size and data[pos + 1] == 0xFF:
            pos += 1
        if pos + 2 > size:
            raise JpegFormatError(f"{name}: the file ends inside its JPEG headers, at byte {pos}; it looks truncated")
        if data[pos] != 0xFF:
            raise _stray_bytes_error(data, pos, name)
        marker = data[pos + 1]
        if marker == SOS:
            return JpegLayout(tuple(segments), pos, tuple(starts))
        if marker == EOI:
            raise JpegFormatError(f"{name}: JPEG ends before any image data")
        if marker in _STANDALONE:
            raise JpegFormatError(f"{name}: unexpected marker 0xFF{marker:02X} at byte {pos}")
        if pos + 4 > size:
            raise JpegFormatError(f"{name}: JPEG truncated inside the headers")
        (length,) = struct.unpack_from(">H", data, pos + 2)
        end = pos + 2 + length
        if length < 2 or end > size:
            raise JpegFormatError(f"{name}: segment at byte {pos} runs past the end of the file")
        segments.append(Segment(marker, bytes(data[pos + 4 : end])))
        starts.append(pos + 4)
        pos = end


def _stray_bytes_error(data: bytes | memoryview, pos: int, name: str) -> JpegFormatError:
    """The error for a byte other than 0xFF where a marker should start at `pos`:
    StrayBytesError when a marker follows further on, else the headers are cut off."""
    rest = bytes(data[pos:])  # only on this failure: the copy costs nothing that matters
    at = rest.find(b"\xff")
    while at >= 0 and at + 1 < len(rest) and rest[at + 1] in (0x00, 0xFF):  # a stuffed 0xFF, or fill
        at = rest.find(b"\xff", at + 1)
    if at < 0 or at + 1 >= len(rest):
        return JpegFormatError(f"{name}: no JPEG marker at byte {pos} nor after it; the file looks truncated")
    marker, stray = rest[at + 1], at
    while stray > 0 and rest[stray - 1] == 0xFF:  # fill bytes before the marker are not stray
        stray -= 1
    return StrayBytesError(
        f"{name}: {stray} unexpected byte{'s' if stray != 1 else ''} between its header segments at byte {pos}, "
        f"before marker 0xFF{marker:02X} (libjpeg's \"extraneous bytes before marker\"); the file is not cut off "
        "(readers such as exiftool and Pillow skip them), but such bytes often mean a segment's length is "
        "wrong, so this app leaves its headers alone; write a sidecar with --no-jpeg"
    )


def scan_data(data: bytes | memoryview) -> memoryview:
    """Everything from the first SOS marker to the end of the file (image data, EOI
    and any trailer). Two versions of a photo must agree on these bytes exactly."""
    layout = parse_jpeg(data)
    return memoryview(data)[layout.scan_offset :]


def build_jpeg(segments: list[Segment] | tuple[Segment, ...], image_data: bytes | memoryview) -> bytes:
    """Join SOI, the segments and the image data (which starts with the SOS marker),
    copying the image data once: every write and undo builds a whole photo."""
    parts: list[bytes | memoryview] = [b"\xff\xd8"]
    parts.extend(segment.encode() for segment in segments)
    parts.append(image_data)
    return b"".join(parts)


def insertion_index(segments: list[Segment]) -> int:
    """Where a new metadata segment goes: after the leading APP0/APP1 segments, so it
    stays ahead of any MPF APP2 segment whose offsets are relative to itself."""
    index = 0
    while index < len(segments) and segments[index].marker in (0xE0, APP1):
        index += 1
    return index
