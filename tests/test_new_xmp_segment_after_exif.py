"""Where a label write puts the XMP segment it adds to a JPEG that has none: after the
EXIF APP1 (and a JFIF APP0 ahead of it), never between them. The Exif spec places EXIF
first after SOI (or JFIF); readers that take the first APP1 for it would lose the
photo's date, orientation and GPS behind an XMP packet (jpeg_segments.insertion_index)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.metadata.jpeg_segments import build_jpeg, parse_jpeg
from tests import test_write_keyword_policy as keyword_policy
from tests.test_metadata_support import add_photo, as_list, exiftool_tags, make_jpeg, require_exiftool

index = keyword_policy.index  # the fixture: an index of its own in tmp_path
write_all = keyword_policy.write_all


def kinds(path: Path) -> list[str]:
    """The photo's segments up to the image data, named where they are metadata."""
    return ["JFIF" if s.is_jfif else "EXIF" if s.is_exif else "XMP" if s.is_xmp else f"{s.marker:#x}"
            for s in parse_jpeg(path.read_bytes()).segments]


def without_jfif(path: Path) -> Path:
    """As a camera writes it: EXIF first after SOI, no JFIF APP0."""
    data = path.read_bytes()
    layout = parse_jpeg(data)
    path.write_bytes(build_jpeg([s for s in layout.segments if not s.is_jfif], data[layout.scan_offset:]))
    return path


@pytest.mark.parametrize("camera_like", [False, True], ids=["jfif and exif", "exif alone"])
def test_the_xmp_a_write_adds_follows_the_exif_and_every_other_segment_keeps_its_place(
        tmp_path, index, camera_like) -> None:
    photo = make_jpeg(tmp_path / "a.jpg")
    if camera_like:
        without_jfif(photo)
    before = kinds(photo)
    assert "XMP" not in before and before.index("EXIF") == (0 if camera_like else 1)
    add_photo(index, [photo], "Colosseum")
    assert write_all(index).written == 1
    exif_at = before.index("EXIF")
    assert kinds(photo) == before[:exif_at + 1] + ["XMP"] + before[exif_at + 1:]


def test_exiftool_reads_both_the_exif_and_the_xmp_written_after_it(tmp_path, index) -> None:
    require_exiftool()
    photo = make_jpeg(tmp_path / "a.jpg")
    add_photo(index, [photo], "Colosseum")
    write_all(index)
    tags = exiftool_tags(photo)
    assert (tags["IFD0:Make"], tags["ExifIFD:DateTimeOriginal"]) == ("NIKON CORPORATION", "2020:11:05 10:11:12")
    assert as_list(tags["XMP-dc:Subject"]) == ["Colosseum"]
    assert as_list(tags["XMP-lr:HierarchicalSubject"]) == ["Landmarks|Colosseum"]
