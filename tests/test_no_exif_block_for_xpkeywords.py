"""A JPEG without EXIF (a scan, an export) got a whole EXIF block from `write`, made to
hold XPKeywords, which Windows reads after dc:subject and merges with it and exiftool's
MWG module never writes: it gets none now, and XPKeywords goes only where the photo holds
it. Undo still takes out the blocks older versions created: whole where the file is
their write, and where another program edited it since, where nothing but what the
write put there is left in them."""

from __future__ import annotations

import struct
import subprocess

import piexif
import pytest

from app.core.metadata import plan_writes, undo_last_write
from app.core.metadata.exif_keywords import older_creations
from app.core.metadata.jpeg_fields import read_fields, restore_segments
from app.core.metadata.jpeg_segments import APP1, XMP_HEADER, Segment, build_jpeg, parse_jpeg
from app.core.metadata.keywords import KeywordFields
from app.core.metadata.xmp import XmpDocument
from tests.test_iptc_blocks import index, write_all  # noqa: F401 (index: a fixture)
from tests.test_metadata_support import add_photo, as_an_older_version_wrote_it, exiftool_tags, make_jpeg, require_exiftool

XMP_BASIC = "http://ns.adobe.com/xap/1.0/"
# The EXIF blocks older versions created (older_creations): XPKeywords alone until
# 2026-12-04, then with the mandatory tags at 72 dpi, then at the JFIF density; the last
# journalled with a digest, the first two without (older_creations' order)
OLDER_BLOCKS = pytest.mark.parametrize("version, digest", [(0, False), (1, False), (2, True)],
                                       ids=["xpkeywords-alone", "72-dpi", "jfif-density"])


def scan_without_exif(path, unit: int = 1, x_density: int = 300, y_density: int = 300):
    """A JPEG without EXIF whose JFIF header says `x_density` x `y_density` in `unit`
    (0: a pixel aspect ratio, 1: dots per inch, 2: dots per cm), as a scanner leaves it."""
    make_jpeg(path, exif=False)
    data = bytearray(path.read_bytes())
    at = data.index(b"JFIF\x00") + 7
    data[at : at + 5] = struct.pack(">BHH", unit, x_density, y_density)
    path.write_bytes(bytes(data))
    assert parse_jpeg(bytes(data)).first("exif") is None
    return path


def written_as_an_older_version(index, photo, version: int, digest: bool) -> None:
    """`photo` labelled and written, then made what the older `version` left (OLDER_BLOCKS)."""
    add_photo(index, [photo], "Pont du Gard")
    assert write_all(index).written == 1
    jfif = parse_jpeg(photo.read_bytes()).first("jfif").payload
    as_an_older_version_wrote_it(index, photo, lambda keywords: older_creations(keywords, jfif)[version], digest)
    assert read_fields(photo.read_bytes()).xp == ["Pont du Gard"]


def test_a_scan_without_exif_gets_no_exif_block(tmp_path, index):
    require_exiftool()
    photo = scan_without_exif(tmp_path / "scan.jpg")
    original = photo.read_bytes()
    add_photo(index, [photo], "Pont du Gard")
    [item] = plan_writes(index)
    assert item.after == KeywordFields(["Pont du Gard"], ["Landmarks|Pont du Gard"])
    assert write_all(index).written == 1
    layout = parse_jpeg(photo.read_bytes())
    assert layout.first("exif") is None  # was an IFD0 with XPKeywords and a resolution
    assert layout.first("jfif").payload == parse_jpeg(original).first("jfif").payload
    tags = exiftool_tags(photo)
    assert tags["XMP-dc:Subject"] == ["Pont du Gard"]  # what Windows reads first (System.Keywords)
    assert not any(key.startswith("IFD0:") for key in tags)
    result = subprocess.run(["exiftool", "-validate", "-warning", "-a", "-s3", str(photo)],
                            capture_output=True, text=True, check=True)
    assert result.stdout.splitlines()[0] == "OK", result.stdout
    assert undo_last_write(index).written == 1
    assert photo.read_bytes() == original


# An export's XMP on one line, which a write lays out anew: only putting the saved
# segments back gives its bytes back, so undo must know the file for the older write
EXPORT_PACKET = ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
                 '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
                 'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject><rdf:Bag><rdf:li>Family</rdf:li></rdf:Bag>'
                 '</dc:subject></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>').encode()


@OLDER_BLOCKS
def test_undo_gives_back_the_bytes_of_a_scan_an_older_version_gave_an_exif_block(tmp_path, index, version, digest):
    photo = scan_without_exif(tmp_path / "scan.jpg")
    photo.write_bytes(restore_segments(photo.read_bytes(), {"xmp": XMP_HEADER + EXPORT_PACKET}))
    original = photo.read_bytes()
    written_as_an_older_version(index, photo, version, digest)
    summary = undo_last_write(index)
    assert (summary.written, summary.failed) == (1, 0), summary.errors
    assert photo.read_bytes() == original


def edited_elsewhere(path, xmp_rating: bool = False, exif_artist: bool = False) -> None:
    """`path` as another program leaves it after giving it a rating (in our XMP packet)
    or an artist (in the EXIF block our write created): our segments change, so undo
    cannot restore them whole and takes out only our keywords."""
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


@OLDER_BLOCKS
def test_undo_after_another_edit_removes_the_block_an_older_version_created_and_left_bare(
        tmp_path, index, version, digest):
    """c/undo2 of a tester: a rating given elsewhere after the write, then undo. The EXIF
    block the write created (resolution only, once XPKeywords is out) went with our
    keywords; the XMP packet keeps the rating."""
    photo = scan_without_exif(tmp_path / "scan.jpg")
    original = parse_jpeg(photo.read_bytes())
    written_as_an_older_version(index, photo, version, digest)
    edited_elsewhere(photo, xmp_rating=True)
    summary = undo_last_write(index)
    assert (summary.written, summary.failed) == (1, 0), summary.errors
    after = parse_jpeg(photo.read_bytes())
    assert after.first("exif") is None and after.first("photoshop") is None
    doc = XmpDocument.parse(after.first("xmp").payload[len(XMP_HEADER):])
    assert doc.get_text(XMP_BASIC, "Rating") == "3"
    assert read_fields(photo.read_bytes()) == KeywordFields()
    assert [s for s in after.segments if not s.is_xmp] == list(original.segments)


def test_undo_keeps_a_block_an_older_version_created_that_another_program_wrote_into(tmp_path, index):
    photo = scan_without_exif(tmp_path / "scan.jpg")
    written_as_an_older_version(index, photo, 2, True)
    edited_elsewhere(photo, exif_artist=True)
    summary = undo_last_write(index)
    assert (summary.written, summary.failed) == (1, 0), summary.errors
    after = parse_jpeg(photo.read_bytes())
    exif = piexif.load(after.first("exif").payload)
    assert exif["0th"][piexif.ImageIFD.Artist] == b"Me" and piexif.ImageIFD.XPKeywords not in exif["0th"]
    # the XMP packet our write created held only our keywords: gone too
    assert after.first("xmp") is None and after.first("photoshop") is None
    assert read_fields(photo.read_bytes()).xp is None
