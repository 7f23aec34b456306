"""An lr:hierarchicalSubject that is there but empty (an empty rdf:Bag, as some tools leave
one) counted as present, so a write gave it `Landmarks|Colosseum` alone, and digiKam, which
reads past an empty field to dc:subject but shows the hierarchy once it holds a tag, showed
the landmark alone instead of the photo's keywords. An empty one now starts from the plain
keywords as an absent one does, keeping its element; undo gives the bytes back."""

from __future__ import annotations

from pathlib import Path

from app.core.metadata import undo_last_write
from app.core.metadata.jpeg_fields import read_fields
from app.core.metadata.keywords import KeywordFields, label_fields, revert_fields
from app.core.metadata.sidecar import fields_of_sidecar
from app.core.metadata.xmp import LR
from tests.test_hierarchical_from_plain_keywords import digikam_tags, exiftool_list
from tests.test_metadata_real_jpegs import validate
from tests.test_metadata_support import (add_photo, description_holding, edited_by_another_program, make_jpeg,
                                         raw_with_sidecar_packet, with_xmp_packet, xmp_packet)
from tests.test_write_keyword_policy import index, write_all  # noqa: F401 (index: a fixture)

USERS = ["Family", "Rome", "Trip2019"]
# dc:subject and an empty hierarchy, each in an rdf:Description of its own, as exiftool lays them out
PACKET = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:subject>
    <rdf:Bag>
     <rdf:li>Family</rdf:li>
     <rdf:li>Rome</rdf:li>
     <rdf:li>Trip2019</rdf:li>
    </rdf:Bag>
   </dc:subject>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:lr="http://ns.adobe.com/lightroom/1.0/">
   <lr:hierarchicalSubject>
    <rdf:Bag/>
   </lr:hierarchicalSubject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""".encode()


def jpeg_with_empty_hierarchy(path: Path) -> Path:
    with_xmp_packet(make_jpeg(path), PACKET)
    fields = read_fields(path.read_bytes())
    assert (fields.subject, fields.hierarchical) == (USERS, []) and digikam_tags(fields) == USERS
    return path


def undone_after_another_programs_edit(index, photo: Path, name: str, value: str) -> KeywordFields:
    """The fields of `photo` labelled Colosseum, written, given xmp:`name` by another
    program since, then undone (our fields alone taken out)."""
    add_photo(index, [photo], "Colosseum")
    write_all(index)
    edited_by_another_program(photo, name, value)
    assert undo_last_write(index).written == 1
    return read_fields(photo.read_bytes())


def test_an_empty_hierarchy_in_a_jpeg_starts_from_the_plain_keywords(tmp_path, index):
    photo = jpeg_with_empty_hierarchy(tmp_path / "a.jpg")
    original = photo.read_bytes()
    warnings = validate(photo)  # "Ignored empty rdf:Bag list for lr:hierarchicalSubject"
    add_photo(index, [photo], "Colosseum")
    write_all(index)
    assert exiftool_list(photo, "HierarchicalSubject") == [*USERS, "Landmarks|Colosseum"]
    # was ["Landmarks/Colosseum"]: digiKam showed the landmark alone
    assert digikam_tags(read_fields(photo.read_bytes())) == [*USERS, "Landmarks/Colosseum"]
    assert description_holding(xmp_packet(photo.read_bytes()), f"{{{LR}}}hierarchicalSubject") == 1
    assert validate(photo) <= warnings
    assert undo_last_write(index).written == 1
    assert photo.read_bytes() == original


def test_undo_of_a_file_edited_since_leaves_the_hierarchy_empty_as_it_was(tmp_path, index):
    fields = undone_after_another_programs_edit(index, jpeg_with_empty_hierarchy(tmp_path / "a.jpg"), "Rating", "3")
    assert (fields.subject, fields.hierarchical) == (USERS, [])


def test_an_empty_hierarchy_in_a_sidecar_starts_from_the_plain_keywords(tmp_path, index):
    raw, sidecar = raw_with_sidecar_packet(tmp_path, PACKET)
    add_photo(index, [raw], "Colosseum")
    write_all(index)
    assert fields_of_sidecar(sidecar.read_bytes()).hierarchical == [*USERS, "Landmarks|Colosseum"]
    assert exiftool_list(sidecar, "HierarchicalSubject") == [*USERS, "Landmarks|Colosseum"]
    assert undo_last_write(index).written == 1
    assert sidecar.read_bytes() == PACKET


def test_revert_of_a_seeded_empty_hierarchy_gives_the_empty_one_back() -> None:
    before = KeywordFields(subject=USERS, hierarchical=[])
    after = label_fields(before, "Colosseum", None)
    assert after.hierarchical == [*USERS, "Landmarks|Colosseum"]
    assert revert_fields(after, before, after) == before
    # a tag added in digiKam since: the copies stay with it, as for a created hierarchy
    tagged = KeywordFields(subject=USERS, hierarchical=[*after.hierarchical, "Trips|Italy"])
    assert revert_fields(tagged, before, after).hierarchical == [*USERS, "Trips|Italy"]
    # blank items count as no keyword, and stay
    blank = KeywordFields(subject=USERS, hierarchical=[" "])
    assert label_fields(blank, "Colosseum", None).hierarchical == [" ", *USERS, "Landmarks|Colosseum"]
