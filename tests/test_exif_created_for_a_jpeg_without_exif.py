"""The EXIF block a write creates in a JPEG that had none: its resolution is the JFIF
header's, as exiftool's is, so a 300 dpi scan does not say 72 dpi in EXIF too; and an
undo after another program edited the file takes out the blocks the write created
where they hold nothing but what it put there."""

from __future__ import annotations

import struct
import subprocess

import piexif
import pytest

from app.core.index import PhotoIndex
from app.core.metadata import WriteOptions, plan_writes, undo_last_write, write_labels
from app.core.metadata.jpeg_fields import read_fields
from app.core.metadata.jpeg_segments import APP1, XMP_HEADER, Segment, build_jpeg, parse_jpeg
from app.core.metadata.keywords import KeywordFields
from app.core.metadata.xmp import XmpDocument
from tests.test_metadata_support import add_photo, exiftool_tags, make_jpeg, require_exiftool

XMP_BASIC = "http://ns.adobe.com/xap/1.0/"


@pytest.fixture
def index(tmp_path):
    opened = PhotoIndex.open(tmp_path / "index.db")
    yield opened
    opened.close()


def write_all(index):
    return write_labels(index, plan_writes(index, "", False, WriteOptions()), WriteOptions())


def scan_without_exif(path, unit: int, x_density: int, y_density: int):
    """A JPEG without EXIF whose JFIF header says `x_density` x `y_density` in `unit`
    (0: a pixel aspect ratio, 1: dots per inch, 2: dots per cm), as a scanner leaves it."""
    make_jpeg(path, exif=False)
    data = bytearray(path.read_bytes())
    at = data.index(b"JFIF\x00") + 7
    data[at : at + 5] = struct.pack(">BHH", unit, x_density, y_density)
    path.write_bytes(bytes(data))
    assert parse_jpeg(bytes(data)).first("exif") is None
    return path


def ifd0_resolution(path) -> tuple:
    tags = piexif.load(parse_jpeg(path.read_bytes()).first("exif").payload)["0th"]
    return (tags[piexif.ImageIFD.XResolution], tags[piexif.ImageIFD.YResolution], tags[piexif.ImageIFD.ResolutionUnit])


@pytest.mark.parametrize("jfif, exif", [
    ((1, 300, 200), ((300, 1), (200, 1), 2)),  # dots per inch: EXIF inches
    ((2, 118, 79), ((118, 1), (79, 1), 3)),  # dots per cm: EXIF cm
    ((0, 1, 1), ((72, 1), (72, 1), 2)),  # an aspect ratio only: no density to take
])
def test_a_new_exif_block_takes_the_jfif_density(tmp_path, index, jfif, exif):
    photo = scan_without_exif(tmp_path / "scan.jpg", *jfif)
    add_photo(index, [photo], "Pont du Gard")
    assert write_all(index).written == 1
    assert read_fields(photo.read_bytes()).xp == ["Pont du Gard"]
    assert ifd0_resolution(photo) == exif


def test_a_jpeg_without_jfif_or_exif_gets_72_dpi(tmp_path, index):
    photo = make_jpeg(tmp_path / "a.jpg", exif=False)
    data = photo.read_bytes()
    layout = parse_jpeg(data)
    photo.write_bytes(build_jpeg([s for s in layout.segments if not s.payload.startswith(b"JFIF\x00")],
                                 data[layout.scan_offset:]))
    add_photo(index, [photo], "Petra")
    assert write_all(index).written == 1
    assert ifd0_resolution(photo) == ((72, 1), (72, 1), 2)


def test_exiftool_reads_one_resolution_in_jfif_and_exif(tmp_path, index):
    require_exiftool()
    photo = scan_without_exif(tmp_path / "scan.jpg", 1, 300, 300)
    add_photo(index, [photo], "Pont du Gard")
    assert write_all(index).written == 1
    tags = exiftool_tags(photo)
    assert tags["IFD0:XResolution"] == tags["JFIF:XResolution"] == 300
    assert tags["IFD0:ResolutionUnit"] == tags["JFIF:ResolutionUnit"] == "inches"
    result = subprocess.run(["exiftool", "-validate", "-warning", "-a", "-s3", str(photo)],
                            capture_output=True, text=True, check=True)
    assert result.stdout.splitlines()[0] == "OK", result.stdout


def edited_elsewhere(path, xmp_rating: bool = False, exif_artist: bool = False) -> None:
    """`path` as another program leaves it after giving it a rating (in our XMP packet)
    or an artist (in our EXIF block): our segments change, so undo cannot restore them
    whole and takes out only our keywords."""
    data = path.read_bytes()
    layout = parse_jpeg(data)
    segments = list(layout.segments)
    for at, segment in enumerate(segments):
        if xmp_rating and segment.is_xmp:
            doc = XmpDocument.parse(segment.payload[len(XMP_HEADER):])
            doc.set_text(XMP_BASIC, "Rating", "3")
            segments[at] = Segment(APP1, XMP_HEADER + doc.serialize())
        if exif_artist and segment.is_exif:
            exif = piexif.load(segment.payload)
            exif["0th"][piexif.ImageIFD.Artist] = b"Me"
            segments[at] = Segment(APP1, piexif.dump(exif))
    path.write_bytes(build_jpeg(segments, data[layout.scan_offset:]))


def test_undo_after_another_edit_removes_the_blocks_our_write_created_and_left_bare(tmp_path, index):
    """c/undo2 of the tester: a rating given elsewhere after our write, then undo. The
    EXIF block (resolution only) and the IPTC block (record version only) the write
    created went with our keywords; the XMP packet keeps the rating."""
    photo = scan_without_exif(tmp_path / "scan.jpg", 1, 300, 300)
    original = parse_jpeg(photo.read_bytes())
    add_photo(index, [photo], "Pont du Gard")
    assert write_all(index).written == 1
    edited_elsewhere(photo, xmp_rating=True)
    summary = undo_last_write(index)
    assert (summary.written, summary.failed) == (1, 0), summary.errors
    after = parse_jpeg(photo.read_bytes())
    assert after.first("exif") is None and after.first("photoshop") is None
    doc = XmpDocument.parse(after.first("xmp").payload[len(XMP_HEADER):])
    assert doc.get_text(XMP_BASIC, "Rating") == "3"
    assert read_fields(photo.read_bytes()) == KeywordFields()
    assert [s for s in after.segments if not s.is_xmp] == list(original.segments)


def test_undo_keeps_a_created_block_another_program_wrote_into(tmp_path, index):
    photo = scan_without_exif(tmp_path / "scan.jpg", 1, 300, 300)
    add_photo(index, [photo], "Pont du Gard")
    assert write_all(index).written == 1
    edited_elsewhere(photo, exif_artist=True)
    summary = undo_last_write(index)
    assert (summary.written, summary.failed) == (1, 0), summary.errors
    after = parse_jpeg(photo.read_bytes())
    exif = piexif.load(after.first("exif").payload)
    assert exif["0th"][piexif.ImageIFD.Artist] == b"Me" and piexif.ImageIFD.XPKeywords not in exif["0th"]
    # the XMP packet and IPTC block our write created held only our keywords: gone too
    assert after.first("xmp") is None and after.first("photoshop") is None
    assert read_fields(photo.read_bytes()).xp is None
