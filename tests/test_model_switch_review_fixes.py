"""Model changes and rejections, and a bad --model (review findings "bundles" 1, 2, 7).

A rejection holds for the landmark under a model that renamed its class; going back to
a model gives its own answer whether or not the photos are decoded again, and a "no
landmark" never carries a rejected landmark's score; a bundle that cannot be loaded
is refused before the index, the library or a label changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.tagging import TagOptions, tag
from model.bundle import LabelEntry
from model.bundle_writer import resave_bundle
from model.errors import BundleError
from tests.test_cli_tag import photo


@pytest.fixture
def trip(tmp_path) -> Path:
    folder = tmp_path / "trip"
    folder.mkdir()
    photo(folder / "a.jpg", 1)
    return folder


@pytest.fixture(scope="module")
def renamed_bundle(tiny_bundle, tmp_path_factory) -> Path:
    """A model update that fixes the names: same network, same landmark ids."""
    labels = [LabelEntry(e.landmark_id, e.name + ", renamed", e.place) for e in tiny_bundle.labels]
    return resave_bundle(tiny_bundle, tmp_path_factory.mktemp("renamed") / "renamed.ltbundle",
                         labels=labels, name="renamed").path


@pytest.fixture(scope="module")
def other_bundle(tiny_bundle, tmp_path_factory) -> Path:
    """Another model, which sees another landmark in every photo (its classes shifted by one)."""
    labels = tiny_bundle.labels[1:] + tiny_bundle.labels[:1]
    return resave_bundle(tiny_bundle, tmp_path_factory.mktemp("other") / "other.ltbundle",
                         labels=labels, name="other").path


def options(model, threshold: float, retag: bool = False) -> TagOptions:
    return TagOptions(model=Path(model), threshold=threshold, workers=0, batch_size=2, threads=1, retag=retag)


def tag_and_reject(index, trip, tiny_bundle, threshold: float = 0.0):
    """Tag the photo with the tiny bundle and reject its label; (photo id, rejected top-1)."""
    tag(index, [trip], options(tiny_bundle.path, threshold))
    photo_id = index.search("")[0].id
    index.set_state([photo_id], "rejected")
    return photo_id, index.predictions(photo_id, tiny_bundle.id)[0]


# -- 1. a rejection holds for the landmark, whatever the model calls it ---------------------

def test_a_rejected_landmark_is_not_suggested_again_by_a_model_that_renamed_it(
        tmp_path, trip, tiny_bundle, renamed_bundle):
    with PhotoIndex.open(tmp_path / "index.db") as index:
        photo_id, rejected = tag_and_reject(index, trip, tiny_bundle)
        tag(index, [trip], options(renamed_bundle, 0.0))
        record = index.get(photo_id)
        assert record.landmark_id == rejected.landmark_id  # the new model's top-1 is that landmark
        assert (record.label, record.state) == (rejected.label, "rejected")  # the user's word, kept
        assert index.count("state:suggested") == 0  # `write --include-suggested` has nothing to write


def test_a_landmark_rejected_under_its_new_name_stays_rejected_under_the_old_model(
        tmp_path, trip, tiny_bundle, renamed_bundle):
    with PhotoIndex.open(tmp_path / "index.db") as index:
        tag(index, [trip], options(tiny_bundle.path, 0.0))
        photo_id = index.search("")[0].id
        renamed = tag(index, [trip], options(renamed_bundle, 0.0))
        index.set_state([photo_id], "rejected")  # rejected as "… renamed"
        tag(index, [trip], options(tiny_bundle.path, 0.0, retag=True))
        record = index.get(photo_id)
        assert record.label == index.predictions(photo_id, renamed.model_id)[0].label
        assert record.label.endswith(", renamed") and record.state == "rejected"


# -- 2. going back to a model: its own answer, with or without --retag -------------------

@pytest.mark.parametrize("threshold_between", [True, False], ids=["no-landmark", "second-guess"])
def test_going_back_to_a_model_gives_its_answer_with_or_without_retag(
        tmp_path, trip, tiny_bundle, other_bundle, threshold_between):
    """The photo's top-1 was rejected and another model suggested another landmark since."""
    answers = {}
    for retag in (False, True):
        with PhotoIndex.open(tmp_path / f"index-{retag}.db") as index:
            tag(index, [trip], options(tiny_bundle.path, 0.0))
            photo_id = index.search("")[0].id
            top = index.predictions(photo_id, tiny_bundle.id)
            threshold = (top[0].score + top[1].score) / 2 if threshold_between else 0.0
            index.set_state([photo_id], "rejected")
            tag(index, [trip], options(other_bundle, threshold))
            assert index.get(photo_id).state == "suggested"  # the other model's landmark, not rejected
            tag(index, [trip], options(tiny_bundle.path, threshold, retag=retag))
            record = index.get(photo_id)
            answers[retag] = (record.label, record.landmark_id, record.score, record.state, record.model_id)
            confident = index.count(f"state:suggested score>{(top[1].score + threshold) / 2!r}")
    if threshold_between:  # nothing confident but the rejected landmark: the photo is back to its rejection
        assert answers[False] == answers[True] == (top[0].label, top[0].landmark_id, pytest.approx(top[0].score),
                                                   "rejected", tiny_bundle.id)
        assert confident == 0
    else:
        assert answers[False] == answers[True] == (top[1].label, top[1].landmark_id, pytest.approx(top[1].score),
                                                   "suggested", tiny_bundle.id)


def test_a_no_landmark_stored_with_the_rejected_landmarks_score_goes_back_to_the_rejection(
        tmp_path, trip, tiny_bundle):
    """An index where "no landmark" carries the rejected top-1's score (what going back to
    a model stored before): the next tag gives the photo its rejection back, out of review."""
    with PhotoIndex.open(tmp_path / "index.db") as index:
        photo_id, rejected = tag_and_reject(index, trip, tiny_bundle)
        index.set_label(photo_id, None, source="model", state="suggested", score=rejected.score,
                        model_id=tiny_bundle.id)
        threshold = 1.0 - 1e-9  # under it: "no landmark" either way
        summary = tag(index, [trip], options(tiny_bundle.path, threshold))
        assert summary.relabelled == [photo_id]
        record = index.get(photo_id)
        assert (record.label, record.state) == (rejected.label, "rejected")
        assert record.score == pytest.approx(rejected.score)


# -- 7. a bundle that cannot be loaded changes nothing ----------------------------------

@pytest.mark.parametrize("command", ["tag", "teach"])
def test_a_model_that_does_not_exist_leaves_no_index_behind(tmp_path, trip, capsys, command):
    db = tmp_path / "index.db"
    words = ["tag", str(trip)] if command == "tag" else ["teach", "Our cabin", str(trip / "a.jpg")]
    assert main(["--db", str(db), *words, "--model", "defualt"]) == 2
    assert "defualt does not exist" in capsys.readouterr().err
    assert not db.exists()


def test_a_model_that_does_not_exist_changes_no_library(tmp_path, trip, tiny_bundle, capsys):
    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        tag(index, [trip], options(tiny_bundle.path, 0.0))
        photo_id = index.search("")[0].id
    other = tmp_path / "other"
    other.mkdir()
    photo(other / "b.jpg", 2)
    for words in (["tag", str(other)], ["teach", "Our cabin", str(other / "b.jpg")], ["suggest"],
                  ["label", str(trip / "a.jpg"), "Our cabin"]):
        assert main(["--db", str(db), *words, "--model", "defualt"]) == 2, words
        assert "defualt does not exist" in capsys.readouterr().err
    with PhotoIndex.open(db) as index:
        assert [Path(root).name for root in index.roots()] == ["trip"]
        assert [record.id for record in index.search("")] == [photo_id]
        assert (index.get(photo_id).source, index.get(photo_id).state) == ("model", "suggested")


def test_tagging_with_a_model_that_cannot_be_loaded_scans_nothing(tmp_path, trip):
    """The app tags through the core: its folder is not scanned before the model fails."""
    with PhotoIndex.open(tmp_path / "index.db") as index:
        with pytest.raises(BundleError, match="does not exist"):
            tag(index, [trip], options(tmp_path / "defualt.ltbundle", 0.0))
        assert index.search("") == [] and index.roots() == []
