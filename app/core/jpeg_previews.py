"""Previews that cameras embed in their JPEGs, found without decoding anything.

A 24-megapixel JPEG costs 30-40 ms to entropy-decode even at 1/8 scale; the same
picture as a 570 x 375 or 1920 x 1280 preview costs 1-5 ms. Two kinds are read:
- MPF (CIPA DC-007) "large thumbnails" and other MP images (Sony, Fujifilm, Canon,
  phones), located by Pillow's MPF parser;
- the PreviewImage of Nikon's MakerNote (type 3, most Nikon DSLRs), a small TIFF
  structure inside the EXIF block.
Every offset is bounds-checked; anything odd simply yields no preview.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

from PIL import Image, JpegImagePlugin

_EXIF_IFD = 0x8769
_MAKER_NOTE = 0x927C
_NIKON_PREVIEW_IFD = 0x0011
_JPEG_OFFSET, _JPEG_LENGTH = 0x0201, 0x0202
_READ_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, KeyError, IndexError, TypeError)


@dataclass(frozen=True)
class EmbeddedPreview:
    """A complete JPEG stream of the same picture, smaller than the primary image."""

    data: bytes
    width: int
    height: int
    source: str  # "mpf" or "nikon"


def embedded_previews(stream, image: JpegImagePlugin.JpegImageFile, max_pixels: int) -> list[EmbeddedPreview]:
    """All readable previews of an opened JPEG (the primary image excluded)."""
    found: list[EmbeddedPreview] = []
    for source, data in _mpf_streams(stream, image) + _nikon_streams(image):
        preview = _as_preview(data, source, max_pixels)
        if preview is not None:
            found.append(preview)
    return found


def cheapest_preview(
    previews: list[EmbeddedPreview], min_side: int, primary_bytes: int
) -> EmbeddedPreview | None:
    """The preview with the fewest compressed bytes whose shorter side reaches
    min_side and that is cheaper than the primary image; None when none is."""
    usable = [p for p in previews if min(p.width, p.height) >= min_side and len(p.data) < primary_bytes]
    return min(usable, key=lambda p: len(p.data), default=None)


def _as_preview(data: bytes, source: str, max_pixels: int) -> EmbeddedPreview | None:
    if len(data) < 4 or not data.startswith(b"\xff\xd8"):
        return None
    try:
        preview = Image.open(io.BytesIO(data))
    except _READ_ERRORS:
        return None
    if not isinstance(preview, JpegImagePlugin.JpegImageFile):
        return None
    width, height = preview.size
    if width <= 0 or height <= 0 or width * height > max_pixels:
        return None
    if preview.info.get("progressive"):
        from app.core.jpeg_scans import MAX_SCANS, count_scans

        if count_scans(data) > MAX_SCANS:  # each scan is decoded whole: minutes (jpeg_scans)
            return None
    return EmbeddedPreview(data, width, height, source)


def _mpf_streams(stream, image: JpegImagePlugin.JpegImageFile) -> list[tuple[str, bytes]]:
    """The bytes of every MP image after the first (the primary)."""
    try:
        entries = (getattr(image, "mpinfo", None) or {}).get(0xB002) or []
        if len(entries) < 2:
            return []
        base = _mpf_base_offset(image, entries)
        if base is None:
            return []
        streams = []
        for entry in entries[1:]:
            length = int(entry.get("Size") or 0)
            offset = int(entry.get("DataOffset") or 0) + base
            if length <= 0 or offset <= 0:
                continue
            stream.seek(offset)
            streams.append(("mpf", stream.read(length)))
        return streams
    except _READ_ERRORS:
        return []


def _mpf_base_offset(image: JpegImagePlugin.JpegImageFile, entries: list) -> int | None:
    """Where MPF DataOffsets count from (the MP header's byte-order mark)."""
    offsets = getattr(image, "_MpoImageFile__mpoffsets", None)
    if offsets and len(offsets) > 1:
        return int(offsets[1]) - int(entries[1]["DataOffset"])
    offset = image.info.get("mpoffset")
    return int(offset) if offset is not None else None


def _nikon_streams(image: JpegImagePlugin.JpegImageFile) -> list[tuple[str, bytes]]:
    """The PreviewImage inside a Nikon type-3 MakerNote, when complete."""
    try:
        note = image.getexif().get_ifd(_EXIF_IFD).get(_MAKER_NOTE)
    except _READ_ERRORS:
        return []
    if not isinstance(note, bytes) or not note.startswith(b"Nikon\x00\x02"):
        return []
    try:
        tiff = note[10:]
        endian = {b"II": "<", b"MM": ">"}.get(tiff[:2])
        if endian is None:
            return []
        (first,) = struct.unpack_from(endian + "I", tiff, 4)
        preview_ifd = _ifd_values(tiff, first, endian).get(_NIKON_PREVIEW_IFD)
        if preview_ifd is None:
            return []
        values = _ifd_values(tiff, preview_ifd, endian)
        offset, length = values.get(_JPEG_OFFSET), values.get(_JPEG_LENGTH)
        if not offset or not length or offset + length > len(tiff):
            return []  # the preview was cut off when the file was edited
        return [("nikon", tiff[offset : offset + length])]
    except _READ_ERRORS:
        return []


def _ifd_values(tiff: bytes, offset: int, endian: str) -> dict[int, int]:
    """tag -> the first value (LONG/SHORT/IFD) of each entry of one TIFF IFD."""
    if offset < 8 or offset + 2 > len(tiff):
        return {}
    (count,) = struct.unpack_from(endian + "H", tiff, offset)
    values: dict[int, int] = {}
    for i in range(min(count, 512)):
        start = offset + 2 + 12 * i
        if start + 12 > len(tiff):
            break
        tag, kind, _ = struct.unpack_from(endian + "HHI", tiff, start)
        if kind == 3:
            (values[tag],) = struct.unpack_from(endian + "H", tiff, start + 8)
        elif kind in (4, 13):
            (values[tag],) = struct.unpack_from(endian + "I", tiff, start + 8)
    return values
