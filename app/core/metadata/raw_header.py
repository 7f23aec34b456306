"""What a camera RAW file says about itself in its header: IFD0 (camera, orientation),
the Exif and GPS IFDs (date taken, lens, position) and the XMP packet that Lightroom or
exiftool keep inside it. Each is found where the format keeps it and read on its own,
by seeking; the image data is never read.

- TIFF-structured RAWs (NEF, NRW, CR2, DNG, ARW, PEF, IIQ, 3FR …, and ORF and RW2,
  whose first bytes differ from TIFF's): IFD0 and the IFDs it points to; the XMP is
  IFD0's tag 700 (XMLPacket), wherever in the file it lies (Lightroom appends it at
  the end of a DNG when it no longer fits in place).
- Canon CR3 (ISO-BMFF): Canon's uuid box inside `moov` holds CMT1 (IFD0), CMT2 (the
  Exif IFD) and CMT4 (the GPS IFD), each a little TIFF of its own; the XMP is a
  top-level uuid box.
- Fuji RAF: the JPEG preview it embeds (offset and length at bytes 84 and 88) has the
  Exif, and any XMP, in its APP1 segments.

The TIFF and Exif structures themselves are parsed by Pillow, as for every other
format: this module only finds them.
"""

from __future__ import annotations

import os
import struct
import warnings
from dataclasses import dataclass, field
from typing import IO, Any, Iterator, Mapping

EXIF_IFD, GPS_IFD = 0x8769, 0x8825
XMP_TAG = 700  # TIFF XMLPacket
# IFD0 tags that say a TIFF came from a camera: Make, Model, DNGVersion, UniqueCameraModel
# (a DNG from a cinema camera may have the last two only).
CAMERA_TAGS = (0x010F, 0x0110, 0xC612, 0xC614)

# The first bytes of the TIFF-structured RAWs: TIFF's own, Olympus ORF's and Panasonic RW2's.
TIFF_MAGICS = (b"II*\x00", b"MM\x00*", b"IIRO", b"IIRS", b"MMOR", b"IIU\x00")
RAF_MAGIC = b"FUJIFILMCCD-RAW"
RAF_JPEG_POINTER = 84  # big-endian offset, then length, of the embedded JPEG
# RAW containers recognised by their first bytes whose metadata is not read here.
OTHER_MAGICS = {b"II\x1a\x00\x00\x00HEAPCCDR": "CRW", b"\x00MRM": "MRW", b"FOVb": "X3F"}
CANON_UUID = bytes.fromhex("85c0b687820f11e08111f4ce462b6a48")
XMP_UUID = bytes.fromhex("be7acfcb97a942e89c71999491e3afac")
CR3_TIFFS = (b"CMT1", b"CMT2", b"CMT4")  # IFD0, Exif IFD, GPS IFD

# What one metadata block may take: far above any real one, so a corrupt size field
# costs a skipped block, never a read of the whole image data.
MAX_BLOCK_BYTES = 8 * 1024 * 1024
# What all the reads of a TIFF-structured RAW's header may take together (IFD0, the Exif
# and the GPS IFD): Pillow trusts each tag's count up to the file's size, so one corrupt
# count would read the image data; past this the header counts as damaged.
TIFF_HEADER_BUDGET = MAX_BLOCK_BYTES
# How many ISO-BMFF box headers a CR3's walk may read: a real one has a few dozen, so a
# crafted file of millions of tiny boxes costs a bounded walk.
MAX_CR3_BOXES = 4096
# Enough for the header segments of a RAF's preview JPEG (Exif with its thumbnail and
# maker note); the whole preview is read only when they run further.
RAF_JPEG_HEADER_BYTES = 256 * 1024


@dataclass(frozen=True)
class RawHeader:
    """The metadata blocks of a RAW file; empty where the file has none or they cannot
    be parsed. `container` names the structure the first bytes show ("TIFF", "CR3",
    "RAF", "CRW", "MRW", "X3F"), None when they are no camera RAW's."""

    container: str | None
    ifd0: Mapping[int, Any] = field(default_factory=dict)
    exif: Mapping[int, Any] = field(default_factory=dict)
    gps: Mapping[int, Any] = field(default_factory=dict)
    xmp: bytes | None = None

    @property
    def is_raw(self) -> bool:
        """Whether the header is a camera RAW's: a RAW container's own signature, or a
        TIFF whose IFD0 names the camera or the DNG version (as every RAW's does)."""
        if self.container == "TIFF":
            return any(self.ifd0.get(tag) for tag in CAMERA_TAGS)
        return self.container is not None


def read_raw_header(path: str | os.PathLike) -> RawHeader:
    """The metadata blocks of the RAW file at `path`, read from its header.

    Raises OSError when the file cannot be opened; a malformed header gives the
    blocks that could be parsed before the damage (it costs metadata, it is no error).
    Reading it takes at most a few MB whatever its size fields say."""
    with open(path, "rb") as handle:
        head = handle.read(16)
        container = _container(head)
        reader = _READERS.get(container or "")
        if reader is None:
            return RawHeader(container)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # Pillow warns about odd maker tags; we keep what parses
                return reader(handle, head)
        except Exception:  # noqa: BLE001 - any damage in the header only costs us its metadata
            return RawHeader(container)


def _container(head: bytes) -> str | None:
    if head[:4] in TIFF_MAGICS:
        return "TIFF"
    if head[4:8] == b"ftyp" and head[8:12] == b"crx ":
        return "CR3"
    if head.startswith(RAF_MAGIC):
        return "RAF"
    return next((name for magic, name in OTHER_MAGICS.items() if head.startswith(magic)), None)


def _tiff_header(handle: IO[bytes], head: bytes) -> RawHeader:
    from PIL import Image

    exif = Image.Exif()
    exif.endian = "<" if head[:2] == b"II" else ">"
    (ifd0_offset,) = struct.unpack(exif.endian + "I", head[4:8])
    # From IFD0's own offset with a made-up TIFF header: ORF's and RW2's magic is not TIFF's.
    # Pillow keeps the tags it read before an OSError, which the budget raises.
    exif.load_from_fp(_BudgetedReader(handle, TIFF_HEADER_BUDGET), ifd0_offset)
    return RawHeader("TIFF", **ifds_of(exif), xmp=_packet(exif.get(XMP_TAG)))


class _BudgetedReader:
    """A read-only file that refuses, with OSError (which Pillow takes for a damaged
    IFD, keeping the tags before it), any read that would take its reads past `budget`
    bytes in all; seeks are free."""

    def __init__(self, handle: IO[bytes], budget: int) -> None:
        self._handle = handle
        self._budget = self._left = budget

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0 or size > self._left:
            raise OSError(f"a RAW header read past its {self._budget} bytes: a size field in it is damaged")
        data = self._handle.read(size)
        self._left -= len(data)
        return data

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._handle.seek(offset, whence)

    def tell(self) -> int:
        return self._handle.tell()


def ifds_of(exif) -> dict[str, dict]:
    """IFD0, the Exif and the GPS IFD of a Pillow Exif, read now (while its file is open)."""
    found = {"ifd0": dict(exif)}
    for name, tag in (("exif", EXIF_IFD), ("gps", GPS_IFD)):
        try:
            found[name] = dict(exif.get_ifd(tag))
        except Exception:  # noqa: BLE001 - a broken sub-IFD costs only its own fields
            found[name] = {}
    return found


def _cr3_header(handle: IO[bytes], head: bytes) -> RawHeader:
    from PIL import Image

    size = os.fstat(handle.fileno()).st_size
    walk = _BoxWalk(handle, MAX_CR3_BOXES)
    tiffs: dict[bytes, Mapping[int, Any]] = {}
    xmp = None
    for kind, start, end in walk.boxes(0, size):
        if kind == b"moov":
            for inner, inner_start, inner_end in walk.boxes(start, end):
                if inner != CANON_UUID:
                    continue
                for name, block_start, block_end in walk.boxes(inner_start, inner_end):
                    if name in CR3_TIFFS and name not in tiffs:
                        try:
                            exif = Image.Exif()
                            exif.load(_read(handle, block_start, block_end))
                            tiffs[name] = dict(exif)
                        except Exception:  # noqa: BLE001 - a broken block costs only its own fields
                            tiffs[name] = {}
        elif kind == XMP_UUID and xmp is None:
            try:
                xmp = _read(handle, start, end) or None
            except ValueError:  # an oversized or damaged XMP box costs only the XMP
                pass
        if tiffs and xmp is not None:
            break
    return RawHeader("CR3", ifd0=tiffs.get(b"CMT1", {}), exif=tiffs.get(b"CMT2", {}),
                     gps=tiffs.get(b"CMT4", {}), xmp=xmp)


class _BoxWalk:
    """The ISO-BMFF boxes of one file, at most `limit` box headers read in all (nested
    walks included)."""

    def __init__(self, handle: IO[bytes], limit: int) -> None:
        self._handle = handle
        self._left = limit

    def boxes(self, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
        """The boxes between `start` and `end`: (type, or a uuid box's 16-byte uuid;
        where its content starts; where it ends). Only their headers are read; the walk
        stops at the first damaged size or short header, and when the limit is spent."""
        handle, position = self._handle, start
        while position + 8 <= end and self._left > 0:
            self._left -= 1
            handle.seek(position)
            header = handle.read(8)
            if len(header) < 8:
                return
            size, kind = struct.unpack(">I4s", header)
            content = position + 8
            if size == 1:  # a 64-bit size follows
                large = handle.read(8)
                if len(large) < 8:
                    return
                (size,) = struct.unpack(">Q", large)
                content += 8
            elif size == 0:  # the box runs to the end
                size = end - position
            if kind == b"uuid":
                kind = handle.read(16)
                content += 16
                if len(kind) < 16:
                    return
            if size < content - position or position + size > end:
                return  # a damaged size: the boxes after it cannot be found
            yield kind, content, position + size
            position += size


def _raf_header(handle: IO[bytes], head: bytes) -> RawHeader:
    from PIL import Image

    from app.core.metadata.jpeg_segments import XMP_HEADER, JpegFormatError, parse_jpeg

    handle.seek(RAF_JPEG_POINTER)
    offset, length = struct.unpack(">II", handle.read(8))
    try:
        layout = parse_jpeg(_read(handle, offset, offset + min(length, RAF_JPEG_HEADER_BYTES)))
    except JpegFormatError:
        if length <= RAF_JPEG_HEADER_BYTES:
            raise
        layout = parse_jpeg(_read(handle, offset, offset + length))
    segment = layout.first("exif")
    found: dict[str, dict] = {}
    if segment is not None:
        exif = Image.Exif()
        exif.load(segment.payload)
        found = ifds_of(exif)
    xmp = layout.first("xmp")
    return RawHeader("RAF", **found, xmp=xmp.payload[len(XMP_HEADER):] if xmp is not None else None)


def _read(handle: IO[bytes], start: int, end: int) -> bytes:
    """The bytes from `start` to `end`; ValueError for a block no header can be that big."""
    if end - start > MAX_BLOCK_BYTES or start < 0 or end < start:
        raise ValueError(f"a metadata block of {end - start} bytes at {start}")
    handle.seek(start)
    return handle.read(end - start)


def _packet(value: Any) -> bytes | None:
    """An XMP packet as bytes (Pillow gives tag 700 as bytes, or as a tuple of ints)."""
    if isinstance(value, bytes):
        return value or None
    if isinstance(value, tuple) and value and all(isinstance(b, int) for b in value):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    return None


_READERS = {"TIFF": _tiff_header, "CR3": _cr3_header, "RAF": _raf_header}
