"""Which keywords a write takes out: only the ones we put there, never the user's own,
and a label taken off leaves a file that reads back as written."""

from __future__ import annotations

import pytest

from app.core.index import PhotoIndex
from app.core.metadata import WriteOptions, plan_writes, write_labels
from app.core.metadata.jpeg_fields import apply_fields, read_fields
from app.core.metadata.keywords import KeywordFields
from app.core.metadata.sidecar import fields_of_sidecar
from tests.test_metadata_support import add_photo, make_jpeg


@pytest.fixture
def index(tmp_path):
    opened = PhotoIndex.open(tmp_path / "index.db")
    yield opened
    opened.close()


def write_all(index, options=WriteOptions()):
    summary = write_labels(index, plan_writes(index, "", False, options), options)
    assert summary.failed == 0, summary.errors
    return summary


def test_taking_off_the_only_keyword_reads_back_as_written(tmp_path, index):
    photo = make_jpeg(tmp_path / "a.jpg")
    photo_id = add_photo(index, [photo], "Colosseum")
    write_all(index)
    index.set_label(photo_id, None)  # "no landmark"
    summary = write_all(index)
    assert summary.written == 1
    fields = read_fields(photo.read_bytes())
    assert not fields.subject and not fields.hierarchical and not fields.iptc and not fields.xp


def test_a_keyword_the_user_typed_stays_when_the_label_changes(tmp_path, index):
    photo = make_jpeg(tmp_path / "a.jpg")
    typed = ["Colosseum", "Rome trip"]
    photo.write_bytes(apply_fields(photo.read_bytes(), KeywordFields(typed, None, typed, typed)))
    photo_id = add_photo(index, [photo], "Colosseum")
    write_all(index)  # adds only the hierarchical keyword: the others are there
    index.set_label(photo_id, "Roman Forum")
    write_all(index)
    fields = read_fields(photo.read_bytes())
    assert fields.subject == ["Colosseum", "Rome trip", "Roman Forum"]
    assert fields.iptc == ["Colosseum", "Rome trip", "Roman Forum"]
    assert fields.xp == ["Colosseum", "Rome trip", "Roman Forum"]
    # created from the plain keywords, less the label's own (Landmarks|… stands for it)
    assert fields.hierarchical == ["Rome trip", "Landmarks|Roman Forum"]
    index.set_label(photo_id, "Pantheon")  # a label we added is still replaced
    write_all(index)
    fields = read_fields(photo.read_bytes())
    assert fields.subject == ["Colosseum", "Rome trip", "Pantheon"]
    assert fields.hierarchical == ["Rome trip", "Landmarks|Pantheon"]


def test_a_keyword_the_user_typed_in_a_sidecar_stays_when_the_label_changes(tmp_path, index):
    raw = tmp_path / "DSC_0001.NEF"
    raw.write_bytes(b"not really a raw file, never read")
    sidecar = tmp_path / "DSC_0001.NEF.xmp"
    sidecar.write_text(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<dc:subject><rdf:Bag><rdf:li>Colosseum</rdf:li><rdf:li>Rome trip</rdf:li></rdf:Bag></dc:subject>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>\n",
        encoding="utf-8",
    )
    photo_id = add_photo(index, [raw], "Colosseum")
    write_all(index)
    index.set_label(photo_id, "Roman Forum")
    write_all(index)
    fields = fields_of_sidecar(sidecar.read_bytes())
    assert fields.subject == ["Colosseum", "Rome trip", "Roman Forum"]
    assert fields.hierarchical == ["Rome trip", "Landmarks|Roman Forum"]


def test_fields_our_keyword_alone_was_in_are_removed_when_the_label_is_taken_off(tmp_path, index):
    """Not left as an empty rdf:Bag (noise to exiftool), in a JPEG or a sidecar we created."""
    photo = make_jpeg(tmp_path / "a.jpg")
    raw = tmp_path / "DSC_0001.NEF"
    raw.write_bytes(b"not really a raw file, never read")
    ids = [add_photo(index, [photo], "Colosseum"), add_photo(index, [raw], "Colosseum")]
    write_all(index)
    for photo_id in ids:
        index.set_label(photo_id, None)  # "no landmark"
    write_all(index)
    inside = read_fields(photo.read_bytes())
    assert (inside.subject, inside.hierarchical, inside.iptc) == (None, None, None)
    sidecar = (tmp_path / "DSC_0001.NEF.xmp").read_bytes()
    assert (fields_of_sidecar(sidecar).subject, fields_of_sidecar(sidecar).hierarchical) == (None, None)
    assert b"subject" not in sidecar and b"hierarchicalSubject" not in sidecar
