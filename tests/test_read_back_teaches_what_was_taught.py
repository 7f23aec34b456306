"""A forgotten place came back on a new index, and suggestions only accepted started to
teach after a read back (a teaching tester): teach "Arezzo streets" from 2 photos, `teach
--forget` it, `write`; a new index on the same files then said "2 photos you labelled
taught your places", and 3 taught photos and 2 accepted suggestions came back as
"Arezzo streets (5 photos)". `write` now says in our own XMP field (landmarkTagger:Teaches)
whether a photo teaches its label where a read back would otherwise get it wrong, and a
label read back teaches only where the file does not say it taught nothing; a file
without the field (an older version's, another program's) reads back as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core import teaching
from app.core.index import PhotoIndex
from app.core.metadata import WriteOptions, plan_writes, write_labels
from app.core.metadata.jpeg_fields import read_fields
from app.core.metadata.keywords import KeywordFields
from app.core.metadata.read_back import landmarks_in_sidecars
from app.core.metadata.sidecar import render_sidecar
from app.core.tagging import TagOptions, tag
from model.predictor import TAUGHT_ID_PREFIX
from tests.test_metadata_support import tagged_photos

PLACE = "Arezzo streets"


@pytest.fixture
def tagged(tmp_path: Path, tiny_bundle):
    """Six photos tagged by the tiny model (their embeddings stored), in index 1."""
    folder = tmp_path / "photos"
    options = TagOptions(model=tiny_bundle.path, workers=0, batch_size=2, threads=1)
    index, ids = tagged_photos(folder, 6, tmp_path / "first.db", options)
    yield index, ids, folder, options
    index.close()


def _read_back(tmp_path: Path, folder: Path, options: TagOptions) -> tuple[object, dict, dict]:
    """A new index on the same files, tagged: (tag's summary, taught places, each photo's label, source, state)."""
    with PhotoIndex.open(tmp_path / "second.db") as fresh:
        summary = tag(fresh, [folder], options)
        labels = {Path(p.path).name: (p.label, p.source, p.state) for p in fresh.search("")}
        return summary, teaching.taught_labels(fresh), labels


def _write_all(index: PhotoIndex) -> int:
    summary = write_labels(index, plan_writes(index), WriteOptions())
    assert summary.failed == 0
    return summary.written


def test_a_forgotten_place_stays_forgotten_on_a_new_index(tmp_path, tagged, tiny_bundle) -> None:
    index, ids, folder, options = tagged
    teaching.teach(index, PLACE, ids[:2], bundle=tiny_bundle)
    teaching.forget(index, PLACE)
    assert _write_all(index) == 2

    summary, taught, labels = _read_back(tmp_path, folder, options)
    assert summary.scan.labels_read == 2 and summary.taught == 0
    assert "taught your places" not in summary.line()
    assert taught == {}
    assert labels["DSC_0000.JPG"][::2] == (PLACE, "accepted")  # the label itself comes back
    assert read_fields((folder / "DSC_0000.JPG").read_bytes()).taught == []  # it teaches nothing


def test_accepted_suggestions_do_not_start_teaching_after_a_read_back(tmp_path, tagged, tiny_bundle) -> None:
    index, ids, folder, options = tagged
    teaching.teach(index, PLACE, ids[:3], bundle=tiny_bundle)
    for photo_id in ids[3:5]:  # suggested by what was taught, then accepted
        index.set_label(photo_id, PLACE, source="taught", state="accepted", landmark_id=TAUGHT_ID_PREFIX + PLACE,
                        score=0.6, model_id=tiny_bundle.id)
    assert _write_all(index) == 5

    summary, taught, labels = _read_back(tmp_path, folder, options)
    assert summary.scan.labels_read == 5 and summary.taught == 3
    assert taught == {PLACE: 3}
    assert labels["DSC_0000.JPG"] == (PLACE, "user", "accepted")
    assert labels["DSC_0003.JPG"] == (PLACE, "taught", "accepted")  # as accepted as before, teaching nothing
    assert read_fields((folder / "DSC_0000.JPG").read_bytes()).taught == [PLACE]
    assert read_fields((folder / "DSC_0003.JPG").read_bytes()).taught == []


def test_the_field_follows_what_the_photo_teaches_at_each_write(tmp_path, tagged, tiny_bundle) -> None:
    """Written while taught, the place then forgotten: the next write says so (changing only
    our field, the keywords as they were), and a write with nothing new changes nothing."""
    index, ids, folder, options = tagged
    teaching.teach(index, PLACE, ids[:1], bundle=tiny_bundle)
    assert _write_all(index) == 1
    written = read_fields((folder / "DSC_0000.JPG").read_bytes())
    assert written.taught == [PLACE]
    teaching.forget(index, PLACE)
    plan = [item for item in plan_writes(index) if item.changes_anything]
    assert len(plan) == 1 and "changes only XMP landmarkTagger:Teaches" in plan[0].describe()
    assert _write_all(index) == 1
    assert read_fields((folder / "DSC_0000.JPG").read_bytes()) == KeywordFields(
        **{**written.to_json(), "taught": []})  # every keyword field as it was
    assert _write_all(index) == 0
    assert _read_back(tmp_path, folder, options)[1] == {}


def test_no_field_where_a_read_back_needs_none(tmp_path, tagged) -> None:
    """The model's landmark accepted, and a label of the user's that teaches at the next
    `tag`, read back right without the field: their files get none, so a library written
    before the field is not rewritten for it."""
    index, ids, folder, _ = tagged
    index.set_label(ids[0], "Colosseum", source="model", state="accepted", landmark_id="colosseum", score=0.9)
    index.set_label(ids[1], "Our cabin", source="user", state="accepted")
    assert _write_all(index) == 2
    assert [read_fields((folder / f"DSC_000{n}.JPG").read_bytes()).taught for n in (0, 1)] == [None, None]


def test_a_file_written_before_the_field_reads_back_as_before(tmp_path, tagged, tiny_bundle) -> None:
    """Our keyword without the field (written by an older version): the place teaches again."""
    index, ids, folder, options = tagged
    index.set_label(ids[0], PLACE, source="user", state="accepted")
    assert _write_all(index) == 1
    assert read_fields((folder / "DSC_0000.JPG").read_bytes()).taught is None

    summary, taught, _ = _read_back(tmp_path, folder, options)
    assert summary.taught == 1 and taught == {PLACE: 1}


def test_a_sidecar_says_whether_its_photo_taught(tmp_path) -> None:
    """A RAW's label is read back from its sidecar, and so is our field."""
    raw = tmp_path / "DSC_0001.NEF"
    raw.write_bytes(b"not read here")
    for taught, teaches in (([], False), ([PLACE], True), (None, None)):
        fields = KeywordFields([PLACE], [f"Landmarks|{PLACE}"], taught=taught)
        (tmp_path / "DSC_0001.NEF.xmp").write_bytes(render_sidecar(None, fields))
        assert [found[1:] for found in landmarks_in_sidecars([raw])] == [(PLACE, teaches)]


def test_a_keyword_re_cased_in_another_program_still_reads_back_as_taught(tmp_path) -> None:
    """Lightroom re-cases the keyword ("arezzo STREETS") and leaves our field naming the place
    as we wrote it: labels are one in any letter case, so the photo still teaches it."""
    raw = tmp_path / "DSC_0001.NEF"
    raw.write_bytes(b"not read here")
    for taught, teaches in (([PLACE], True), ([], False)):
        fields = KeywordFields(["arezzo STREETS"], ["Landmarks|arezzo STREETS"], taught=taught)
        (tmp_path / "DSC_0001.NEF.xmp").write_bytes(render_sidecar(None, fields))
        assert [found[1:] for found in landmarks_in_sidecars([raw])] == [("arezzo STREETS", teaches)]


def test_a_correction_to_a_landmark_of_the_models_teaches_again_on_a_new_index(tmp_path, tagged, tiny_bundle) -> None:
    """Labelled with one of the model's own landmarks (the model said another): it teaches,
    `write` names it in the Teaches field, and a new index teaches it again (t_teach-1); the
    model's landmark only accepted (no field) does not."""
    index, ids, folder, options = tagged
    landmark = tiny_bundle.class_names()[0]
    teaching.learn_from_correction(index, ids[0], landmark, bundle=tiny_bundle)
    index.set_label(ids[1], landmark, source="model", state="accepted", landmark_id="x", score=0.9)
    assert teaching.taught_labels(index) == {landmark: 1}
    assert _write_all(index) == 2
    assert read_fields((folder / "DSC_0000.JPG").read_bytes()).taught == [landmark]

    summary, taught, labels = _read_back(tmp_path, folder, options)
    assert summary.scan.labels_read == 2 and summary.taught == 1
    assert taught == {landmark: 1}
    assert labels["DSC_0001.JPG"] == (landmark, "user", "accepted")  # read back, teaching nothing
