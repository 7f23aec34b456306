"""First-hour finding F3, F4 (findings11/firsthour.md): `score>0.7` matched a "no landmark"
photo by its best guess's score, so `accept 'score>0.7'` confirmed "no landmark" on a photo
the model thought 75 % Colosseum; `search` printed such a photo as `(no landmark) 0.75`,
read as 75 % sure there is no landmark. The helpers build a trip for
tests/test_search_state_words.py too."""

from __future__ import annotations

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from tests.test_index import add_photo, top

THRESHOLD = 0.79


def rome_trip(index: PhotoIndex) -> dict[str, int]:
    """A landmark the model missed (best guess Colosseum 0.755 < 0.79), a confident "no
    landmark" (best guess 0.03), a confident Colosseum, an unsure taught label."""
    ids = {name: add_photo(index, "/lib/Rome", name, "2019-05-01T10:00:00")
           for name in ("missed", "ordinary", "colosseum", "unsure")}
    index.set_predictions(ids["missed"], "m1", top(("Colosseum", 0.755), ("Petra", 0.1)), THRESHOLD)
    index.set_predictions(ids["ordinary"], "m1", top(("Taj Mahal", 0.03), ("Petra", 0.02)), THRESHOLD)
    index.set_predictions(ids["colosseum"], "m1", top(("Colosseum", 0.93), ("Petra", 0.01)), THRESHOLD)
    index.set_label(ids["unsure"], "Our cabin", source="taught", state="suggested", score=0.4)
    return ids


@pytest.fixture
def trip():
    with PhotoIndex.open(":memory:") as index:
        yield index, rome_trip(index)


def _found(index: PhotoIndex, ids: dict[str, int], query: str) -> set[str]:
    names = {photo_id: name for name, photo_id in ids.items()}
    return {names[record.id] for record in index.search(query)}


@pytest.mark.parametrize(("query", "expected"), [
    ("score>0.7", {"ordinary", "colosseum"}),  # a confident "no landmark" is a confident answer …
    ("score<0.5", {"missed", "unsure"}),  # … the missed landmark (no landmark at 0.245) an unsure one
    ("-score<0.5", {"ordinary", "colosseum"}),
    ("score>=0.245", {"missed", "ordinary", "colosseum", "unsure"}),
    ("score>0.9", {"ordinary", "colosseum"}),
    ("state:suggested score>0.5", {"ordinary", "colosseum"}),
    ("score>0.7 OR label:petra", {"ordinary", "colosseum"}),  # the row form of the term agrees
])
def test_score_of_a_no_landmark_photo_is_how_sure_it_shows_none(trip, query, expected) -> None:
    index, ids = trip
    assert index.get(ids["missed"]).label is None and index.get(ids["missed"]).score == pytest.approx(0.755)
    assert _found(index, ids, query) == expected
    assert index.count(query) == len(expected)


def test_a_photo_labelled_no_landmark_by_the_user_has_no_score_to_match(trip) -> None:
    index, ids = trip
    index.set_label(ids["missed"], None, source="user", state="accepted")
    assert "missed" not in _found(index, ids, "score<0.5") | _found(index, ids, "score>0.5")


def test_accept_score_above_leaves_the_missed_landmark_to_review(tmp_path, capsys) -> None:
    db = str(tmp_path / "index.db")
    with PhotoIndex.open(db) as index:
        ids = rome_trip(index)
    assert main(["--db", db, "accept", "score>0.7"]) == 0
    with PhotoIndex.open(db) as index:
        assert index.get(ids["missed"]).state == "suggested"  # the photos that need a look stay there
        assert index.get(ids["colosseum"]).state == "accepted"
    capsys.readouterr()
    assert main(["--db", db, "search", "score<0.5"]) == 0
    out = capsys.readouterr().out
    assert "missed.JPG\t2019-05-01T10:00:00  Nikon D850  (no landmark) 0.24; best guess Colosseum 0.76  suggested" in out


def test_search_names_the_best_guess_of_a_no_landmark_photo(tmp_path, capsys) -> None:
    db = str(tmp_path / "index.db")
    with PhotoIndex.open(db) as index:
        ids = rome_trip(index)
        index.set_label(ids["unsure"], None, source="user", state="accepted")  # no guess: no score shown
    assert main(["--db", db, "search", "--oldest-first", ""]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any("ordinary.JPG" in line and "(no landmark) 0.97; best guess Taj Mahal 0.03  suggested" in line
               for line in lines), lines
    assert any("colosseum.JPG" in line and "  Colosseum 0.93  suggested" in line for line in lines), lines
    assert any(line.endswith("Nikon D850  (no landmark)  accepted") for line in lines), lines


def test_search_json_score_is_the_one_the_query_compares(tmp_path, capsys) -> None:
    """review13 F2: `search --json 'score>0.7'` gave a "no landmark" photo its best guess's
    score (0.03) and named no guess, so a script re-filtering "score" disagreed with
    `accept 'score>0.7'`. Now "score" is 1 - the guess's, the guess under "best_guess"."""
    import json

    db = str(tmp_path / "index.db")
    with PhotoIndex.open(db) as index:
        ids = rome_trip(index)
        index.set_label(ids["unsure"], None, source="user", state="accepted")  # no guess: no score
    assert main(["--db", db, "search", "--json", "score>0.7"]) == 0
    found = {line["id"]: line for line in map(json.loads, capsys.readouterr().out.splitlines())}
    assert set(found) == {ids["ordinary"], ids["colosseum"]}
    assert all(line["score"] > 0.7 for line in found.values())  # what the query said of them
    ordinary = found[ids["ordinary"]]
    assert ordinary["label"] is None and ordinary["score"] == pytest.approx(0.97)
    assert ordinary["best_guess"] == {"label": "Taj Mahal", "landmark_id": ordinary["best_guess"]["landmark_id"],
                                      "score": pytest.approx(0.03)}
    assert "best_guess" not in found[ids["colosseum"]]  # a landmark's line as it was
    assert found[ids["colosseum"]]["score"] == pytest.approx(0.93)
    assert main(["--db", db, "search", "--json", "score<0.5"]) == 0
    lines = {line["id"]: line for line in map(json.loads, capsys.readouterr().out.splitlines())}
    assert set(lines) == {ids["missed"]} and lines[ids["missed"]]["score"] == pytest.approx(0.245)
    assert lines[ids["missed"]]["best_guess"]["label"] == "Colosseum"
    assert main(["--db", db, "search", "--json", f"id:{ids['unsure']}"]) == 0
    users = json.loads(capsys.readouterr().out)
    assert (users["label"], users["score"], users["best_guess"]) == (None, None, None)
