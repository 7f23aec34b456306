"""A photo whose keywords are in IPTC alone (Picasa, Photo Mechanic, old Windows tools):
the dc:subject a write creates starts from them, so the readers that take XMP over IPTC
(Lightroom, Bridge, digiKam, `exiftool -use MWG`) still see them beside the landmark,
and undo takes out exactly what the write added."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from app.core.metadata import WriteOptions, plan_writes, undo_last_write
from app.core.metadata.jpeg_fields import apply_fields, read_fields, restore_segments
from app.core.metadata.jpeg_segments import XMP_HEADER, parse_jpeg
from app.core.metadata.keywords import KeywordFields, label_fields, revert_fields
from app.core.metadata.sidecar import fields_of_sidecar
from app.core.metadata.xmp import XmpDocument
from tests.test_metadata_support import add_photo, as_list, make_jpeg, require_exiftool
from tests.test_write_keyword_policy import index, write_all  # noqa: F401 (index: a fixture)

USERS = ["Family", "Rome", "Trip2019"]


def iptc_only_jpeg(path: Path, keywords: list[str] = USERS) -> Path:
    make_jpeg(path)
    path.write_bytes(apply_fields(path.read_bytes(), KeywordFields(iptc=keywords)))
    assert read_fields(path.read_bytes()) == KeywordFields(iptc=keywords)
    return path


def mwg_keywords(path: Path) -> list[str]:
    """The keywords the Metadata Working Group's readers see (exiftool -use MWG)."""
    tool = require_exiftool()
    result = subprocess.run([tool, "-j", "-use", "MWG", "-MWG:Keywords", str(path)], capture_output=True, check=True)
    return as_list(json.loads(result.stdout)[0].get("Keywords"))


def test_the_dc_subject_a_write_creates_starts_from_the_iptc_keywords(tmp_path, index):
    photo = iptc_only_jpeg(tmp_path / "a.jpg")
    original = photo.read_bytes()
    add_photo(index, [photo], "Colosseum")
    [item] = plan_writes(index)
    assert 'keywords "Family", "Rome", "Trip2019" -> "Family", "Rome", "Trip2019", "Colosseum"' in item.describe()
    write_all(index)
    fields = read_fields(photo.read_bytes())
    assert fields.subject == fields.iptc == [*USERS, "Colosseum"]
    assert fields.hierarchical == [*USERS, "Landmarks|Colosseum"]  # digiKam reads it before both
    assert mwg_keywords(photo) == [*USERS, "Colosseum"]
    assert undo_last_write(index).written == 1
    assert photo.read_bytes() == original


def test_the_dry_run_shows_a_long_name_as_dc_subject_will_hold_it(tmp_path, index):
    """IPTC cuts a keyword at 64 bytes; the dry run showed that copy, as if the label
    itself would be cut (t_unicode-8)."""
    name = "東京スカイツリー・ソラマチ商店街 東京都墨田区押上一丁目"  # 81 bytes in UTF-8
    add_photo(index, [iptc_only_jpeg(tmp_path / "a.jpg")], name)
    [item] = plan_writes(index)
    assert f'-> "Family", "Rome", "Trip2019", "{name}"' in item.describe()
    assert item.after.subject[-1] == name and item.after.iptc[-1] != name


def _rated(photo: Path) -> None:
    """Another program's edit inside our XMP packet (a rating): the file is no longer
    exactly our write, so undo takes out only our change."""
    data = photo.read_bytes()
    doc = XmpDocument.parse(parse_jpeg(data).first("xmp").payload[len(XMP_HEADER) :])
    doc.set_text("http://ns.adobe.com/xap/1.0/", "Rating", "3")
    photo.write_bytes(restore_segments(data, {"xmp": XMP_HEADER + doc.serialize()}))


def test_undo_of_a_file_edited_since_takes_out_the_copied_keywords_with_ours(tmp_path, index):
    photo = iptc_only_jpeg(tmp_path / "a.jpg")
    add_photo(index, [photo], "Colosseum")
    write_all(index)
    _rated(photo)
    assert undo_last_write(index).written == 1
    fields = read_fields(photo.read_bytes())
    assert fields.subject is None and fields.hierarchical is None and fields.iptc == USERS
    assert mwg_keywords(photo) == USERS


def test_undo_keeps_the_copied_keywords_where_a_keyword_was_added_since(tmp_path, index):
    photo = iptc_only_jpeg(tmp_path / "a.jpg")
    add_photo(index, [photo], "Colosseum")
    write_all(index)
    written = read_fields(photo.read_bytes())
    # Lightroom (or exiftool -MWG:Keywords+=) adds a keyword to both fields
    photo.write_bytes(apply_fields(photo.read_bytes(), KeywordFields(
        written.subject + ["Beach"], written.hierarchical, written.iptc + ["Beach"], written.xp)))
    assert undo_last_write(index).written == 1
    fields = read_fields(photo.read_bytes())
    assert fields.subject == fields.iptc == [*USERS, "Beach"] and fields.hierarchical is None


def test_the_copy_leaves_out_our_old_keyword_and_the_new_labels_cut() -> None:
    current = KeywordFields(iptc=["Family", "Colosseum", " "])
    after = label_fields(current, "Pantheon", "Colosseum")
    assert after.subject == ["Family", "Pantheon"] and after.iptc == ["Family", " ", "Pantheon"]
    long_label = "Basilica di Santa Maria Maggiore e il suo campanile romanico del Trecento"
    after = label_fields(KeywordFields(iptc=["Family", long_label[:60]]), long_label, None)
    assert after.subject == ["Family", long_label[:60], long_label]  # another keyword: not the label's cut
    cut = label_fields(KeywordFields(), long_label, None).iptc[0]
    after = label_fields(KeywordFields(iptc=["Family", cut]), long_label, None)
    assert after.subject == ["Family", long_label] and after.iptc == ["Family", cut]
    # no label: no dc:subject is created
    assert label_fields(KeywordFields(iptc=["Family"]), None, None).subject is None


def test_revert_of_a_created_subject_takes_out_exactly_what_was_added() -> None:
    before = KeywordFields(iptc=USERS)
    after = label_fields(before, "Colosseum", None)
    untouched = revert_fields(after, before, after)
    assert untouched.subject is None and untouched.iptc == USERS


def test_a_new_sidecar_of_a_jpeg_starts_from_its_iptc_keywords(tmp_path, index):
    photo = iptc_only_jpeg(tmp_path / "a.jpg")
    original = photo.read_bytes()
    add_photo(index, [photo], "Colosseum")
    write_all(index, WriteOptions(write_into_jpeg=False))
    sidecar = tmp_path / "a.jpg.xmp"
    assert fields_of_sidecar(sidecar.read_bytes()).subject == [*USERS, "Colosseum"]
    assert photo.read_bytes() == original
    assert undo_last_write(index).written == 1
    assert not sidecar.exists()
