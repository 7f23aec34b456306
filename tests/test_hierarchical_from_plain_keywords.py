"""digiKam reads a photo's tags from the first field that holds any (digiKam:TagsList,
MicrosoftPhoto:LastKeywordXMP, lr:hierarchicalSubject, …, dc:subject, IPTC Keywords), so
an lr:hierarchicalSubject a write creates holding `Landmarks|<name>` alone hid every
keyword of a photo tagged in Windows Explorer, Picasa or a phone app (dc:subject or IPTC,
no hierarchy). The field a write creates now starts from those keywords as top-level
entries, as Lightroom keeps plain keywords there; one already there keeps its entries;
undo takes out exactly what the write added."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from app.core.metadata import WriteOptions, undo_last_write
from app.core.metadata.jpeg_fields import apply_fields, read_fields, restore_segments
from app.core.metadata.jpeg_segments import XMP_HEADER, parse_jpeg
from app.core.metadata.keywords import KeywordFields, label_fields, revert_fields
from app.core.metadata.sidecar import fields_of_sidecar
from app.core.metadata.xmp import XmpDocument
from tests.test_metadata_support import add_photo, as_list, make_jpeg, require_exiftool
from tests.test_write_keyword_policy import index, write_all  # noqa: F401 (index: a fixture)

USERS = ["Family", "Rome", "Trip2019"]


def digikam_tags(fields: KeywordFields) -> list[str]:
    """The tags digiKam shows with its default settings: those of the first field holding
    any, in its order (DMetadataSettingsContainer::defaultTagValues), as tag paths."""
    for values, separator in ((fields.digikam, "/"), (fields.microsoft, "/"), (fields.hierarchical, "|"),
                              (fields.subject, None), (fields.iptc, ".")):
        if values:
            return [value.replace(separator, "/") if separator else value for value in values]
    return []


def keyworded_jpeg(path: Path, fields: KeywordFields) -> Path:
    make_jpeg(path)
    path.write_bytes(apply_fields(path.read_bytes(), fields))
    return path


def exiftool_list(path: Path, tag: str) -> list[str]:
    """`exiftool -TAG`'s items, as another program reads the file."""
    result = subprocess.run([require_exiftool(), "-j", f"-{tag}", str(path)], capture_output=True, check=True)
    return as_list(json.loads(result.stdout)[0].get(tag))


@pytest.mark.parametrize("fields", [KeywordFields(subject=USERS),  # Windows Explorer, many phone apps
                                    KeywordFields(iptc=USERS),  # Picasa, Photo Mechanic
                                    KeywordFields(subject=USERS, iptc=USERS, xp=USERS)],
                         ids=["dc-subject", "iptc", "both"])
def test_a_jpeg_keeps_its_keywords_in_digikam_and_undo_gives_its_bytes_back(tmp_path, index, fields):
    photo = keyworded_jpeg(tmp_path / "a.jpg", fields)
    original = photo.read_bytes()
    assert digikam_tags(read_fields(original)) == USERS
    add_photo(index, [photo], "Colosseum")
    write_all(index)
    assert exiftool_list(photo, "HierarchicalSubject") == [*USERS, "Landmarks|Colosseum"]
    assert digikam_tags(read_fields(photo.read_bytes())) == [*USERS, "Landmarks/Colosseum"]
    assert undo_last_write(index).written == 1
    assert photo.read_bytes() == original


def test_a_sidecar_holding_plain_keywords_gets_them_in_its_hierarchy(tmp_path, index):
    raw = tmp_path / "DSC_0001.NEF"
    raw.write_bytes(b"not really a raw file, never read")
    sidecar = tmp_path / "DSC_0001.NEF.xmp"
    subprocess.run([require_exiftool(), "-q", "-o", str(sidecar), *(f"-XMP-dc:Subject={k}" for k in USERS),
                    str(make_jpeg(tmp_path / "source.jpg"))], check=True)
    original = sidecar.read_bytes()
    add_photo(index, [raw], "Colosseum")
    write_all(index)
    assert exiftool_list(sidecar, "HierarchicalSubject") == [*USERS, "Landmarks|Colosseum"]
    assert undo_last_write(index).written == 1
    assert sidecar.read_bytes() == original


def test_a_new_sidecar_of_an_iptc_only_jpeg_gets_them_too(tmp_path, index):
    photo = keyworded_jpeg(tmp_path / "a.jpg", KeywordFields(iptc=USERS))
    add_photo(index, [photo], "Colosseum")
    write_all(index, WriteOptions(write_into_jpeg=False))
    sidecar = tmp_path / "a.jpg.xmp"
    assert fields_of_sidecar(sidecar.read_bytes()).hierarchical == [*USERS, "Landmarks|Colosseum"]
    assert undo_last_write(index).written == 1
    assert not sidecar.exists()


def test_a_hierarchy_already_there_keeps_its_entries_and_gets_no_plain_ones() -> None:
    current = KeywordFields(subject=USERS, hierarchical=["Trips|Rome 2019"], iptc=USERS)
    assert label_fields(current, "Colosseum", None).hierarchical == ["Trips|Rome 2019", "Landmarks|Colosseum"]
    # one holding no keyword (an empty rdf:Bag) is seeded as if absent: digiKam reads past it
    empty = KeywordFields(subject=USERS, hierarchical=[])
    assert label_fields(empty, "Colosseum", None).hierarchical == [*USERS, "Landmarks|Colosseum"]


def test_the_copy_leaves_out_our_old_keyword_and_the_labels_own_spellings() -> None:
    # a relabel where the hierarchy went (removed by another program): our old keyword stays out
    relabel = KeywordFields(subject=["Family", "Colosseum", " "], iptc=["Family", "Colosseum"])
    assert label_fields(relabel, "Pantheon", "Colosseum").hierarchical == ["Family", "Landmarks|Pantheon"]
    # the label as a plain keyword (typed, or another spelling: `|` is `/` in the hierarchy)
    spelt = KeywordFields(subject=["Family", "colosseum", "AC/DC Tower"])
    assert label_fields(spelt, "Colosseum", None).hierarchical == ["Family", "AC/DC Tower", "Landmarks|Colosseum"]
    assert label_fields(spelt, "AC|DC Tower", None).hierarchical == ["Family", "colosseum", "Landmarks|AC/DC Tower"]
    # in IPTC alone: the same keywords as the dc:subject created, less the label's 64-byte cut
    long_label = "Basilica di Santa Maria Maggiore e il suo campanile romanico del Trecento"
    cut = label_fields(KeywordFields(), long_label, None).iptc[0]
    after = label_fields(KeywordFields(iptc=["Family", cut]), long_label, None)
    assert after.subject == ["Family", long_label]
    assert after.hierarchical == ["Family", f"Landmarks|{long_label}"]


def test_no_label_creates_no_hierarchy() -> None:
    assert label_fields(KeywordFields(subject=USERS), None, None).hierarchical is None
    assert label_fields(KeywordFields(subject=USERS), None, "Colosseum").hierarchical is None


def _rated(photo: Path) -> None:
    """Another program's edit inside our XMP packet: undo then takes out only our change."""
    data = photo.read_bytes()
    doc = XmpDocument.parse(parse_jpeg(data).first("xmp").payload[len(XMP_HEADER):])
    doc.set_text("http://ns.adobe.com/xap/1.0/", "Rating", "3")
    photo.write_bytes(restore_segments(data, {"xmp": XMP_HEADER + doc.serialize()}))


def test_undo_of_a_file_edited_since_takes_the_created_hierarchy_out(tmp_path, index):
    photo = keyworded_jpeg(tmp_path / "a.jpg", KeywordFields(subject=USERS))
    add_photo(index, [photo], "Colosseum")
    write_all(index)
    _rated(photo)
    assert undo_last_write(index).written == 1
    fields = read_fields(photo.read_bytes())
    assert fields.subject == USERS and fields.hierarchical is None


def test_undo_keeps_the_copies_where_a_tag_was_added_to_the_hierarchy_since(tmp_path, index):
    """A tag given in digiKam since: the field stays, and digiKam, which reads it alone,
    still shows the user's keywords beside it."""
    photo = keyworded_jpeg(tmp_path / "a.jpg", KeywordFields(subject=USERS))
    add_photo(index, [photo], "Colosseum")
    write_all(index)
    written = read_fields(photo.read_bytes())
    photo.write_bytes(apply_fields(photo.read_bytes(), KeywordFields(
        written.subject, written.hierarchical + ["Trips|Italy"], written.iptc, written.xp)))
    assert undo_last_write(index).written == 1
    fields = read_fields(photo.read_bytes())
    assert fields.hierarchical == [*USERS, "Trips|Italy"] and fields.subject == USERS


def test_revert_of_an_untouched_created_hierarchy_takes_out_exactly_what_was_added() -> None:
    before = KeywordFields(subject=USERS)
    after = label_fields(before, "Colosseum", None)
    assert after.hierarchical == [*USERS, "Landmarks|Colosseum"]
    assert revert_fields(after, before, after) == before
