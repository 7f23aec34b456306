"""Testers' finding: a search for "colloseum" (the model's landmark is "Colosseum") found
0 photos without a word, though `label` and the app's L name the likely typo. A search
of plain words that found nothing now names the landmark on the photos it is a likely
typo of, and only for a typo's shapes: never for a real word a letter from a short name."""

from __future__ import annotations

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.landmark_typo_hints import landmark_typo_hint
from tests.test_search_no_landmark_score import rome_trip

LANDMARKS = ["Colosseum", "Louvre", "Pantheon", "Rome", "Eiffel Tower", "Taj Mahal"]


@pytest.mark.parametrize(("typed", "meant"), [
    ("colloseum", "Colosseum"),  # a letter doubled and a double one dropped
    ("Coloseum", "Colosseum"),  # a double letter dropped
    ("collosseum", "Colosseum"),  # a letter doubled
    ("louver", "Louvre"),  # two letters swapped
    ("panteon", "Pantheon"),  # a letter dropped, in a short name
    ("panthheon", "Pantheon"),
    ("eifel tower", "Eiffel Tower"),
    ("tajmahal", "Taj Mahal"),
])
def test_a_landmarks_typo_gets_its_label_term(typed, meant) -> None:
    hint = landmark_typo_hint(typed, LANDMARKS)
    assert hint == f'No landmark on your photos is called “{typed}”: did you mean label:"{meant}"?', hint


@pytest.mark.parametrize("typed", [
    "home", "rone",  # a real word, a letter changed: no typo's shape in a short name
    "rome", "colosseum", "paris", "tower",  # a landmark itself, or no landmark's typo
    "-colloseum", "colloseum OR rome", "", 'label:"no',
    "label:colosseum", 'label:"eiffel  tower"', "-label:colloseum", "label:home", "state:accepted",
    "massena", "tower", "taj home",  # a landmark's word, or no word's typo
])
def test_no_typo_hint_for_other_queries(typed) -> None:
    assert landmark_typo_hint(typed, LANDMARKS) is None


@pytest.mark.parametrize(("typed", "called", "meant"), [
    ("label:Colloseum", "Colloseum", "Colosseum"),  # the form the guide teaches
    ('label:"Place Massenna"', "Place Massenna", "Place Massena"),
    ("state:accepted label:louver", "louver", "Louvre"),  # beside a filter
    ('label:"Eifel Tower"|Rome', "Eifel Tower", "Eiffel Tower"),  # one of a choice
])
def test_a_label_terms_typo_gets_its_label_term(typed, called, meant) -> None:
    hint = landmark_typo_hint(typed, [*LANDMARKS, "Place Massena"])
    assert hint == f'No landmark on your photos is called “{called}”: did you mean label:"{meant}"?', hint


@pytest.mark.parametrize(("typed", "word", "meant"), [
    ("Massenna", "Massenna", "Place Massena"),  # a word of a longer name misspelt
    ("colloseum rome", "colloseum", "Colosseum"),  # a landmark's typo beside another word
    ("eifel", "eifel", "Eiffel Tower"),
])
def test_a_misspelt_word_of_a_landmark_gets_its_label_term(typed, word, meant) -> None:
    hint = landmark_typo_hint(typed, [*LANDMARKS, "Place Massena"])
    assert hint == f'No landmark on your photos has the word “{word}”: did you mean label:"{meant}"?', hint


def test_a_label_terms_typo_is_named_by_search_and_by_accept(tmp_path, capsys) -> None:
    db = str(tmp_path / "index.db")
    with PhotoIndex.open(db) as index:
        rome_trip(index)
    for query, line in (('label:"Our cabn"', 'is called “Our cabn”: did you mean label:"Our cabin"?'),
                        ("cabn", 'has the word “cabn”: did you mean label:"Our cabin"?')):
        assert main(["--db", db, "search", query]) == 0  # an empty search, no error
        assert capsys.readouterr().err.rstrip().endswith(line)
    assert main(["--db", db, "accept", "label:Coloseum"]) == 1  # a typo fails a script
    err = capsys.readouterr().err
    assert "accept: no photo matches 'label:Coloseum' (did you mean label:\"Colosseum\"?)" in err, err


def test_search_of_a_landmarks_typo_that_found_nothing_names_it(tmp_path, capsys) -> None:
    db = str(tmp_path / "index.db")
    with PhotoIndex.open(db) as index:
        rome_trip(index)
    for options in ([], ["--count"]):
        assert main(["--db", db, "search", *options, "colloseum"]) == 0
        err = capsys.readouterr().err
        assert err.rstrip().endswith('did you mean label:"Colosseum"?'), err
    assert main(["--db", db, "search", "label:\"Colosseum\""]) == 0  # the term named finds them
    assert "1 photo" in capsys.readouterr().err
    assert main(["--db", db, "search", "louver"]) == 0  # no landmark on the photos is near
    assert "did you mean" not in capsys.readouterr().err
