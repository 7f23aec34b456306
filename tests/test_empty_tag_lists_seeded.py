"""digiKam reads its tags from the first list holding any (digiKam:TagsList,
MicrosoftPhoto:LastKeywordXMP, lr:hierarchicalSubject, …, dc:subject, IPTC), reading past
an empty one. A write gave an empty TagsList or LastKeywordXMP our tag alone, so digiKam,
which had shown the photo's keywords from the lists after it, showed the landmark alone.
An empty one now starts from the tags digiKam read after it, keeping its element; undo
gives the bytes back."""

from __future__ import annotations

from pathlib import Path

from app.core.metadata import undo_last_write
from app.core.metadata.jpeg_fields import read_fields
from app.core.metadata.keywords import KeywordFields, label_fields, revert_fields
from app.core.metadata.sidecar import fields_of_sidecar
from app.core.metadata.xmp import DIGIKAM, MICROSOFT_PHOTO
from tests.test_hierarchical_from_plain_keywords import digikam_tags, exiftool_list
from tests.test_metadata_real_jpegs import validate
from tests.test_empty_hierarchy_seeded import undone_after_another_programs_edit
from tests.test_metadata_support import (add_photo, description_holding, make_jpeg,
                                         raw_with_sidecar_packet, with_xmp_packet, xmp_packet)
from tests.test_write_keyword_policy import index, write_all  # noqa: F401 (index: a fixture)

USERS = ["Family", "Rome"]
# dc:subject, and an empty TagsList and LastKeywordXMP each in an rdf:Description of its
# own, as exiftool (digiKam's writer) lays them out, LastKeywordXMP's namespace as it spells it
PACKET = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:subject>
    <rdf:Bag>
     <rdf:li>Family</rdf:li>
     <rdf:li>Rome</rdf:li>
    </rdf:Bag>
   </dc:subject>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:digiKam="http://www.digikam.org/ns/1.0/">
   <digiKam:TagsList>
    <rdf:Seq/>
   </digiKam:TagsList>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:MicrosoftPhoto="http://ns.microsoft.com/photo/1.0">
   <MicrosoftPhoto:LastKeywordXMP>
    <rdf:Bag/>
   </MicrosoftPhoto:LastKeywordXMP>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""".encode()


def jpeg_with_empty_tag_lists(path: Path) -> Path:
    with_xmp_packet(make_jpeg(path), PACKET)
    fields = read_fields(path.read_bytes())
    assert (fields.subject, fields.digikam, fields.microsoft) == (USERS, [], [])
    assert digikam_tags(fields) == USERS  # read past both lists
    return path


def _holders(packet: bytes) -> list[int]:
    """Which rdf:Description holds TagsList and which LastKeywordXMP (their elements stay)."""
    return [description_holding(packet, tag)
            for tag in (f"{{{DIGIKAM}}}TagsList", f"{{{MICROSOFT_PHOTO.rstrip('/')}}}LastKeywordXMP")]


def test_empty_tag_lists_in_a_jpeg_start_from_the_tags_digikam_read(tmp_path, index):
    photo = jpeg_with_empty_tag_lists(tmp_path / "a.jpg")
    original = photo.read_bytes()
    warnings = validate(photo)  # "Ignored empty rdf:Seq list for digiKam:TagsList", …
    add_photo(index, [photo], "Colosseum")
    write_all(index)
    # was ["Landmarks/Colosseum"] alone in both: digiKam showed the landmark alone
    assert exiftool_list(photo, "TagsList") == [*USERS, "Landmarks/Colosseum"]
    assert exiftool_list(photo, "LastKeywordXMP") == [*USERS, "Landmarks/Colosseum"]
    assert digikam_tags(read_fields(photo.read_bytes())) == [*USERS, "Landmarks/Colosseum"]
    assert _holders(xmp_packet(photo.read_bytes())) == [1, 2]
    assert validate(photo) <= warnings
    assert undo_last_write(index).written == 1
    assert photo.read_bytes() == original


def test_undo_of_a_file_edited_since_leaves_the_tag_lists_empty_as_they_were(tmp_path, index):
    fields = undone_after_another_programs_edit(index, jpeg_with_empty_tag_lists(tmp_path / "a.jpg"), "Rating", "3")
    assert (fields.subject, fields.hierarchical, fields.digikam, fields.microsoft) == (USERS, None, [], [])


def test_empty_tag_lists_in_a_sidecar_start_from_the_tags_digikam_read(tmp_path, index):
    raw, sidecar = raw_with_sidecar_packet(tmp_path, PACKET)
    add_photo(index, [raw], "Colosseum")
    write_all(index)
    fields = fields_of_sidecar(sidecar.read_bytes())
    assert fields.digikam == fields.microsoft == [*USERS, "Landmarks/Colosseum"]
    assert undo_last_write(index).written == 1
    assert sidecar.read_bytes() == PACKET


def test_an_empty_tag_list_takes_the_tag_paths_digikam_read_and_keeps_them_paths() -> None:
    # Lightroom's hierarchy (its parents in dc:subject): digiKam showed Places/Italy, not flat tags
    lightroom = KeywordFields(subject=["Places", "Italy", "Family"], hierarchical=["Places|Italy", "Family"],
                              digikam=[])
    after = label_fields(lightroom, "Colosseum", None)
    assert after.digikam == ["Places/Italy", "Family", "Landmarks/Colosseum"]
    assert digikam_tags(after) == [*digikam_tags(lightroom), "Landmarks/Colosseum"]
    # a LastKeywordXMP holding tags is what digiKam read past an empty TagsList
    windows = KeywordFields(subject=USERS, digikam=[" "], microsoft=["Family", "Trips/Italy"])
    after = label_fields(windows, "Colosseum", None)
    assert after.digikam == [" ", "Family", "Trips/Italy", "Landmarks/Colosseum"]
    # a relabel: our old tag is not copied, the new one is added once
    relabel = KeywordFields(subject=[*USERS, "Colosseum"], hierarchical=[*USERS, "Landmarks|Colosseum"], digikam=[])
    assert label_fields(relabel, "Pantheon", "Colosseum").digikam == [*USERS, "Landmarks/Pantheon"]
    # no landmark: nothing is filled
    assert label_fields(lightroom, None, None).digikam == []


def test_revert_of_filled_tag_lists_gives_the_empty_ones_back() -> None:
    before = KeywordFields(subject=USERS, digikam=[], microsoft=[])
    after = label_fields(before, "Colosseum", None)
    assert after.digikam == after.microsoft == [*USERS, "Landmarks/Colosseum"]
    assert revert_fields(after, before, after) == before
    # a tag added in digiKam since: the copies stay with it, as for a filled hierarchy
    tagged = KeywordFields(subject=USERS, hierarchical=after.hierarchical,
                           digikam=[*after.digikam, "Trips/Italy"], microsoft=after.microsoft)
    reverted = revert_fields(tagged, before, after)
    assert reverted.digikam == [*USERS, "Trips/Italy"] and reverted.microsoft == []
