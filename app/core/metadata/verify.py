"""Check a file we just wrote: re-read it from disk and compare.

Every field we wrote must read back as written; the JPEG image data (everything from
SOS on) must be byte-identical; every segment we do not own must be unchanged; in
the segments we do own, everything but our fields must be unchanged (EXIF compared
through piexif, an independent reader; XMP element by element; IPTC dataset by
dataset, byte for byte, kept keywords too). `exiftool_fields` lets tests and the benchmark add exiftool as a
third reader.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from app.core.errors import MetadataWriteError
from app.core.exif_counts import oversized_count
from app.core.metadata import iptc
from app.core.metadata.exif_keywords import XP_KEYWORDS_TAG, ExifLayoutError
from app.core.metadata.exif_raw_values import raw_exif_values
from app.core.metadata.jpeg_fields import MpfIndexError, mpf_image_pointers, read_fields
from app.core.metadata.jpeg_segments import EXIF_HEADER, MPF_HEADER, XMP_HEADER, parse_jpeg
from app.core.metadata.keywords import SIDECAR_FIELDS, KeywordFields, describe_difference
from app.core.metadata.sidecar import fields_of_sidecar
from app.core.metadata.xmp import DC, DIGIKAM, LANDMARK_TAGGER, LR, MICROSOFT_PHOTO, XmpDocument, is_plain_item, item_value

# What exiftool reports differently after our write and is ours (or bookkeeping).
OWNED_EXIFTOOL_KEYS = frozenset(
    {
        "IFD0:XPKeywords",
        "XMP-dc:Subject",
        "XMP-lr:HierarchicalSubject",
        "XMP-digiKam:TagsList",
        "XMP-microsoft:LastKeywordXMP",
        "XMP-landmarkTagger:Teaches",
        "IPTC:Keywords",
        "IPTC:CodedCharacterSet",
        "IPTC:ApplicationRecordVersion",
        "File:CurrentIPTCDigest",
        "Photoshop:IPTCDigest",
    }
)
_VOLATILE_PREFIXES = ("System:", "SourceFile", "ExifTool:ExifToolVersion")


class VerificationError(MetadataWriteError):
    """A written file did not read back as intended."""


def verify_jpeg(path: Path, original: bytes, wanted: KeywordFields) -> None:
    """Raise VerificationError when `path` is not `original` with `wanted` fields."""
    written = Path(path).read_bytes()
    got = read_fields(written, str(path))
    if got != wanted:
        raise VerificationError(f"{path}: the keywords did not read back as written: {describe_difference(got, wanted)}")
    old_layout, new_layout = parse_jpeg(original), parse_jpeg(written)
    # bytes slices compare with memcmp; memoryview equality goes element by element
    if original[old_layout.scan_offset :] != written[new_layout.scan_offset :]:
        raise VerificationError(f"{path}: the image data changed; this must never happen")
    owned = ("exif", "xmp", "photoshop")
    others_old = [i for i, s in enumerate(old_layout.segments) if not any(getattr(s, f"is_{k}") for k in owned)]
    others_new = [i for i, s in enumerate(new_layout.segments) if not any(getattr(s, f"is_{k}") for k in owned)]
    if len(others_old) != len(others_new):
        raise VerificationError(f"{path}: a metadata segment we do not own changed")
    for old_at, new_at in zip(others_old, others_new):
        old_segment, new_segment = old_layout.segments[old_at], new_layout.segments[new_at]
        if (old_segment.marker, old_segment.payload) == (new_segment.marker, new_segment.payload):
            continue
        if not (old_segment.is_mpf and new_segment.is_mpf):
            raise VerificationError(f"{path}: a metadata segment we do not own changed")
        if not _mpf_points_at_the_same_images(original, old_layout.payload_offsets[old_at], old_segment.payload,
                                              written, new_layout.payload_offsets[new_at], new_segment.payload):
            raise VerificationError(
                f"{path}: the MPF (multi-picture) index no longer points at the images it pointed at "
                "(a camera preview, a depth map or a second frame after the main image)"
            )
    _compare_exif(path, old_layout.first("exif"), new_layout.first("exif"))
    _compare_xmp(path, old_layout.first("xmp"), new_layout.first("xmp"), wanted)
    _compare_iptc(path, old_layout.first("photoshop"), new_layout.first("photoshop"))


def verify_sidecar(path: Path, original: bytes | None, wanted: KeywordFields) -> None:
    """The sidecar reads back with `wanted`, and everything else in it is unchanged."""
    written = Path(path).read_bytes()
    got = fields_of_sidecar(written, str(path))
    if got != wanted.only(SIDECAR_FIELDS):
        raise VerificationError(
            f"{path}: the keywords did not read back as written: {describe_difference(got, wanted.only(SIDECAR_FIELDS))}"
        )
    _refuse_duplicates(path, written)
    if original is not None and _xmp_rest(original, wanted, written=False) != _xmp_rest(written, wanted, written=True):
        raise VerificationError(f"{path}: other XMP properties of the sidecar, or keywords with qualifiers, changed")


def _mpf_points_at_the_same_images(original: bytes, old_start: int, old_payload: bytes,
                                   written: bytes, new_start: int, new_payload: bytes) -> bool:
    """Whether an MPF payload the write changed differs only in its image offsets, and each
    entry still points at the same bytes (offsets count from the byte-order mark after
    MPF_HEADER, `*_start` being where each payload sits in its file): a wrong shift leaves
    the secondary images in the file but out of reach."""
    try:
        old_pointers, new_pointers = mpf_image_pointers(old_payload), mpf_image_pointers(new_payload)
    except MpfIndexError:
        return False  # a write only shifts offsets it could read
    if len(old_payload) != len(new_payload) or len(old_pointers) != len(new_pointers):
        return False
    if _without_offsets(old_payload, old_pointers) != _without_offsets(new_payload, new_pointers):
        return False
    old_base, new_base = old_start + len(MPF_HEADER), new_start + len(MPF_HEADER)
    for (_, size, old_offset), (_, _, new_offset) in zip(old_pointers, new_pointers):
        if (old_offset == 0) != (new_offset == 0):
            return False
        if old_offset == 0:
            continue  # the primary image, compared as the image data
        old_image = original[old_base + old_offset : old_base + old_offset + size]
        if old_image != written[new_base + new_offset : new_base + new_offset + size]:
            return False
    return True


def _without_offsets(payload: bytes, pointers: list[tuple[int, int, int]]) -> bytes:
    data = bytearray(payload)
    for at, _, _ in pointers:
        data[at : at + 4] = bytes(4)
    return bytes(data)


def _compare_exif(path: Path, old, new) -> None:
    """Every EXIF value but XPKeywords unchanged, read by piexif; where piexif cannot read
    the original, or would build gigabytes from a forged count (exif_counts), every
    entry's raw value and the thumbnail's bytes: such a block is still verified, never skipped."""
    if old is None:
        return
    if new is None:
        raise VerificationError(f"{path}: the EXIF block disappeared")
    import piexif

    before = after = None
    if oversized_count(old.payload) is None and oversized_count(new.payload) is None:
        try:
            before = piexif.load(old.payload)
        except Exception:  # piexif cannot read every camera's EXIF: Pillow's reader below
            pass
    if before is not None:
        try:
            after = piexif.load(new.payload)
        except Exception as error:
            raise VerificationError(f"{path}: the EXIF block no longer parses ({error})") from None
        for exif in (before, after):
            exif["0th"].pop(XP_KEYWORDS_TAG, None)
    else:
        before = _raw_exif_values(path, old.payload, "original")
        after = _raw_exif_values(path, new.payload, "new", original=before)
    if before != after:
        raise VerificationError(f"{path}: EXIF values other than XPKeywords changed")


def _raw_exif_values(path: Path, payload: bytes, which: str, original: dict | None = None) -> dict:
    """Every entry's raw value and the thumbnail's bytes (exif_raw_values), which reads a
    block piexif cannot, and allocates no more than the block for a forged count; the new
    block within what the `original` held, as a write pads a block cut short and appends."""
    try:
        return raw_exif_values(payload.removeprefix(EXIF_HEADER), original)
    except ExifLayoutError as error:
        raise VerificationError(f"{path}: cannot verify the {which} EXIF block, no reader parses it ({error})") from None


# Our array properties, by the field that holds their values.
_OUR_ARRAYS = (("subject", DC, "subject"), ("hierarchical", LR, "hierarchicalSubject"), ("digikam", DIGIKAM, "TagsList"),
               ("microsoft", MICROSOFT_PHOTO, "LastKeywordXMP"), ("taught", LANDMARK_TAGGER, "Teaches"))


def _xmp_rest(packet: bytes, kept: KeywordFields, written: bool) -> list[tuple]:
    """Everything in an XMP packet but our properties, as comparable tuples, and the items
    of those with attributes or qualifiers (xml:lang, a confidence another tool gave a
    keyword) whose value stays (`kept`: the fields written), each whole: a write that
    stripped or dropped one of them would pass the comparison of their values.
    Our property is the one occurrence the write changes (XmpDocument.ours); a second
    one, under another spelling of its namespace or in another rdf:Description, is another
    program's and stays in the rest, so a write dropping it fails. In the `written` packet
    a field the write took out (None in `kept`) is gone already: what is there in its
    place is another occurrence, which stays too."""
    doc = XmpDocument.parse(packet)
    structured = sorted(
        (name, item_value(li), _comparable(li))
        for name, namespace, local in _OUR_ARRAYS
        for li in doc.bag_items(namespace, local) or []
        if not is_plain_item(li) and item_value(li) in (getattr(kept, name) or [])
    )
    for name, namespace, local in _OUR_ARRAYS:
        if written and getattr(kept, name) is None:
            continue
        # digiKam's TagsList and Windows' LastKeywordXMP, where the write keeps them, stay
        # present (empty), so a Seq turned into a Bag, or a namespace respelt, shows; where
        # it takes one out (emptied, and not in the file before our first write) it is
        # out of the original's rest, as of the written one
        if name in _KEPT_PRESENT and getattr(kept, name) is not None and doc.ours(namespace, local) is not None:
            doc.set_bag(namespace, local, [])
        else:
            _take_out_ours(doc, namespace, local)
    # a value compares exactly (a caption's CR LF, a keyword's spaces); the whitespace
    # that only lays elements out does not count, as we re-indent what we change
    return [*_comparable(doc.root), *structured]


_KEPT_PRESENT = ("digikam", "microsoft")


def _take_out_ours(doc: XmpDocument, namespace: str, local: str) -> None:
    """Remove the occurrence of a property the write changes, and no other."""
    found = doc.ours(namespace, local)
    if found is None:
        return
    description, tag, prop = found
    if prop is None:
        del description.attrib[tag]
    else:
        description.remove(prop)


def _comparable(element) -> list[tuple]:
    """An element and everything inside it as comparable tuples."""
    return [(str(e.tag), sorted(e.attrib.items()), e.text if e.text and e.text.strip() else "") for e in element.iter()]


def _refuse_duplicates(path: Path, packet: bytes) -> None:
    """A written packet holding one of our arrays twice under one name shows our keywords
    to some programs only (xmp.XmpDocument.duplicated): not a write that took."""
    doc = XmpDocument.parse(packet)
    for _, namespace, local in _OUR_ARRAYS:
        duplicate = doc.duplicated(namespace, local)
        if duplicate is not None:
            raise VerificationError(f"{path}: the written XMP holds {duplicate} more than once, so programs "
                                    "disagree about its keywords (exiftool shows the last)")


def _compare_xmp(path: Path, old, new, wanted: KeywordFields) -> None:
    if new is not None:
        _refuse_duplicates(path, new.payload[len(XMP_HEADER) :])
    if old is None:
        return
    old_rest = _xmp_rest(old.payload[len(XMP_HEADER) :], wanted, written=False)
    if new is None or old_rest != _xmp_rest(new.payload[len(XMP_HEADER) :], wanted, written=True):
        raise VerificationError(f"{path}: XMP properties other than the keywords, or keywords with qualifiers, changed")


def _compare_iptc(path: Path, old, new) -> None:
    """Every resource but IPTC's and its digest unchanged; in the IPTC block every dataset
    but the keywords' bookkeeping, and each keyword we kept, byte for byte (as read where
    the write marked the block UTF-8, which converts its text)."""
    if old is None:
        return
    if new is None:
        raise VerificationError(f"{path}: the Photoshop/IPTC block disappeared")
    old_resources, new_resources = iptc.parse_resources(old.payload), iptc.parse_resources(new.payload)
    if _other_resources(old_resources) != _other_resources(new_resources):
        raise VerificationError(f"{path}: IPTC data other than the keywords changed")
    old_sets, new_sets = _iptc_datasets(old_resources), _iptc_datasets(new_resources)
    converted = _marked_utf8(new_sets) and not _marked_utf8(old_sets)
    ignored = {iptc.KEYWORDS, iptc.CODED_CHARACTER_SET, iptc.RECORD_VERSION}
    if converted:
        old_rest = [item for item in iptc.comparable_datasets(old_sets) if item[0] not in ignored]
        new_rest = [item for item in iptc.comparable_datasets(new_sets) if item[0] not in ignored]
    else:
        old_rest = [(d.key, d.value) for d in old_sets if d.key not in ignored]
        new_rest = [(d.key, d.value) for d in new_sets if d.key not in ignored]
    if old_rest != new_rest:
        raise VerificationError(f"{path}: IPTC data other than the keywords changed")
    kept = iptc.keyword_bytes_by_text(old_sets)
    for text, values in iptc.keyword_bytes_by_text(new_sets).items():
        for value in values:
            if not kept.get(text):
                continue  # a keyword the write added
            before = kept[text].popleft()
            if value != (iptc.converted_to_utf8(before) if converted else before):
                raise VerificationError(f"{path}: the IPTC keyword {text!r} kept its text but not its bytes")


def _other_resources(resources: list) -> list[tuple]:
    return [(r.signature, r.id, r.name, r.data) for r in resources if r.id not in (iptc.IPTC_RESOURCE, iptc.DIGEST_RESOURCE)]


def _iptc_datasets(resources: list) -> list:
    return [d for r in resources if r.id == iptc.IPTC_RESOURCE for d in iptc.parse_datasets(r.data)]


def _marked_utf8(datasets: list) -> bool:
    return any(d.key == iptc.CODED_CHARACTER_SET and d.value == iptc.UTF8_MARK for d in datasets)


def exiftool_available() -> bool:
    return shutil.which("exiftool") is not None


def exiftool_fields(path: Path) -> dict:
    """`exiftool -j -G1 -a` of a file, without the file-system entries."""
    result = subprocess.run(
        ["exiftool", "-j", "-G1", "-a", "-charset", "filename=utf8", str(path)],
        capture_output=True,
        check=True,
    )
    data = json.loads(result.stdout)[0]
    return {k: v for k, v in data.items() if not k.startswith(_VOLATILE_PREFIXES)}


def exiftool_changes(before: dict, after: dict) -> set[str]:
    """Keys whose value differs and that we do not own (should be empty)."""
    keys = set(before) | set(after)
    return {k for k in keys if before.get(k) != after.get(k) and k not in OWNED_EXIFTOOL_KEYS}
