"""teachtest-1 (findings12): a tag run between `suggest` and `teach --forget X` stored a
photo's top-5 with `taught:X` first; after the forget, `search` named X as the photo's best
guess (with the model's own best landmark's score, which its withdrawn "no landmark"
carries) and `tag --json` listed X first. A place nothing teaches now is no guess."""

from __future__ import annotations

import pytest

from app.cli.main import main
from app.core import teaching
from app.core.index import PhotoIndex
from app.core.rename import rename_place
from model.predictor import Prediction
from tests.test_index import add_photo

THRESHOLD = 0.79
EIFFEL = "taught:Eiffel Tower"


def _paris(index: PhotoIndex, versailles: float = 1.76e-05) -> dict[str, int]:
    """A photo teaching "Eiffel Tower" and one a tag run since gave it (0.998, first)."""
    ids = {name: add_photo(index, "/lib/Paris", name, "2019-05-01T10:00:00") for name in ("teacher", "crop")}
    with index.transaction() as conn:
        conn.execute("INSERT INTO taught_refs (label, photo_id, model_id) VALUES ('Eiffel Tower', ?, 'm1')",
                     (ids["teacher"],))
    index.set_label(ids["teacher"], "Eiffel Tower", source="user", state="accepted")
    index.set_predictions(ids["crop"], "m1", [
        Prediction(landmark_id=EIFFEL, label="Eiffel Tower", score=0.997723),
        Prediction(landmark_id="versailles", label="Palace of Versailles", score=versailles),
        Prediction(landmark_id="louvre", label="Louvre", score=1.2e-05),
    ], THRESHOLD)
    return ids


@pytest.fixture
def db(tmp_path):
    path = str(tmp_path / "index.db")
    with PhotoIndex.open(path) as index:
        ids = _paris(index)
        assert index.get(ids["crop"]).label == "Eiffel Tower"  # taught: guessed and listed as it was
        assert index.predictions(ids["crop"])[0].landmark_id == EIFFEL
    return path, ids


def test_a_forgotten_place_is_neither_the_best_guess_nor_listed(db, capsys) -> None:
    path, ids = db
    with PhotoIndex.open(path) as index:
        teaching.forget(index, "Eiffel Tower")
        record = index.get(ids["crop"])
        assert (record.label, record.score) == (None, pytest.approx(1.76e-05))
        guess = index.best_guess(ids["crop"])
        assert (guess.label, guess.score) == ("Palace of Versailles", pytest.approx(1.76e-05))
        assert [(p.label, p.score) for p in index.predictions(ids["crop"])] == [
            ("Palace of Versailles", pytest.approx(1.76e-05)), ("Louvre", pytest.approx(1.2e-05))]
    capsys.readouterr()
    assert main(["--db", path, "search", "crop"]) == 0
    assert "(no landmark) 1.00; best guess Palace of Versailles 0.00" in capsys.readouterr().out


def test_a_place_whose_last_photo_left_is_no_guess_either(db) -> None:
    path, ids = db
    with PhotoIndex.open(path) as index:
        with index.transaction() as conn:  # its one photo set aside: nothing teaches it
            conn.execute("INSERT INTO rejections (photo_id, label) VALUES (?, 'Eiffel Tower')", (ids["teacher"],))
        assert [p.label for p in index.predictions(ids["crop"])] == ["Palace of Versailles", "Louvre"]


def test_a_renamed_place_is_listed_under_its_new_name(db) -> None:
    path, ids = db
    with PhotoIndex.open(path) as index:
        rename_place(index, "Eiffel Tower", "Tour Eiffel")
        first = index.predictions(ids["crop"])[0]
        assert (first.label, first.landmark_id, first.score) == (
            "Tour Eiffel", "taught:Tour Eiffel", pytest.approx(0.997723))


def test_a_lower_threshold_suggests_no_place_whose_last_photo_was_relabelled(tmp_path) -> None:
    """The place's last photo labelled another place: its suggestion on the crop is
    withdrawn ("no landmark", Versailles' 0.45). A lower threshold decides the crop from
    its stored top-5 (apply_threshold, as `tag --threshold` or Settings do), which still
    lists the place first: the model's own best, Versailles, is the suggestion, not
    "Eiffel Tower" with Versailles' score."""
    with PhotoIndex.open(str(tmp_path / "index.db")) as index:
        ids = _paris(index, versailles=0.45)
        teaching.learn_from_corrections(index, [ids["teacher"]], "Notre-Dame", model=tmp_path / "no-model")
        assert (index.get(ids["crop"]).label, index.get(ids["crop"]).score) == (None, pytest.approx(0.45))
        index.apply_threshold([ids["crop"]], "m1", 0.4)
        record = index.get(ids["crop"])
        assert (record.label, record.score) == ("Palace of Versailles", pytest.approx(0.45))


CABIN_PLACES = ("Cabin", "Boathouse", "Grandma's", "Jetty", "Barn")


def _cabin(index: PhotoIndex) -> int:
    """A photo model m1 ranked five taught places first (all its stored top-5), which a
    run of model m2 labelled since (Petra, suggested)."""
    photo, teacher = (add_photo(index, "/lib/Trip", name, "2019-05-01T10:00:00") for name in ("IMG_1", "IMG_2"))
    with index.transaction() as conn:
        conn.executemany("INSERT INTO taught_refs (label, photo_id, model_id) VALUES (?, ?, 'm1')",
                         [(place, teacher) for place in CABIN_PLACES])
    index.set_predictions(photo, "m1", [Prediction("taught:" + place, place, 0.9 - rank / 10)
                                        for rank, place in enumerate(CABIN_PLACES)], 0.5)
    index.set_predictions(photo, "m2", [Prediction("petra", "Petra", 0.7),
                                        Prediction("colosseum", "Colosseum", 0.2)], 0.5)
    assert index.get(photo).label == "Petra"
    return photo


def test_model_coming_back_with_only_forgotten_places_stored_gives_the_rejection_back(tmp_path) -> None:
    """review7-6: every place m1 stored is forgotten and the user rejected Colosseum on
    the photo; m1 coming back (apply_threshold) has no guess left: "no landmark", which
    on a photo with a rejection is that rejection (rejection_kept), not a KeyError."""
    with PhotoIndex.open(str(tmp_path / "index.db")) as index:
        photo = _cabin(index)
        for place in CABIN_PLACES:
            teaching.forget(index, place)
        with index.transaction() as conn:
            conn.execute("INSERT INTO rejections (photo_id, label) VALUES (?, 'Colosseum')", (photo,))
        assert index.apply_threshold([photo], "m1", 0.5) == [photo]
        record = index.get(photo)
        assert (record.label, record.state) == ("Colosseum", "rejected")


def test_a_lower_threshold_suggests_neither_of_two_places_nothing_teaches(tmp_path) -> None:
    """review7-5: the crop's stored top-5 name two taught places, "Our hotel" second; the
    one photo teaching both is set aside for "Our hotel" and relabelled. A lower threshold
    skips every place nothing teaches, wherever ranked: Versailles, not "Our hotel"."""
    with PhotoIndex.open(str(tmp_path / "index.db")) as index:
        ids = {name: add_photo(index, "/lib/Paris", name, "2019-05-01T10:00:00") for name in ("teacher", "crop")}
        with index.transaction() as conn:
            conn.executemany("INSERT INTO taught_refs (label, photo_id, model_id) VALUES (?, ?, 'm1')",
                             [("Eiffel Tower", ids["teacher"]), ("Our hotel", ids["teacher"])])
        index.set_label(ids["teacher"], "Eiffel Tower", source="user", state="accepted")
        index.set_predictions(ids["crop"], "m1", [
            Prediction(EIFFEL, "Eiffel Tower", 0.9), Prediction("taught:Our hotel", "Our hotel", 0.6),
            Prediction("versailles", "Palace of Versailles", 0.45), Prediction("louvre", "Louvre", 0.1)], THRESHOLD)
        with index.transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO rejections (photo_id, label) VALUES (?, 'Our hotel')",
                         (ids["teacher"],))
        teaching.learn_from_corrections(index, [ids["teacher"]], "Notre-Dame", model=tmp_path / "no-model")
        index.apply_threshold([ids["crop"]], "m1", 0.4)
        record = index.get(ids["crop"])
        assert (record.label, record.score) == ("Palace of Versailles", pytest.approx(0.45))


def test_model_coming_back_skips_forgotten_places_below_its_top_1(tmp_path) -> None:
    """review7-5, the take-back path: of m1's five places the first two are forgotten;
    m1 coming back gives its best place still taught (Grandma's), not the forgotten second."""
    with PhotoIndex.open(str(tmp_path / "index.db")) as index:
        photo = _cabin(index)
        teaching.forget(index, "Cabin")
        teaching.forget(index, "Boathouse")
        index.apply_threshold([photo], "m1", 0.5)
        record = index.get(photo)
        assert (record.label, record.score) == ("Grandma's", pytest.approx(0.7))


def test_a_threshold_decides_again_what_an_earlier_threshold_gave_past_a_place_forgotten(tmp_path) -> None:
    """review7-2: forgotten, "Arezzo" is withdrawn and a lower threshold gives the model's
    next landmark (Palais des Papes 0.0045); undo --review of the forget leaves that photo
    ("labelled again since"). A threshold decides the model's own guess again, like any tag
    run's label: at 0.005, Arezzo 0.0288 as a tag run gives, not Palais under the threshold."""
    from app.core.index.review_journal import take_back_last

    with PhotoIndex.open(str(tmp_path / "index.db")) as index:
        teacher, photo = (add_photo(index, "/lib/Arezzo", name, "2019-05-01T10:00:00")
                          for name in ("DSCN0010", "DSCN0029"))
        with index.transaction() as conn:
            conn.execute("INSERT INTO taught_refs (label, photo_id, model_id) VALUES ('Arezzo', ?, 'm1')", (teacher,))
        index.set_label(teacher, "Arezzo", source="user", state="accepted")
        index.set_predictions(photo, "m1", [Prediction("taught:Arezzo", "Arezzo", 0.0288),
                                            Prediction("palais", "Palais des Papes", 0.0045)], 0.005)
        teaching.forget(index, "Arezzo", journal="teach --forget Arezzo")
        index.apply_threshold([photo], "m1", 0.004)
        assert index.get(photo).label == "Palais des Papes"
        assert photo in take_back_last(index).left
        index.apply_threshold([photo], "m1", 0.005)
        record = index.get(photo)
        assert (record.label, record.score, record.state) == ("Arezzo", pytest.approx(0.0288), "suggested")


def test_forgetting_a_place_leaves_a_photo_the_user_rejected_out_of_review(tmp_path) -> None:
    """review7-3: the user had rejected Palais des Papes on the photo; "Arezzo", taught
    since, was suggested. Forgotten, the photo goes back to its rejection (out of Review),
    not "no landmark" scored by the rejected landmark; undo --review gives Arezzo back."""
    from app.core.index.review_journal import take_back_last

    with PhotoIndex.open(str(tmp_path / "index.db")) as index:
        teacher, photo = (add_photo(index, "/lib/Arezzo", name, "2019-05-01T10:00:00")
                          for name in ("DSCN0010", "DSCN0042"))
        with index.transaction() as conn:
            conn.execute("INSERT INTO taught_refs (label, photo_id, model_id) VALUES ('Arezzo', ?, 'm1')", (teacher,))
            conn.execute("INSERT INTO rejections (photo_id, label) VALUES (?, 'Palais des Papes')", (photo,))
        index.set_label(teacher, "Arezzo", source="user", state="accepted")
        index.set_predictions(photo, "m1", [Prediction("taught:Arezzo", "Arezzo", 0.0164),
                                            Prediction("palais", "Palais des Papes", 0.00447),
                                            Prediction("orange", "Theatre Antique d'Orange", 0.0010)], 0.004)
        assert index.get(photo).label == "Arezzo"
        teaching.forget(index, "Arezzo", journal="teach --forget Arezzo")
        record = index.get(photo)
        assert (record.label, record.state, record.score) == ("Palais des Papes", "rejected", pytest.approx(0.00447))
        assert photo in take_back_last(index).restored
        assert (index.get(photo).label, index.get(photo).state) == ("Arezzo", "suggested")
