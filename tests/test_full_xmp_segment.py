"""A JPEG whose XMP nearly fills its 64 KB segment (a long caption or history another
program left): the write gives up padding to fit the keyword, up to the last byte a
segment's 16-bit length field can count, and a packet one byte longer is refused with
its reason; the file is never cut short or left half written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.metadata import plan_writes
from app.core.metadata.jpeg_fields import read_fields
from app.core.metadata.jpeg_segments import MAX_SEGMENT_PAYLOAD, XMP_HEADER, JpegFormatError, Segment, parse_jpeg
from tests.test_metadata_support import add_photo, make_jpeg, with_xmp_packet, write_all
from tests.test_metadata_support import index  # noqa: F401 (a fixture)

ROOM = MAX_SEGMENT_PAYLOAD - len(XMP_HEADER)  # what one segment leaves for the packet


def packet_with_caption(length: int) -> bytes:
    """A packet as another program left it: a caption of `length` ASCII letters."""
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{"c" * length}</rdf:li></rdf:Alt></dc:description>
   <dc:subject><rdf:Bag><rdf:li>Rome</rdf:li></rdf:Bag></dc:subject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""".encode()


def photo_with_caption(tmp_path: Path, length: int) -> Path:
    folder = tmp_path / str(length)
    folder.mkdir()
    return with_xmp_packet(make_jpeg(folder / "a.jpg"), packet_with_caption(length))


def packet_needed(tmp_path: Path, length: int) -> int:
    """How many bytes the labelled packet of a photo with a caption of `length` needs
    without padding, as the dry run of a packet too long for the segment says."""
    probe = PhotoIndex.open(tmp_path / "probe.db")
    try:
        add_photo(probe, [photo_with_caption(tmp_path, length)], "Colosseum")
        (item,) = plan_writes(probe)
    finally:
        probe.close()
    needed = re.search(r"the XMP packet would need (\d+) bytes", item.problem or "")
    assert needed, item.describe()
    return int(needed.group(1))


def caption_filling_room(tmp_path: Path) -> int:
    """The caption length whose labelled packet needs exactly ROOM bytes without padding:
    probed with a packet that fills the segment before the write, so needs more after."""
    probe = ROOM - len(packet_with_caption(0))
    return probe - (packet_needed(tmp_path, probe) - ROOM)


def xmp_payload(photo: Path) -> bytes:
    return parse_jpeg(photo.read_bytes()).first("xmp").payload


@pytest.mark.parametrize("short_of_room", [0, 1, 2, 100, 2000])
def test_a_keyword_fits_into_an_almost_full_xmp_segment_up_to_its_last_byte(tmp_path, index, short_of_room):
    """The labelled packet 0 to 2,000 bytes short of the room: the padding shrinks to
    fill the segment at most to MAX_SEGMENT_PAYLOAD bytes (a length field of 0xFFFF)."""
    caption = caption_filling_room(tmp_path) - short_of_room
    photo = photo_with_caption(tmp_path, caption)
    add_photo(index, [photo], "Colosseum")
    summary = write_all(index)
    assert (summary.written, summary.failed) == (1, 0), summary.errors
    payload = xmp_payload(photo)
    assert len(payload) >= MAX_SEGMENT_PAYLOAD - 1  # the padding gave way, and no more than that
    fields = read_fields(photo.read_bytes())
    assert fields.subject == ["Rome", "Colosseum"] and "Landmarks|Colosseum" in fields.hierarchical
    assert b"c" * caption in payload


def test_a_packet_one_byte_over_the_segment_is_refused_with_its_reason(tmp_path, index):
    caption = caption_filling_room(tmp_path) + 1
    photo = photo_with_caption(tmp_path, caption)
    original = photo.read_bytes()
    add_photo(index, [photo], "Colosseum")
    summary = write_all(index)
    assert (summary.written, summary.failed) == (0, 1)
    assert f"the XMP packet would need {ROOM + 1} bytes" in summary.errors[0][1]
    assert "remove some XMP data first" in summary.errors[0][1]
    assert photo.read_bytes() == original


@pytest.mark.parametrize("size", [MAX_SEGMENT_PAYLOAD - 1, MAX_SEGMENT_PAYLOAD, MAX_SEGMENT_PAYLOAD + 1,
                                  MAX_SEGMENT_PAYLOAD + 2])
def test_a_segment_holds_up_to_65533_bytes_and_says_so_beyond(size):
    """The length field (16 bits) counts itself: 65,533 payload bytes give 0xFFFF; one
    more is the clear "write fewer keywords", never struct's "format requires" error."""
    segment = Segment(0xE1, b"x" * size)
    if size <= MAX_SEGMENT_PAYLOAD:
        encoded = segment.encode()
        assert encoded[2:4] == (size + 2).to_bytes(2, "big") and len(encoded) == size + 4
    else:
        with pytest.raises(JpegFormatError, match="write fewer keywords"):
            segment.encode()
