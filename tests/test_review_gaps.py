"""Review at scale: the "no landmark" photos as a search, a typo'd landmark name given to
`label` beside a place the library has, and a mistaken `accept`/`reject`/`label` taken
back from the command line (`undo --review`)."""

from __future__ import annotations

import pytest

from app.cli.main import main
from app.core.errors import QuerySyntaxError
from app.core.index import PhotoIndex
from tests.test_metadata_support import add_photo, make_jpeg


def _library(tmp_path):
    """Colosseum (accepted), Petra (suggested), a "no landmark" suggestion, one never tagged."""
    db = tmp_path / "index.db"
    folder = tmp_path / "photos"
    folder.mkdir()
    with PhotoIndex.open(db) as index:
        colosseum = add_photo(index, [make_jpeg(folder / "DSC_0001.JPG", seed=1)], "Colosseum", "accepted")
        petra = add_photo(index, [make_jpeg(folder / "DSC_0002.JPG", seed=2)], "Petra", "suggested")
        nothing = add_photo(index, [make_jpeg(folder / "DSC_0003.JPG", seed=3)], None, "suggested")
        untagged = add_photo(index, [make_jpeg(folder / "DSC_0004.JPG", seed=4)], None, "unlabelled")
    return db, folder, (colosseum, petra, nothing, untagged)


def test_the_no_landmark_photos_are_found_by_has_label(tmp_path) -> None:
    """No query found the photos tagged "no landmark": has:label was an error and
    label:none found nothing, without a word."""
    db, _, (colosseum, petra, nothing, untagged) = _library(tmp_path)
    with PhotoIndex.open(db) as index:
        for search in (index.photo_ids, lambda q: [r.id for r in index.search(q, limit=10)]):
            assert sorted(search("has:label")) == sorted([colosseum, petra])
            assert sorted(search("-has:label")) == sorted([nothing, untagged])
            assert search("-has:label -state:unlabelled") == [nothing]
            assert search("state:unlabelled") == [untagged]
        assert index.count("-has:label state:suggested") == 1
        assert sorted(index.photo_ids("has:gps|label")) == sorted([colosseum, petra])
        for query in ("label:none", 'label:"no landmark"', "label:No-Landmark"):
            with pytest.raises(QuerySyntaxError, match="-has:label -state:unlabelled"):
                index.photo_ids(query)
        assert index.photo_ids('label:"None"') == []  # a place called so stays searchable


def test_label_refuses_a_near_duplicate_of_a_known_landmark(tmp_path, capsys) -> None:
    """`label DSC_0002.JPG Colloseum` beside 'Colosseum' made a second place (and taught
    it) with no word; now it is refused, naming the landmark, until --new says it is new."""
    db, folder, (_, petra, _, _) = _library(tmp_path)
    photo = str(folder / "DSC_0002.JPG")
    assert main(["--db", str(db), "label", photo, "Colloseum"]) == 1
    err = capsys.readouterr().err
    assert "no landmark named 'Colloseum'; did you mean 'Colosseum'?" in err and "--new" in err
    with PhotoIndex.open(db) as index:
        assert index.review_states([petra])[petra] == ("Petra", "suggested")  # nothing changed
    assert main(["--db", str(db), "label", photo, "Our cabbin", "--new"]) == 0
    assert main(["--db", str(db), "label", photo, "Our cabin"]) == 1  # close to the one just made
    assert "did you mean 'Our cabbin'?" in capsys.readouterr().err
    assert main(["--db", str(db), "label", photo, "colosseum"]) == 0  # the same landmark, as spelled
    assert main(["--db", str(db), "label", photo, "Fort Saint-Jean"]) == 0  # clearly new
    with PhotoIndex.open(db) as index:
        assert index.get(petra).label == "Fort Saint-Jean"


def test_label_compares_the_name_with_the_models_landmarks(tmp_path, capsys) -> None:
    """A landmark of the model that no photo holds yet counts too: "Tajmahal" for the
    default bundle's "Taj Mahal"."""
    from app.core.label_names import known_landmarks
    from model.bundle import default_bundle_path, load_bundle

    if not default_bundle_path().exists():
        pytest.skip("no default model bundle")
    if "Taj Mahal" not in load_bundle(default_bundle_path()).class_names():
        pytest.skip("the default bundle has no Taj Mahal")
    db, folder, _ = _library(tmp_path)
    with PhotoIndex.open(db) as index:
        assert "Taj Mahal" in known_landmarks(index, ["Taj Mahal"]) and "Petra" in known_landmarks(index)
    assert main(["--db", str(db), "label", str(folder / "DSC_0002.JPG"), "Tajmahal"]) == 1
    assert "did you mean 'Taj Mahal'?" in capsys.readouterr().err


def test_close_landmarks_folds_case_accents_and_spaces() -> None:
    from app.core.label_names import close_landmarks

    known = ["Colosseum", "Taj Mahal", "Petra", "Notre-Dame de Paris", "Big Ben"]
    assert close_landmarks("Colloseum", known) == ["Colosseum"]
    assert close_landmarks("Tajmahal", known) == ["Taj Mahal"]
    assert close_landmarks("Colosseo", known) == ["Colosseum"]
    assert close_landmarks("Petrra", known) == ["Petra"]
    assert close_landmarks("COLOSSEUM", known) == []  # that landmark itself
    # the same words, punctuation aside: a spelling of that landmark, written on purpose; accents
    # alone make another keyword for it in the files, asked about (test_names_typed_without_accents)
    assert close_landmarks("Château d'If", ["Chateau d'If"]) == ["Chateau d'If"]
    assert close_landmarks("Notre Dame de Paris", known) == []
    assert close_landmarks("Ely", ["Eye"]) == []  # a short name: one letter tells places apart
    assert close_landmarks("Our cabin", known) == []


def _states(db, ids):
    with PhotoIndex.open(db) as index:
        now = index.review_states(ids)
    return [now.get(i, (None, "unlabelled")) for i in ids]


def test_a_mistaken_accept_is_taken_back_by_undo_review(tmp_path, capsys) -> None:
    """`accept ''` (every photo) could not be taken back: `undo` said 'no write batch to
    undo' (exit 0), and `reject` would mark the model's labels rejected for good."""
    db, _, ids = _library(tmp_path)
    colosseum, petra, nothing, untagged = ids
    before = _states(db, ids)
    assert main(["--db", str(db), "accept", ""]) == 0
    assert "undo --review` takes it back" in capsys.readouterr().err
    assert _states(db, [petra, nothing]) == [("Petra", "accepted"), (None, "accepted")]
    assert main(["--db", str(db), "undo"]) == 0
    assert "`landmark-tagger --db" in (err := capsys.readouterr().err) and "undo --review` takes back" in err
    assert "accept ''" in err and "2 photos" in err
    assert main(["--db", str(db), "undo", "--review"]) == 0
    assert "took back `accept ''`: 2 photos as before it" in capsys.readouterr().err
    assert _states(db, ids) == before
    assert main(["--db", str(db), "undo", "--review"]) == 0
    assert "no accept, reject, label, teach or teach --forget to take back" in capsys.readouterr().err


def test_undo_review_takes_back_a_label_and_leaves_photos_labelled_since(tmp_path, capsys) -> None:
    """The newest review command first, then the one before; a photo labelled again
    since the command is left as it is, and named."""
    db, folder, ids = _library(tmp_path)
    colosseum, petra, nothing, untagged = ids
    before = _states(db, ids)
    assert main(["--db", str(db), "reject", "state:suggested"]) == 0
    assert main(["--db", str(db), "label", str(folder / "DSC_0002.JPG"), str(folder / "DSC_0004.JPG"),
                 "Fort Saint-Jean"]) == 0
    with PhotoIndex.open(db) as index:
        assert ("Fort Saint-Jean" in index.known_labels())
        index.set_label(untagged, "Petra")  # the app labels one of them again
    assert main(["--db", str(db), "undo", "--review"]) == 1
    assert "1 photo as before it; 1 photo left as it is" in capsys.readouterr().err
    assert _states(db, [petra, untagged]) == [("Petra", "rejected"), ("Petra", "accepted")]
    with PhotoIndex.open(db) as index:
        assert index.photo_ids('label:"Fort Saint-Jean"') == []
        taught = index.conn.execute("SELECT label FROM taught_refs WHERE photo_id = ?", (petra,)).fetchall()
        assert taught == []  # the photo taken back no longer teaches the name it was given
    assert main(["--db", str(db), "undo", "--review"]) == 0
    assert _states(db, [colosseum, petra, nothing]) == before[:3]
    with PhotoIndex.open(db) as index:
        assert sorted(index.photo_ids("Petra")) == sorted([petra, untagged])  # its words searchable again
