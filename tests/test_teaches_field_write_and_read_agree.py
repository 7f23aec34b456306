"""What `write` puts in our field landmarkTagger:Teaches and what a read back makes of it
agree in every case (review 1 of round 7, findings 2-4): a new index built from the files
gives back what the user had, taught places teaching, forgotten ones and suggestions only
accepted not; and a file is never rewritten only to add a field that changes no read back
(a read-only library written by an older version failed at every `write` for it)."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from app.core import teaching
from app.core.index import PhotoIndex
from app.core.metadata import WriteOptions, plan_writes, write_labels
from app.core.metadata.jpeg_fields import apply_fields, read_fields
from app.core.metadata.taught_field import FIELD, taught_in
from app.core.metadata.xmp import XmpDocument
from app.core.tagging import tag
from model.predictor import TAUGHT_ID_PREFIX
from tests.test_read_back_teaches_what_was_taught import PLACE, _read_back, _write_all, tagged  # noqa: F401

CABIN = "Our cabin"


def _set_keywords(photo: Path, **fields) -> None:
    """Change the photo's fields as another program would (exiftool, digiKam, an older version)."""
    data = photo.read_bytes()
    photo.write_bytes(apply_fields(data, replace(read_fields(data), **fields)))


def _teaches_field(photo: Path) -> list[str] | None:
    return read_fields(photo.read_bytes()).taught


# -- finding 2: no rewrite only to add the field --------------------------------------

def test_a_read_only_library_written_before_the_field_is_left_as_it_is(tmp_path, tagged, tiny_bundle) -> None:
    """Photos that teach their label, in files an older version wrote (the keyword, no
    field): a new index teaches them again and its `write` has nothing to change, so
    read-only files (an archive share, a locked card) fail nothing."""
    index, ids, folder, options = tagged
    teaching.teach(index, CABIN, ids[:2], bundle=tiny_bundle)
    assert _write_all(index) == 2
    photos = [folder / f"DSC_000{n}.JPG" for n in (0, 1)]
    for photo in photos:
        _set_keywords(photo, taught=None)  # as a version before the field wrote it
        os.chmod(photo, 0o444)
    with PhotoIndex.open(tmp_path / "second.db") as fresh:
        assert tag(fresh, [folder], options).taught == 2
        assert [item.target.name for item in plan_writes(fresh) if item.before != item.after] == []
        summary = write_labels(fresh, plan_writes(fresh), WriteOptions())
        assert (summary.written, summary.failed) == (0, 0)
    assert [_teaches_field(photo) for photo in photos] == [None, None]


def test_a_taught_photo_written_for_its_label_still_says_so(tmp_path, tagged, tiny_bundle) -> None:
    """The field goes into a file rewritten anyway, a file without it included."""
    index, ids, folder, _ = tagged
    teaching.teach(index, CABIN, ids[:1], bundle=tiny_bundle)
    assert _write_all(index) == 1
    assert _teaches_field(folder / "DSC_0000.JPG") == [CABIN]


# -- finding 3: a field naming only other places says nothing of the label --------------

def test_a_field_naming_only_other_places_says_nothing_of_the_label() -> None:
    def field(taught):
        document = XmpDocument.parse(None, "test")
        document.set_bag(*FIELD, taught)
        return document

    assert taught_in(field([PLACE]), CABIN) is None  # stale: a relabel in another program
    assert taught_in(field([CABIN]), CABIN) is True
    assert taught_in(field([]), CABIN) is False
    assert taught_in(field(None), CABIN) is None


def test_a_place_relabelled_in_another_program_teaches_on_a_new_index(tmp_path, tagged, tiny_bundle) -> None:
    """exiftool and digiKam keep our namespace: after a relabel there the field still names
    the old place, and the new label must teach as one typed in Lightroom does."""
    index, ids, folder, options = tagged
    teaching.teach(index, PLACE, ids[:2], bundle=tiny_bundle)
    assert _write_all(index) == 2
    for n in (0, 1):
        _set_keywords(folder / f"DSC_000{n}.JPG", subject=[CABIN], hierarchical=[f"Landmarks|{CABIN}"])
    assert _teaches_field(folder / "DSC_0000.JPG") == [PLACE]

    summary, taught, labels = _read_back(tmp_path, folder, options)
    assert taught == {CABIN: 2}
    assert labels["DSC_0000.JPG"] == labels["DSC_0001.JPG"] == (CABIN, "user", "accepted")


# -- finding 4: a label of the user's that teaches is never written as "taught nothing" --

def test_a_users_own_place_over_an_empty_field_teaches_on_a_new_index(tmp_path, tagged, tiny_bundle) -> None:
    """An accepted suggestion written (an empty field), then given a place of the user's
    that teaches at the next `tag` (set while the model was busy): the field says so."""
    index, ids, folder, options = tagged
    teaching.teach(index, PLACE, ids[:1], bundle=tiny_bundle)
    index.set_label(ids[1], PLACE, source="taught", state="accepted", landmark_id=TAUGHT_ID_PREFIX + PLACE,
                    score=0.6, model_id=tiny_bundle.id)
    assert _write_all(index) == 2
    assert _teaches_field(folder / "DSC_0001.JPG") == []
    index.set_label(ids[1], CABIN, source="user", state="accepted")
    assert _write_all(index) == 1
    assert _teaches_field(folder / "DSC_0001.JPG") == [CABIN]

    summary, taught, labels = _read_back(tmp_path, folder, options)
    assert taught == {PLACE: 1, CABIN: 1}
    assert labels["DSC_0001.JPG"] == (CABIN, "user", "accepted")


def test_a_place_taught_again_after_a_forget_teaches_its_old_photos_on_a_new_index(
        tmp_path, tagged, tiny_bundle) -> None:
    """Written while forgotten (empty), then taught again from another photo: the old
    photo's label teaches at the next `tag`, so the next write changes its field alone."""
    index, ids, folder, options = tagged
    teaching.teach(index, PLACE, ids[:1], bundle=tiny_bundle)
    teaching.forget(index, PLACE)
    assert _write_all(index) == 1
    assert _teaches_field(folder / "DSC_0000.JPG") == []
    teaching.teach(index, PLACE, ids[1:2], bundle=tiny_bundle)
    plan = {item.target.name: item for item in plan_writes(index) if item.changes_anything}
    assert "changes only XMP landmarkTagger:Teaches" in plan["DSC_0000.JPG"].describe()
    assert _write_all(index) == 2
    assert [_teaches_field(folder / f"DSC_000{n}.JPG") for n in (0, 1)] == [[PLACE], [PLACE]]
    assert _write_all(index) == 0

    summary, taught, _ = _read_back(tmp_path, folder, options)
    assert taught == {PLACE: 2}
