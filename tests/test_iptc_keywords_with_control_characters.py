"""IPTC keywords holding control characters, as old tools write them (NUL-terminated C
strings) or damaged files hold them (ESC, VT): a write carries them into XMP cleaned as
exiftool does (trailing NULs dropped, any other control XML cannot hold as "."), keeps
the IPTC datasets' own bytes, and writes the file rather than building a packet that is
not well-formed."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from app.core.index import PhotoIndex
from app.core.metadata import WriteOptions, plan_writes, undo_last_write, write_labels
from app.core.metadata import iptc
from app.core.metadata.jpeg_fields import read_fields, restore_segments
from app.core.metadata.jpeg_segments import parse_jpeg
from app.core.metadata.verify import VerificationError, _compare_iptc
from tests.test_metadata_support import add_photo, make_jpeg, xmp_packet


@pytest.fixture
def index(tmp_path):
    opened = PhotoIndex.open(tmp_path / "index.db")
    yield opened
    opened.close()


def with_iptc_keywords(path, keywords: list[bytes]):
    """The JPEG at `path` with a UTF-8 IPTC block holding `keywords` byte for byte, and no XMP."""
    block = iptc.build_datasets([iptc.DataSet(1, 90, iptc.UTF8_MARK), iptc.DataSet(2, 0, b"\x00\x04"),
                                 *(iptc.DataSet(2, 25, keyword) for keyword in keywords)])
    payload = iptc.build_resources([iptc.Resource(iptc.IPTC_RESOURCE, b"\x00\x00", block)])
    path.write_bytes(restore_segments(path.read_bytes(), {"photoshop": payload, "xmp": None}))
    return path


def iptc_datasets(data: bytes) -> list[bytes]:
    payload = parse_jpeg(data).first("photoshop").payload
    block = next(r.data for r in iptc.parse_resources(payload) if r.id == iptc.IPTC_RESOURCE)
    return [d.value for d in iptc.parse_datasets(block) if d.key == iptc.KEYWORDS]


@pytest.mark.parametrize("keywords, cleaned", [
    ([b"Holiday\x00", b"Rome\x00\x00"], ["Holiday", "Rome"]),
    ([b"Holi\x1bday"], ["Holi.day"]),
    ([b"a\x0bb", b"tab\tkept"], ["a.b", "tab\tkept"]),
    # two keywords that read alike: each keeps its own bytes
    ([b"Rome\x00", b"Rome"], ["Rome", "Rome"]),
    ([b"a.b", b"a\x0bb"], ["a.b", "a.b"]),
    ([b"Holiday\x00", b"Holiday\x00\x00"], ["Holiday", "Holiday"]),
])
def test_iptc_keywords_with_control_characters_are_carried_into_xmp_cleaned(tmp_path, index, keywords, cleaned):
    photo = with_iptc_keywords(make_jpeg(tmp_path / "a.jpg"), keywords)
    original = photo.read_bytes()
    add_photo(index, [photo], "Colosseum")
    (item,) = plan_writes(index)
    assert item.problem is None and item.before.iptc == cleaned
    summary = write_labels(index, [item], WriteOptions())
    assert (summary.written, summary.failed) == (1, 0), summary.errors
    written = photo.read_bytes()
    assert read_fields(written).subject == [*cleaned, "Colosseum"]
    assert b"\x00" not in xmp_packet(written) and b"\x1b" not in xmp_packet(written)
    assert iptc_datasets(written) == [*keywords, b"Colosseum"]  # the user's IPTC bytes as they were
    assert undo_last_write(index).written == 1
    assert photo.read_bytes() == original


def test_reading_strips_only_trailing_nuls_and_keeps_other_text():
    block = iptc.build_datasets([iptc.DataSet(2, 25, b"Caf\xc3\xa9\x00"), iptc.DataSet(2, 25, b"a\x00b")])
    payload = iptc.build_resources([iptc.Resource(iptc.IPTC_RESOURCE, b"\x00\x00", block)])
    assert iptc.read_keywords(payload) == ["Café", "a.b"]


def _photoshop(keywords: list[bytes]):
    block = iptc.build_datasets([iptc.DataSet(2, 0, b"\x00\x04"), *(iptc.DataSet(2, 25, k) for k in keywords)])
    return SimpleNamespace(payload=iptc.build_resources([iptc.Resource(iptc.IPTC_RESOURCE, b"\x00\x00", block)]))


@pytest.mark.parametrize("before, after", [
    ([b"a.b", b"a\x0bb"], [b"a\x0bb", b"a\x0bb", b"Colosseum"]),
    ([b"Rome\x00", b"Rome"], [b"Rome", b"Rome", b"Colosseum"]),
])
def test_verification_notices_a_kept_keyword_whose_bytes_changed(before, after):
    with pytest.raises(VerificationError, match="kept its text but not its bytes"):
        _compare_iptc(Path("p.jpg"), _photoshop(before), _photoshop(after))
    _compare_iptc(Path("p.jpg"), _photoshop(before), _photoshop([*before, b"Colosseum"]))  # ours added: fine
