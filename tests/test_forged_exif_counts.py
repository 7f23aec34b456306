"""An EXIF count larger than its block is refused before piexif sees it, and the write's
verification still compares such a block (hostile input, finding 3)."""

from __future__ import annotations

import io
import struct
from types import SimpleNamespace

import piexif
import pytest
from PIL import Image

from app.core import thumbnails
from app.core.exif_counts import oversized_count
from app.core.metadata.exif_keywords import set_xp_keywords
from app.core.metadata.jpeg_segments import EXIF_HEADER
from app.core.metadata.verify import VerificationError, _compare_exif


def _exif_block(make: bytes, orientation_count: int) -> bytes:
    """An APP1 EXIF payload: IFD0 with Make and an Orientation claiming `orientation_count` SHORTs."""
    make += b"\x00"
    data_at = 8 + 2 + 2 * 12 + 4
    entries = struct.pack("<HHII", 0x010F, 2, len(make), data_at)
    entries += struct.pack("<HHI", 0x0112, 3, orientation_count) + struct.pack("<HH", 1, 0)
    return b"Exif\x00\x00" + b"II*\x00" + struct.pack("<IH", 8, 2) + entries + struct.pack("<I", 0) + make


def test_a_count_past_the_block_is_named():
    reason = oversized_count(_exif_block(b"Canon", 0x80000000))
    assert reason is not None and "0x0112" in reason and "2,147,483,648" in reason
    assert oversized_count(_exif_block(b"Canon", 1)) is None
    assert oversized_count(piexif.dump({"0th": {piexif.ImageIFD.Make: b"Canon"}, "Exif": {piexif.ExifIFD.UserComment: b"x" * 100}})) is None


def test_verification_of_such_a_block_still_sees_a_changed_value():
    old = SimpleNamespace(payload=_exif_block(b"Canon", 100_000))
    changed = SimpleNamespace(payload=_exif_block(b"Nikon", 100_000))
    with pytest.raises(VerificationError, match="EXIF values other than XPKeywords changed"):
        _compare_exif("photo.jpg", old, changed)
    _compare_exif("photo.jpg", old, SimpleNamespace(payload=_exif_block(b"Canon", 100_000)))  # unchanged: passes


def test_thumbnail_of_such_a_photo_never_calls_piexif(tmp_path, monkeypatch):
    out = io.BytesIO()
    Image.new("RGB", (320, 240), "red").save(out, "JPEG", exif=_exif_block(b"Canon", 0xFFFFFFFF))
    path = tmp_path / "count.jpg"
    path.write_bytes(out.getvalue())
    calls = []
    monkeypatch.setattr(piexif, "load", lambda *args, **kwargs: calls.append(args))
    assert thumbnails._embedded_thumbnail(path, 160) is None
    assert calls == []
    assert thumbnails.make_thumbnail(path, 160).size == (160, 120)


def _exif_with_thumbnail(
    thumbnail: bytes, xp_keywords: bytes = b"P\x00\x00\x00", cut: int = 0, orientation_count: int = 100_000
) -> bytes:
    """An EXIF payload with a forged Orientation count, XPKeywords (BYTEs) in IFD0 and an IFD1
    thumbnail at the end of the block (where a write puts new values); `cut` drops its last bytes."""
    make = b"Canon\x00"
    ifd0_end = 8 + 2 + 3 * 12 + 4
    xp_at, make_at = ifd0_end, ifd0_end + len(xp_keywords)
    ifd1_at = make_at + len(make)
    thumbnail_at = ifd1_at + 2 + 2 * 12 + 4
    ifd0 = struct.pack("<H", 3) + struct.pack("<HHII", 0x010F, 2, len(make), make_at)
    ifd0 += struct.pack("<HHI", 0x0112, 3, orientation_count) + struct.pack("<HH", 1, 0)
    ifd0 += struct.pack("<HHII", 0x9C9E, 1, len(xp_keywords), xp_at) + struct.pack("<I", ifd1_at)
    ifd1 = struct.pack("<H", 2) + struct.pack("<HHII", 0x0201, 4, 1, thumbnail_at)
    ifd1 += struct.pack("<HHII", 0x0202, 4, 1, len(thumbnail)) + struct.pack("<I", 0)
    tiff = b"II*\x00" + struct.pack("<I", 8) + ifd0 + xp_keywords + make + ifd1 + thumbnail
    return b"Exif\x00\x00" + (tiff[:-cut] if cut else tiff)


def test_verification_of_such_a_block_sees_a_damaged_thumbnail_and_lets_xp_keywords_change():
    thumbnail = b"\xff\xd8" + b"THUMBNAIL" * 10 + b"\xff\xd9"
    old = SimpleNamespace(payload=_exif_with_thumbnail(thumbnail))
    assert oversized_count(old.payload) is not None  # piexif is not asked: the raw comparison is
    for damaged in (_exif_with_thumbnail(thumbnail.replace(b"THUMB", b"XXXXX")), _exif_with_thumbnail(thumbnail, cut=80)):
        with pytest.raises(VerificationError, match="EXIF values other than XPKeywords changed"):
            _compare_exif("photo.jpg", old, SimpleNamespace(payload=damaged))
    ours = SimpleNamespace(payload=_exif_with_thumbnail(thumbnail, xp_keywords=b"C\x00o\x00l\x00\x00\x00"))
    _compare_exif("photo.jpg", old, ours)  # only XPKeywords changed (its value, and where the rest lies): passes


def test_a_real_write_to_such_a_block_cut_short_passes_and_damage_within_it_is_still_seen():
    """A block cut 50 bytes into its thumbnail, with an Orientation count forged past its end
    (300 SHORTs from offset 1): set_xp_keywords pads the gap and appends, moving no byte, so
    the thumbnail now runs to its full length and Orientation fits. Both are compared only as
    far as the original block held them, so the write passes; damage within that still fails."""
    thumbnail = b"\xff\xd8" + b"THUMBNAIL" * 10 + b"\xff\xd9"
    old = SimpleNamespace(payload=_exif_with_thumbnail(thumbnail, cut=50, orientation_count=300))
    assert oversized_count(old.payload) is not None  # piexif is not asked: the raw comparison is
    written = EXIF_HEADER + set_xp_keywords(old.payload[len(EXIF_HEADER):], ["Landmarks|Colosseum"])
    assert len(written) > len(old.payload) and written.find(b"THUMBNAIL") == old.payload.find(b"THUMBNAIL")
    _compare_exif("photo.jpg", old, SimpleNamespace(payload=written))

    damaged = bytearray(written)
    damaged[old.payload.find(b"THUMBNAIL") + 3] ^= 0xFF
    for bad in (bytes(damaged), written[: len(old.payload) - 10]):  # thumbnail damaged, or cut shorter still
        with pytest.raises(VerificationError, match="EXIF values other than XPKeywords changed"):
            _compare_exif("photo.jpg", old, SimpleNamespace(payload=bad))


@pytest.mark.parametrize("count", [100_000, 0x80000000])
def test_a_write_to_a_photo_with_a_forged_count_says_its_exif_is_malformed(tmp_path, count):
    """It said "the EXIF block has no room left for XPKeywords (64 KB JPEG segment limit)",
    sending the user to look for a full segment in a 6 KB block: a value claiming to run past
    the block is what left no room after it. The label still goes into XMP."""
    from app.core.index import PhotoIndex
    from app.core.metadata import WriteOptions, plan_writes, write_labels
    from app.core.metadata.exif_keywords import encode_xp_keywords
    from app.core.metadata.jpeg_fields import read_fields
    from tests.test_metadata_support import add_photo

    out = io.BytesIO()
    thumbnail = b"\xff\xd8" + b"THUMBNAIL" * 10 + b"\xff\xd9"
    exif = _exif_with_thumbnail(thumbnail, xp_keywords=encode_xp_keywords(["Family"]), orientation_count=count)
    Image.new("RGB", (320, 240), "red").save(out, "JPEG", exif=exif)
    photo = tmp_path / "forged.jpg"
    photo.write_bytes(out.getvalue())
    index = PhotoIndex.open(tmp_path / "index.db")
    try:
        add_photo(index, [photo], "Petra")
        summary = write_labels(index, plan_writes(index, "", False, WriteOptions()), WriteOptions())
    finally:
        index.close()
    assert (summary.written, summary.failed) == (1, 0), summary.errors
    (path, note), = summary.notes
    assert path == str(photo) and "no room left" not in note
    assert f"the EXIF block is malformed: tag 0x0112 claims {count:,} values ({2 * count:,} bytes from offset 1)" in note
    assert "written into XMP, which every photo tool reads, not into XPKeywords" in note
    fields = read_fields(photo.read_bytes())
    assert (fields.subject, fields.xp) == (["Petra"], ["Family"])


def test_keywords_for_a_block_with_a_forged_count_are_refused_without_growing_it_to_the_count():
    """A count of 2^31 SHORTs made set_xp_keywords pad the block to 4 GB before it found the
    block too large for its segment."""
    import tracemalloc

    from app.core.metadata.exif_keywords import ExifFullError

    payload = _exif_with_thumbnail(b"\xff\xd8\xff\xd9", orientation_count=0x80000000)
    tracemalloc.start()
    try:
        with pytest.raises(ExifFullError, match="malformed: tag 0x0112 claims 2,147,483,648 values"):
            set_xp_keywords(payload[len(EXIF_HEADER):], ["Landmarks|Colosseum"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000
