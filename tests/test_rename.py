"""Renaming a place of the user's (app.core.rename): every trace of the old name in the
index follows, in one transaction; the model's own names stay as they are."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.core import teaching_store as store
from app.core.errors import UsageError
from app.core.index import PhotoIndex, Prediction
from app.core.rename import rename_place
from tests.test_index import add_photo

MODEL = "m1"
LANDMARKS = {"Palais des Papes": "gld-17", "Colosseum": "gld-3"}


def vector(seed: int) -> np.ndarray:
    values = np.random.default_rng(seed).normal(size=8).astype(np.float32)
    return values / np.linalg.norm(values)


@pytest.fixture
def library():
    """Three photos that teach "Our cabbin" (two accepted, one suggested by the model),
    one that rejected it, and one photo of the Colosseum."""
    with PhotoIndex.open(":memory:") as index:
        ids = [add_photo(index, "/lib/Greenland", f"DSC_{n:04d}", f"2023-07-0{n + 1}T10:00:00") for n in range(5)]
        with index.transaction() as conn:
            for n in (0, 1):
                store.add_ref(conn, "Our cabbin", ids[n], MODEL, vector(n))
        index.set_label(ids[0], "Our cabbin", source="user", state="accepted")
        index.set_label(ids[1], "Our cabbin", source="user", state="accepted")
        index.set_predictions(ids[2], MODEL, [Prediction("taught:Our cabbin", "Our cabbin", 0.9),
                                              Prediction("gld-3", "Colosseum", 0.05)], threshold=0.5)
        index.set_predictions(ids[3], MODEL, [Prediction("taught:Our cabbin", "Our cabbin", 0.8)], threshold=0.5)
        index.set_state([ids[3]], "rejected")
        index.set_predictions(ids[4], MODEL, [Prediction("gld-3", "Colosseum", 0.95)], threshold=0.5)
        yield index, ids


def labels(index: PhotoIndex, ids: list[int]) -> list[tuple]:
    return [(r.label, r.state) for r in (index.get(i) for i in ids)]


def test_a_taught_place_is_renamed_on_every_photo_reference_rejection_and_prediction(library) -> None:
    index, ids = library
    summary = rename_place(index, "our CABBIN", "Our cabin", LANDMARKS)
    assert (summary.old, summary.new, summary.photos, summary.accepted, summary.references, summary.merged) == (
        "Our cabbin", "Our cabin", 4, 2, 2, False)
    assert labels(index, ids) == [("Our cabin", "accepted"), ("Our cabin", "accepted"), ("Our cabin", "suggested"),
                                  ("Our cabin", "rejected"), ("Colosseum", "suggested")]  # states kept
    assert store.taught_labels(index.conn) == {"Our cabin": 2}
    assert store.rejected(index.conn) == {(ids[3], "Our cabin")}
    assert [(p.landmark_id, p.label) for p in index.predictions(ids[2], MODEL)] == [
        ("taught:Our cabin", "Our cabin"), ("gld-3", "Colosseum")]
    assert sorted(index.photo_ids("cabin")) == sorted(ids[:3]) and index.photo_ids("cabbin") == []
    # the rejection holds under the new name: the model's next answer is not suggested again
    index.set_predictions(ids[3], MODEL, [Prediction("taught:Our cabin", "Our cabin", 0.85)], threshold=0.5)
    assert index.get(ids[3]).state == "rejected"


def test_a_place_merged_into_another_keeps_one_reference_per_photo(library) -> None:
    index, ids = library
    with index.transaction() as conn:
        store.add_ref(conn, "Cabin", ids[1], MODEL, vector(1))  # photo 1 taught both names
        store.add_ref(conn, "Cabin", ids[4], MODEL, vector(4))
    summary = rename_place(index, "Our cabbin", "cabin", LANDMARKS)
    assert summary.merged and summary.new == "Cabin"  # the spelling in use
    assert store.taught_labels(index.conn) == {"Cabin": 3}
    assert index.conn.execute("SELECT count(*) FROM taught_refs").fetchone()[0] == 3


def test_a_place_merged_into_a_model_landmark_takes_its_id(library) -> None:
    index, ids = library
    summary = rename_place(index, "Our cabbin", "palais des papes", LANDMARKS)
    assert summary.merged and summary.new == "Palais des Papes"
    assert index.predictions(ids[2], MODEL)[0].landmark_id == "gld-17"
    assert store.taught_labels(index.conn) == {"Palais des Papes": 2}


def test_a_new_spelling_of_the_same_name_is_a_rename(library) -> None:
    index, ids = library
    summary = rename_place(index, "Our cabbin", "OUR CABBIN", LANDMARKS)
    assert not summary.merged and index.get(ids[0]).label == "OUR CABBIN"
    with pytest.raises(UsageError, match="already called that"):
        rename_place(index, "our cabbin", "OUR CABBIN", LANDMARKS)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("colosseum", "Colosseo", "one of the model's landmarks"),
        ("Nowhere", "Somewhere", "no photo or taught place is called 'Nowhere'"),
        ("Our cabbin", "  ", "the new name is empty"),
        ("", "Our cabin", "the name to rename is empty"),
        ("Our cabbin", "Our\x07cabin", "control character"),
    ],
)
def test_what_cannot_be_renamed_is_refused_and_changes_nothing(library, old, new, message) -> None:
    index, ids = library
    before = labels(index, ids), store.taught_labels(index.conn), store.rejected(index.conn)
    with pytest.raises(UsageError, match=message):
        rename_place(index, old, new, LANDMARKS)
    assert (labels(index, ids), store.taught_labels(index.conn), store.rejected(index.conn)) == before


def test_a_forgotten_place_stays_forgotten_under_its_new_name(library) -> None:
    index, ids = library
    with index.transaction() as conn:
        store.forget_label(conn, "Our cabbin")
    rename_place(index, "Our cabbin", "Our cabin", LANDMARKS)
    forgotten = [row[0] for row in index.conn.execute("SELECT label FROM forgotten_places")]
    assert forgotten == ["Our cabin"] and store.taught_labels(index.conn) == {}


def test_rename_from_the_cli_then_write_puts_the_new_name_into_the_photo(tmp_path, capsys) -> None:
    from app.cli.main import main
    from app.core.metadata.jpeg_fields import read_fields
    from tests.test_metadata_support import add_photo as add_photo_file, make_jpeg

    db = tmp_path / "index.db"
    photo = make_jpeg(tmp_path / "a.jpg")
    with PhotoIndex.open(db) as index:
        add_photo_file(index, [photo], "Our cabbin", state="accepted")
    assert main(["--db", str(db), "write"]) == 0
    assert read_fields(photo.read_bytes()).subject == ["Our cabbin"]
    capsys.readouterr()
    assert main(["--db", str(db), "rename", "Our cabbin", "Our cabin", "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["photos"] == 1 and f"`landmark-tagger --db {db} write`" in err
    assert main(["--db", str(db), "write"]) == 0
    assert read_fields(photo.read_bytes()).subject == ["Our cabin"]
    assert main(["--db", str(db), "rename", "Colosseum", "Colosseo"]) == 2  # the default model's own name


def test_a_merge_copies_the_index_first_and_a_plain_rename_does_not(tmp_path) -> None:
    with PhotoIndex.open(tmp_path / "index.db") as index:
        ids = [add_photo(index, "/lib", f"DSC_{n}") for n in range(2)]
        index.set_label(ids[0], "Our cabbin", source="user", state="accepted")
        index.set_label(ids[1], "Cabin", source="user", state="accepted")
        renamed = rename_place(index, "Our cabbin", "Our cabin", LANDMARKS)
        assert renamed.backup is None and not renamed.merged
        merged = rename_place(index, "Our cabin", "cabin", LANDMARKS)
        assert merged.merged and merged.backup is not None and merged.backup.is_file()
        assert "copied at" in merged.line()
        with PhotoIndex.open(merged.backup) as copy:  # the index as it was: two places
            assert {copy.get(i).label for i in ids} == {"Our cabin", "Cabin"}
