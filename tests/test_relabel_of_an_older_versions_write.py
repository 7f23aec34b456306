"""A relabel of a photo an older version wrote (before its dc:subject, hierarchy, IPTC and
tag lists started from the photo's own keywords) left them holding the new landmark
alone: the field that version created held our old keyword only, so it counted as
holding keywords and was not filled. Such a field now counts as holding none of the
user's, and starts from their keywords as an absent or empty one does; undo gives back
the older version's bytes, then the original's."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PIL import Image

from app.core.metadata import WriteOptions, plan_writes, undo_last_write, write_labels
from app.core.metadata.jpeg_fields import apply_fields, read_fields
from app.core.metadata.keywords import KeywordFields, label_fields, revert_fields
from app.core.metadata.sidecar import fields_of_sidecar, render_sidecar
from tests.test_hierarchical_from_plain_keywords import digikam_tags
from tests.test_iptc_only_keywords import iptc_only_jpeg
from tests.test_metadata_support import add_photo, make_jpeg
from tests.test_write_keyword_policy import index, write_all  # noqa: F401 (index: a fixture)

USERS = ["Family", "Rome", "Trip2019"]
# what versions up to 4516ce6 wrote into an IPTC-only photo labelled Colosseum
OLDER_IPTC_ONLY = KeywordFields(subject=["Colosseum"], hierarchical=["Landmarks|Colosseum"],
                                iptc=[*USERS, "Colosseum"])
# that photo relabelled Trevi Fountain now
RELABELLED = KeywordFields(subject=[*USERS, "Trevi Fountain"], hierarchical=[*USERS, "Landmarks|Trevi Fountain"],
                           iptc=[*USERS, "Trevi Fountain"])


def as_an_older_version_writes(index, fields: KeywordFields) -> None:
    """Write the photo's label as an older version did: `fields` into its one file, with
    the journal entry that write left (the fields before, the segments or sidecar text it
    replaced, the fields it wrote)."""
    [item] = plan_writes(index)
    summary = write_labels(index, [replace(item, after=fields)], WriteOptions())
    assert summary.failed == 0, summary.errors


def relabel(index, photo_id: int, label: str = "Trevi Fountain") -> None:
    index.set_label(photo_id, label, source="user", state="accepted")


def test_a_relabel_fills_the_fields_an_older_version_created_in_an_iptc_only_photo(tmp_path, index):
    photo = iptc_only_jpeg(tmp_path / "a.jpg")
    original = photo.read_bytes()
    photo_id = add_photo(index, [photo], "Colosseum")
    as_an_older_version_writes(index, OLDER_IPTC_ONLY)
    older = photo.read_bytes()
    assert read_fields(older) == OLDER_IPTC_ONLY
    relabel(index, photo_id)
    [item] = plan_writes(index)
    assert 'keywords "Colosseum" -> "Family", "Rome", "Trip2019", "Trevi Fountain"' in item.describe()
    write_all(index)
    fields = read_fields(photo.read_bytes())
    # was dc:subject "Trevi Fountain" and hierarchy "Landmarks|Trevi Fountain" alone
    assert fields.subject == fields.iptc == [*USERS, "Trevi Fountain"]
    assert fields.hierarchical == [*USERS, "Landmarks|Trevi Fountain"]
    assert digikam_tags(fields) == [*USERS, "Landmarks/Trevi Fountain"]
    assert undo_last_write(index).written == 1
    assert photo.read_bytes() == older
    assert undo_last_write(index).written == 1
    assert photo.read_bytes() == original


def test_a_relabel_fills_the_hierarchy_and_iptc_an_older_version_created_beside_dc_subject(tmp_path, index):
    photo = make_jpeg(tmp_path / "a.jpg")
    photo.write_bytes(apply_fields(photo.read_bytes(), KeywordFields(subject=["Family", "Beach"])))
    original = photo.read_bytes()
    photo_id = add_photo(index, [photo], "Colosseum")
    # an older version created the hierarchy and an IPTC block for our keyword alone
    as_an_older_version_writes(index, KeywordFields(subject=["Family", "Beach", "Colosseum"],
                                                    hierarchical=["Landmarks|Colosseum"], iptc=["Colosseum"]))
    older = photo.read_bytes()
    relabel(index, photo_id)
    write_all(index)
    fields = read_fields(photo.read_bytes())
    assert fields.subject == fields.iptc == ["Family", "Beach", "Trevi Fountain"]
    assert fields.hierarchical == ["Family", "Beach", "Landmarks|Trevi Fountain"]  # was the landmark alone
    assert undo_last_write(index).written == 1
    assert photo.read_bytes() == older
    assert undo_last_write(index).written == 1
    assert photo.read_bytes() == original


def test_a_relabel_fills_the_hierarchy_an_older_version_created_in_a_sidecar(tmp_path, index):
    scan_png = tmp_path / "scan.png"
    Image.new("RGB", (80, 60), (30, 90, 160)).save(scan_png)
    sidecar = tmp_path / "scan.png.xmp"
    sidecar.write_bytes(render_sidecar(None, KeywordFields(subject=["Family"])))  # darktable's, say
    original = sidecar.read_bytes()
    photo_id = add_photo(index, [scan_png], "Colosseum")
    as_an_older_version_writes(index, KeywordFields(subject=["Family", "Colosseum"],
                                                    hierarchical=["Landmarks|Colosseum"]))
    older = sidecar.read_bytes()
    relabel(index, photo_id)
    write_all(index)
    fields = fields_of_sidecar(sidecar.read_bytes())
    assert fields.subject == ["Family", "Trevi Fountain"]
    assert fields.hierarchical == ["Family", "Landmarks|Trevi Fountain"]  # was the landmark alone
    assert undo_last_write(index).written == 1
    assert sidecar.read_bytes() == older
    assert undo_last_write(index).written == 1
    assert sidecar.read_bytes() == original


def test_only_a_field_holding_our_old_keyword_alone_is_filled() -> None:
    assert label_fields(OLDER_IPTC_ONLY, "Trevi Fountain", "Colosseum") == RELABELLED
    # a digiKam tag list holding our old tag alone starts from the tags digiKam read after it
    tagged = KeywordFields(subject=["Family", "Colosseum"], hierarchical=["Landmarks|Colosseum"],
                           digikam=["Landmarks/Colosseum"])
    assert label_fields(tagged, "Trevi Fountain", "Colosseum").digikam == ["Family", "Landmarks/Trevi Fountain"]
    # the keyword was the user's before our first write: the field holds the user's own, and is not filled
    users_own = KeywordFields(subject=["Colosseum"])
    assert label_fields(OLDER_IPTC_ONLY, "Trevi Fountain", "Colosseum", users_own=users_own).subject == [
        "Colosseum", "Trevi Fountain"]
    # the same label written again takes nothing out: the file is left as it is
    assert label_fields(OLDER_IPTC_ONLY, "Colosseum", "Colosseum") == OLDER_IPTC_ONLY


def test_undo_of_the_relabel_of_a_file_edited_since_treats_those_fields_as_filled() -> None:
    # an edit elsewhere (a rating): the older version's keywords come back
    assert revert_fields(RELABELLED, OLDER_IPTC_ONLY, RELABELLED) == OLDER_IPTC_ONLY
    # a keyword added since (in digiKam, to every field): the copies stay with it, as for an empty field
    tagged = KeywordFields(*([*values, "Dog"] for values in (RELABELLED.subject, RELABELLED.hierarchical,
                                                             RELABELLED.iptc)))
    reverted = revert_fields(tagged, OLDER_IPTC_ONLY, RELABELLED)
    assert reverted.subject == reverted.iptc == [*USERS, "Dog", "Colosseum"]
    assert reverted.hierarchical == [*USERS, "Dog", "Landmarks|Colosseum"]


def test_the_users_own_keyword_spelt_as_our_old_label_is_copied_into_the_fields_filled(tmp_path, index):
    # IPTC Family and Colosseum were the user's before our first write; an older version
    # created dc:subject and the hierarchy for our Colosseum alone
    photo = iptc_only_jpeg(tmp_path / "a.jpg", ["Family", "Colosseum"])
    original = photo.read_bytes()
    photo_id = add_photo(index, [photo], "Colosseum")
    as_an_older_version_writes(index, KeywordFields(subject=["Colosseum"], hierarchical=["Landmarks|Colosseum"],
                                                    iptc=["Family", "Colosseum"]))
    older = photo.read_bytes()
    relabel(index, photo_id)
    write_all(index)
    fields = read_fields(photo.read_bytes())
    # was dc:subject Family, Trevi Fountain and the hierarchy Family, Landmarks|Trevi Fountain:
    # ours went out, and the user's Colosseum with it
    assert fields.subject == fields.iptc == ["Family", "Colosseum", "Trevi Fountain"]
    assert fields.hierarchical == ["Family", "Colosseum", "Landmarks|Trevi Fountain"]
    # the same as a write into the untouched photo
    assert fields == label_fields(KeywordFields(iptc=["Family", "Colosseum"]), "Trevi Fountain", None)
    assert undo_last_write(index).written == 1
    assert photo.read_bytes() == older
    assert undo_last_write(index).written == 1
    assert photo.read_bytes() == original


def test_the_users_own_keyword_in_dc_subject_is_copied_into_an_iptc_block_an_older_version_created() -> None:
    older = KeywordFields(subject=["Family", "Colosseum"], hierarchical=["Family", "Landmarks|Colosseum"],
                          iptc=["Colosseum"])
    users_own = KeywordFields(subject=["Family", "Colosseum"], hierarchical=["Family"])
    relabelled = label_fields(older, "Trevi Fountain", "Colosseum", users_own=users_own)
    assert relabelled.subject == relabelled.iptc == ["Family", "Colosseum", "Trevi Fountain"]  # IPTC was Family, Trevi
    assert relabelled.hierarchical == ["Family", "Landmarks|Trevi Fountain"]  # holds the user's: left as it was
