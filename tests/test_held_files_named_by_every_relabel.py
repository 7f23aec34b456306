"""A file `write` holds (its XMP taken out since our write) keeps its hold whatever later
happens to its photo's label; `accept` and `label` said so ("1 held file left alone …"),
but `rename` (and a merge), `teach`, `undo --review` and the app's rename, T and Ctrl+Z
changed the label without a word, and the user expected the next `write` to put the new
label into the file. Each now says it, as accept does (released_holds.left_held_line)."""

from __future__ import annotations

import json

import pytest

from tests import test_hold_release_undo as release
from tests.test_cli_core import run_cli
from tests.test_hold_released_only_when_told import LEFT_HELD

index = release.index  # the fixture: an index of its own in tmp_path

NAMED_HELD = "1 held file left alone: `landmark-tagger --db {db} accept --release-held QUERY` writes it again"


def _held_as(tmp_path, index, capsys, label: str):
    """The held photo (written "Colosseum", its XMP taken out since) labelled `label` now, and the index file."""
    photo, _ = release._held_beside_an_older_label(tmp_path, index, capsys)
    [photo_id] = [row.id for row in index.search("") if row.path == str(photo)]
    index.set_labels([photo_id], label, source="user", state="accepted")
    return photo, photo_id, str(tmp_path / "index.db")


def test_rename_and_merge_name_the_held_file_they_relabelled(tmp_path, index, capsys):
    photo, _, db = _held_as(tmp_path, index, capsys, "Bocca Spot")

    code, out, err = run_cli(capsys, "--db", db, "rename", "--json", "Bocca Spot", "Bocca della Verita")

    assert code == 0 and f"rename: {NAMED_HELD.format(db=db)}" in err, err
    assert json.loads(out)["left_held"] == 1
    code, _, err = run_cli(capsys, "--db", db, "rename", "Bocca della Verita", "Petra")  # a merge into the other photo's
    assert code == 0 and "merged" in err and f"rename: {NAMED_HELD.format(db=db)}" in err, err
    assert release._label_of(index, photo) == ("Petra", "accepted")


def test_rename_of_a_label_on_no_held_file_says_nothing_of_holds(tmp_path, index, capsys):
    photo, _, db = _held_as(tmp_path, index, capsys, "Bocca Spot")
    others = [row.id for row in index.search("") if row.path != str(photo)]
    index.set_labels(others, "Trevi Spot", source="user", state="accepted")

    code, out, err = run_cli(capsys, "--db", db, "rename", "--json", "Trevi Spot", "Trevi Corner")  # the other photo's

    assert code == 0 and "held" not in err, err
    assert json.loads(out)["left_held"] == 0


def test_teach_names_the_held_file_it_labelled(tmp_path, index, capsys, tiny_bundle):
    photo, _, db = _held_as(tmp_path, index, capsys, "Colosseum")

    code, out, err = run_cli(capsys, "--db", db, "teach", "--json", "--model", str(tiny_bundle.path), "--new",
                             "Bocca Spot", str(photo))

    assert code == 0 and f"teach: {NAMED_HELD.format(db=db)}" in err, err
    assert json.loads(out.splitlines()[0])["left_held"] == 1


def test_undo_review_names_the_held_file_given_its_label_back(tmp_path, index, capsys):
    photo, _, db = _held_as(tmp_path, index, capsys, "Colosseum")
    code, _, err = run_cli(capsys, "--db", db, "label", str(photo), "Bocca Spot", "--new")
    assert code == 0 and f"label: {LEFT_HELD}" in err, err

    code, out, err = run_cli(capsys, "--db", db, "undo", "--review", "--json")

    assert code == 0 and f"undo: {NAMED_HELD.format(db=db)}" in err, err
    assert json.loads(out)["left_held"] == 1
    assert release._label_of(index, photo) == ("Colosseum", "accepted")


def test_undo_review_of_a_release_names_the_file_once(tmp_path, index, capsys):
    """The file a `label --release-held` released is named held again, not counted twice."""
    photo, _, db = _held_as(tmp_path, index, capsys, "Colosseum")
    assert run_cli(capsys, "--db", db, "label", "--release-held", str(photo), "Bocca Spot", "--new")[0] == 0

    code, out, err = run_cli(capsys, "--db", db, "undo", "--review", "--json")

    assert code == 0 and f"{photo}: left alone again by `write`" in err and "held file left alone" not in err, err
    assert "left_held" not in json.loads(out)


@pytest.mark.gui
def test_the_apps_rename_teach_and_ctrl_z_name_the_held_file(qtbot, tmp_path, index, capsys, tiny_bundle):
    pytest.importorskip("pytestqt")
    from dataclasses import replace

    from app.gui.app import create_application, open_main_window
    from tests.test_gui_support import close_main_window

    photo, photo_id, db = _held_as(tmp_path, index, capsys, "Bocca Spot")
    create_application()
    win = open_main_window(tmp_path / "index.db")
    win.settings = replace(win.settings, model_bundle=str(tiny_bundle.path))
    qtbot.addWidget(win)
    win.show()
    try:
        def said(start: str) -> str:  # the job's own message first, then the app's (its `after`)
            qtbot.waitUntil(lambda: win.statusBar().currentMessage().startswith(start), timeout=60000)
            return win.statusBar().currentMessage()

        assert win.jobs.rename_place("Bocca Spot", "Bocca della Verita", {})
        assert said("Renamed").endswith("; 1 file changed in another program left alone by Write labels…"), said("Renamed")
        assert win.jobs.teach("Bocca Spot", [photo_id])
        assert said("Taught").endswith("; 1 file changed in another program left alone by Write labels…"), said("Taught")
        win.undo_review()  # Ctrl+Z: the teach taken back, "Bocca della Verita" given back
        assert said("Took back").endswith("; 1 file changed in another program left alone by Write labels…"), said("Took back")
        assert release._label_of(index, photo) == ("Bocca della Verita", "accepted")
        qtbot.waitUntil(lambda: not win.jobs.busy and not win.results.busy, timeout=60000)  # its refresh done
    finally:
        close_main_window(win)


def test_rename_promises_the_new_name_only_to_the_photos_write_will_write(tmp_path, index, capsys):
    """review1 F2: "`write` puts the new name into the keywords of the 1 photo accepted" when that
    photo was the held one, and the next line said it was left alone."""
    photo, _, db = _held_as(tmp_path, index, capsys, "Bocca Spot")

    code, _, err = run_cli(capsys, "--db", db, "rename", "Bocca Spot", "Bocca della Verita")

    assert code == 0 and "puts the new name" not in err and f"rename: {NAMED_HELD.format(db=db)}" in err, err

    others = [row.id for row in index.search("") if row.path != str(photo)]
    index.set_labels(others, "Bocca della Verita", source="user", state="accepted")
    code, _, err = run_cli(capsys, "--db", db, "rename", "Bocca della Verita", "Bocca Corner")

    assert code == 0 and "2 photos relabelled" in err, err
    assert (f"`landmark-tagger --db {db} write` puts the new name into the keywords of the 1 photo accepted "
            "and not held") in err, err


def _app_on_the_held_photo(qtbot, tmp_path, capsys, label: str):
    """The app's window on test_hold_release_undo's index, the held photo labelled `label`
    (accepted) and selected; (window, the held photo's id)."""
    from app.core.index import PhotoIndex
    from tests.test_gui_support import shown_window, wait_for_job
    from tests.test_gui_teaching import select

    with PhotoIndex.open(tmp_path / "index.db") as index:
        _, photo_id, _ = _held_as(tmp_path, index, capsys, label)
    win = shown_window(qtbot, tmp_path / "index.db")
    wait_for_job(qtbot, win)
    select(win, [photo_id])
    return win, photo_id


@pytest.mark.gui
def test_the_apps_ctrl_z_of_an_r_names_the_held_file_accepted_again(qtbot, tmp_path, capsys):
    """Ctrl+Z of L, T and Forget… named the held file given its label back; of an R it did not."""
    pytest.importorskip("pytestqt")
    from tests.test_gui_support import close_main_window, wait_for_job

    win, photo_id = _app_on_the_held_photo(qtbot, tmp_path, capsys, "Bocca Spot")
    try:
        win.reject_selected()
        assert "held file" not in win.statusBar().currentMessage()
        assert win.undo_review()
        wait_for_job(qtbot, win)

        message = win.statusBar().currentMessage()
        assert message.startswith("Took back the reject: 1 photo accepted again"), message
        assert message.endswith("; 1 file changed in another program left alone by Write labels…"), message
        assert win.index.get(photo_id).state == "accepted"
    finally:
        close_main_window(win)


@pytest.mark.gui
def test_the_apps_l_on_a_held_photo_left_alone_says_the_file_is_left_as_it_is(qtbot, tmp_path, capsys, monkeypatch):
    """L answered "Leave them alone": the label changed, and the status line said nothing of the file."""
    pytest.importorskip("pytestqt")
    from tests.test_gui_support import close_main_window, wait_for_job
    from tests.test_gui_teaching import answer_label
    from tests.test_gui_undo_label import answer_held_question

    win, photo_id = _app_on_the_held_photo(qtbot, tmp_path, capsys, "Bocca Spot")
    try:
        answer_label(monkeypatch, "Trevi Fountain")
        asked = answer_held_question(monkeypatch, "Leave them alone")
        win.relabel_selected()
        wait_for_job(qtbot, win)

        message = win.statusBar().currentMessage()
        assert asked and message.startswith("Labelled DSC_0004.JPG “Trevi Fountain”"), message
        assert message.endswith("; 1 file changed in another program left alone by Write labels…"), message
        assert win.index.get(photo_id).label == "Trevi Fountain"
    finally:
        close_main_window(win)
