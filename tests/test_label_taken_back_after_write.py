"""A `label` taken back (`undo --review`, the app's Ctrl+Z of L) after `write` put its
keyword into the files: a photo that had no label before is unlabelled again, yet its
file kept our keyword, is:unwritten showed nothing and `write` changed nothing (an index
built anew read the keyword back as the user's label). Now it is is:unwritten, the next
`write` takes our keyword out and keeps the user's own, as after an accept taken back
(test_accept_taken_back_after_write), and the take-back says the keyword is still there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.metadata.jpeg_fields import read_fields
from tests.test_accept_taken_back_after_write import _suggested, _unwritten_and_changing
from tests.test_metadata_support import with_xp_keywords


def _unlabelled(tmp_path: Path) -> tuple[str, int, Path, Path]:
    """One JPEG with no label (the user's XPKeywords "Rome" in it), one suggested "Colosseum"."""
    db, ids, files = _suggested(tmp_path, "a", "b")
    with_xp_keywords(files["a"], ("Rome",))
    assert main(["--db", db, "scan", str(tmp_path / "lib")]) == 0
    with PhotoIndex.open(db) as index:
        index.conn.execute("DELETE FROM labels WHERE photo_id = ?", (ids["a"],))
        index.conn.commit()
        assert index.get(ids["a"]).state == "unlabelled"
    return db, ids["a"], files["a"], files["b"]


def test_a_label_taken_back_after_its_write_on_an_unlabelled_photo_comes_out_at_the_next_write(
        tmp_path, capsys) -> None:
    db, photo_id, photo, other = _unlabelled(tmp_path)
    original = photo.read_bytes()
    assert main(["--db", db, "label", f"id:{photo_id}", "Trevi Fountain"]) == 0
    assert main(["--db", db, "write"]) == 0
    written = photo.read_bytes()
    assert "Trevi Fountain" in (read_fields(written).subject or [])

    capsys.readouterr()
    assert main(["--db", db, "undo", "--review"]) == 0
    said = capsys.readouterr().err
    assert "1 photo as before it" in said and "still has its keyword in its files" in said and "write` takes it out" in said
    assert _unwritten_and_changing(capsys, db) == ({photo_id}, {photo_id})
    capsys.readouterr()
    assert main(["--db", db, "search", "--json", "state:unlabelled", "is:unwritten"]) == 0  # the row walk's form
    assert str(photo_id) in capsys.readouterr().out

    assert main(["--db", db, "write"]) == 0
    fields = read_fields(photo.read_bytes())
    assert "Trevi Fountain" not in (fields.subject or []) and fields.xp == ["Rome"]  # ours out, the user's kept
    assert _unwritten_and_changing(capsys, db) == (set(), set())
    assert main(["--db", db, "undo"]) == 0  # that write taken back: the keyword is back, byte for byte
    assert photo.read_bytes() == written
    assert main(["--db", db, "undo"]) == 0
    assert photo.read_bytes() == original


def test_a_relabelled_suggestion_taken_back_after_its_write_loses_the_new_keyword(tmp_path, capsys) -> None:
    db, ids, files = _suggested(tmp_path, "a")  # the model's "Colosseum", relabelled by the user
    assert main(["--db", db, "label", f"id:{ids['a']}", "Pantheon"]) == 0
    assert main(["--db", db, "write"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "undo", "--review"]) == 0
    assert "still has its keyword in its files" in capsys.readouterr().err
    assert _unwritten_and_changing(capsys, db) == ({ids["a"]}, {ids["a"]})
    assert main(["--db", db, "write", "--dry-run"]) == 0
    assert '"Pantheon" -> none (its label taken back: ' in capsys.readouterr().out  # a relabel, not an accept
    assert main(["--db", db, "write"]) == 0
    assert "Pantheon" not in (read_fields(files["a"].read_bytes()).subject or [])
    with PhotoIndex.open(db) as index:
        assert (index.get(ids["a"]).label, index.get(ids["a"]).state) == ("Colosseum", "suggested")


def test_a_keyword_no_write_of_ours_put_there_stays_on_an_unlabelled_photo(tmp_path, capsys) -> None:
    db, photo_id, photo, other = _unlabelled(tmp_path)
    assert main(["--db", db, "accept", "label:Colosseum"]) == 0
    assert main(["--db", db, "write"]) == 0  # a write of ours, of another photo only
    with_xp_keywords(photo, ("Rome", "Trevi Fountain"))  # typed in Windows Explorer
    assert main(["--db", db, "scan", str(tmp_path / "lib")]) == 0
    before = photo.read_bytes()
    assert _unwritten_and_changing(capsys, db) == (set(), set())
    assert main(["--db", db, "write"]) == 0
    assert photo.read_bytes() == before


@pytest.mark.gui
def test_ctrl_z_of_l_after_write_labels_says_the_keyword_is_still_in_the_files(qtbot, tmp_path) -> None:
    pytest.importorskip("pytestqt")
    from tests.test_gui_support import added_folder, close_main_window, shown_window, wait_for_job, wait_for_results

    win = shown_window(qtbot, tmp_path / "index.db")
    try:
        added_folder(qtbot, win, tmp_path, count=1)
        ids = win.index.photo_ids("")
        assert win.index.review_states(ids) == {}  # no label yet
        win.set_user_label(ids, "Trevi Fountain", win.index.review_states(ids))
        wait_for_job(qtbot, win)  # the L learnt from in a job
        assert main(["--db", str(tmp_path / "index.db"), "write"]) == 0
        assert win.undo_review()
        message = win.statusBar().currentMessage()
        assert "1 photo as before it" in message
        assert "1 photo still has its keyword in the files: Write labels… takes it out" in message
        assert win.index.photo_ids("is:unwritten") == ids
    finally:
        wait_for_results(qtbot, win)  # the view Ctrl+Z refreshed, before the index closes
        close_main_window(win)


def test_a_label_on_a_no_landmark_photo_taken_back_after_its_write_says_the_keyword_is_still_there(
        tmp_path, capsys) -> None:
    """The commonest `label`: the model found nothing. Taken back after `write`, the photo is a
    "no landmark" suggestion whose file still says the label (t_upgrade2-2): the note counts it."""
    db, ids, files = _suggested(tmp_path, "a")
    with PhotoIndex.open(db) as index:
        index.set_labels([ids["a"]], None, source="model", state="suggested")
    assert main(["--db", db, "label", f"id:{ids['a']}", "Trevi Fountain"]) == 0
    assert main(["--db", db, "write"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "undo", "--review", "--json"]) == 0
    captured = capsys.readouterr()
    assert "1 photo as before it" in captured.err and "still has its keyword in its files" in captured.err
    assert json.loads(captured.out)["still_written"] == 1
    assert _unwritten_and_changing(capsys, db) == ({ids["a"]}, {ids["a"]})


@pytest.mark.parametrize("subject_before, outcome", [
    (["Rome", "Trevi Fountain"], "the keyword our write put there comes out"),
    (["Rome"], "our own record of it comes out"),  # the user took the keyword out in another program
])
def test_a_dry_run_of_a_label_taken_back_says_what_comes_out(subject_before, outcome) -> None:
    """It said the keyword comes out while it showed "keywords Rome" and only our private
    landmarkTagger:Teaches changed (review3-2)."""
    from app.core.metadata.keywords import KeywordFields
    from app.core.metadata.plan import PlannedWrite

    plan = PlannedWrite(photo_id=1, source=Path("a.jpg"), target=Path("a.jpg"), kind="jpeg", label=None,
                        previous_label="Trevi Fountain", rejected=True, index_label=(None, "unlabelled"),
                        label_taken_back=True, before=KeywordFields(subject=subject_before, taught=["Trevi Fountain"]),
                        after=KeywordFields(subject=["Rome"]))
    assert plan.describe().endswith(f"(its label taken back: {outcome})"), plan.describe()


@pytest.mark.parametrize("how, reason", [
    ("label", "its label taken back: "),  # the user labelled an unlabelled photo; the model said the same later
    ("accept", "its accept taken back: "),
])
def test_the_reason_a_taken_back_keyword_comes_out_names_what_the_user_took_back(
        tmp_path, capsys, how, reason) -> None:
    """`label` on an unlabelled photo, write, undo --review, then `tag` suggested the same
    name: the dry run said "its accept taken back" of an accept never made (review3-3)."""
    db, photo_id, photo, other = _unlabelled(tmp_path)
    with PhotoIndex.open(db) as index:
        if how == "accept":  # the model's suggestion first, accepted
            index.set_labels([photo_id], "Colosseum", source="model", state="suggested")
    assert main(["--db", db, how, f"id:{photo_id}", *(["Colosseum"] if how == "label" else [])]) == 0
    assert main(["--db", db, "write"]) == 0
    assert main(["--db", db, "undo", "--review"]) == 0
    with PhotoIndex.open(db) as index:  # as `tag` leaves it: the model's suggestion of that name
        index.set_labels([photo_id], "Colosseum", source="model", state="suggested")
    capsys.readouterr()
    assert main(["--db", db, "write", "--dry-run"]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith(str(photo)))
    assert line.endswith(f"({reason}the keyword our write put there comes out)"), line
