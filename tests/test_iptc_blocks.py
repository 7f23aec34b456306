"""IPTC blocks as other programs leave them: Latin-1 text without a character-set mark,
resources signed by other programs than Photoshop, keywords that break the rules. A
write changes our keyword and nothing else a reader would see."""

from __future__ import annotations

import hashlib
import struct
import subprocess

import pytest

from app.core.metadata import iptc, plan_writes
from app.core.metadata.jpeg_fields import read_fields
from app.core.metadata.jpeg_segments import APP13, MAX_SEGMENT_PAYLOAD, Segment, build_jpeg, parse_jpeg
from tests.test_metadata_support import add_photo, as_list, exiftool_tags, make_jpeg, require_exiftool, write_all
from tests.test_metadata_support import index  # noqa: F401 (a fixture)


def with_app13(path, payload: bytes):
    """The JPEG at `path` with an APP13 segment holding `payload` right after SOI."""
    data = path.read_bytes()
    path.write_bytes(data[:2] + b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload + data[2:])
    return path


def app13_payload(path) -> bytes:
    return parse_jpeg(path.read_bytes()).first("photoshop").payload


@pytest.mark.parametrize("label", ["Eiffel Tower", "Château d'If"])
def test_latin1_text_of_a_block_without_the_utf8_mark_still_reads_right(tmp_path, index, label):
    require_exiftool()
    photo = make_jpeg(tmp_path / "a.jpg")
    subprocess.run(["exiftool", "-q", "-overwrite_original", "-charset", "iptc=Latin",
                    "-IPTC:City=Zürich", "-IPTC:By-line=Jürgen Müller", "-IPTC:Keywords=Städte",
                    str(photo)], check=True)
    add_photo(index, [photo], label)
    summary = write_all(index)
    assert (summary.written, summary.failed) == (1, 0), summary.errors
    tags = exiftool_tags(photo)
    assert tags["IPTC:City"] == "Zürich"
    assert tags["IPTC:By-line"] == "Jürgen Müller"
    assert as_list(tags["IPTC:Keywords"]) == ["Städte", label]


def test_resources_signed_by_other_programs_are_kept(tmp_path, index):
    foreign = iptc.Resource(0x0BB8, b"\x00\x00", b"camera maker's data", b"MeSa")
    resolution = iptc.Resource(0x03ED, b"\x00\x00", bytes(16))
    caption = iptc.Resource(iptc.IPTC_RESOURCE, b"\x00\x00", iptc.build_datasets([iptc.DataSet(2, 120, b"A caption")]))
    payload = iptc.build_resources([foreign, resolution, caption])
    photo = with_app13(make_jpeg(tmp_path / "a.jpg"), payload)
    add_photo(index, [photo], "Petra")
    summary = write_all(index)
    assert (summary.written, summary.failed) == (1, 0), summary.errors
    resources = iptc.parse_resources(app13_payload(photo))
    assert foreign in resources and resolution in resources
    assert read_fields(photo.read_bytes()).iptc == ["Petra"]


def test_a_stale_digest_stays_stale_so_anothers_iptc_edit_still_shows(tmp_path, index):
    """A program that edits IPTC alone leaves Photoshop's digest (0x0425) stale, which tells
    Lightroom and Photoshop to take that edit over the XMP: our write must not make it current."""
    block = iptc.build_datasets([iptc.DataSet(2, 0, b"\x00\x04"), iptc.DataSet(2, 120, b"Caption edited elsewhere")])
    stale = hashlib.md5(b"the block as Photoshop last saved it").digest()
    photo = with_app13(make_jpeg(tmp_path / "a.jpg"), iptc.build_resources([
        iptc.Resource(iptc.IPTC_RESOURCE, b"\x00\x00", block), iptc.Resource(iptc.DIGEST_RESOURCE, b"\x00\x00", stale),
    ]))
    add_photo(index, [photo], "Louvre")
    summary = write_all(index)
    assert (summary.written, summary.failed) == (1, 0), summary.errors
    resources = iptc.parse_resources(app13_payload(photo))
    datasets = iptc.parse_datasets(next(r.data for r in resources if r.id == iptc.IPTC_RESOURCE))
    assert [(d.key, d.value) for d in datasets if d.key != (2, 0)] == [
        ((2, 25), b"Louvre"), ((2, 120), b"Caption edited elsewhere")]
    assert next(r.data for r in resources if r.id == iptc.DIGEST_RESOURCE) == stale


def test_a_block_with_bytes_it_cannot_read_is_left_alone_with_a_reason(tmp_path, index):
    payload = iptc.build_resources([iptc.Resource(0x03ED, b"\x00\x00", bytes(16))]) + b"XXXX unknown resource"
    photo = with_app13(make_jpeg(tmp_path / "a.jpg"), payload)
    original = photo.read_bytes()
    add_photo(index, [photo], "Petra")
    summary = write_all(index)
    assert summary.failed == 1 and "cannot read" in summary.errors[0][1]
    assert photo.read_bytes() == original


def iim_block(*datasets: tuple[int, int, bytes]) -> bytes:
    block = iptc.build_datasets([iptc.DataSet(r, n, v) for r, n, v in datasets])
    return iptc.build_resources([iptc.Resource(iptc.IPTC_RESOURCE, b"\x00\x00", block)])


def test_a_keyword_already_there_keeps_its_bytes(tmp_path, index):
    long_keyword = ("Basilica di Santa Maria " * 4).strip().encode("utf-8")  # over the 64-byte IIM limit
    broken = b"Caf\xe9 Paris"  # not UTF-8 although the block says it is
    photo = with_app13(make_jpeg(tmp_path / "a.jpg"), iim_block(
        (1, 90, iptc.UTF8_MARK), (2, 0, b"\x00\x04"), (2, 25, broken), (2, 25, long_keyword),
    ))
    add_photo(index, [photo], "Colosseum")
    summary = write_all(index)
    assert (summary.written, summary.failed) == (1, 0), summary.errors
    datasets = iptc.parse_datasets(iptc.parse_resources(app13_payload(photo))[0].data)
    assert [d.value for d in datasets if d.key == iptc.KEYWORDS] == [broken, long_keyword, b"Colosseum"]


def test_a_label_over_the_iim_limit_is_cut_on_a_character_without_a_trailing_space():
    label = "Basilique Notre-Dame de la Garde à Marseille, vu du Vieux Port la nuit"
    assert label.encode("utf-8")[iptc.MAX_KEYWORD_BYTES - 1 : iptc.MAX_KEYWORD_BYTES] == b" "  # the 64th byte
    assert iptc.iptc_keyword(label) == "Basilique Notre-Dame de la Garde à Marseille, vu du Vieux Port"


def test_the_dry_run_of_a_full_iptc_block_says_it_cannot_be_written(tmp_path, index):
    """An IPTC block 20 bytes short of its 64 KB segment (long captions): our keyword
    does not fit. The dry run promised the write, which then refused the file."""
    caption = (2, 120, b"c" * 32000)  # a dataset holds 32 KB at most: two, and the rest in a headline
    headline = (2, 105, b"h" * (MAX_SEGMENT_PAYLOAD - 20 - len(iim_block(caption, caption)) - 6))
    payload = iim_block(caption, caption, headline)
    assert MAX_SEGMENT_PAYLOAD - 21 <= len(payload) <= MAX_SEGMENT_PAYLOAD - 20
    photo = with_app13(make_jpeg(tmp_path / "a.jpg"), payload)
    original = photo.read_bytes()
    add_photo(index, [photo], "Petra Treasury Al-Khazneh")
    (item,) = plan_writes(index)
    assert not item.changes_anything and item.describe() == f"{photo}: cannot write: {item.problem}"
    assert "IPTC block" in item.problem and item.to_json()["problem"] == item.problem
    summary = write_all(index)
    assert summary.errors == [(str(photo), f"{photo}: {item.problem}")]
    assert photo.read_bytes() == original


# The caption a Windows tool wrote into a block without the UTF-8 mark, as exiftool
# -charset iptc=cp1252 writes it: Windows-1252 curly quotes, euro sign, dash, ellipsis.
WINDOWS_CAPTION = "It’s a €5 ticket – “nice”…"
WINDOWS_CAPTION_BYTES = b"It\x92s a \x805 ticket \x96 \x93nice\x94\x85"


def text_datasets(path) -> dict:
    datasets = iptc.parse_datasets(iptc.parse_resources(app13_payload(path))[0].data)
    return {d.key: d.value for d in datasets if d.key != iptc.KEYWORDS}


def test_windows_1252_text_of_an_unmarked_block_reads_the_same_after_a_utf8_label(tmp_path, index):
    """A label that needs UTF-8 marks the block UTF-8 and converts its other text: the
    caption read "It’s a €5 ticket…" and must not become C1 control characters."""
    assert WINDOWS_CAPTION.encode("cp1252") == WINDOWS_CAPTION_BYTES
    photo = with_app13(make_jpeg(tmp_path / "a.jpg"), iim_block(
        (2, 0, b"\x00\x04"), (2, 25, b"Family"), (2, 90, b"K\xf6ln"), (2, 120, WINDOWS_CAPTION_BYTES),
    ))
    add_photo(index, [photo], "Kölner Dom")
    summary = write_all(index)
    assert (summary.written, summary.failed) == (1, 0), summary.errors
    written = text_datasets(photo)
    assert written[iptc.CODED_CHARACTER_SET] == iptc.UTF8_MARK
    assert written[(2, 120)].decode("utf-8") == WINDOWS_CAPTION
    assert written[(2, 90)].decode("utf-8") == "Köln"
    assert read_fields(photo.read_bytes()).iptc == ["Family", "Kölner Dom"]


def test_the_bytes_windows_1252_leaves_undefined_are_kept_as_latin1():
    value = bytes(range(0x80, 0xA0))
    text = iptc.windows_1252_text(value)
    assert [text[b - 0x80] for b in (0x81, 0x8D, 0x8F, 0x90, 0x9D)] == ["\x81", "\x8d", "\x8f", "\x90", "\x9d"]
    assert text[0] == "€" and text[0x99 - 0x80] == "™"
    assert len(text) == len(value)


def test_a_conversion_that_turns_windows_1252_into_control_characters_does_not_verify(tmp_path):
    """The check after a write compares what a reader sees: converting the caption as
    ISO-8859-1 (It\\x92s as U+0092) changes its text, and the write must not verify."""
    from app.core.metadata.keywords import KeywordFields
    from app.core.metadata.verify import VerificationError, verify_jpeg

    photo = with_app13(make_jpeg(tmp_path / "a.jpg", exif=False), iim_block((2, 120, WINDOWS_CAPTION_BYTES)))
    original = photo.read_bytes()
    latin1_converted = iim_block((1, 90, iptc.UTF8_MARK), (2, 0, b"\x00\x04"),
                                 (2, 25, "Kölner Dom".encode()), (2, 120, WINDOWS_CAPTION_BYTES.decode("latin-1").encode()))
    layout = parse_jpeg(original)
    segments = [Segment(APP13, latin1_converted) if s.is_photoshop else s for s in layout.segments]
    photo.write_bytes(build_jpeg(segments, original[layout.scan_offset:]))
    with pytest.raises(VerificationError, match="IPTC data other than the keywords changed"):
        verify_jpeg(photo, original, KeywordFields(iptc=["Kölner Dom"]))


def test_exiftool_reads_the_converted_caption_as_it_read_the_windows_one(tmp_path, index):
    require_exiftool()
    photo = make_jpeg(tmp_path / "a.jpg")
    subprocess.run(["exiftool", "-q", "-overwrite_original", "-charset", "iptc=cp1252",
                    f"-IPTC:Caption-Abstract={WINDOWS_CAPTION}", "-IPTC:Keywords=Family", str(photo)], check=True)
    assert exiftool_tags(photo)["IPTC:Caption-Abstract"] == WINDOWS_CAPTION
    add_photo(index, [photo], "Kölner Dom")
    summary = write_all(index)
    assert (summary.written, summary.failed) == (1, 0), summary.errors
    tags = exiftool_tags(photo)
    assert tags["IPTC:Caption-Abstract"] == WINDOWS_CAPTION
    assert as_list(tags["IPTC:Keywords"]) == ["Family", "Kölner Dom"]
