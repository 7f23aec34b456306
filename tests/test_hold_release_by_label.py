"""A broad `label 'folder:…' NAME` released every held file it matched (a JPEG whose XMP
another program took out since our write), though the photo's label did not change: the
next `write` overwrote the other program's edit. As for `accept`, a held file is released
only by `label --release-held`, whatever the query and whatever landmark it gives."""

from __future__ import annotations

import json

from app.core.metadata.jpeg_fields import read_fields
from tests import test_hold_release_undo as release
from tests.test_cli_core import run_cli
from tests.test_hold_release_by_accept import _held
from tests.test_keywords_changed_elsewhere import write_all

index = release.index  # the fixture: an index of its own in tmp_path


def test_a_folder_label_that_keeps_the_landmark_leaves_the_held_file_alone_and_says_so(tmp_path, index, capsys):
    photo, other = release._held_beside_an_older_label(tmp_path, index, capsys)
    db = str(tmp_path / "index.db")

    code, out, err = run_cli(capsys, "--db", db, "label", "--json", f'folder:"{photo.parent}"', "Colosseum")

    assert code == 0, err
    assert json.loads(out)["changed"] == 1  # DSC_0005.JPG: Petra -> Colosseum
    assert json.loads(out)["released"] == 0 and json.loads(out)["left_held"] == 1
    assert "label: 1 held file left alone: add --release-held to write it again" in err
    assert "no longer left alone" not in err
    assert release._label_of(index, other) == ("Colosseum", "accepted")
    write_all(index)
    assert read_fields(photo.read_bytes()).hierarchical is None  # the other program's edit kept
    assert _held(index, photo) == [True]

    code, _, err = run_cli(capsys, "--db", db, "label", str(photo), "Colosseum")  # the file typed: no decision
    assert code == 0 and "1 held file left alone" in err and _held(index, photo) == [True]
    code, _, err = run_cli(capsys, "--db", db, "label", "--release-held", f'folder:"{photo.parent}"', "Colosseum")
    assert code == 0 and "1 file released for the next `write`" in err and "held file left alone" not in err
    assert _held(index, photo) == [False]


def test_a_label_giving_the_photo_another_landmark_leaves_it_held_unless_told_and_undo_holds_it_again(
        tmp_path, index, capsys):
    """Petra -> Colosseum on the held photo is no decision about the other program's edit: held
    (review6: the hold is read from the file, not the label's name); --release-held releases it."""
    photo, other = release._held_beside_an_older_label(tmp_path, index, capsys)
    db = str(tmp_path / "index.db")
    [photo_id] = [row.id for row in index.search("") if row.path == str(photo)]
    index.set_labels([photo_id], "Petra", source="user", state="accepted")  # not written since
    capsys.readouterr()

    code, out, err = run_cli(capsys, "--db", db, "label", "--json", f'folder:"{photo.parent}"', "Colosseum")
    assert code == 0, err
    assert json.loads(out)["released"] == 0 and json.loads(out)["left_held"] == 1 and _held(index, photo) == [True]
    assert run_cli(capsys, "--db", db, "undo", "--review")[0] == 0
    capsys.readouterr()

    code, out, err = run_cli(capsys, "--db", db, "label", "--json", "--release-held", f'folder:"{photo.parent}"',
                             "Colosseum")

    assert code == 0, err
    assert json.loads(out)["released"] == 1 and json.loads(out)["left_held"] == 0
    assert f'label: {photo}: no longer left alone: the next `write` writes "Colosseum" into it again' in err
    assert _held(index, photo) == [False]

    code, _, err = run_cli(capsys, "--db", db, "undo", "--review")

    assert code == 0, err
    assert release._label_of(index, photo) == ("Petra", "accepted")
    assert release._label_of(index, other) == ("Petra", "accepted")
    assert run_cli(capsys, "--db", db, "label", "--release-held", "id:" + str(photo_id), "Colosseum")[0] == 0
    assert _held(index, photo) == [False]
    assert run_cli(capsys, "--db", db, "undo", "--review")[0] == 0
    run_cli(capsys, "--db", db, "label", "--release-held", f'folder:"{photo.parent}" Petra', "Colosseum")
    assert _held(index, photo) == [False]  # Petra -> Colosseum again: released
    assert run_cli(capsys, "--db", db, "undo", "--review")[0] == 0
    index.set_labels([photo_id], "Colosseum", source="user", state="accepted")
    assert _held(index, photo) == [True]  # the releases taken back: held again
