"""IPTC IIM Keywords (dataset 2:25) inside the Photoshop APP13 block.

The APP13 payload is "Photoshop 3.0\\0" followed by image resources (signed 8BIM,
or MeSa, PHUT, AgHg, DCSR by other programs); resource 0x0404 holds the IIM datasets.
We change only the 2:25 datasets (and 1:90, the coded character set, when a keyword
needs UTF-8) and keep every other dataset and resource byte for byte — a keyword
already there keeps its own bytes too. A block without 1:90 holds Windows-1252 text to
exiftool (its "Latin") and the Windows tools that wrote it (curly quotes, the euro sign
and dashes at 0x80-0x9F, where ISO-8859-1 has control characters), so marking it UTF-8
converts its other text datasets from Windows-1252 with it.
Resource 0x0425 is an MD5 digest of the IIM block that Photoshop uses to notice
edits by other programs; we recompute it only when it matched the block before our
change, so a stale one (IPTC edited elsewhere) stays stale.
"""

from __future__ import annotations

import hashlib
import struct
from collections import defaultdict, deque
from dataclasses import dataclass

from app.core.errors import MetadataWriteError
from app.core.metadata.jpeg_segments import MAX_SEGMENT_PAYLOAD, PHOTOSHOP_HEADER

IPTC_RESOURCE = 0x0404
DIGEST_RESOURCE = 0x0425
KEYWORDS = (2, 25)
CODED_CHARACTER_SET = (1, 90)
RECORD_VERSION = (2, 0)
UTF8_MARK = b"\x1b%G"
MAX_KEYWORD_BYTES = 64  # the IIM limit for 2:25
RESOURCE_SIGNATURES = (b"8BIM", b"MeSa", b"PHUT", b"AgHg", b"DCSR")
# Record 2 datasets that hold numbers or pictures, not text: never re-encoded.
BINARY_DATASETS = {(2, 0), (2, 125), (2, 200), (2, 201), (2, 202)}


class IptcFormatError(MetadataWriteError):
    """The Photoshop/IPTC block is malformed, so we leave the photo alone."""


@dataclass(frozen=True)
class Resource:
    """One image resource; `name` is the raw padded Pascal string."""

    id: int
    name: bytes
    data: bytes
    signature: bytes = b"8BIM"


@dataclass(frozen=True)
class DataSet:
    """One IIM dataset: record, number and raw value."""

    record: int
    number: int
    value: bytes

    @property
    def key(self) -> tuple[int, int]:
        return (self.record, self.number)


def parse_resources(payload: bytes) -> list[Resource]:
    """The image resources of an APP13 payload. Raises IptcFormatError when anything
    but padding is left over: rewriting the block would drop it."""
    resources, rest = _parse_resources(payload)
    if rest.strip(b"\x00"):
        raise IptcFormatError(
            f"the Photoshop block holds {len(rest)} bytes this app cannot read after its resources, "
            "so it leaves the block alone"
        )
    return resources


def _parse_resources(payload: bytes) -> tuple[list[Resource], bytes]:
    if not payload.startswith(PHOTOSHOP_HEADER):
        raise IptcFormatError("APP13 segment is not a Photoshop 3.0 block")
    pos = len(PHOTOSHOP_HEADER)
    resources = []
    while pos + 12 <= len(payload) and payload[pos : pos + 4] in RESOURCE_SIGNATURES:
        signature = bytes(payload[pos : pos + 4])
        (resource_id,) = struct.unpack_from(">H", payload, pos + 4)
        name_len = payload[pos + 6]
        name_total = name_len + 1 + ((name_len + 1) % 2)
        name = payload[pos + 6 : pos + 6 + name_total]
        size_at = pos + 6 + name_total
        if size_at + 4 > len(payload):
            raise IptcFormatError("Photoshop resource header runs past the APP13 segment")
        (size,) = struct.unpack_from(">I", payload, size_at)
        start = size_at + 4
        if start + size > len(payload):
            raise IptcFormatError(f"Photoshop resource 0x{resource_id:04X} runs past the APP13 segment")
        resources.append(Resource(resource_id, bytes(name), bytes(payload[start : start + size]), signature))
        pos = start + size + (size % 2)
    return resources, bytes(payload[pos:])


def build_resources(resources: list[Resource], trailer: bytes = b"") -> bytes:
    parts = [PHOTOSHOP_HEADER]
    for resource in resources:
        data = resource.data + (b"\x00" if len(resource.data) % 2 else b"")
        parts.append(resource.signature + struct.pack(">H", resource.id) + resource.name)
        parts.append(struct.pack(">I", len(resource.data)) + data)
    parts.append(trailer)
    return b"".join(parts)


def parse_datasets(block: bytes) -> list[DataSet]:
    datasets = []
    pos = 0
    while pos + 5 <= len(block) and block[pos] == 0x1C:
        record, number = block[pos + 1], block[pos + 2]
        (length,) = struct.unpack_from(">H", block, pos + 3)
        pos += 5
        if length & 0x8000:  # extended dataset: the length is in the next n bytes
            count = length & 0x7FFF
            length = int.from_bytes(block[pos : pos + count], "big")
            pos += count
        if pos + length > len(block):
            raise IptcFormatError(f"IPTC dataset {record}:{number} runs past its block")
        datasets.append(DataSet(record, number, bytes(block[pos : pos + length])))
        pos += length
    return datasets


def build_datasets(datasets: list[DataSet]) -> bytes:
    parts = []
    for dataset in datasets:
        if len(dataset.value) > 0x7FFF:
            raise IptcFormatError(f"IPTC dataset {dataset.record}:{dataset.number} is too long")
        parts.append(bytes((0x1C, dataset.record, dataset.number)) + struct.pack(">H", len(dataset.value)))
        parts.append(dataset.value)
    return b"".join(parts)


def iptc_keyword(keyword: str) -> str:
    """The keyword as IPTC can hold it: at most 64 UTF-8 bytes, cut on a character."""
    encoded = keyword.encode("utf-8")
    if len(encoded) <= MAX_KEYWORD_BYTES:
        return keyword
    return encoded[:MAX_KEYWORD_BYTES].decode("utf-8", errors="ignore").rstrip()


# Windows-1252 at 0x80-0x9F; the five bytes it leaves undefined (0x81, 0x8D, 0x8F, 0x90,
# 0x9D) stay Latin-1, as exiftool reads them, so that no byte is lost in a conversion.
_WINDOWS_1252 = str.maketrans({
    byte: bytes((byte,)).decode("cp1252") for byte in range(0x80, 0xA0) if byte not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
})


def windows_1252_text(value: bytes) -> str:
    """The text of a value in a block without the UTF-8 mark that is not UTF-8 either:
    Windows-1252, which Windows tools write there and exiftool reads ("It\x92s" is
    "It’s"); ISO-8859-1 would make its curly quotes, euro signs and dashes C1 controls."""
    return value.decode("latin-1").translate(_WINDOWS_1252)


def _decode(value: bytes, utf8: bool) -> str:
    if utf8:
        return value.decode("utf-8", errors="replace")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return windows_1252_text(value)


# C0 controls XML 1.0 cannot hold (all but tab, LF and CR): an IPTC keyword carried into XMP
# has each as ".", as exiftool writes them into XMP (WriteXMP.pl: tr/\0-\x08\x0b\x0c\x0e-\x1f/./).
_NOT_XML_TEXT = {code: "." for code in range(0x20) if code not in (0x09, 0x0A, 0x0D)}


def _keyword_text(value: bytes, utf8: bool) -> str:
    """A 2:25 keyword as text: its trailing NULs dropped (old tools write C strings; exiftool
    drops them too, "improperly terminated") and any other control character XMP cannot
    hold as ".", so the keyword can be carried into dc:subject and read back as written.
    The IPTC dataset itself keeps its bytes (set_keywords maps this text back to them)."""
    return _decode(value.rstrip(b"\x00"), utf8).translate(_NOT_XML_TEXT)


def _as_utf8(dataset: DataSet) -> DataSet:
    """A text dataset of a block without the UTF-8 mark, converted for a block with it
    (already valid UTF-8, such as plain ASCII, stays as it is)."""
    if dataset.record != 2 or dataset.key in BINARY_DATASETS:
        return dataset
    try:
        dataset.value.decode("utf-8")
        return dataset
    except UnicodeDecodeError:
        return DataSet(dataset.record, dataset.number, windows_1252_text(dataset.value).encode("utf-8"))


def comparable_datasets(datasets: list[DataSet]) -> list[tuple[tuple[int, int], object]]:
    """Datasets as a reader sees them, so that a block converted to UTF-8 compares equal
    to the block it came from only where each text reads as before: a block without
    the UTF-8 mark read as UTF-8 where its bytes are that, else as Windows-1252. Binary
    datasets, and text a marked block holds in broken UTF-8 (which no reader sees
    whole), compare as bytes."""
    utf8 = any(d.key == CODED_CHARACTER_SET and d.value == UTF8_MARK for d in datasets)
    return [(d.key, _as_read(d, utf8)) for d in datasets]


def _as_read(dataset: DataSet, utf8: bool) -> str | bytes:
    if dataset.record != 2 or dataset.key in BINARY_DATASETS:
        return dataset.value
    try:
        return dataset.value.decode("utf-8") if utf8 else _decode(dataset.value, False)
    except UnicodeDecodeError:
        return dataset.value


def holds_iptc(payload: bytes | None) -> bool:
    """Whether an APP13 payload holds an IPTC-IIM block (resource 0x0404), with keywords
    or without (a caption, a copyright): the only IPTC a write puts keywords into, as
    exiftool's MWG module writes IPTC "only if the original file contained IPTC"."""
    return payload is not None and any(resource.id == IPTC_RESOURCE for resource in parse_resources(payload))


def read_keywords(payload: bytes | None) -> list[str] | None:
    """The 2:25 keywords of an APP13 payload; None when there is no IPTC keyword at all."""
    if payload is None:
        return None
    for resource in parse_resources(payload):
        if resource.id == IPTC_RESOURCE:
            datasets = parse_datasets(resource.data)
            utf8 = any(d.key == CODED_CHARACTER_SET and d.value == UTF8_MARK for d in datasets)
            found = [_keyword_text(d.value, utf8) for d in datasets if d.key == KEYWORDS]
            return found or None
    return None


def set_keywords(payload: bytes | None, keywords: list[str] | None) -> bytes | None:
    """An APP13 payload whose 2:25 keywords are `keywords` (None removes them).

    Returns None when there was no APP13 and nothing needs writing. Raises
    IptcFormatError when the block would outgrow its JPEG segment: the write refuses
    the file then, and the plan (which builds the block with this) says so first.
    """
    if payload is None:
        if not keywords:
            return None
        resources, trailer = [], b""
    else:
        resources, trailer = _parse_resources(payload)
        if trailer.strip(b"\x00"):
            parse_resources(payload)  # raises, naming what is left over
    index = next((i for i, r in enumerate(resources) if r.id == IPTC_RESOURCE), None)
    datasets = parse_datasets(resources[index].data) if index is not None else []
    had_utf8 = any(d.key == CODED_CHARACTER_SET and d.value == UTF8_MARK for d in datasets)
    # a keyword already there keeps its bytes (an over-long or oddly encoded one too),
    # matched by occurrence: "Rome\0" and "Rome" read alike, and each keeps its own
    existing = keyword_bytes_by_text(datasets)
    new_values = [(k, existing[k].popleft()) if existing.get(k) else (iptc_keyword(k), None) for k in keywords or []]
    needs_utf8 = any(not k.isascii() for k, kept in new_values if kept is None)
    new_sets = [
        DataSet(2, 25, kept if kept is not None else k.encode("utf-8" if had_utf8 or needs_utf8 else "ascii"))
        for k, kept in new_values
    ]
    datasets = _replace_keywords(datasets, new_sets)
    if needs_utf8 and not had_utf8:
        datasets = [_as_utf8(d) for d in datasets if d.key != CODED_CHARACTER_SET]
        datasets = _insert_in_order(datasets, DataSet(1, 90, UTF8_MARK))
    if new_sets and not any(d.key == RECORD_VERSION for d in datasets):
        datasets = _insert_in_order(datasets, DataSet(2, 0, b"\x00\x04"))
    block = build_datasets(datasets)
    old_resource = resources[index] if index is not None else None
    name = resources[index].name if index is not None else b"\x00\x00"
    if index is None:
        resources.append(Resource(IPTC_RESOURCE, name, block))
    else:
        resources[index] = Resource(IPTC_RESOURCE, name, block, resources[index].signature)
    # The digest tells Photoshop and Lightroom whether the IPTC was edited by a program
    # that left the XMP as it was: a current one stays current, a stale one stays stale
    # (as exiftool does), or that edit would go unnoticed and be overwritten from XMP.
    old_block = old_resource.data if old_resource is not None else b""
    resources = [
        Resource(r.id, r.name, hashlib.md5(block).digest(), r.signature)
        if r.id == DIGEST_RESOURCE and r.data == hashlib.md5(old_block).digest() else r
        for r in resources
    ]
    return _fitting_segment(build_resources(resources, trailer))


def keyword_bytes_by_text(datasets: list[DataSet]) -> dict[str, deque[bytes]]:
    """The raw 2:25 values of a block by the text a reader sees, in block order: two
    keywords that read alike ("Rome\0" and "Rome") are two entries, so each is matched
    to its own bytes."""
    utf8 = any(d.key == CODED_CHARACTER_SET and d.value == UTF8_MARK for d in datasets)
    found: dict[str, deque[bytes]] = defaultdict(deque)
    for dataset in datasets:
        if dataset.key == KEYWORDS:
            found[_keyword_text(dataset.value, utf8)].append(dataset.value)
    return found


def converted_to_utf8(value: bytes) -> bytes:
    """A text value of a block without the UTF-8 mark as set_keywords writes it when it
    marks the block UTF-8."""
    return _as_utf8(DataSet(2, 25, value)).value


def _fitting_segment(payload: bytes) -> bytes:
    """`payload`, when one APP13 segment holds it (IPTC cannot continue in a second)."""
    if len(payload) > MAX_SEGMENT_PAYLOAD:
        raise IptcFormatError(
            f"the IPTC block would need {len(payload)} bytes, more than one JPEG segment holds "
            f"({MAX_SEGMENT_PAYLOAD}); remove some IPTC data (a long caption, say) in your photo editor, "
            "or write a sidecar with --no-jpeg"
        )
    return payload


def _replace_keywords(datasets: list[DataSet], new_sets: list[DataSet]) -> list[DataSet]:
    """Put the new 2:25 datasets where the old ones were (or in record order)."""
    first = next((i for i, d in enumerate(datasets) if d.key == KEYWORDS), None)
    kept = [d for d in datasets if d.key != KEYWORDS]
    if first is None:
        result = kept
        for dataset in new_sets:
            result = _insert_in_order(result, dataset, after_equal=True)
        return result
    before = [d for d in datasets[:first] if d.key != KEYWORDS]
    return before + new_sets + kept[len(before) :]


def _insert_in_order(datasets: list[DataSet], new: DataSet, after_equal: bool = False) -> list[DataSet]:
    """Insert before the first dataset with a larger (record, number) key."""
    for i, dataset in enumerate(datasets):
        if dataset.key > new.key or (not after_equal and dataset.key == new.key):
            return datasets[:i] + [new] + datasets[i:]
    return datasets + [new]


def holds_only_bookkeeping(payload: bytes) -> bool:
    """Whether an APP13 payload holds nothing anyone wrote but what a write puts beside
    its keywords (the record version, the UTF-8 mark, a digest of the block): the
    block our write created, its keywords taken out. Bytes this module cannot read
    count as someone's."""
    try:
        resources = parse_resources(payload)
        blocks = [r.data for r in resources if r.id == IPTC_RESOURCE]
        if len(resources) != len(blocks) + sum(r.id == DIGEST_RESOURCE for r in resources):
            return False
        datasets = [parse_datasets(block) for block in blocks]
    except IptcFormatError:
        return False
    return all(
        build_datasets(found) == block.rstrip(b"\x00")
        and all(d.key in (RECORD_VERSION, CODED_CHARACTER_SET) for d in found)
        for block, found in zip(blocks, datasets)
    )
