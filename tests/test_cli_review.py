"""The review verbs (accept, reject, label) and write/undo through the CLI."""

from __future__ import annotations

import json
from pathlib import Path


from app.cli.main import build_parser, main
from app.core.index import PhotoIndex, Prediction
from app.core.metadata.jpeg_fields import read_fields
from app.core.teaching_store import rejected
from app.core.wording import shell_quote
from tests.test_metadata_support import add_photo, make_jpeg


def test_review_write_and_undo_commands_have_help():
    parser = build_parser()
    choices = parser._subparsers._group_actions[0].choices
    for name in ("accept", "reject", "label", "write", "undo"):
        assert name in choices and choices[name].description


def test_label_accept_reject_write_undo(tmp_path, capsys):
    db = tmp_path / "index.db"
    photo = make_jpeg(tmp_path / "a.jpg")
    other = make_jpeg(tmp_path / "b.jpg", seed=1)
    original = photo.read_bytes()
    with PhotoIndex.open(db) as index:
        add_photo(index, [photo], "Fort Saint-Jean", state="suggested")
        add_photo(index, [other], "Fort Saint-Jean", state="suggested")
    assert main(["--db", str(db), "reject", "state:suggested"]) == 0
    assert main(["--db", str(db), "write", "--include-suggested", "--json"]) == 0
    assert photo.read_bytes() == original  # rejected labels are not written
    # --new: the default model's "Chateau d'If" differs in accents alone (label_names.close_landmarks)
    assert main(["--db", str(db), "label", "", "Château d'If", "--new"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "write", "--dry-run", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {line["label"] for line in lines} == {"Château d'If"} and all(line["changes"] for line in lines)
    assert photo.read_bytes() == original
    assert main(["--db", str(db), "write", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert summary["written"] == 2
    assert read_fields(photo.read_bytes()).subject == ["Château d'If"]
    assert main(["--db", str(db), "undo"]) == 0
    assert photo.read_bytes() == original
    with PhotoIndex.open(db) as index:
        assert {p.state for p in index.search("")} == {"accepted"}


def test_write_says_when_suggested_labels_were_left_out(tmp_path, capsys):
    db = tmp_path / "index.db"
    photo = make_jpeg(tmp_path / "a.jpg")
    original = photo.read_bytes()
    with PhotoIndex.open(db) as index:
        add_photo(index, [photo], "Colosseum", state="suggested")
        add_photo(index, [make_jpeg(tmp_path / "b.jpg", seed=1)], None, state="suggested")  # "no landmark"
    for extra in (["--dry-run"], []):
        assert main(["--db", str(db), "write", *extra]) == 0
        err = capsys.readouterr().err
        assert "1 photo with a suggested label left out" in err and "--include-suggested" in err
    assert photo.read_bytes() == original
    assert main(["--db", str(db), "write", "--include-suggested"]) == 0
    assert "left out" not in capsys.readouterr().err
    assert read_fields(photo.read_bytes()).subject == ["Colosseum"]
    assert main(["--db", str(db), "write", "state:accepted"]) == 0  # no photo accepted: an empty result, no typo
    err = capsys.readouterr().err
    assert "left out" not in err and "no photo matches" not in err  # the query chooses what is counted


def test_a_query_that_matches_nothing_says_so(tmp_path, capsys):
    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        add_photo(index, [make_jpeg(tmp_path / "DSC_0001.jpg")], "Colosseum", state="suggested")
    for command in (["label", "DSC_0010", "Petra"], ["accept", "DSC_0010"], ["reject", "DSC_0010"]):
        assert main(["--db", str(db), *command]) == 1  # fails a script, like grep
        assert "no photo matches 'DSC_0010'" in capsys.readouterr().err
    assert main(["--db", str(db), "accept", "DSC_0001"]) == 0
    assert "1 of 1 matching photo changed" in capsys.readouterr().err


def test_label_in_teachs_order_is_answered_with_the_right_order(tmp_path, capsys):
    """`label NAME QUERY` (the order `teach` takes) matches nothing: the message gives
    the command the user meant, and nothing is labelled."""
    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        add_photo(index, [make_jpeg(tmp_path / "DSC_0204.jpg")], "Palais des Papes", state="suggested")
    assert main(["--db", str(db), "label", "Pont du Gard", "DSC_0204"]) == 1
    err = capsys.readouterr().err
    assert "no photo matches 'Pont du Gard'" in err
    assert f"the query comes first: `landmark-tagger --db {db} label DSC_0204 'Pont du Gard'`" in err
    with PhotoIndex.open(db) as index:
        assert [photo.label for photo in index.search("")] == ["Palais des Papes"]


def test_swapped_arguments_do_not_make_a_file_name_the_label(tmp_path, monkeypatch, capsys):
    """`label PHOTO NAME` (teach's order) would otherwise label the photos matching NAME
    with the photo's path, and `write` would put that path into them as a keyword."""
    db = tmp_path / "index.db"
    photo = make_jpeg(tmp_path / "DSC_8188.JPG")
    (tmp_path / "Colosseum").mkdir()  # a folder named like the place is no file name
    with PhotoIndex.open(db) as index:
        photo_id = add_photo(index, [photo], "Colosseum", state="suggested")
    monkeypatch.chdir(tmp_path)
    for name in (str(photo), "DSC_8188.JPG", str(tmp_path)):
        assert main(["--db", str(db), "label", "Colosseum", name]) == 2
        assert "label QUERY NAME" in capsys.readouterr().err
    assert main(["--db", str(db), "teach", str(photo), "Colosseum"]) == 2
    assert "teach NAME PHOTO" in capsys.readouterr().err
    with PhotoIndex.open(db) as index:
        assert (index.get(photo_id).label, index.get(photo_id).state) == ("Colosseum", "suggested")
    assert main(["--db", str(db), "label", "DSC_8188", "Colosseum"]) == 0
    with PhotoIndex.open(db) as index:
        assert (index.get(photo_id).label, index.get(photo_id).state) == ("Colosseum", "accepted")


def test_label_needs_a_name(tmp_path):
    assert main(["--db", str(tmp_path / "i.db"), "label", "", "  "]) == 2


def test_label_correction_teaches_and_rejects_the_old_label(tmp_path, tiny_bundle):
    db = tmp_path / "index.db"
    photo = make_jpeg(tmp_path / "c.jpg", seed=2)
    with PhotoIndex.open(db) as index:
        photo_id = add_photo(index, [photo], "Colosseum", state="suggested")
    assert main(["--db", str(db), "label", "", "Our cabin", "--model", str(tiny_bundle.path)]) == 0
    with PhotoIndex.open(db) as index:
        record = index.get(photo_id)
        assert (record.label, record.state, record.source) == ("Our cabin", "accepted", "user")
        taught = index.conn.execute("SELECT label FROM taught_refs WHERE photo_id = ?", (photo_id,)).fetchall()
        rejected = index.conn.execute("SELECT label FROM rejections WHERE photo_id = ?", (photo_id,)).fetchall()
    assert [row[0] for row in taught] == ["Our cabin"]
    assert [row[0] for row in rejected] == ["Colosseum"]


def test_accept_reject_and_label_count_only_the_photos_they_changed(tmp_path, capsys):
    """A second `accept` (or the same `label` again) changes nothing and says so,
    instead of reporting every matching photo as changed."""
    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        add_photo(index, [make_jpeg(tmp_path / "a.jpg")], "Fort Saint-Jean", state="suggested")
        add_photo(index, [make_jpeg(tmp_path / "b.jpg", seed=1)], "Fort Saint-Jean", state="accepted")
        add_photo(index, [make_jpeg(tmp_path / "c.jpg", seed=2)], None, state="unlabelled")

    def changed(*args: str) -> int:
        capsys.readouterr()
        assert main(["--db", str(db), *args, "--json"]) == 0
        return json.loads(capsys.readouterr().out.splitlines()[-1])["changed"]

    assert changed("accept", "") == 1  # b already accepted, c has no label
    assert changed("accept", "") == 0
    assert changed("reject", "a.jpg") == 1
    assert changed("reject", "a.jpg") == 0
    assert changed("label", "b.jpg", "Château d'If", "--new") == 1  # the model's "Chateau d'If" accented
    assert changed("label", "b.jpg", "Château d'If") == 0  # a name in use now
    with PhotoIndex.open(db) as index:
        assert {Path(p.path).name: (p.label, p.state) for p in index.search("")} == {
            "a.jpg": ("Fort Saint-Jean", "rejected"),
            "b.jpg": ("Château d'If", "accepted"),
            "c.jpg": (None, "unlabelled"),
        }


def test_label_no_landmark_marks_the_photos_as_showing_none_and_rejects_the_model_label(tmp_path, capsys):
    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        photo = add_photo(index, [make_jpeg(tmp_path / "a.jpg")], "Fort Saint-Jean", state="suggested")
    assert main(["--db", str(db), "label", "a.jpg", "--no-landmark"]) == 0
    with PhotoIndex.open(db) as index:
        record = index.get(photo)
        assert (record.label, record.state, record.source) == (None, "accepted", "user")
        index.set_predictions(photo, "m", [Prediction("fsj", "Fort Saint-Jean", 0.99)], threshold=0.5)
        assert index.get(photo).label is None  # the user's word holds
        assert rejected(index.conn) == {(photo, "Fort Saint-Jean")}  # and the model's label is rejected
    assert main(["--db", str(db), "label", "a.jpg", "Somewhere", "--no-landmark"]) == 2
    assert main(["--db", str(db), "label", "a.jpg"]) == 2  # neither


def _ctrl_c_after_first_report(monkeypatch, command_module) -> None:
    """Press Ctrl-C (a real SIGINT to this process) when the command reports its first
    file done: on the main thread, once a write has handed out its first files to its
    threads, so the stop lands at one defined point. (Pressed from a write's thread, it
    could land before the second file was handed out, leaving a one-file batch whose
    undo then had no file left to stop before.)"""
    import os
    import signal

    from app.core.progress import no_progress

    real = command_module.progress_printer

    def printer_then_ctrl_c(enabled: bool):
        report = real(enabled) or no_progress  # None off a terminal
        pressed = []

        def then_ctrl_c(progress) -> None:
            report(progress)
            if not pressed:
                pressed.append(True)
                os.kill(os.getpid(), signal.SIGINT)

        return then_ctrl_c

    monkeypatch.setattr(command_module, "progress_printer", printer_then_ctrl_c)


def test_ctrl_c_stops_write_and_undo_cleanly_with_their_summary(tmp_path, capsys, monkeypatch):
    """Ctrl-C during `write` used to end in a bare 'landmark-tagger: interrupted': no count
    of the files changed, no word that `undo` reverts them. Now it stops between files,
    says what was written and how to go on, and exits 130; undo does the same."""
    from app.cli.commands import undo as undo_command
    from app.cli.commands import write as write_command

    db = tmp_path / "index.db"
    photos = [make_jpeg(tmp_path / f"DSC_{i:04d}.jpg", seed=i) for i in range(40)]
    original = {photo: photo.read_bytes() for photo in photos}
    with PhotoIndex.open(db) as index:
        for photo in photos:
            add_photo(index, [photo], "Colosseum")
    _ctrl_c_after_first_report(monkeypatch, write_command)
    assert main(["--db", str(db), "write"]) == 130
    err = capsys.readouterr().err
    command = f"landmark-tagger --db {shell_quote(str(db))}"  # the index given, not the default one
    assert "stopping after" in err and "(cancelled)" in err and f"`{command} undo` reverts it" in err
    assert f"`{command} write` again writes the rest" in err
    written = [p for p in photos if p.read_bytes() != original[p]]
    # the files already handed to the write's threads are finished: more than one, so undo has some left
    assert 1 < len(written) < len(photos)
    assert all(read_fields(p.read_bytes()).subject == ["Colosseum"] for p in written)

    monkeypatch.undo()
    _ctrl_c_after_first_report(monkeypatch, undo_command)
    assert main(["--db", str(db), "undo"]) == 130
    err = capsys.readouterr().err
    assert "(cancelled)" in err and "undo` again" in err
    assert sum(p.read_bytes() != original[p] for p in photos) == len(written) - 1
    monkeypatch.undo()
    assert main(["--db", str(db), "undo"]) == 0  # the rest of the same batch
    assert all(p.read_bytes() == original[p] for p in photos)


def test_review_summary_writes_both_counts_alike(capsys):
    """`accept ''` on a big library said "2115 of 2,115 matching photos changed"."""
    import argparse

    from app.cli.commands.review import _finish

    assert _finish(argparse.Namespace(json=False, query=""), "accept", 2115, 2115) == 0
    assert "accept: 2,115 of 2,115 matching photos changed" in capsys.readouterr().err
