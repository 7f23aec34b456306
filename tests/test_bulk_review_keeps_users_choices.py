"""`accept QUERY` and `reject QUERY` over many photos leave the user's own choices as
they are: `reject B_0061.jpg` then `accept label:Petra` turned the photo just rejected
back into an accepted "Petra", which `write` then put into its keywords. A photo is
changed all the same when the user names it: its file given, or the query asking for
its state (state:rejected, state:accepted)."""

from __future__ import annotations

import json

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.index import review_journal
from tests.test_metadata_support import add_photo, make_jpeg


def _petra_library(tmp_path):
    """Three photos suggested "Petra" by the model, one accepted as the model said, one
    the user labelled "Petra" (source user): ids by name."""
    db = tmp_path / "index.db"
    folder = tmp_path / "Bulk"
    folder.mkdir()
    with PhotoIndex.open(db) as index:
        ids = {name: add_photo(index, [make_jpeg(folder / f"{name}.jpg", seed=seed)], "Petra", "suggested")
               for seed, name in enumerate(("B_0060", "B_0061", "B_0062", "B_0063"))}
        index.set_label(ids["B_0063"], "Petra", source="model", state="accepted")
        ids["B_0064"] = add_photo(index, [make_jpeg(folder / "B_0064.jpg", seed=9)], "Petra", "accepted")
    return db, folder, ids


def _states(db) -> dict[int, str]:
    with PhotoIndex.open(db) as index:
        return {photo_id: state for photo_id, (_, state) in index.review_states(index.photo_ids("")).items()}


def test_accept_of_a_query_leaves_a_photo_the_user_rejected(tmp_path, capsys) -> None:
    db, folder, ids = _petra_library(tmp_path)
    assert main(["--db", str(db), "reject", str(folder / "B_0061.jpg")]) == 0
    capsys.readouterr()
    # (`label:Petra` does not match a photo whose Petra the user rejected; its folder does)
    assert main(["--db", str(db), "accept", "folder:Bulk"]) == 0
    err = capsys.readouterr().err
    assert "accept: 2 of 5 matching photos changed" in err
    assert err.rstrip().endswith("; 1 rejected photo left as it is: accept it by name or with state:rejected")
    states = _states(db)
    assert states[ids["B_0061"]] == "rejected"
    assert {states[ids[name]] for name in ("B_0060", "B_0062", "B_0063", "B_0064")} == {"accepted"}
    assert main(["--db", str(db), "write", "--dry-run", "--json", str(folder / "B_0061.jpg")]) == 0
    assert "Petra" not in capsys.readouterr().out  # not written into the file


def test_accept_changes_a_rejected_photo_named_by_its_file(tmp_path, capsys) -> None:
    db, folder, ids = _petra_library(tmp_path)
    with PhotoIndex.open(db) as index:
        index.set_state([ids["B_0061"], ids["B_0062"]], "rejected")
    assert main(["--db", str(db), "accept", str(folder / "B_0061.jpg")]) == 0
    err = capsys.readouterr().err
    assert "1 of 1 matching photo changed" in err and "left as it is" not in err
    assert main(["--db", str(db), "accept", f"path:{folder / 'B_0062.jpg'}"]) == 0  # a path: term names it too
    assert "left as" not in capsys.readouterr().err
    states = _states(db)
    assert states[ids["B_0061"]] == states[ids["B_0062"]] == "accepted"


def test_accept_with_a_query_and_a_file_changes_only_the_file_named(tmp_path, capsys) -> None:
    db, folder, ids = _petra_library(tmp_path)
    with PhotoIndex.open(db) as index:
        index.set_state([ids["B_0060"], ids["B_0061"]], "rejected")
    assert main(["--db", str(db), "accept", "label:Petra", str(folder / "B_0061.jpg"),
                 str(folder / "B_0060.jpg"), str(folder / "B_0062.jpg")]) == 0
    assert "left as" not in capsys.readouterr().err
    assert main(["--db", str(db), "reject", str(folder / "B_0060.jpg")]) == 0
    assert main(["--db", str(db), "accept", "folder:Bulk", "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["kept"] == 1 and "1 rejected photo left as it is" in err
    assert _states(db)[ids["B_0060"]] == "rejected"


def test_accept_with_state_rejected_in_the_query_changes_the_rejected_photos(tmp_path, capsys) -> None:
    db, _, ids = _petra_library(tmp_path)
    with PhotoIndex.open(db) as index:
        index.set_state([ids["B_0060"], ids["B_0061"]], "rejected")
    assert main(["--db", str(db), "accept", "label:Petra state:suggested|rejected"]) == 0
    err = capsys.readouterr().err
    assert "3 of 3 matching photos changed" in err and "left as" not in err
    assert set(_states(db).values()) == {"accepted"}


def test_reject_of_a_query_leaves_the_labels_the_user_accepted_or_gave(tmp_path, capsys) -> None:
    db, _, ids = _petra_library(tmp_path)
    assert main(["--db", str(db), "reject", "label:Petra", "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == {"command": "reject", "matched": 5, "changed": 3, "left_out": [], "kept": 2}
    assert err.rstrip().endswith("; 2 accepted photos left as they are: reject them by name or with state:accepted")
    states = _states(db)
    assert states[ids["B_0063"]] == states[ids["B_0064"]] == "accepted"  # accepted, and given (source user)
    assert {states[ids[name]] for name in ("B_0060", "B_0061", "B_0062")} == {"rejected"}


def test_reject_changes_accepted_photos_named_or_asked_for_by_state(tmp_path, capsys) -> None:
    db, folder, ids = _petra_library(tmp_path)
    assert main(["--db", str(db), "reject", str(folder / "B_0064.jpg")]) == 0
    assert "1 of 1 matching photo changed" in capsys.readouterr().err
    assert _states(db)[ids["B_0064"]] == "rejected"
    assert main(["--db", str(db), "reject", "label:Petra state:accepted"]) == 0
    err = capsys.readouterr().err
    assert "1 of 1 matching photo changed" in err and "left as" not in err
    assert _states(db)[ids["B_0063"]] == "rejected"


def test_a_negated_state_term_does_not_name_the_users_choices(tmp_path, capsys) -> None:
    """`-state:rejected` or a state: inside a negated OR asks for no rejected photo."""
    db, _, ids = _petra_library(tmp_path)
    with PhotoIndex.open(db) as index:
        index.set_state([ids["B_0061"]], "rejected")
    assert main(["--db", str(db), "accept", "folder:Bulk -state:accepted"]) == 0
    assert "1 rejected photo left as it is" in capsys.readouterr().err
    assert _states(db)[ids["B_0061"]] == "rejected"


def test_undo_review_takes_back_only_what_the_accept_changed(tmp_path, capsys) -> None:
    db, folder, ids = _petra_library(tmp_path)
    assert main(["--db", str(db), "reject", str(folder / "B_0061.jpg")]) == 0
    assert main(["--db", str(db), "accept", "label:Petra"]) == 0
    with PhotoIndex.open(db) as index:
        assert review_journal.last_command(index.conn).photos == 2  # the two suggested ones, not B_0061
    assert main(["--db", str(db), "undo", "--review"]) == 0
    states = _states(db)
    assert states[ids["B_0060"]] == states[ids["B_0062"]] == "suggested"
    assert states[ids["B_0061"]] == "rejected"
    assert main(["--db", str(db), "undo", "--review"]) == 0  # the reject before it
    assert _states(db)[ids["B_0061"]] == "suggested"


def test_a_file_name_typed_as_a_word_names_its_photo(tmp_path, capsys, monkeypatch) -> None:
    """`reject DSC_0041` (the stem) or `accept b_0061.jpg` away from its folder: the search
    finds the photo by its file name's words, and the user named it."""
    db, _, ids = _petra_library(tmp_path)
    monkeypatch.chdir(tmp_path)  # not the photos' folder: the words are no paths
    with PhotoIndex.open(db) as index:
        index.set_state([ids["B_0061"]], "rejected")
    assert main(["--db", str(db), "reject", "B_0064"]) == 0
    assert main(["--db", str(db), "accept", "b_0061.jpg"]) == 0
    assert main(["--db", str(db), "reject", "B_0063 OR B_0060"]) == 0
    assert "left as" not in capsys.readouterr().err
    states = _states(db)
    assert states[ids["B_0064"]] == states[ids["B_0063"]] == states[ids["B_0060"]] == "rejected"
    assert states[ids["B_0061"]] == "accepted"
    assert main(["--db", str(db), "reject", "jpg"]) == 0  # a word of every name, but no name
    assert "1 accepted photo left as it is" in capsys.readouterr().err
    assert _states(db)[ids["B_0061"]] == "accepted"


def test_a_dot_quoted_with_other_terms_says_how_to_give_it(tmp_path, monkeypatch, capsys) -> None:
    """`accept .` says "accept it by name or with state:rejected"; `accept '. state:rejected'`
    (one quoted word) then said only "'.' has no letters or digits to search for"."""
    db = tmp_path / "index.db"
    PhotoIndex.open(db).close()
    monkeypatch.chdir(tmp_path)
    assert main(["--db", str(db), "search", ". state:rejected"]) == 2
    err = capsys.readouterr().err
    assert "give . as a word of its own, not inside quotes with other terms" in err
    assert "`accept . state:rejected`" in err
