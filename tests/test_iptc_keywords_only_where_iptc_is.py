"""IPTC Keywords go only where a JPEG holds IPTC already, as exiftool's MWG module writes
IPTC "only if the original file contained IPTC": a photo whose keywords are in dc:subject
alone (Windows Explorer, a phone app) got a new IPTC block holding the landmark alone, so a
program reading IPTC alone saw "Colosseum" without the photo's keywords. It now gets none;
a JPEG whose IPTC block holds no keyword (a caption) gets IPTC Keywords that start from
dc:subject as the write leaves it, each cut at 64 bytes; undo takes out what was added."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path

from app.core.metadata import iptc, plan_writes, undo_last_write
from app.core.metadata.jpeg_fields import apply_fields, read_fields, restore_segments
from app.core.metadata.jpeg_segments import XMP_HEADER, parse_jpeg
from app.core.metadata.keywords import KeywordFields, label_fields, revert_fields
from app.core.metadata.xmp import XmpDocument
from tests.test_metadata_real_jpegs import validate
from tests.test_metadata_support import add_photo, as_list, make_jpeg, require_exiftool, with_iptc_block
from tests.test_write_keyword_policy import index, write_all  # noqa: F401 (index: a fixture)

USERS = ["Family", "Rome", "Trip2019"]


def iptc_tags(path: Path) -> dict:
    """exiftool's IPTC group of the file: what a program reading IPTC alone sees."""
    result = subprocess.run([require_exiftool(), "-j", "-G1", "-IPTC:all", str(path)], capture_output=True, check=True)
    return {key: value for key, value in json.loads(result.stdout)[0].items() if key.startswith("IPTC:")}


def subject_only_jpeg(path: Path, keywords: list[str] = USERS) -> Path:
    """Keywords in dc:subject alone, as Windows Explorer or a phone app leave them."""
    make_jpeg(path)
    path.write_bytes(apply_fields(path.read_bytes(), KeywordFields(subject=keywords)))
    return path


def test_a_jpeg_without_iptc_gets_none(tmp_path, index):
    photo = subject_only_jpeg(tmp_path / "a.jpg")
    original = photo.read_bytes()
    add_photo(index, [photo], "Colosseum")
    [item] = plan_writes(index)
    assert "iptc" not in item.fields and item.after.iptc is None
    write_all(index)
    assert iptc_tags(photo) == {}  # was {"IPTC:Keywords": "Colosseum"}: the landmark alone
    assert parse_jpeg(photo.read_bytes()).first("photoshop") is None
    fields = read_fields(photo.read_bytes())
    assert fields.subject == [*USERS, "Colosseum"] and fields.xp is None  # nor XPKeywords: none there
    assert undo_last_write(index).written == 1
    assert photo.read_bytes() == original


def test_a_photoshop_block_without_iptc_stays_as_it_is(tmp_path, index):
    payload = iptc.build_resources([iptc.Resource(0x03ED, b"\x00\x00", bytes(16))])  # resolution info alone
    photo = make_jpeg(tmp_path / "a.jpg")
    photo.write_bytes(restore_segments(photo.read_bytes(), {"photoshop": payload}))
    add_photo(index, [photo], "Colosseum")
    write_all(index)
    assert parse_jpeg(photo.read_bytes()).first("photoshop").payload == payload
    assert read_fields(photo.read_bytes()).subject == ["Colosseum"]


def test_iptc_keywords_created_in_a_block_start_from_dc_subject(tmp_path, index):
    photo = with_iptc_block(subject_only_jpeg(tmp_path / "a.jpg"))
    original = photo.read_bytes()
    warnings = validate(photo)
    add_photo(index, [photo], "Colosseum")
    [item] = plan_writes(index)
    assert item.after.iptc == [*USERS, "Colosseum"]
    write_all(index)
    tags = iptc_tags(photo)
    assert as_list(tags["IPTC:Keywords"]) == [*USERS, "Colosseum"]  # was ["Colosseum"]
    assert tags["IPTC:Caption-Abstract"] == "Rome, spring 2019"
    assert validate(photo) <= warnings
    assert undo_last_write(index).written == 1
    assert photo.read_bytes() == original


def test_a_long_keyword_is_cut_at_64_bytes_and_the_labels_own_spellings_are_left_out(tmp_path, index):
    long_keyword = "Viaggio di primavera con la famiglia e gli amici di sempre, Città 2019"  # 71 bytes
    assert len(long_keyword.encode("utf-8")) > iptc.MAX_KEYWORD_BYTES
    photo = with_iptc_block(subject_only_jpeg(tmp_path / "a.jpg", ["Family", long_keyword, "colosseum", " "]))
    original = photo.read_bytes()
    add_photo(index, [photo], "Colosseum")
    write_all(index)
    fields = read_fields(photo.read_bytes())
    assert fields.subject == ["Family", long_keyword, "colosseum", " "]  # "colosseum" is the label already
    assert fields.iptc == ["Family", iptc.iptc_keyword(long_keyword), "Colosseum"]
    assert as_list(iptc_tags(photo)["IPTC:Keywords"]) == fields.iptc
    assert undo_last_write(index).written == 1
    assert photo.read_bytes() == original


def _rated(photo: Path) -> None:
    """Another program's edit inside our XMP packet: undo then takes out only our change."""
    data = photo.read_bytes()
    doc = XmpDocument.parse(parse_jpeg(data).first("xmp").payload[len(XMP_HEADER):])
    doc.set_text("http://ns.adobe.com/xap/1.0/", "Rating", "3")
    photo.write_bytes(restore_segments(data, {"xmp": XMP_HEADER + doc.serialize()}))


def test_undo_of_a_file_edited_since_takes_the_copies_out_with_ours(tmp_path, index):
    photo = with_iptc_block(subject_only_jpeg(tmp_path / "a.jpg"))
    add_photo(index, [photo], "Colosseum")
    write_all(index)
    _rated(photo)
    assert undo_last_write(index).written == 1
    fields = read_fields(photo.read_bytes())
    assert fields.iptc is None and fields.subject == USERS
    assert iptc_tags(photo)["IPTC:Caption-Abstract"] == "Rome, spring 2019"


def test_undo_keeps_the_copies_where_a_keyword_was_added_to_iptc_since(tmp_path, index):
    photo = with_iptc_block(subject_only_jpeg(tmp_path / "a.jpg"))
    add_photo(index, [photo], "Colosseum")
    write_all(index)
    written = read_fields(photo.read_bytes())
    # Lightroom (or exiftool -MWG:Keywords+=) adds a keyword to both fields
    photo.write_bytes(apply_fields(photo.read_bytes(), replace(
        written, subject=[*written.subject, "Beach"], iptc=[*written.iptc, "Beach"])))
    assert undo_last_write(index).written == 1
    fields = read_fields(photo.read_bytes())
    assert fields.subject == fields.iptc == [*USERS, "Beach"]


def test_the_copy_follows_dc_subject_as_the_write_leaves_it() -> None:
    # a relabel: our old keyword is no keyword of the user's
    current = KeywordFields(subject=["Family", "Colosseum"], hierarchical=["Landmarks|Colosseum"])
    assert label_fields(current, "Pantheon", "Colosseum").iptc == ["Family", "Pantheon"]
    # the label's |-spelling and a long label's cut are the label's
    assert label_fields(KeywordFields(subject=["Family", "AC/DC Tower"]), "AC|DC Tower", None).iptc == [
        "Family", "AC|DC Tower"]
    long_label = "Basilica di Santa Maria Maggiore e il suo campanile romanico del Trecento"
    cut = iptc.iptc_keyword(long_label)
    assert label_fields(KeywordFields(subject=["Family", cut]), long_label, None).iptc == ["Family", cut]
    # no label, or no IPTC in the file (the plan leaves the field out): none created
    assert label_fields(KeywordFields(subject=USERS), None, None).iptc is None
    names = ("subject", "hierarchical", "xp")
    assert label_fields(KeywordFields(subject=USERS), "Colosseum", None, names).iptc is None


def test_revert_of_created_iptc_keywords_takes_out_exactly_what_was_added() -> None:
    long_keyword = "Viaggio di primavera con la famiglia e gli amici di sempre, Città 2019"
    before = KeywordFields(subject=["Family", long_keyword])
    after = label_fields(before, "Colosseum", None)
    assert after.iptc == ["Family", iptc.iptc_keyword(long_keyword), "Colosseum"]
    assert revert_fields(after, before, after) == before
