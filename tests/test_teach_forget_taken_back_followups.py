"""`teach --forget` taken back (7b203c5), the cases the review found wrong: a forget of a
place held by the user's labels alone was not journalled, so `undo --review` took back an
older command; a `label` that taught a forgotten place again, taken back, left it
unforgotten; a forget whose taught photos changed since gave back suggestions of a place
nothing teaches, and said "nothing to take back" while unforgetting it; `--json` left out
the place taught again."""

from __future__ import annotations

import json
import os

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex, review_journal
from app.core.teaching import forget, taught_labels
from tests.test_teach_taken_back import _forgotten, _labels, _refs
from tests.test_untaught_place_withdraws_suggestions import cabin_suggested  # noqa: F401 (a fixture)


def _taught(db) -> dict:
    with PhotoIndex.open(db) as index:
        return taught_labels(index)


def _forgotten_places(db) -> list[str]:
    return [label for label, _ in _forgotten(db)]


def test_a_forget_of_a_place_only_labelled_is_taken_back_by_the_next_undo(cabin_suggested, capsys) -> None:  # noqa: F811
    db, _, ids, _ = cabin_suggested
    with PhotoIndex.open(db) as index:  # as labels read back from files are: no reference yet
        index.set_label(ids[2], "Lake hut", source="user", state="accepted")
    before, refs = _labels(db, ids), _refs(db)
    assert main(["--db", str(db), "teach", "--forget", "Lake hut"]) == 1
    err = capsys.readouterr().err
    assert "'Lake hut' is forgotten all the same" in err and "undo --review` takes it back" in err
    assert _forgotten_places(db) == ["Lake hut"]

    assert main(["--db", str(db), "undo", "--review"]) == 0
    err = capsys.readouterr().err
    assert "took back `teach --forget 'Lake hut'`" in err and "'Lake hut' is no longer forgotten" in err
    assert _forgotten_places(db) == []
    assert (_labels(db, ids), _refs(db)) == (before, refs)  # the teach of "Our cabin" before it is untouched


def test_a_forget_that_changes_nothing_is_not_journalled(cabin_suggested) -> None:  # noqa: F811
    db, _, _, _ = cabin_suggested
    with PhotoIndex.open(db) as index:
        done = forget(index, "Nowhere", journal="teach --forget Nowhere")
    assert done.journalled is None and _forgotten_places(db) == []


@pytest.mark.parametrize("typed", ["Our cabin", "our  CABIN"])  # the place in another case and spacing too
def test_taking_back_a_label_that_taught_a_forgotten_place_forgets_it_again(cabin_suggested, capsys,  # noqa: F811
                                                                             typed) -> None:
    db, photos, ids, _ = cabin_suggested
    assert main(["--db", str(db), "teach", "--forget", "Our cabin"]) == 0
    forgotten = _forgotten(db)
    assert main(["--db", str(db), "label", f'path:"{photos[1]}"', typed]) == 0
    assert _taught(db) == {"Our cabin": 1} and _forgotten(db) == []  # taught again
    assert main(["--db", str(db), "undo", "--review"]) == 0
    assert _taught(db) == {} and _forgotten(db) == forgotten  # as after the forget, at its date
    capsys.readouterr()


def _forget_then_lose(db, *gone: str) -> None:
    """`teach --forget "Our cabin"`, then the photos `gone` deleted, rescanned and forgotten as missing."""
    assert main(["--db", str(db), "teach", "--forget", "Our cabin"]) == 0
    for path in gone:
        os.remove(path)
    main(["--db", str(db), "scan", os.path.dirname(gone[0])])
    assert main(["--db", str(db), "forget", "--missing", "--yes"]) == 0


def test_a_forget_whose_taught_photo_left_keeps_its_suggestions_withdrawn(cabin_suggested, capsys) -> None:  # noqa: F811
    db, photos, ids, _ = cabin_suggested
    _forget_then_lose(db, photos[0])
    capsys.readouterr()
    main(["--db", str(db), "undo", "--review"])
    err = capsys.readouterr().err
    assert _labels(db, ids[1:2])[0][:2] == (None, "suggested")  # still withdrawn: nothing teaches the place
    assert _refs(db) == [] and _forgotten(db) == []
    assert "'Our cabin' is no longer forgotten but could not be taught again" in err
    assert "its 1 suggestion stay withdrawn" in err


def test_a_forget_whose_photos_all_left_is_not_nothing_taken_back(cabin_suggested, capsys) -> None:  # noqa: F811
    db, photos, _, _ = cabin_suggested
    _forget_then_lose(db, photos[0], photos[1])
    capsys.readouterr()
    main(["--db", str(db), "undo", "--review"])
    err = capsys.readouterr().err
    assert "nothing to take back" not in err
    assert "'Our cabin' is no longer forgotten but could not be taught again" in err
    assert _forgotten(db) == []


def test_the_apps_ctrl_z_after_a_terminal_relabelled_the_taught_photo(cabin_suggested, capsys) -> None:  # noqa: F811
    from app.gui.taught_places import app_forget_command

    db, photos, ids, _ = cabin_suggested
    with PhotoIndex.open(db) as index:
        done = forget(index, "Our cabin", journal=app_forget_command("Our cabin"))
    assert main(["--db", str(db), "label", f'path:"{photos[0]}"', "Lake hut"]) == 0
    with PhotoIndex.open(db) as index:
        taken = review_journal.take_back(index, done.journalled)
    assert taken.taught_again == () and taken.not_taught_again == ("Our cabin",)
    assert taken.still_withdrawn == (ids[1],) and ids[1] not in taken.restored
    assert _labels(db, ids[1:2])[0][:2] == (None, "suggested")
    assert "Our cabin" not in _taught(db)
    capsys.readouterr()


def test_undo_review_json_says_the_place_is_taught_again(cabin_suggested, capsys) -> None:  # noqa: F811
    db, _, _, _ = cabin_suggested
    assert main(["--db", str(db), "teach", "--forget", "Our cabin"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "undo", "--review", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["taught_again"] == [{"place": "Our cabin", "photos": 1}]
    assert (record["unforgotten"], record["not_taught_again"], record["still_withdrawn"]) == (["Our cabin"], [], 0)


def test_undo_review_json_says_the_place_could_not_be_taught_again(cabin_suggested, capsys) -> None:  # noqa: F811
    db, photos, _, _ = cabin_suggested
    _forget_then_lose(db, photos[0])
    capsys.readouterr()
    main(["--db", str(db), "undo", "--review", "--json"])
    record = json.loads(capsys.readouterr().out)
    assert record["taught_again"] == []
    assert (record["unforgotten"], record["not_taught_again"], record["still_withdrawn"]) == (["Our cabin"],
                                                                                               ["Our cabin"], 1)
