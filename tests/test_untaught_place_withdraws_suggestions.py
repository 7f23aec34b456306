"""A place that lost its last taught photo (taught another name, labelled, rejected) kept
its suggestions in Review, and nothing removed them: the user reviewed (and wrote as
keywords) suggestions of a place the app no longer knew (a teaching tester). They are
withdrawn as `teach --forget` withdraws them, the place is not recorded as forgotten,
and every command and the app's status bar say so."""

from __future__ import annotations

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.scanner import scan
from model.predictor import TAUGHT_ID_PREFIX
from tests.test_metadata_support import make_jpeg


@pytest.fixture
def cabin_suggested(tmp_path, tiny_bundle):
    """Three photos; the first teaches "Our cabin", which suggested itself for the second
    (as `suggest` stores it); the third has a model's suggestion of its own."""
    folder = tmp_path / "photos"
    folder.mkdir()
    db = tmp_path / "index.db"
    for n in range(3):
        make_jpeg(folder / f"DSC_000{n}.JPG", size=(64, 48), seed=n)
    with PhotoIndex.open(db) as index:
        scan(index, [folder])
    photos = [str(folder / f"DSC_000{n}.JPG") for n in range(3)]
    options = ["--model", str(tiny_bundle.path)]
    assert main(["--db", str(db), "teach", "Our cabin", photos[0], *options]) == 0
    with PhotoIndex.open(db) as index:
        ids = [index.photo_ids(f'path:"{photo}"')[0] for photo in photos]
        index.set_label(ids[1], "Our cabin", source="taught", state="suggested",
                        landmark_id=TAUGHT_ID_PREFIX + "Our cabin", score=0.8, model_id=tiny_bundle.id)
        index.set_label(ids[2], "Petra", source="model", state="suggested", landmark_id="petra", score=0.9,
                        model_id=tiny_bundle.id)
    return db, photos, ids, options


def _label_of(db, photo_id) -> tuple:
    with PhotoIndex.open(db) as index:
        record = index.get(photo_id)
        return record.label, record.state


def _taught_and_forgotten(db) -> tuple[dict, list]:
    from app.core.teaching import taught_labels

    with PhotoIndex.open(db) as index:
        return taught_labels(index), index.conn.execute("SELECT label FROM forgotten_places").fetchall()


def test_teaching_the_only_photo_another_name_withdraws_the_places_suggestions(cabin_suggested, capsys) -> None:
    db, photos, ids, options = cabin_suggested
    assert main(["--db", str(db), "teach", "Lake hut", photos[0], *options]) == 0
    err = capsys.readouterr().err
    assert "'Our cabin' has no photos left and is no longer taught: its 1 suggestion withdrawn" in err
    assert _label_of(db, ids[1]) == (None, "suggested")  # no landmark, for the next tag to decide
    assert _label_of(db, ids[2]) == ("Petra", "suggested")  # the model's own suggestion stays
    assert _taught_and_forgotten(db) == ({"Lake hut": 1}, [])  # not recorded as forgotten
    assert main(["--db", str(db), "teach", "Our cabin", photos[1], *options]) == 0  # taught again as before
    assert _taught_and_forgotten(db)[0] == {"Lake hut": 1, "Our cabin": 1}


def test_label_says_the_place_is_gone_and_undo_gives_its_suggestions_back(cabin_suggested, capsys) -> None:
    db, photos, ids, options = cabin_suggested
    assert main(["--db", str(db), "label", photos[0], "Lake hut", "--new", *options]) == 0
    err = capsys.readouterr().err
    assert "label: 'Our cabin' has no photos left and is no longer taught: its 1 suggestion withdrawn" in err
    assert "label: 1 of 1 matching photo changed" in err  # the withdrawn suggestion is not counted as labelled
    assert _label_of(db, ids[1]) == (None, "suggested")
    assert _taught_and_forgotten(db) == ({"Lake hut": 1}, [])

    assert main(["--db", str(db), "undo", "--review"]) == 0
    assert _label_of(db, ids[0]) == ("Our cabin", "accepted")
    assert _label_of(db, ids[1]) == ("Our cabin", "suggested")  # given back with the place
    with PhotoIndex.open(db) as index:
        assert index.get(ids[1]).landmark_id == TAUGHT_ID_PREFIX + "Our cabin"
        assert index.get(ids[1]).score == pytest.approx(0.8)
    assert _taught_and_forgotten(db) == ({"Our cabin": 1}, [])


def test_a_label_that_leaves_the_place_taught_withdraws_nothing(cabin_suggested, capsys) -> None:
    db, photos, ids, options = cabin_suggested
    assert main(["--db", str(db), "teach", "Our cabin", photos[2], *options]) == 0
    assert main(["--db", str(db), "label", photos[0], "Lake hut", "--new", *options]) == 0
    assert "no longer taught" not in capsys.readouterr().err
    assert _label_of(db, ids[1]) == ("Our cabin", "suggested")


def test_rejecting_the_only_taught_photo_withdraws_the_places_suggestions(cabin_suggested, capsys) -> None:
    db, photos, ids, options = cabin_suggested
    assert main(["--db", str(db), "reject", photos[0]]) == 0
    err = capsys.readouterr().err
    assert "reject: 'Our cabin' is no longer taught: its 1 suggestion withdrawn" in err
    assert _label_of(db, ids[1]) == (None, "suggested")
    assert _taught_and_forgotten(db) == ({}, [])
    # the reject taken back: the photo teaches again; the suggestions wait for a `suggest`
    assert main(["--db", str(db), "accept", photos[0]]) == 0
    assert _taught_and_forgotten(db) == ({"Our cabin": 1}, [])
    assert _label_of(db, ids[1]) == (None, "suggested")


def test_the_apps_reject_and_label_withdraw_through_the_core(tmp_path, cabin_suggested) -> None:
    """The app's R goes through set_states_withdrawing, its L through correct_and_journal."""
    from app.core.journalled_labels import correct_and_journal
    from app.core.teaching_untaught import set_states_withdrawing

    db, photos, ids, options = cabin_suggested
    with PhotoIndex.open(db) as index:
        change = set_states_withdrawing(index, [ids[0]], "rejected", {ids[0]: ("Our cabin", "accepted")})
        assert change.changed == 1
        assert [(gone.place, len(gone.withdrawn)) for gone in change.untaught] == [("Our cabin", 1)]
        assert (index.get(ids[1]).label, index.get(ids[1]).state) == (None, "suggested")
        index.set_state([ids[0]], "accepted")  # taken back
        index.set_label(ids[1], "Our cabin", source="taught", state="suggested",
                        landmark_id=TAUGHT_ID_PREFIX + "Our cabin", score=0.8)
        done = correct_and_journal(index, [ids[0]], None, command="the app's L")
        assert [(gone.place, len(gone.withdrawn)) for gone in done.untaught] == [("Our cabin", 1)]
        assert done.changed == [ids[0]]
        assert index.get(ids[1]).label is None
