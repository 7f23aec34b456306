"""A dc:subject that is there but empty (an empty rdf:Bag) beside IPTC keywords counted as
present, so a write gave it the landmark alone: `exiftool -use MWG -MWG:Keywords` read
"Colosseum" alone, and digiKam, which read past the empty list to the IPTC keywords,
showed the landmark alone (through the hierarchy, seeded from that list), while IPTC
held all four. An empty one now starts from the IPTC keywords as an absent one does,
keeping its element; undo gives the bytes back."""

from __future__ import annotations

from pathlib import Path

from app.core.metadata import WriteOptions, plan_writes, undo_last_write
from app.core.metadata.jpeg_fields import apply_fields, read_fields
from app.core.metadata.keywords import KeywordFields, label_fields, revert_fields
from app.core.metadata.sidecar import fields_of_sidecar
from app.core.metadata.xmp import DC
from tests.test_hierarchical_from_plain_keywords import digikam_tags
from tests.test_iptc_only_keywords import mwg_keywords
from tests.test_metadata_real_jpegs import validate
from tests.test_empty_hierarchy_seeded import undone_after_another_programs_edit
from tests.test_metadata_support import add_photo, description_holding, make_jpeg, with_xmp_packet, xmp_packet
from tests.test_write_keyword_policy import index, write_all  # noqa: F401 (index: a fixture)

USERS = ["Family", "Rome", "Trip2019"]
# an empty dc:subject in an rdf:Description of its own, as exiftool lays it out
PACKET = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="2"/>
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:subject>
    <rdf:Bag/>
   </dc:subject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""".encode()


def jpeg_with_empty_subject(path: Path) -> Path:
    """IPTC keywords (Picasa, Photo Mechanic) beside an empty dc:subject."""
    make_jpeg(path)
    path.write_bytes(apply_fields(path.read_bytes(), KeywordFields(iptc=USERS)))
    with_xmp_packet(path, PACKET)
    fields = read_fields(path.read_bytes())
    assert (fields.subject, fields.iptc) == ([], USERS) and digikam_tags(fields) == USERS  # read past it
    return path


def test_an_empty_subject_beside_iptc_keywords_starts_from_them(tmp_path, index):
    photo = jpeg_with_empty_subject(tmp_path / "a.jpg")
    original = photo.read_bytes()
    warnings = validate(photo)  # "Ignored empty rdf:Bag list for dc:subject"
    add_photo(index, [photo], "Colosseum")
    [item] = plan_writes(index)
    # the dry run shows the keywords the readers saw, not the empty list
    assert 'keywords "Family", "Rome", "Trip2019" -> "Family", "Rome", "Trip2019", "Colosseum"' in item.describe()
    write_all(index)
    assert mwg_keywords(photo) == [*USERS, "Colosseum"]  # was ["Colosseum"]
    fields = read_fields(photo.read_bytes())
    assert fields.subject == fields.iptc == [*USERS, "Colosseum"]
    # the hierarchy created starts from them too (it started from the empty list)
    assert digikam_tags(fields) == [*USERS, "Landmarks/Colosseum"]  # was ["Landmarks/Colosseum"]
    assert description_holding(xmp_packet(photo.read_bytes()), f"{{{DC}}}subject") == 1
    assert validate(photo) <= warnings
    assert undo_last_write(index).written == 1
    assert photo.read_bytes() == original


def test_undo_of_a_file_edited_since_leaves_the_subject_empty_as_it_was(tmp_path, index):
    fields = undone_after_another_programs_edit(index, jpeg_with_empty_subject(tmp_path / "a.jpg"), "Label", "Red")
    assert (fields.subject, fields.hierarchical, fields.iptc) == ([], None, USERS)


def test_a_new_sidecar_of_a_jpeg_with_an_empty_subject_starts_from_its_iptc_keywords(tmp_path, index):
    photo = jpeg_with_empty_subject(tmp_path / "a.jpg")
    original = photo.read_bytes()
    add_photo(index, [photo], "Colosseum")
    write_all(index, WriteOptions(write_into_jpeg=False))
    sidecar = fields_of_sidecar((tmp_path / "a.jpg.xmp").read_bytes())
    assert sidecar.subject == [*USERS, "Colosseum"] and sidecar.hierarchical == [*USERS, "Landmarks|Colosseum"]
    assert photo.read_bytes() == original


def test_revert_of_a_filled_empty_subject_gives_the_empty_one_back() -> None:
    before = KeywordFields(subject=[], iptc=USERS)
    after = label_fields(before, "Colosseum", None)
    assert after.subject == [*USERS, "Colosseum"] and after.hierarchical == [*USERS, "Landmarks|Colosseum"]
    assert revert_fields(after, before, after) == before
    # a keyword added since (in Lightroom, to both lists): the copies stay with it
    tagged = KeywordFields(subject=[*after.subject, "Beach"], iptc=[*after.iptc, "Beach"])
    assert revert_fields(tagged, before, after).subject == [*USERS, "Beach"]
    # blank items count as no keyword, and stay; no label: nothing is filled
    assert label_fields(KeywordFields(subject=[" "], iptc=USERS), "Colosseum", None).subject == [" ", *USERS, "Colosseum"]
    assert label_fields(before, None, None).subject == []
