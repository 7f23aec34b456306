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
    "colloseum rome", "-colloseum", "label:colloseum", "colloseum OR rome", "", 'label:"no',
])
def test_no_typo_hint_for_other_queries(typed) -> None:
    assert landmark_typo_hint(typed, LANDMARKS) is None


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
