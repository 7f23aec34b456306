"""app.core.library, the GUI-free views behind the desktop app: folder tree with
counts, the review order, and the labels offered for completion."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core import library
from app.core.index import PhotoIndex, Prediction, parse_query
from tests.test_gui_support import insert_synthetic_photos


@pytest.fixture
def index(tmp_path: Path):
    insert_synthetic_photos(tmp_path / "index.db", 6, folder="/photos/trip")
    with PhotoIndex.open(tmp_path / "index.db") as opened:
        with opened.transaction() as conn:
            conn.execute("UPDATE photos SET folder = '/photos/trip/day2' WHERE id > 4")
        yield opened


def test_folder_tree_counts_sub_folders_and_nests_roots_added_inside_others(index) -> None:
    index.add_root("/photos/trip/day2")  # also added on its own: shown once, inside its parent
    roots = library.folder_tree(index)
    assert [(r.path, r.count) for r in roots] == [("/photos/trip", 6)]
    assert [(c.name, c.count) for c in roots[0].children] == [("day2", 2)]
    assert not roots[0].alone


def test_a_folder_that_came_in_with_one_photo_says_it_holds_that_folder_only(index) -> None:
    index.add_root("/elsewhere/Downloads", recursive=False)
    alone = {root.path: root.alone for root in library.folder_tree(index)}
    assert alone == {"/photos/trip": False, "/elsewhere/Downloads": True}


def test_review_lists_suggestions_least_confident_first_within_the_query(index) -> None:
    for photo_id, score in {1: 0.9, 2: 0.2, 3: 0.6, 5: 0.4}.items():
        index.set_predictions(photo_id, "m", [Prediction("x", "Petra", score)], threshold=0.1)
    index.set_state([3], "accepted")
    assert library.review_ids(index) == [2, 5, 1]
    assert library.review_ids(index, library.folder_query("/photos/trip/day2")) == [5]
    index.set_predictions(6, "m", [Prediction("x", "Petra", 0.0)], threshold=float("inf"))  # a blank frame
    assert library.review_ids(index) == [2, 5, 1, 6]  # nothing to doubt there: last, not first


def test_review_puts_no_landmark_answers_after_the_labels_closest_call_first(index) -> None:
    """A folder of street scenes at 0 % used to fill the top of the list ("least
    confident" read as the lowest score): a "no landmark" at 0.02 is no doubt at all, one
    at 0.6 under a 0.7 threshold may be a missed landmark."""
    index.set_predictions(1, "m", [Prediction("x", "Petra", 0.02)], threshold=0.7)
    index.set_predictions(2, "m", [Prediction("x", "Petra", 0.95)], threshold=0.7)
    index.set_predictions(3, "m", [Prediction("x", "Petra", 0.6)], threshold=0.7)
    index.set_predictions(4, "m", [Prediction("x", "Petra", 0.75)], threshold=0.7)
    index.set_predictions(5, "m", [Prediction("x", "Petra", 0.0)], threshold=0.7)  # a blank frame
    index.set_predictions(6, "m", [Prediction("x", "Petra", 0.3)], threshold=0.7)
    assert library.review_ids(index) == [4, 2, 3, 6, 1, 5]


def test_queries_combine_and_folder_paths_are_quoted() -> None:
    assert library.combine_queries('folder:"/a b"', " ", "petra") == 'folder:"/a b" petra'
    for folder in ('/x/"q"', "E:\\", "C:\\Photos\\2019", '/a "b" c/'):
        (term,) = parse_query(library.folder_query(folder)).terms
        assert (term.field, term.value) == ("folder", folder)
    assert parse_query('label:"Café ""Le Procope"""').terms[0].value == 'Café "Le Procope"'


def test_landmarks_are_listed_by_name_with_their_photos_and_select_them(index) -> None:
    """Rejected labels, "no landmark" and missing photos are not counted; the query a
    landmark stands for finds exactly its photos, quotes and accents included."""
    index.set_label(1, "Pont du Gard", source="user", state="accepted")
    index.set_label(2, 'Café "Le Procope"', source="model", state="suggested", score=0.9)
    index.set_label(3, "pont du gard", source="user", state="accepted")  # label: takes both spellings
    index.set_label(4, "Pont du Gard", source="model", state="rejected", score=0.5)
    index.set_label(5, None, source="model", state="suggested", score=0.3)
    index.set_label(6, "Pont du Gard", source="user", state="accepted")
    with index.transaction() as conn:
        conn.execute("UPDATE photos SET missing = 1 WHERE id = 6")
    assert library.landmark_counts(index) == [('Café "Le Procope"', 1), ("Pont du Gard", 2)]
    assert index.photo_ids(library.label_query('Café "Le Procope"')) == [2]
    assert sorted(index.photo_ids(library.landmark_query("Pont du Gard"))) == [1, 3]
    assert sorted(index.photo_ids(library.label_query("Pont du Gard"))) == [1, 3]  # not the rejected one
    assert sorted(index.photo_ids(library.label_holders_query("Pont du Gard"))) == [1, 3, 4]  # what a rename takes


def test_dates_count_photos_by_year_and_month_newest_first(index) -> None:
    with index.transaction() as conn:
        for photo_id, taken in {1: "2019-07-14T20:00:00", 2: "2019-07-15T08:00:00+02:00", 3: "2019-12-31T23:59:59",
                                4: "2021-02-01T10:00:00", 5: None}.items():
            conn.execute("UPDATE photos SET taken_at = ? WHERE id = ?", (taken, photo_id))
        conn.execute("UPDATE photos SET missing = 1 WHERE id = 6")
    years = library.date_counts(index)
    assert [(y.year, y.count, y.months) for y in years] == [
        ("2021", 1, ((2, 1),)), ("2019", 3, ((12, 1), (7, 2))), ("", 1, ())]  # photo 5 has no date
    assert index.photo_ids(library.date_query("")) == [5]
    assert library.date_query("2019") == "date:2019" and library.date_query("2019", 7) == "date:2019-07"
    assert sorted(index.photo_ids(library.date_query("2019", 7))) == [1, 2]


def test_display_name_survives_non_utf8_bytes() -> None:
    assert library.display_name("/p/caf\udce9.jpg") == "caf\ufffd.jpg"


@pytest.mark.slow
def test_label_choices_offer_the_bundle_landmarks_and_the_photo_predictions(index, tiny_bundle) -> None:
    index.set_predictions(1, "m", [Prediction("x", "Pont du Gard", 0.5)], threshold=0.1)
    choices = library.label_choices(index, 1, tiny_bundle.path)
    assert {"Pont du Gard", "Eiffel Tower", "Colosseum", "Taj Mahal"} <= set(choices)
    assert library.label_choices(index, 2, Path("/no/such.ltbundle")) == ["Pont du Gard"]


@pytest.mark.parametrize(("name", "shown"), [("new\nline.jpg", "new\\nline.jpg"), ("tab\there.jpg", "tab\\there.jpg"),
                                             ("bell\x07.jpg", "bell\\x07.jpg"), ("Colosseum.jpg", "Colosseum.jpg")])
def test_display_name_keeps_a_name_on_one_line(name, shown) -> None:
    """A newline in a file name drew the tile's caption across two clipped lines and cut the
    write list's cell to "new…": the app now shows it escaped, as the command line does."""
    assert library.display_name(f"/p/{name}") == shown
