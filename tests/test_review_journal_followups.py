"""Follow-ups to the command line's review at scale: the photo files named to accept,
reject and label looked up once; the app's own state words refused as landmark names;
the review journal kept with the labels it records (forget, a kill during `label`); the
bare words `no landmark` in a search."""

from __future__ import annotations

import pytest

from app.cli.main import main
from app.core.errors import QuerySyntaxError
from app.core.index import PhotoIndex
from app.core.index.forget import forget_folder
from app.core.scanner import scan
from tests.test_index_support import write_jpeg
from tests.test_review_gaps import _library, _states


def test_named_photo_files_are_looked_up_once(tmp_path, monkeypatch, capsys) -> None:
    """label found the photos of the files named (adding new ones), threw those ids away
    and searched again for the same files; accept and reject looked the files up a
    second way. Named files alone are now looked up once, with no search after."""
    db, folder, (colosseum, petra, nothing, untagged) = _library(tmp_path)
    write_jpeg(folder / "DSC_0005.JPG")  # copied in since the last scan
    searches = []
    real = PhotoIndex.photo_ids
    monkeypatch.setattr(PhotoIndex, "photo_ids", lambda self, *a, **k: searches.append(a) or real(self, *a, **k))
    files = [str(folder / name) for name in ("DSC_0002.JPG", "DSC_0003.JPG", "DSC_0005.JPG")]
    assert main(["--db", str(db), "accept", *files]) == 1  # the new photo is left out, named
    err = capsys.readouterr().err
    assert "DSC_0005.JPG: not in the library yet" in err and "2 of 2 matching photos changed" in err
    assert main(["--db", str(db), "label", *files, "Fort Saint-Jean"]) == 0
    assert "3 of 3 matching photos changed" in capsys.readouterr().err
    assert searches == []
    with PhotoIndex.open(db) as index:
        assert len(index.photo_ids('label:"Fort Saint-Jean"')) == 3
    searches.clear()
    assert main(["--db", str(db), "reject", "state:accepted", files[0]]) == 0  # a search beside: run once
    assert len(searches) == 1 and "1 of 1 matching photo changed" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["no landmark", "(No Landmark)", "none", "rejected", "Accept", "unlabeled"])
def test_label_refuses_the_words_the_app_uses_for_its_states(tmp_path, capsys, name) -> None:
    """`label X "no landmark"` made a landmark called "no landmark" (written into the files
    as a keyword, taught, never found by label:); `label X rejected` one called "rejected"."""
    db, folder, ids = _library(tmp_path)
    before = _states(db, ids)
    assert main(["--db", str(db), "label", str(folder / "DSC_0002.JPG"), name]) == 2
    err = capsys.readouterr().err
    assert f"{name!r} is no landmark name" in err
    assert ("--no-landmark" in err) == (name.strip("()").lower() in ("no landmark", "none"))
    assert ("reject QUERY` marks a wrong label" in err) == (name != "Accept" and name != "unlabeled")
    assert _states(db, ids) == before


def test_new_makes_a_state_word_a_place_but_never_no_landmark(tmp_path, capsys) -> None:
    from app.core.label_names import own_state_named

    assert own_state_named("No-Landmark") == "no landmark" and own_state_named("None") == "no landmark"
    assert own_state_named("Colosseum") is None and own_state_named("No Landmarks") is None
    assert own_state_named("none", new=True) is None and own_state_named("no landmark", new=True) == "no landmark"
    db, folder, (_, petra, _, _) = _library(tmp_path)
    photo = str(folder / "DSC_0002.JPG")
    assert main(["--db", str(db), "label", photo, "no landmark", "--new"]) == 2
    assert "(give --new" not in capsys.readouterr().err
    assert main(["--db", str(db), "label", photo, "None", "--new"]) == 0  # a town in Piedmont
    assert _states(db, [petra]) == [("None", "accepted")]


def test_forget_takes_its_photos_out_of_the_review_journal(tmp_path, capsys) -> None:
    """A forgotten photo's journal rows stayed; its id went to the next photo added, and
    `undo --review` gave that stranger the label the forgotten one had before, when the
    stranger held the label and state the command had left (compare-and-set passed)."""
    trip, home, db = tmp_path / "Trip", tmp_path / "Home", tmp_path / "index.db"
    write_jpeg(trip / "DSC_0001.JPG")
    write_jpeg(home / "IMG_0001.JPG", color=(10, 200, 30))
    with PhotoIndex.open(db) as index:
        scan(index, [trip])
        (old,) = index.photo_ids("")
        index.set_label(old, "Petra", source="model", state="suggested")
    assert main(["--db", str(db), "accept", str(trip / "DSC_0001.JPG")]) == 0
    with PhotoIndex.open(db) as index:
        forget_folder(index, trip)
        # kept to be counted, but marked: never compared with the photo given that id next
        assert index.conn.execute("SELECT after_state FROM review_changes").fetchall() == [("forgotten",)]
        scan(index, [home])
        (stranger,) = index.photo_ids("")
        assert stranger == old  # SQLite gives the newest id out again
        index.set_label(stranger, "Petra", source="user", state="accepted")
    capsys.readouterr()
    main(["--db", str(db), "undo", "--review"])
    assert _states(db, [stranger]) == [("Petra", "accepted")]


def test_a_label_and_its_journal_row_are_kept_together(tmp_path, monkeypatch) -> None:
    """label's journal row was written in a transaction of its own after the correction:
    a kill between the two kept the new label with nothing for `undo --review` to take
    back. Now both commit together or not at all."""
    from app.core.index import review_journal

    db, folder, ids = _library(tmp_path)
    before = _states(db, ids)

    def killed(*args, **kwargs):
        raise RuntimeError("killed while journalling")

    monkeypatch.setattr(review_journal, "record", killed)
    with pytest.raises(RuntimeError, match="killed"):
        main(["--db", str(db), "label", str(folder / "DSC_0002.JPG"), "Fort Saint-Jean"])
    assert _states(db, ids) == before
    monkeypatch.undo()
    assert main(["--db", str(db), "label", str(folder / "DSC_0002.JPG"), "Fort Saint-Jean"]) == 0
    assert main(["--db", str(db), "undo", "--review"]) == 0
    assert _states(db, ids) == before


@pytest.mark.parametrize("query", ["no landmark", '"no landmark"', "No-Landmark state:suggested"])
def test_the_bare_words_no_landmark_say_which_search_finds_those_photos(tmp_path, capsys, query) -> None:
    """`search "no landmark"` found 0 photos without a word (no landmark is no label name)."""
    db, _, _ = _library(tmp_path)
    with PhotoIndex.open(db) as index:
        with pytest.raises(QuerySyntaxError, match="-has:label -state:unlabelled"):
            index.photo_ids(query)
        assert index.photo_ids("no landmark rome") == []  # other words beside them: searched as typed
        index.photo_ids("-no landmark")  # a NOT word: no hint
    assert main(["--db", str(db), "search", query]) != 0
    assert "found with -has:label -state:unlabelled" in capsys.readouterr().err


def test_undo_review_json_lists_only_photos_still_in_the_library(tmp_path, capsys) -> None:
    """`undo --review --json` listed a forgotten photo's id among those "left": an id the
    index gives the next photo it adds, so a script acting on the list met a stranger.
    Forgotten photos are counted apart; "left" names photos labelled again since."""
    import json

    rome, petra, db = tmp_path / "Rome", tmp_path / "Petra", tmp_path / "index.db"
    write_jpeg(rome / "DSC_0001.JPG")
    write_jpeg(petra / "DSC_0002.JPG", color=(10, 200, 30))
    write_jpeg(petra / "DSC_0003.JPG", color=(200, 10, 30))
    with PhotoIndex.open(db) as index:
        scan(index, [rome, petra])
        ids = index.photo_ids("")
        index.set_labels(ids, "Petra", source="model", state="suggested")
    assert main(["--db", str(db), "accept", "label:Petra"]) == 0
    with PhotoIndex.open(db) as index:
        forget_folder(index, rome)
        (again, *restored) = index.photo_ids("folder:Petra")
        index.set_label(again, "Al-Khazneh", source="user", state="accepted")
    capsys.readouterr()
    assert main(["--db", str(db), "undo", "--review", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out == {"command": "accept label:Petra", "restored": len(restored), "left": [again], "forgotten": 1}
    assert _states(db, restored) == [("Petra", "suggested")] * len(restored)
