"""Ctrl+Z after L. It took back only accepts and rejects: after a wrong L, Ctrl+Z took back
an older accept instead, and the label stayed. An L is now journalled (the review journal
`undo --review` reads) and Ctrl+Z takes it back like an accept: the photos get their label,
state, source and score back and no longer teach the label L gave."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import QItemSelectionModel  # noqa: E402

from app.cli.main import main  # noqa: E402
from tests import test_gui_support  # noqa: E402
from tests.test_gui_support import wait_for_job  # noqa: E402
from tests.test_gui_outside_changes import in_a_terminal, review_list_of, status  # noqa: E402

window = test_gui_support.window  # the suite's window fixture: 1,200 × 800, closed after the test

pytestmark = pytest.mark.gui


def labelled_with_l(qtbot, win, monkeypatch, rows: list[int], name: str) -> None:
    """L on these rows of the review list, the dialog answered with `name`."""
    from app.gui.label_dialog import LabelDialog

    view, model = win.review.list, win.review_model
    view.selectionModel().clearSelection()
    for row in rows:
        view.selectionModel().select(model.index(row), QItemSelectionModel.SelectionFlag.Select)

    def answer(dialog: LabelDialog) -> int:
        dialog.field.setText(name)
        return LabelDialog.DialogCode.Accepted

    monkeypatch.setattr(LabelDialog, "exec", answer)
    win.relabel_selected()
    wait_for_job(qtbot, win)


def as_suggested(win, ids) -> list[tuple]:
    return [(r.label, r.state, r.source, r.score) for r in map(win.index.get, ids)]


@pytest.mark.parametrize("in_a_job", [True, False], ids=["learnt in a job", "set while another job runs"])
def test_ctrl_z_takes_back_an_l_after_the_accept_before_it(qtbot, window, tmp_path, monkeypatch, in_a_job) -> None:
    ids = review_list_of(qtbot, window, tmp_path, 3)
    suggested = as_suggested(window, ids)
    window.review.list.setCurrentIndex(window.review_model.index(0))
    window.accept_selected()  # the first photo: an older step
    if not in_a_job:
        monkeypatch.setattr(window.jobs, "correct", lambda *args, **kwargs: False)
    labelled_with_l(qtbot, window, monkeypatch, [0, 1], "Bakery")
    labelled = [i for i in ids if window.index.get(i).label == "Bakery"]
    assert len(labelled) == 2 and ids[0] not in labelled

    assert window.undo_review()
    wait_for_job(qtbot, window)

    assert status(window) == "Took back the label “Bakery”: 2 photos as before it"
    assert as_suggested(window, labelled) == [suggested[ids.index(i)] for i in labelled]
    assert window.index.get(ids[0]).state == "accepted"  # the accept before it stays, for the next Ctrl+Z
    with window.index.transaction() as conn:  # Colosseum is no longer rejected for them: it may come back
        assert conn.execute("SELECT COUNT(*) FROM rejections").fetchone()[0] == 0
        assert conn.execute("SELECT COUNT(*) FROM taught_refs WHERE label = 'Bakery'").fetchone()[0] == 0
    assert window.undo_review()
    assert status(window).startswith("Took back the accept: 1 photo")


def test_ctrl_z_after_l_leaves_a_photo_labelled_again_in_a_terminal(qtbot, window, tmp_path, monkeypatch) -> None:
    ids = review_list_of(qtbot, window, tmp_path, 2)
    labelled_with_l(qtbot, window, monkeypatch, [0, 1], "Bakery")
    in_a_terminal(window, lambda other: other.set_label(ids[1], "Our cabin", source="user", state="accepted"))

    assert window.undo_review()

    assert [window.index.get(i).label for i in ids] == ["Colosseum", "Our cabin"]
    assert status(window) == ("Took back the label “Bakery”: 1 photo as before it; "
                              "1 photo not taken back, labelled again since (now “Our cabin”, accepted)")


def test_an_l_of_the_app_is_taken_back_once_by_undo_review_or_ctrl_z(qtbot, window, tmp_path, monkeypatch,
                                                                    capsys) -> None:
    ids = review_list_of(qtbot, window, tmp_path, 2)
    labelled_with_l(qtbot, window, monkeypatch, [0, 1], "Bakery")

    assert main(["--db", str(window.index.path), "undo", "--review"]) == 0
    assert "took back `the app's L: “Bakery” for 2 photos`: 2 photos as before it" in capsys.readouterr().err
    assert not window.undo_review()
    assert status(window).startswith("Nothing to take back: the label “Bakery” was taken back already")
    assert [window.index.get(i).label for i in ids] == ["Colosseum", "Colosseum"]


def test_ctrl_z_never_takes_back_a_later_command_given_the_ls_id(qtbot, window, tmp_path, monkeypatch,
                                                                 capsys) -> None:
    """The journal's ids are SQLite rowids: once `undo --review` took the app's L back, the
    next command in a terminal got the same id, and Ctrl+Z took that one back instead."""
    ids = review_list_of(qtbot, window, tmp_path, 2)
    labelled_with_l(qtbot, window, monkeypatch, [0], "Bakery")
    (labelled,) = [i for i in ids if window.index.get(i).label == "Bakery"]
    db = str(window.index.path)
    assert main(["--db", db, "undo", "--review"]) == 0
    path = window.index.get(labelled).path
    assert main(["--db", db, "accept", path]) == 0  # journalled under the id the L had
    capsys.readouterr()

    assert not window.undo_review()

    assert (window.index.get(labelled).label, window.index.get(labelled).state) == ("Colosseum", "accepted")
    assert status(window).startswith("Nothing to take back: the label “Bakery” was taken back already")


def test_ctrl_z_of_a_large_l_runs_in_the_job_worker(qtbot, window, tmp_path, monkeypatch) -> None:
    from app.gui import label_actions

    monkeypatch.setattr(label_actions, "BULK_IN_WORKER", 1)
    ids = review_list_of(qtbot, window, tmp_path, 3)
    labelled_with_l(qtbot, window, monkeypatch, [0, 1, 2], "Bakery")
    started = []
    real_start = window.jobs.start
    monkeypatch.setattr(window.jobs, "start", lambda name, *a, **k: started.append(name) or real_start(name, *a, **k))

    assert window.undo_review()
    wait_for_job(qtbot, window)
    qtbot.waitUntil(lambda: "Took back the label" in status(window), timeout=5000)

    assert started == ["Taking back the label of 3 photos"]
    assert status(window) == "Took back the label “Bakery”: 3 photos as before it"
    assert {window.index.get(i).label for i in ids} == {"Colosseum"}


def test_take_back_stays_at_hand_when_the_last_photo_left_the_review_list(qtbot, window, tmp_path) -> None:
    """R on the last suggestion emptied the review list, and Take back accept/reject/label
    was greyed out with it (it needed rows): Ctrl+Z did nothing, and the last photo of
    every review could not be taken back by key (found by a tester)."""
    from tests.test_gui_support import wait_for_results

    ids = review_list_of(qtbot, window, tmp_path, 1)
    window.reject_selected()
    wait_for_results(qtbot, window)  # the review list's search confirms it empty
    assert window.review_model.rowCount() == 0

    assert window.undo_review_action.isEnabled()
    window.undo_review_action.trigger()
    wait_for_job(qtbot, window)

    assert window.index.get(ids[0]).state == "suggested"
    assert status(window).startswith("Took back the reject: 1 photo suggested again")


def answer_held_question(monkeypatch, answer: str) -> list[str]:
    """The question A and L ask about held files (app.gui.held_files_question), answered with the
    button named `answer`; the questions' texts, as asked."""
    from PySide6.QtWidgets import QMessageBox

    asked: list[str] = []

    def click(box: QMessageBox) -> int:
        assert box.defaultButton().text().startswith("Leave ")  # Enter keeps the other program's edit
        asked.append(box.text())
        # "Write it again" for one file, "Write them again" for more: the answer by its verb
        next(button for button in box.buttons() if button.text().split()[0] == answer.split()[0]).click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", click)
    return asked


def held_photo_beside_another(tmp_path, capsys, *, other_suggested: bool = False) -> tuple[Path, Path, dict]:
    """test_hold_release_undo's index: a photo Write labels… holds (changed since our write)
    beside another photo; both paths and their ids by path."""
    from app.core.index import PhotoIndex
    from tests.test_hold_release_undo import _held_beside_an_older_label

    with PhotoIndex.open(tmp_path / "index.db") as index:
        photo, other = _held_beside_an_older_label(tmp_path, index, capsys)
        ids = {Path(row.path): row.id for row in index.search("")}
        if other_suggested:
            index.set_state([ids[other]], "suggested")
    return photo, other, ids


def released_by_an_a(qtbot, tmp_path, capsys, monkeypatch) -> tuple[Path, int, object]:
    """The held photo beside another, in a shown window where A accepted it and the user
    chose to write it again: (the photo, its id, the window, which the caller closes)."""
    from tests.test_gui_support import close_main_window, shown_window
    from tests.test_gui_teaching import select

    photo, _, ids = held_photo_beside_another(tmp_path, capsys)
    win = shown_window(qtbot, tmp_path / "index.db")
    try:
        wait_for_job(qtbot, win)
        answer_held_question(monkeypatch, "Write them again")
        select(win, [ids[photo]])
        win.accept_selected()
        assert status(win) == "DSC_0004.JPG no longer left alone: Write labels… writes it again"
    except BaseException:
        close_main_window(win)
        raise
    return photo, ids[photo], win


def test_the_apps_l_on_a_held_photo_says_it_is_released_and_ctrl_z_holds_it_again(qtbot, tmp_path, monkeypatch,
                                                                                   capsys):
    """review 10 F2: L on a held photo released it without a word, and Ctrl+Z said "Nothing to take back"."""
    from app.core.metadata import plan_writes
    from tests.test_gui_support import close_main_window, shown_window
    from tests.test_gui_teaching import answer_label, select

    photo, _, ids = held_photo_beside_another(tmp_path, capsys)
    held_id = ids[photo]
    win = shown_window(qtbot, tmp_path / "index.db")
    try:
        wait_for_job(qtbot, win)
        answer_label(monkeypatch, "Colosseum")
        asked = answer_held_question(monkeypatch, "Write them again")
        select(win, [held_id])
        win.relabel_selected()
        wait_for_job(qtbot, win)
        assert asked == ["This photo's file DSC_0004.JPG was changed in another program since our write (our "
                         "keywords taken out, or an older copy put back). Write labels leaves it alone."]
        assert "; DSC_0004.JPG no longer left alone: Write labels… writes it again" in status(win)
        assert [item.held for item in plan_writes(win.index) if item.target == photo] == [False]

        assert win.undo_review()
        wait_for_job(qtbot, win)

        assert status(win) == ("Took back the label “Colosseum”: 0 photos as before it; "
                               "DSC_0004.JPG left alone by Write labels… again")
        assert [item.held for item in plan_writes(win.index) if item.target == photo] == [True]
        assert not win.undo_review() or "Petra" in status(win)  # next: the older `label`, not this one again
    finally:
        close_main_window(win)


def test_the_apps_a_that_only_releases_a_held_photo_says_so_and_ctrl_z_holds_it_again(qtbot, tmp_path, capsys,
                                                                                       monkeypatch):
    """A on a photo accepted already, held by Write labels…: the release was all it did, said nowhere
    ("Nothing to change: the photo is already accepted") and left no Ctrl+Z step."""
    from app.core.metadata import plan_writes
    from tests.test_gui_support import close_main_window

    photo, held_id, win = released_by_an_a(qtbot, tmp_path, capsys, monkeypatch)
    try:
        assert [item.held for item in plan_writes(win.index) if item.target == photo] == [False]

        assert win.undo_review()
        wait_for_job(qtbot, win)

        assert status(win) == "Took back the accept: DSC_0004.JPG left alone by Write labels… again"
        assert [item.held for item in plan_writes(win.index) if item.target == photo] == [True]
        assert win.index.get(held_id).state == "accepted"
        assert not win.undo_review() or "Petra" in status(win)  # next: the older `label`, not this one again
    finally:
        close_main_window(win)


def test_the_apps_a_of_a_held_photo_beside_a_suggestion_says_the_release_and_ctrl_z_holds_it_again(
        qtbot, tmp_path, capsys, monkeypatch):
    from app.core.metadata import plan_writes
    from tests.test_gui_support import close_main_window, shown_window
    from tests.test_gui_teaching import select

    photo, other, ids = held_photo_beside_another(tmp_path, capsys, other_suggested=True)
    win = shown_window(qtbot, tmp_path / "index.db")
    try:
        wait_for_job(qtbot, win)
        asked = answer_held_question(monkeypatch, "Write them again")
        select(win, [ids[photo], ids[other]])
        win.accept_selected()
        assert asked and asked[0].startswith("DSC_0004.JPG (a file of these photos) was changed in another program")
        assert status(win).startswith("Accepted 1 photo")
        assert status(win).endswith("; DSC_0004.JPG no longer left alone: Write labels… writes it again")

        assert win.undo_review()
        wait_for_job(qtbot, win)

        assert status(win) == "Took back the accept: 1 photo suggested again; DSC_0004.JPG left alone by " \
                              "Write labels… again"
        assert [item.held for item in plan_writes(win.index) if item.target == photo] == [True]
        assert win.index.get(ids[other]).state == "suggested"
    finally:
        close_main_window(win)


def test_the_apps_a_and_l_over_a_select_all_leave_held_files_held_unless_the_user_says_so(
        qtbot, tmp_path, capsys, monkeypatch):
    """review6 F2: Ctrl+A then A (or L) released every held file of the view: the next Write labels…
    wrote the landmark over another program's strip. Now A and L ask; the default leaves them alone."""
    from app.core.metadata import plan_writes
    from tests.test_gui_support import close_main_window, shown_window
    from tests.test_gui_teaching import answer_label, select

    photo, other, ids = held_photo_beside_another(tmp_path, capsys, other_suggested=True)
    held = lambda: [item.held for item in plan_writes(win.index) if item.target == photo]  # noqa: E731
    win = shown_window(qtbot, tmp_path / "index.db")
    try:
        wait_for_job(qtbot, win)
        asked = answer_held_question(monkeypatch, "Leave them alone")
        select(win, list(ids.values()))  # Ctrl+A
        win.accept_selected()
        assert asked == ["DSC_0004.JPG (a file of these photos) was changed in another program since our write "
                         "(our keywords taken out, or an older copy put back). Write labels leaves it alone."]
        assert status(win).startswith("Accepted 1 photo")
        assert status(win).endswith("; 1 file changed in another program left alone by Write labels…")
        assert "no longer left alone" not in status(win) and held() == [True]

        answer_label(monkeypatch, "Trevi Fountain")
        select(win, list(ids.values()))
        win.relabel_selected()
        wait_for_job(qtbot, win)
        assert len(asked) == 2 and held() == [True]
        assert win.index.get(ids[photo]).label == "Trevi Fountain"
    finally:
        close_main_window(win)


def test_ctrl_z_of_an_a_whose_file_got_our_keyword_back_elsewhere_does_not_say_it_is_held(qtbot, tmp_path, capsys,
                                                                                          monkeypatch):
    """mutation M34: A released the held file, the user then put Landmarks|Colosseum back in another
    program; Ctrl+Z must not say Write labels… leaves it alone again (it writes nothing there, holds nothing)."""
    from app.core.metadata import plan_writes
    from app.core.metadata.jpeg_fields import apply_fields
    from app.core.metadata.keywords import KeywordFields
    from tests.test_gui_support import close_main_window
    from tests.test_roundtrip_other_tools import saved_later

    photo, _, win = released_by_an_a(qtbot, tmp_path, capsys, monkeypatch)
    try:
        photo.write_bytes(apply_fields(photo.read_bytes(), KeywordFields(
            subject=["Colosseum"], hierarchical=["Landmarks|Colosseum"]), str(photo)))
        saved_later(photo)

        assert win.undo_review()
        wait_for_job(qtbot, win)

        # the reason is what happened: the keyword came back in another program; Write labels… wrote nothing
        assert status(win) == ("Took back the accept; DSC_0004.JPG not left alone again: it holds the landmark "
                               "keyword again (put back in another program)"), status(win)
        assert [item.held for item in plan_writes(win.index) if item.target == photo] == [False]
    finally:
        close_main_window(win)


def test_ctrl_z_of_an_a_whose_file_write_labels_wrote_since_says_so(qtbot, tmp_path, capsys, monkeypatch):
    """A released the held file, Write labels… (here `write` in a terminal) then wrote it: Ctrl+Z
    holds nothing again and names that write as the reason."""
    from app.cli.main import main
    from tests.test_gui_support import close_main_window

    photo, _, win = released_by_an_a(qtbot, tmp_path, capsys, monkeypatch)
    try:
        assert main(["--db", str(tmp_path / "index.db"), "write", "--jpeg", str(photo)]) == 0

        assert win.undo_review()
        wait_for_job(qtbot, win)

        assert status(win) == "Took back the accept; DSC_0004.JPG not left alone again: written by Write labels… since"
    finally:
        close_main_window(win)


def test_ctrl_z_after_rename_place_says_so_and_takes_nothing_back(qtbot, window, tmp_path, monkeypatch) -> None:
    """Ctrl+Z right after Rename place… took back the L before it, the rename staying (t_unicode-6)."""
    ids = review_list_of(qtbot, window, tmp_path, 2)
    labelled_with_l(qtbot, window, monkeypatch, [0], "Bakery")
    assert window.jobs.rename_place("Bakery", "Our bakery", {})
    wait_for_job(qtbot, window)

    assert not window.undo_review()
    assert status(window).startswith("Ctrl+Z does not take back renaming “Bakery” to “Our bakery”")
    assert sorted(str(window.index.get(i).label) for i in ids).count("Our bakery") == 1

    assert window.undo_review()  # the L before it, by the place's name now
    wait_for_job(qtbot, window)
    assert status(window) == "Took back the label “Our bakery”: 1 photo as before it"
    assert all(window.index.get(i).label != "Our bakery" for i in ids)
