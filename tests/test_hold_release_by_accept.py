"""A photo `write` holds (its JPEG's XMP gone since our write) is released by the user's
`accept --release-held`, and the app's A answered "Write them again", as by `label
--release-held`. Without the flag no query releases it, however narrow (review6 F3: a shell
glob or an id list released every held file). A `write` naming the file does not release it."""

from __future__ import annotations

import json

from app.core.index import review_journal
from app.core.metadata import plan_writes
from app.core.metadata.jpeg_fields import read_fields
from tests import test_hold_release_undo as release
from tests.test_cli_core import run_cli
from tests.test_keywords_changed_elsewhere import write_all

index = release.index  # the fixture: an index of its own in tmp_path


def _held(index, photo) -> list[bool]:
    return [item.held for item in plan_writes(index) if item.target == photo]


def test_accept_releases_a_held_photo_and_undo_review_holds_it_again(tmp_path, index, capsys):
    photo, other = release._held_beside_an_older_label(tmp_path, index, capsys)
    db = str(tmp_path / "index.db")

    code, _, err = run_cli(capsys, "--db", db, "accept", "--release-held", f'path:"{photo}"')

    assert code == 0
    assert f'accept: {photo}: no longer left alone: the next `write` writes "Colosseum" into it again' in err
    assert "accept: 0 of 1 matching photo changed, 1 file released for the next `write`; " in err
    assert _held(index, photo) == [False]

    code, _, err = run_cli(capsys, "--db", db, "undo", "--review")

    assert code == 0 and f"{photo}: left alone again by `write`" in err
    assert release._label_of(index, other) == ("Petra", "accepted")  # the older command is not taken back
    assert _held(index, photo) == [True]
    write_all(index)
    assert read_fields(photo.read_bytes()).hierarchical is None  # held again: not written


def test_accept_then_write_puts_the_label_back(tmp_path, index, capsys):
    photo, _ = release._held_beside_an_older_label(tmp_path, index, capsys)
    assert run_cli(capsys, "--db", str(tmp_path / "index.db"), "accept", "--release-held", f'path:"{photo}"')[0] == 0

    assert write_all(index).held == 0  # (the folder's other photo is written with it)
    assert read_fields(photo.read_bytes()).hierarchical == ["Landmarks|Colosseum"]


def test_the_apps_accept_releases_and_its_ctrl_z_holds_again(tmp_path, index, capsys):
    """The app's A goes through set_states_withdrawing; its Ctrl+Z through drop_taken_back."""
    from app.core.teaching_untaught import set_states_withdrawing

    photo, _ = release._held_beside_an_older_label(tmp_path, index, capsys)
    [photo_id] = [row.id for row in index.search("") if row.path == str(photo)]
    index.set_state([photo_id], "suggested")  # shown as a suggestion: the A changes it
    looked = index.review_states([photo_id])

    kept = set_states_withdrawing(index, [photo_id], "accepted", looked, journal="the app's A: accept of 1 photo")
    assert kept.changed == 1 and kept.released == () and _held(index, photo) == [True]  # "Leave them alone"
    index.set_state([photo_id], "suggested")

    change = set_states_withdrawing(index, [photo_id], "accepted", looked, journal="the app's A: accept of 1 photo",
                                    release_held=True)  # "Write them again"

    assert change.changed == 1 and change.released == (str(photo),)
    assert _held(index, photo) == [False]
    with index.transaction() as conn:  # the app's Ctrl+Z: the state set back, the command dropped
        index.set_state_if_unchanged([photo_id], "suggested", {photo_id: ("Colosseum", "accepted")})
        assert review_journal.drop_taken_back(conn, change.journalled, [photo_id], "accepted", set_back=1)
    index.set_state([photo_id], "accepted")  # accepted again some other way than A: still held
    assert _held(index, photo) == [True]


def test_write_naming_the_held_file_does_not_release_it(tmp_path, index, capsys):
    """`write FILE` names where to write, not that the edit made elsewhere is to be overwritten."""
    photo, _ = release._held_beside_an_older_label(tmp_path, index, capsys)

    code, _, err = run_cli(capsys, "--db", str(tmp_path / "index.db"), "write", str(photo))

    assert read_fields(photo.read_bytes()).hierarchical is None
    assert "1 left alone" in err and " label --release-held 'path:" in err and _held(index, photo) == [True]


def test_the_hold_note_names_accept_and_the_accept_it_names_releases_the_file(tmp_path, index, capsys):
    """The note names `accept --release-held`, `label --release-held` and `reject` as the ways out."""
    import re
    import shlex

    photo, _ = release._held_beside_an_older_label(tmp_path, index, capsys)
    [item] = [item for item in plan_writes(index) if item.target == photo]
    named = re.search(r"`landmark-tagger (accept --release-held [^`]+)` \(or `landmark-tagger label --release-held "
                      r"[^`]+`\) writes it at the "
                      r"next `write`, `landmark-tagger reject [^`]+` takes the label off", item.problem)
    assert named, item.problem

    code, _, err = run_cli(capsys, "--db", str(tmp_path / "index.db"), *shlex.split(named[1]))

    assert code == 0 and "1 file released for the next `write`" in err
    assert _held(index, photo) == [False]


def test_an_accept_without_release_held_leaves_a_held_file_alone_and_says_so(tmp_path, index, capsys):
    """A nightly `accept 'folder:…'` (or `score>0.8`, or an id list) is no decision about the file
    another program edited: it released every held file it matched, and the next `write` put the
    landmark back over the other program's removal of the XMP. Only --release-held releases."""
    photo, _ = release._held_beside_an_older_label(tmp_path, index, capsys)
    db = str(tmp_path / "index.db")

    [photo_id] = [row.id for row in index.search("") if row.path == str(photo)]
    for query in (f'folder:"{photo.parent}"', "state:accepted", f'id:1,2 folder:"{photo.parent}"',
                  f"id:{photo_id}", f'path:"{photo}"'):
        code, out, err = run_cli(capsys, "--db", db, "accept", "--json", query)
        assert code == 0, err
        assert json.loads(out)["released"] == 0 and json.loads(out)["left_held"] == 1
        assert "accept: 1 held file left alone: add --release-held to write it again" in err
        assert "no longer left alone" not in err
    write_all(index)
    assert read_fields(photo.read_bytes()).hierarchical is None  # the other program's edit kept
    assert _held(index, photo) == [True]

    code, _, err = run_cli(capsys, "--db", db, "accept", "--release-held", f'folder:"{photo.parent}"')  # the decision
    assert code == 0 and "1 file released for the next `write`" in err and "held file left alone" not in err
    assert _held(index, photo) == [False]
