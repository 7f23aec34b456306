"""A label write into a multi-picture JPEG (MPF: a camera's preview, a phone's depth map or
second frame after the primary image) whose XMP or Photoshop block sits after the MPF
segment: the MPF entries count from that segment, so they must follow the segment that
grew or shrank, and the write's own check refuses a file whose entries do not."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from PIL import Image

from app.core.errors import MetadataWriteError
from app.core.metadata import WriteOptions, iptc, jpeg_fields, plan_writes, undo_last_write
from app.core.metadata.jpeg_fields import apply_fields, read_fields
from app.core.metadata.jpeg_segments import APP1, APP13, PHOTOSHOP_HEADER, XMP_HEADER, Segment, build_jpeg, parse_jpeg
from app.core.metadata.keywords import KeywordFields
from app.core.metadata.verify import VerificationError, verify_jpeg
from tests.test_metadata_support import add_photo, index, write_all  # noqa: F401 (index: a fixture)

SECOND_COLOUR = (10, 200, 30)


def xmp_segment(padding: int) -> Segment:
    packet = ('<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
              '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
              'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject><rdf:Bag><rdf:li>holiday</rdf:li></rdf:Bag>'
              f'</dc:subject></rdf:Description></rdf:RDF></x:xmpmeta>{" " * padding}<?xpacket end="w"?>')
    return Segment(APP1, XMP_HEADER + packet.encode())


def iptc_segment() -> Segment:
    block = iptc.build_datasets([iptc.DataSet(2, 0, b"\x00\x04"), iptc.DataSet(2, 120, b"Rome, spring 2019")])
    return Segment(APP13, iptc.build_resources([iptc.Resource(iptc.IPTC_RESOURCE, b"\x00\x00", block)]))


AFTER_MPF = {
    "XMP that grows": lambda: xmp_segment(padding=0),
    "XMP that shrinks": lambda: xmp_segment(padding=8000),  # a write pads with 2 KB
    "Photoshop IPTC that grows": iptc_segment,
}


def mpf_at(data: bytes) -> tuple[int, bytes]:
    """Where the MPF segment's payload starts in the file, and the payload."""
    pos = 2
    while True:
        (length,) = struct.unpack_from(">H", data, pos + 2)
        payload = data[pos + 4 : pos + 2 + length]
        if data[pos + 1] == 0xE2 and payload.startswith(b"MPF\x00"):
            return pos + 4, payload
        pos += 2 + length


def second_offset_field(payload: bytes) -> tuple[str, int]:
    """The byte order of an MPF payload and where in it the second MP entry's offset is."""
    order = "<" if payload[4:6] == b"II" else ">"
    (ifd,) = struct.unpack_from(order + "I", payload, 8)
    (count,) = struct.unpack_from(order + "H", payload, 4 + ifd)
    for index in range(count):
        tag, _, _, value = struct.unpack_from(order + "HHII", payload, 4 + ifd + 2 + 12 * index)
        if tag == 0xB002:
            return order, 4 + value + 16 + 8
    raise AssertionError("no MP entry tag")


def second_image_at(data: bytes) -> int:
    """Where the second MP entry points in the file: its offset counts from the MPF
    segment's byte-order mark."""
    start, payload = mpf_at(data)
    order, field = second_offset_field(payload)
    return start + 4 + struct.unpack_from(order + "I", payload, field)[0]


def multi_picture_jpeg(path: Path, after_mpf: Segment) -> tuple[Path, bytes]:
    """An MPO as Pillow writes it (primary, MPF APP2, second image after the primary's EOI)
    with `after_mpf` put right after the MPF segment, its second entry moved to match.
    Returns the path and the second image's bytes."""
    primary = Image.effect_noise((320, 240), 60).convert("RGB")
    primary.save(path, format="MPO", save_all=True, append_images=[Image.new("RGB", (160, 120), SECOND_COLOUR)])
    data = path.read_bytes()
    second = data[second_image_at(data):]
    assert second.startswith(b"\xff\xd8") and len(second) < len(data) // 2
    layout = parse_jpeg(data)
    segments = list(layout.segments)
    at = next(i for i, s in enumerate(segments) if s.is_mpf)
    order, field = second_offset_field(segments[at].payload)
    mpf = bytearray(segments[at].payload)
    struct.pack_into(order + "I", mpf, field, struct.unpack_from(order + "I", mpf, field)[0] + 4 + len(after_mpf.payload))
    segments[at] = Segment(segments[at].marker, bytes(mpf))
    segments.insert(at + 1, after_mpf)
    path.write_bytes(build_jpeg(segments, memoryview(data)[layout.scan_offset:]))
    assert path.read_bytes()[second_image_at(path.read_bytes()):] == second
    return path, second


@pytest.mark.parametrize("after_mpf", AFTER_MPF)
def test_a_label_write_keeps_the_mpf_entry_on_the_second_image(tmp_path, index, after_mpf):
    photo, second = multi_picture_jpeg(tmp_path / "a.jpg", AFTER_MPF[after_mpf]())
    before = photo.read_bytes()
    add_photo(index, [photo], "Colosseum")
    summary = write_all(index)
    assert (summary.written, summary.failed) == (1, 0), summary.errors
    written = photo.read_bytes()
    assert "Landmarks|Colosseum" in read_fields(written).hierarchical
    assert (len(written) < len(before)) == after_mpf.endswith("shrinks")
    assert written[second_image_at(written):] == second
    with Image.open(photo) as image:  # Pillow, a reader of its own, finds the second frame there
        image.seek(1)
        assert image.convert("RGB").getpixel((80, 60)) == pytest.approx(SECOND_COLOUR, abs=3)


def test_fill_bytes_after_the_mpf_segment_count_in_the_shift(tmp_path, index):
    """0xFF fill bytes may precede any marker; the rebuilt file has none, so the second
    image comes closer by their number besides the growth of the XMP."""
    photo, second = multi_picture_jpeg(tmp_path / "a.jpg", xmp_segment(padding=0))
    data = photo.read_bytes()
    start, payload = mpf_at(data)
    at = start + len(payload)  # the XMP segment's marker
    order, field = second_offset_field(payload)
    filled = bytearray(data[:at] + b"\xff" * 3 + data[at:])
    struct.pack_into(order + "I", filled, start + field, struct.unpack_from(order + "I", payload, field)[0] + 3)
    photo.write_bytes(filled)
    assert filled[second_image_at(filled):] == second and read_fields(bytes(filled)).subject == ["holiday"]
    add_photo(index, [photo], "Colosseum")
    summary = write_all(index)
    assert (summary.written, summary.failed) == (1, 0), summary.errors
    written = photo.read_bytes()
    assert written[second_image_at(written):] == second


def test_verify_refuses_a_written_file_whose_mpf_entry_points_elsewhere(tmp_path):
    original = multi_picture_jpeg(tmp_path / "source.jpg", xmp_segment(padding=0))[0].read_bytes()
    wanted = KeywordFields(["holiday", "Colosseum"], ["Landmarks|Colosseum"])
    written = apply_fields(original, wanted)
    start, payload = mpf_at(written)
    order, field = second_offset_field(payload)
    wrong = bytearray(written)
    struct.pack_into(order + "I", wrong, start + field, struct.unpack_from(order + "I", payload, field)[0] - 4)
    target = tmp_path / "a.jpg"
    target.write_bytes(written)
    verify_jpeg(target, original, wanted)
    target.write_bytes(wrong)
    with pytest.raises(VerificationError, match="MPF"):
        verify_jpeg(target, original, wanted)


def test_a_write_whose_mpf_entries_went_wrong_is_refused_and_the_original_kept(tmp_path, index, monkeypatch):
    photo, _ = multi_picture_jpeg(tmp_path / "a.jpg", xmp_segment(padding=0))
    before = photo.read_bytes()
    add_photo(index, [photo], "Colosseum")
    real_shift = jpeg_fields.shift_mpf_offsets
    monkeypatch.setattr(jpeg_fields, "shift_mpf_offsets", lambda payload, delta: real_shift(payload, delta + 1))
    summary = write_all(index)
    assert (summary.written, summary.failed) == (0, 1)
    assert "MPF" in summary.errors[0][1]
    assert photo.read_bytes() == before


def _with_mpf_payload(data: bytes, change) -> bytes:
    """The JPEG with its MPF payload replaced by `change(payload)` (any length)."""
    layout = parse_jpeg(data)
    segments = list(layout.segments)
    at = next(i for i, s in enumerate(segments) if s.is_mpf)
    segments[at] = Segment(segments[at].marker, change(segments[at].payload))
    return build_jpeg(segments, memoryview(data)[layout.scan_offset:])


def _poked(payload: bytes, where, value: int) -> bytes:
    """`payload` with the 32-bit field at `where(payload)` set to `value` in its byte order."""
    order, at = where(payload)
    data = bytearray(payload)
    struct.pack_into(order + "I", data, at, value)
    return bytes(data)


def _ifd_offset_field(payload: bytes) -> tuple[str, int]:
    return ("<" if payload[4:6] == b"II" else ">"), 8


DAMAGED_MPF = {  # what a broken camera, editor or disk left, and what the refusal says of it
    "entry table past the segment's end": (lambda p: _poked(p, _ifd_offset_field, 60000), "past the end of its"),
    "unknown byte order": (lambda p: p[:4] + b"XX" + p[6:], "byte order is 'XX', neither II nor MM"),
    "segment cut short": (lambda p: p[:10], "past the end of its 10-byte segment"),
    "entry pointing into the metadata": (lambda p: _poked(p, second_offset_field, 16), "into the metadata"),
}


@pytest.mark.parametrize("damage", DAMAGED_MPF)
def test_a_damaged_mpf_index_is_refused_with_its_reason_and_the_batch_goes_on(tmp_path, index, damage):
    change, what = DAMAGED_MPF[damage]
    photo, _ = multi_picture_jpeg(tmp_path / "damaged.jpg", xmp_segment(padding=20000))  # the write shrinks it
    photo.write_bytes(_with_mpf_payload(photo.read_bytes(), change))
    before = photo.read_bytes()
    sound, second = multi_picture_jpeg(tmp_path / "sound.jpg", xmp_segment(padding=0))
    add_photo(index, [photo], "Colosseum")
    add_photo(index, [sound], "Colosseum")
    with pytest.raises(MetadataWriteError, match=r"\(MPF\) index is damaged"):  # the writer reports it per file
        apply_fields(before, KeywordFields(["Colosseum"], ["Landmarks|Colosseum"]), str(photo))
    dry_run = {str(p.target): p.problem for p in plan_writes(index, "", False, WriteOptions())}
    summary = write_all(index)
    assert (summary.written, summary.failed) == (1, 1), summary.errors
    [(path, message)] = summary.errors
    assert path.endswith("damaged.jpg") and "bug" not in message and "unexpected" not in message
    assert "its multi-picture (MPF) index is damaged (" in message and what in message
    assert "so it is left as it is" in message and "--no-jpeg" in message
    assert dry_run[str(photo.resolve())] in message  # write --dry-run said the same
    assert photo.read_bytes() == before
    written = sound.read_bytes()
    assert "Landmarks|Colosseum" in read_fields(written).hierarchical and written[second_image_at(written):] == second


def test_undo_of_a_photo_whose_mpf_index_was_damaged_since_says_why_and_leaves_it(tmp_path, index):
    photo, _ = multi_picture_jpeg(tmp_path / "a.jpg", xmp_segment(padding=0))
    add_photo(index, [photo], "Colosseum")
    assert write_all(index).written == 1
    photo.write_bytes(_with_mpf_payload(photo.read_bytes(), lambda p: p[:4] + b"XX" + p[6:]))
    damaged = photo.read_bytes()
    summary = undo_last_write(index)
    assert (summary.written, summary.failed) == (0, 1), summary.errors
    assert "its multi-picture (MPF) index is damaged (its byte order is 'XX'" in summary.errors[0][1]
    assert photo.read_bytes() == damaged


def test_an_mpf_entry_already_pointing_past_the_file_end_is_written_and_reaches_nothing_still(tmp_path, index):
    """The index parses and every offset can move with the pictures: the entry that reached
    no picture before the write reaches none after it (verify_jpeg compares), so the
    labels are written rather than the photo refused."""
    photo, second = multi_picture_jpeg(tmp_path / "a.jpg", xmp_segment(padding=0))
    photo.write_bytes(_with_mpf_payload(photo.read_bytes(), lambda p: _poked(p, second_offset_field, 10_000_000)))
    add_photo(index, [photo], "Colosseum")
    summary = write_all(index)
    assert (summary.written, summary.failed) == (1, 0), summary.errors
    written = photo.read_bytes()
    assert "Landmarks|Colosseum" in read_fields(written).hierarchical and written.endswith(second)
    assert second_image_at(written) > len(written)
