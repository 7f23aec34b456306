"""Read and set our keyword fields in a JPEG held in memory.

Only the segments whose field actually changes are rebuilt; an unchanged segment
is copied byte for byte. New segments go after the leading APP0/APP1 segments; no
EXIF segment is created (XPKeywords is set only in one the JPEG has). When a segment
after an MPF (multi-picture) segment changes size, the MPF image offsets, which count
from the MPF segment, are shifted to match.
"""

from __future__ import annotations

import struct
from dataclasses import replace

from app.core.errors import MetadataWriteError
from app.core.metadata import exif_keywords, iptc
from app.core.metadata.exif_keywords import ExifFullError
from app.core.metadata.jpeg_segments import (
    APP1,
    APP13,
    EXIF_HEADER,
    EXTENDED_XMP_HEADER,
    MAX_SEGMENT_PAYLOAD,
    MPF_HEADER,
    XMP_HEADER,
    JpegFormatError,
    JpegLayout,
    Segment,
    build_jpeg,
    insertion_index,
    parse_jpeg,
)
from app.core.metadata.keywords import KeywordFields
from app.core.metadata.xmp import DC, DIGIKAM, LANDMARK_TAGGER, LR, MICROSOFT_PHOTO, XmpDocument

XMP_PADDING = 2048
_MP_ENTRY = 0xB002


class ExtendedXmpKeywordsError(MetadataWriteError):
    """The JPEG keeps keywords in extended XMP, which we do not rewrite."""


class MpfIndexError(ValueError):
    """An MPF (multi-picture) payload that cannot be read: cut short, an unknown byte
    order, or tables outside it. The message says which, without the file's name."""


class DamagedMpfIndexError(MetadataWriteError):
    """A write that moves a JPEG's MPF pictures cannot move the pointers of its damaged
    MPF index with them: the photo is left as it is rather than written with an index
    that points at other bytes."""

    @classmethod
    def of(cls, name: str, what: str) -> DamagedMpfIndexError:
        return cls(
            f"{name}: its multi-picture (MPF) index is damaged ({what}): writing would move the "
            "pictures it points at, so it is left as it is; add the label in your photo editor "
            "(one that rewrites the index), or write a sidecar with --no-jpeg"
        )


def read_fields(data: bytes, name: str = "file") -> KeywordFields:
    """The keyword fields of a JPEG. Raises JpegFormatError and friends, and
    ExtendedXmpKeywordsError when keywords live in extended XMP."""
    return fields_of(parse_jpeg(data, name), name)


def fields_of(layout: JpegLayout, name: str = "file") -> KeywordFields:
    """The keyword fields of a JPEG already parsed (`read_fields` without the parse)."""
    _refuse_keywords_in_extended_xmp(layout, name)
    subject = hierarchical = digikam = microsoft = taught = None
    xmp = layout.first("xmp")
    if xmp is not None:
        doc = XmpDocument.parse(xmp.payload[len(XMP_HEADER) :], name)
        subject, hierarchical = doc.get_bag(DC, "subject"), doc.get_bag(LR, "hierarchicalSubject")
        digikam, microsoft = doc.get_bag(DIGIKAM, "TagsList"), doc.get_bag(MICROSOFT_PHOTO, "LastKeywordXMP")
        taught = doc.get_bag(LANDMARK_TAGGER, "Teaches")
    exif = layout.first("exif")
    xp = exif_keywords.read_xp_keywords(exif.payload[len(EXIF_HEADER) :]) if exif else None
    photoshop = layout.first("photoshop")
    keywords = iptc.read_keywords(photoshop.payload if photoshop else None)
    return KeywordFields(subject, hierarchical, keywords, xp, digikam, microsoft, taught)


def _refuse_keywords_in_extended_xmp(layout, name: str) -> None:
    """XMP over 64 KB continues in "extended XMP" segments (a GUID, the full length and an
    offset before each chunk). Readers merge it with the main packet, and a property
    there wins: a keyword list that moved there (thousands of keywords) would hide the
    one we write into the main packet, and rewriting it means re-splitting it under a
    new GUID. Such a file is refused with its reason rather than written unseen; the
    usual extended XMP (Camera Raw settings, document history) leaves it writable."""
    chunks: dict[int, bytes] = {}
    for segment in layout.segments:
        if segment.is_extended_xmp:
            body = segment.payload[len(EXTENDED_XMP_HEADER) :]
            if len(body) >= 40:
                chunks[struct.unpack(">I", body[36:40])[0]] = body[40:]
    if not chunks:
        return
    text = b"".join(chunk for _, chunk in sorted(chunks.items()))
    try:
        doc = XmpDocument.parse(text, name)
    except MetadataWriteError:
        return  # unreadable extension: readers ignore it too, the main packet rules
    if any(doc.get_bag(ns, local) is not None
           for ns, local in ((DC, "subject"), (LR, "hierarchicalSubject"), (DIGIKAM, "TagsList"),
                             (MICROSOFT_PHOTO, "LastKeywordXMP"))):
        raise ExtendedXmpKeywordsError(
            f"{name}: its keywords are kept in extended XMP (XMP over 64 KB), which this app does not "
            "rewrite; add the label in your photo editor, or write a sidecar with --no-jpeg"
        )


def apply_fields(data: bytes, wanted: KeywordFields, name: str = "file") -> bytes:
    """The JPEG with our fields set to `wanted` (XPKeywords where it has an EXIF block);
    the image data is shared untouched."""
    layout = parse_jpeg(data, name)
    segments = _rebuilt_segments(layout, fields_of(layout, name), wanted, name)
    _fix_mpf(layout, segments, name)
    return build_jpeg(segments, memoryview(data)[layout.scan_offset :])


def fit_fields(
    layout: JpegLayout, current: KeywordFields, wanted: KeywordFields, name: str = "file"
) -> tuple[KeywordFields, str | None]:
    """The fields a write of `wanted` can give this JPEG (`layout`: parsed from its bytes
    up to the image data at least, holding `current`), with a note when they fall short:
    a camera's EXIF can fill its 64 KB segment, and then XPKeywords (read by Windows only)
    stays as it is while the three fields every photo tool reads are written. Raises
    JpegFormatError when the XMP packet would not fit into one segment (and the write's
    other MetadataWriteErrors, DamagedMpfIndexError among them): the file cannot be
    written. The plan asks this for every changing JPEG, so that a dry run shows what the
    write will do; it builds the segments exactly as `apply_fields` builds them (the same
    code, the MPF shift included), and only when their fields change."""
    try:
        _fix_mpf(layout, _rebuilt_segments(layout, current, wanted, name), name)
    except ExifFullError as error:
        fitted = replace(wanted, xp=current.xp)
        _fix_mpf(layout, _rebuilt_segments(layout, current, fitted, name), name)  # raises as its write would
        where = "XMP and IPTC" if fitted.iptc else "XMP"  # IPTC only where the JPEG holds it (plan)
        return fitted, f"{error}; written into {where}, which every photo tool reads, not into XPKeywords"
    return wanted, None


def _xmp_bags(fields: KeywordFields) -> tuple:
    """The fields our XMP packet holds."""
    return fields.subject, fields.hierarchical, fields.digikam, fields.microsoft, fields.taught


def _rebuilt_segments(layout, current: KeywordFields, wanted: KeywordFields, name: str) -> list[Segment]:
    """The metadata segments holding `wanted` (`current`: the fields they hold now);
    MPF offsets are left to the caller."""
    segments = list(layout.segments)
    if _xmp_bags(wanted) != _xmp_bags(current):
        _set_segment(segments, "xmp", _xmp_payload(segments, wanted, name))
    exif = _find(segments, "exif")
    if wanted.xp != current.xp and exif is not None:  # none is created (keywords.ONLY_WHEN_PRESENT)
        tiff = exif_keywords.set_xp_keywords(segments[exif].payload[len(EXIF_HEADER) :], wanted.xp)
        segments[exif] = Segment(APP1, EXIF_HEADER + tiff)
    if wanted.iptc != current.iptc:
        photoshop = _find(segments, "photoshop")
        old = segments[photoshop].payload if photoshop is not None else None
        new = iptc.set_keywords(old, wanted.iptc)
        if new is not None:
            _set_segment(segments, "photoshop", new, marker=APP13)
    return segments


def with_created_exif(data: bytes, payload: bytes, name: str = "file") -> bytes:
    """The JPEG with a new EXIF segment holding `payload` after its leading APP0 segments,
    where versions before 2026-12-05 put the EXIF block they created for XPKeywords in a
    JPEG without one: undo rebuilds their output with it (undo.our_write)."""
    layout = parse_jpeg(data, name)
    segments = list(layout.segments)
    at = 0
    while at < len(segments) and segments[at].marker == 0xE0:
        at += 1
    segments.insert(at, Segment(APP1, payload))
    _fix_mpf(layout, segments, name)
    return build_jpeg(segments, memoryview(data)[layout.scan_offset :])


def restore_segments(data: bytes, saved: dict[str, bytes | None], name: str = "file") -> bytes:
    """The JPEG with owned segments put back to `saved` payloads (None: remove the
    segment we had added). Undoes `apply_fields` byte for byte."""
    layout = parse_jpeg(data, name)
    segments = list(layout.segments)
    for kind, payload in saved.items():
        at = _find(segments, kind)
        if payload is None:
            if at is not None:
                del segments[at]
        else:
            _set_segment(segments, kind, payload, marker=APP13 if kind == "photoshop" else APP1)
    _fix_mpf(layout, segments, name)
    return build_jpeg(segments, memoryview(data)[layout.scan_offset :])


def _find(segments: list[Segment] | tuple[Segment, ...], kind: str) -> int | None:
    return next((i for i, s in enumerate(segments) if getattr(s, f"is_{kind}")), None)


def _set_segment(segments: list[Segment], kind: str, payload: bytes, marker: int = APP1) -> None:
    at = _find(segments, kind)
    if at is None:
        segments.insert(insertion_index(segments), Segment(marker, payload))
    else:
        segments[at] = Segment(segments[at].marker, payload)


def _xmp_payload(segments: list[Segment] | tuple[Segment, ...], wanted: KeywordFields, name: str) -> bytes:
    at = _find(segments, "xmp")
    doc = XmpDocument.parse(segments[at].payload[len(XMP_HEADER) :] if at is not None else None, name)
    doc.set_bag(DC, "subject", wanted.subject)
    doc.set_bag(LR, "hierarchicalSubject", wanted.hierarchical)
    doc.set_bag(DIGIKAM, "TagsList", wanted.digikam, container="Seq")
    doc.set_bag(MICROSOFT_PHOTO, "LastKeywordXMP", wanted.microsoft)
    doc.set_bag(LANDMARK_TAGGER, "Teaches", wanted.taught)
    room = MAX_SEGMENT_PAYLOAD - len(XMP_HEADER)
    packet = doc.serialize(padding=XMP_PADDING)
    if len(packet) > room:
        packet = doc.serialize(padding=0)
        packet = doc.serialize(padding=max(0, room - len(packet) - 1))
    if len(packet) > room:
        raise JpegFormatError(
            f"{name}: the XMP packet would need {len(packet)} bytes, more than one JPEG "
            "segment holds (extended XMP is not written); remove some XMP data first"
        )
    return XMP_HEADER + packet


def _fix_mpf(old: JpegLayout, new: list[Segment], name: str) -> None:
    """Shift MPF image offsets by how much the bytes between the MPF segment and the image
    data grew: the old file's counted as they lay, fill bytes (0xFF) between segments
    included, which build_jpeg does not write again. Raises DamagedMpfIndexError when the
    offsets cannot be shifted (an index that does not parse, or an entry pointing into
    the metadata before the image data); an index whose offsets need no shift is kept as
    it is, whatever it holds."""
    old_at = next((i for i, s in enumerate(old.segments) if s.is_mpf), None)
    new_at = _find(new, "mpf")
    if old_at is None or new_at is None:
        return
    after_old = old.scan_offset - old.payload_offsets[old_at] - len(old.segments[old_at].payload)
    after_new = sum(len(s.payload) + 4 for s in new[new_at + 1 :])
    delta = after_new - after_old
    if not delta:
        return
    payload = new[new_at].payload
    try:
        pointers = mpf_image_pointers(payload)
    except MpfIndexError as error:
        raise DamagedMpfIndexError.of(name, str(error)) from None
    base = old.payload_offsets[old_at] + len(MPF_HEADER)  # where the offsets count from
    for _, _, offset in pointers:
        if offset and base + offset < old.scan_offset:
            raise DamagedMpfIndexError.of(name, f"an entry points at byte {base + offset} of the file, into "
                                                "the metadata before the image data, not at a picture after it")
        if offset and offset + delta > 0xFFFFFFFF:
            raise DamagedMpfIndexError.of(name, "an entry points over 4 GB past it, where no picture can be")
    new[new_at] = Segment(new[new_at].marker, shift_mpf_offsets(payload, delta))


def shift_mpf_offsets(payload: bytes, delta: int) -> bytes:
    """An MPF payload whose non-zero MP entry offsets are moved by `delta` bytes (each
    offset plus `delta` must fit in 0..2**32-1: _fix_mpf checks)."""
    data = bytearray(payload)
    for at, _size, offset in mpf_image_pointers(payload):
        if offset:
            struct.pack_into(_mpf_byte_order(payload) + "I", data, at, offset + delta)
    return bytes(data)


def mpf_image_pointers(payload: bytes) -> list[tuple[int, int, int]]:
    """Each MP entry of an MPF payload as (where its offset field sits in the payload, the
    image's size, its offset counted from the byte-order mark after MPF_HEADER; 0 for the
    primary image). Raises MpfIndexError, saying what is wrong, for a payload cut short,
    an unknown byte order or a table that lies outside the payload."""
    base = len(MPF_HEADER)
    order = _mpf_byte_order(payload)
    try:
        (ifd,) = struct.unpack_from(order + "I", payload, base + 4)
        (count,) = struct.unpack_from(order + "H", payload, base + ifd)
        pointers = []
        for index in range(count):
            tag, _, size, value = struct.unpack_from(order + "HHII", payload, base + ifd + 2 + 12 * index)
            if tag != _MP_ENTRY:
                continue
            for entry in range(size // 16):
                at = base + value + entry * 16 + 8
                image_size, offset = struct.unpack_from(order + "II", payload, at - 4)
                pointers.append((at, image_size, offset))
    except struct.error:
        raise MpfIndexError(f"its tables run past the end of its {len(payload)}-byte segment") from None
    return pointers


def _mpf_byte_order(payload: bytes) -> str:
    """The struct byte order of an MPF payload: its TIFF-style mark, II or MM."""
    mark = payload[len(MPF_HEADER) : len(MPF_HEADER) + 2]
    if mark == b"II":
        return "<"
    if mark == b"MM":
        return ">"
    if len(mark) < 2:
        raise MpfIndexError(f"it is cut short at {len(payload)} bytes, before its byte order")
    raise MpfIndexError(f"its byte order is {mark.decode('latin-1')!r}, neither II nor MM")
