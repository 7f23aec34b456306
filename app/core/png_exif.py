"""A PNG's EXIF without decoding its pixels.

Pillow reads chunks up to the first IDAT when it opens a PNG; an eXIf chunk after the
pixel data, or a "Raw profile type exif" text chunk there (as ImageMagick and exiftool
write EXIF into a PNG), is found only by decoding the image, which
PngImagePlugin.PngImageFile.getexif() does: the scan decoded every PNG in full (a 570 KB
PNG of 14,000 x 14,000 cost 800 MB and a second). Here the chunks after IDAT are walked
by their headers instead, the pixel data skipped unread.
"""

from __future__ import annotations

import os
import struct
import zlib
from dataclasses import dataclass

from PIL import Image, PngImagePlugin

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_CHUNKS = 1_000_000  # a stream split finer than this is not walked: its EXIF is left unread
RAW_PROFILE_KEY = "Raw profile type exif"
# Pillow's own limit on a text chunk (decompressed): a larger profile is left unread, as it does.
MAX_PROFILE_TEXT = PngImagePlugin.MAX_TEXT_CHUNK


@dataclass(frozen=True)
class ExifChunks:
    """What a PNG holds of EXIF: its eXIf chunk's content, and the text of its last
    "Raw profile type exif" chunk (Pillow's fallback where there is no eXIf)."""

    exif: bytes | None = None
    raw_profile: str | None = None


def png_exif(image: PngImagePlugin.PngImageFile, path: str | os.PathLike) -> Image.Exif:
    """What image.getexif() gives, its pixels left undecoded."""
    if "exif" not in image.info:
        found = exif_chunks(path)
        if found.exif is None:
            if found.raw_profile is not None:
                image.info[RAW_PROFILE_KEY] = found.raw_profile  # as Pillow stores one read at load
            return Image.Image.getexif(image)  # the base class's: no load (eXIf, XMP, text profile)
        image.info["exif"] = b"Exif\x00\x00" + found.exif  # as Pillow stores an eXIf read at open
    return image.getexif()


def exif_chunk(path: str | os.PathLike) -> bytes | None:
    """The content of the file's eXIf chunk, None when it has none (or is cut short)."""
    return exif_chunks(path).exif


def exif_chunks(path: str | os.PathLike) -> ExifChunks:
    """The file's eXIf chunk and "Raw profile type exif" text, walked chunk by chunk
    (empty where the file is not a PNG or is cut short before its eXIf)."""
    raw_profile = None
    with open(path, "rb") as handle:
        if handle.read(8) != PNG_SIGNATURE:
            return ExifChunks()
        for _ in range(MAX_CHUNKS):
            header = handle.read(8)
            if len(header) < 8:
                break
            length, kind = struct.unpack(">I4s", header)
            if kind == b"eXIf":
                data = handle.read(length)
                return ExifChunks(data if len(data) == length else None, raw_profile)
            if kind == b"IEND":
                break
            if kind in (b"tEXt", b"zTXt", b"iTXt") and length <= MAX_PROFILE_TEXT:
                data = handle.read(length)
                handle.seek(4, os.SEEK_CUR)  # the CRC
                raw_profile = _raw_profile_text(kind, data) or raw_profile
                continue
            handle.seek(length + 4, os.SEEK_CUR)  # the chunk's data and CRC, unread
    return ExifChunks(None, raw_profile)


def _raw_profile_text(kind: bytes, data: bytes) -> str | None:
    """The text of a tEXt, zTXt or iTXt chunk keyed "Raw profile type exif" (the EXIF as
    hex lines after a header, which Image.getexif decodes), None for any other chunk or
    one that does not decompress within MAX_PROFILE_TEXT."""
    key, _, rest = data.partition(b"\x00")
    if key != RAW_PROFILE_KEY.encode("latin-1"):
        return None
    if kind == b"tEXt":
        return rest.decode("latin-1")
    if kind == b"zTXt":
        text = _inflate(rest[1:]) if rest[:1] == b"\x00" else None  # method 0: zlib, the only one
        return text.decode("latin-1") if text is not None else None
    # iTXt: compression flag, method, language tag\0, translated keyword\0, UTF-8 text
    if len(rest) < 2:
        return None
    flag, method, tail = rest[0], rest[1], rest[2:]
    parts = tail.split(b"\x00", 2)
    if len(parts) < 3:
        return None
    text = parts[2] if not flag else (_inflate(parts[2]) if method == 0 else None)
    try:
        return text.decode("utf-8") if text is not None else None
    except UnicodeDecodeError:
        return None


def _inflate(compressed: bytes) -> bytes | None:
    """zlib data inflated up to MAX_PROFILE_TEXT bytes; None past that or when damaged."""
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(compressed, MAX_PROFILE_TEXT)
    except zlib.error:
        return None
    return None if inflater.unconsumed_tail else text
