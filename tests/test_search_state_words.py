"""First-hour finding F1 (findings11/firsthour.md): review states typed as plain words
("accepted", "unsure", "not written yet") found 0 photos without a word of help, while
"no landmark" got one; a bare "0" read as "no accepted photos"."""

from __future__ import annotations

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.index.state_word_hints import state_word_hint
from tests.test_search_no_landmark_score import rome_trip


@pytest.mark.parametrize(("typed", "said"), [
    ("accepted", "did you mean state:accepted?"),
    ("Suggested", "did you mean state:suggested?"),
    ("rejected rome", "did you mean state:rejected?"),
    ("unlabeled", "did you mean state:unlabelled?"),
    ("unsure", "did you mean score<0.5 or state:suggested?"),
    ("doubtful", "did you mean score<0.5 or state:suggested?"),
    ("not written yet", "did you mean is:unwritten?"),
    ('"not written yet"', "did you mean is:unwritten?"),
    ("unwritten", "did you mean is:unwritten?"),
    ("written", "did you mean -is:unwritten?"),
])
def test_state_words_get_the_term_for_their_state(typed, said) -> None:
    hint = state_word_hint(typed)
    assert hint is not None and hint.endswith(said) and "not their state" in hint, hint


@pytest.mark.parametrize("typed", ["colosseum", "state:accepted", "-accepted", "accepted state:suggested",
                                   "accepted OR rome", "label:x accepted", "", 'label:"no', "acceptedly"])
def test_no_state_hint_for_other_queries(typed) -> None:
    assert state_word_hint(typed) is None


def test_search_of_state_words_that_found_nothing_says_the_term(tmp_path, capsys) -> None:
    db = str(tmp_path / "index.db")
    with PhotoIndex.open(db) as index:
        ids = rome_trip(index)
        index.set_state([ids["colosseum"]], "accepted")
    for options in ([], ["--count"], ["--json"]):
        assert main(["--db", db, "search", *options, "accepted"]) == 0
        err = capsys.readouterr().err
        assert "“accepted” is looked for in the photos' file, folder and landmark names" in err, err
        assert err.rstrip().endswith("did you mean state:accepted?"), err
    assert main(["--db", db, "search", "not", "written", "yet"]) == 0
    assert capsys.readouterr().err.rstrip().endswith("did you mean is:unwritten?")


def test_state_words_that_found_photos_get_no_hint(tmp_path, capsys) -> None:
    """A place may be called so: the words are searched as typed, never refused."""
    db = str(tmp_path / "index.db")
    with PhotoIndex.open(db) as index:
        ids = rome_trip(index)
        index.set_label(ids["unsure"], "Accepted", source="user", state="accepted")
    assert main(["--db", db, "search", "accepted"]) == 0
    captured = capsys.readouterr()
    assert "unsure.JPG" in captured.out and "did you mean" not in captured.err
