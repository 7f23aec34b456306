"""`label` drops the reference a photo taught for its old place (a photo shows one place),
and `undo --review` gave back the label only: the place lost that photo for good, all of
it when the photo was its only one. The journal keeps the dropped references of the
command (migration 34) and taking it back restores them, vectors and all; not of a place
forgotten since, and never for a photo labelled again since."""

from __future__ import annotations

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.scanner import scan
from tests.test_metadata_support import make_jpeg


def _taught(db) -> list[tuple]:
    with PhotoIndex.open(db) as index:
        return index.conn.execute("SELECT photo_id, label, model_id, vector, created_at FROM taught_refs "
                                  "ORDER BY photo_id, label").fetchall()


@pytest.fixture
def taught_cabin(tmp_path, tiny_bundle):
    """Two photos; the first teaches "Our cabin"."""
    folder = tmp_path / "photos"
    folder.mkdir()
    db = tmp_path / "index.db"
    for n in range(2):
        make_jpeg(folder / f"DSC_000{n}.JPG", size=(64, 48), seed=n)
    with PhotoIndex.open(db) as index:
        scan(index, [folder])
    photo = str(folder / "DSC_0000.JPG")
    options = ["--model", str(tiny_bundle.path)]
    assert main(["--db", str(db), "teach", "Our cabin", photo, *options]) == 0
    return db, photo, options


@pytest.mark.parametrize("given", [["Colosseum"], ["--no-landmark"]])
def test_undo_review_of_a_label_gives_back_what_the_photo_taught(taught_cabin, capsys, given) -> None:
    db, photo, options = taught_cabin
    taught = _taught(db)
    assert [row[1] for row in taught] == ["Our cabin"]

    assert main(["--db", str(db), "label", photo, *given, *options]) == 0
    assert "Our cabin" not in [row[1] for row in _taught(db)]
    assert main(["--db", str(db), "undo", "--review"]) == 0

    assert _taught(db) == taught  # the same reference: its vector and when it was taught
    with PhotoIndex.open(db) as index:
        record = index.get(int(taught[0][0]))
        assert (record.label, record.state) == ("Our cabin", "accepted")
        assert index.conn.execute("SELECT COUNT(*) FROM review_taught_refs").fetchone()[0] == 0  # taken back: gone


def test_a_place_forgotten_since_is_not_taught_again(taught_cabin, capsys) -> None:
    db, photo, options = taught_cabin
    other = photo.replace("DSC_0000", "DSC_0001")
    assert main(["--db", str(db), "teach", "Our cabin", other, *options]) == 0  # the place outlives the label
    assert main(["--db", str(db), "label", photo, "Colosseum", *options]) == 0
    assert main(["--db", str(db), "teach", "Our cabin", "--forget"]) == 0
    with PhotoIndex.open(db) as index:  # the forget is journalled too: only the label left to take back
        index.conn.execute("DELETE FROM review_commands WHERE verb = 'forget place'")
        index.conn.commit()
    assert main(["--db", str(db), "undo", "--review"]) == 0
    assert _taught(db) == []


def test_a_photo_labelled_again_since_keeps_what_it_teaches_now(taught_cabin, capsys) -> None:
    db, photo, options = taught_cabin
    assert main(["--db", str(db), "label", photo, "Colosseum", *options]) == 0
    assert main(["--db", str(db), "label", photo, "Petra", "--new", *options]) == 0
    with PhotoIndex.open(db) as index:
        index.conn.execute("DELETE FROM review_commands WHERE verb = 'label' AND command LIKE '%Petra%'")
        index.conn.commit()  # only the first label left to take back: its photo is "Petra" now
    assert main(["--db", str(db), "undo", "--review"]) == 1
    assert [row[1] for row in _taught(db)] == ["Petra"]


def test_undo_after_a_rename_gives_back_the_place_by_its_new_name(taught_cabin, capsys) -> None:
    """rename changed neither the journal's labels nor the references it keeps: undo
    --review of a label then brought the old spelling back as a second taught place
    ("taught: Ayasofia (1 photo), Ayasofya (1 photo)"), and the typo was suggested again."""
    db, photo, options = taught_cabin
    other = photo.replace("DSC_0000", "DSC_0001")
    assert main(["--db", str(db), "teach", "Our cabin", other, *options]) == 0
    assert main(["--db", str(db), "label", photo, "Colosseum", *options]) == 0
    assert main(["--db", str(db), "rename", "Our cabin", "Our hut", "--new"]) == 0
    assert main(["--db", str(db), "undo", "--review"]) == 1  # the rename met: not taken back (t_unicode-6)
    assert main(["--db", str(db), "undo", "--review"]) == 0

    assert sorted(row[1] for row in _taught(db)) == ["Our hut", "Our hut"]
    with PhotoIndex.open(db) as index:
        assert {index.get(i).label for i in index.photo_ids("")} == {"Our hut"}


def test_a_forget_that_found_nothing_taught_changes_nothing(taught_cabin, capsys) -> None:
    """`teach --forget` of a place no photo teaches any more said "nothing was taught"
    (exit 1) but still recorded it as forgotten, so undo --review of the label that had
    moved its only photo away said "as before it" without giving the place back."""
    db, photo, options = taught_cabin
    taught = _taught(db)
    assert main(["--db", str(db), "label", photo, "Colosseum", *options]) == 0
    assert main(["--db", str(db), "teach", "Our cabin", "--forget"]) == 1
    assert "nothing was taught as 'Our cabin'" in capsys.readouterr().err
    assert main(["--db", str(db), "undo", "--review"]) == 0
    assert _taught(db) == taught


def test_forget_withdraws_the_suggestions_of_a_place_nothing_teaches_any_more(taught_cabin, tiny_bundle,
                                                                               capsys) -> None:
    """ba56f1b left a place no reference teaches as it was, its suggestions too: those it
    had made stayed in Review after its only photo was labelled elsewhere (a reviewer).
    They are withdrawn; a place photos the user labelled would teach again at the next
    `tag` is still recorded as forgotten."""
    db, photo, options = taught_cabin
    other = photo.replace("DSC_0000", "DSC_0001")
    with PhotoIndex.open(db) as index:
        (other_id,) = index.photo_ids(f'path:"{other}"')
        index.set_label(other_id, "Our cabin", source="model", state="suggested", landmark_id="taught:Our cabin",
                        score=0.8)
    assert main(["--db", str(db), "label", photo, "Colosseum", *options]) == 0
    # the label withdraws them already, as its only photo leaves it (teaching_untaught)
    assert "its 1 suggestion withdrawn" in capsys.readouterr().err
    assert main(["--db", str(db), "teach", "Our cabin", "--forget"]) == 1
    with PhotoIndex.open(db) as index:
        assert index.get(other_id).label is None  # no landmark now, until tag decides again
        assert index.conn.execute("SELECT label FROM forgotten_places").fetchall() == []
        index.set_label(other_id, "Lake hut", source="user", state="accepted")  # labelled by the user:
    assert main(["--db", str(db), "teach", "Lake hut", "--forget"]) == 1  # would teach at the next tag
    with PhotoIndex.open(db) as index:
        assert index.conn.execute("SELECT label FROM forgotten_places").fetchall() == [("Lake hut",)]
