"""The app and changes other programs make to its index while it is open (`landmark-tagger
label` or `reject` in a terminal: another connection to the same file): Write labels…
does not write a label rejected while its list was shown, A, R and L act on the label
the app shows and leave a photo labelled again since, and the app notices such changes
and shows them without losing the photos chosen."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import QEvent, QItemSelectionModel  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.core.index import PhotoIndex  # noqa: E402
from app.core.metadata.jpeg_fields import read_fields  # noqa: E402
from tests import test_gui_support  # noqa: E402
from tests.test_gui_support import added_folder, suggest, wait_for_job, wait_for_results  # noqa: E402

window = test_gui_support.window  # the suite's window fixture: 1,200 × 800, closed after the test

pytestmark = pytest.mark.gui


def in_a_terminal(win, change) -> None:
    """`change(other)` on a second connection to the app's index, as a command makes it."""
    with PhotoIndex.open(win.index.path) as other:
        change(other)


def status(win) -> str:
    return win.statusBar().currentMessage()


def review_list_of(qtbot, win, tmp_path: Path, count: int) -> list[int]:
    """`count` photos suggested as "Colosseum", the review page up, the first one current."""
    from app.gui.main_window import PAGE_REVIEW

    added_folder(qtbot, win, tmp_path, count=count)
    for photo_id in win.index.photo_ids(""):
        suggest(win.index, photo_id, "Colosseum", 0.6)
    win.library_changed()
    wait_for_results(qtbot, win)
    win.show_page(PAGE_REVIEW)
    wait_for_results(qtbot, win)
    win.review.list.setCurrentIndex(win.review_model.index(0))
    return win.review_model.ids()


# -- Write labels… --------------------------------------------------------------------------
def test_write_leaves_out_a_photo_rejected_in_a_terminal_while_its_list_was_shown(
        qtbot, window, tmp_path, monkeypatch) -> None:
    from app.gui import job_controller
    from app.gui.write_dialog import WritePlanDialog

    added_folder(qtbot, window, tmp_path, count=2)
    rejected, kept = window.grid_model.photo_id(0), window.grid_model.photo_id(1)
    for photo_id in (rejected, kept):
        window.index.set_label(photo_id, "Pont du Gard", source="user", state="accepted")
    rejected_path, kept_path = (Path(window.index.get(i).path) for i in (rejected, kept))

    def review_plan(dialog: WritePlanDialog) -> int:
        in_a_terminal(window, lambda other: other.set_state([rejected], "rejected"))  # `landmark-tagger reject`
        return WritePlanDialog.DialogCode.Accepted  # then the user presses Write

    monkeypatch.setattr(job_controller.WritePlanDialog, "exec", review_plan)
    finished = []
    window.jobs.runner.finished.connect(lambda name, summary: finished.append(summary))
    assert window.write_labels()
    qtbot.waitUntil(lambda: bool(finished) and hasattr(finished[-1], "relabelled"), timeout=30000)
    wait_for_job(qtbot, window)

    assert "Pont du Gard" not in (read_fields(rejected_path.read_bytes(), str(rejected_path)).subject or [])
    assert read_fields(kept_path.read_bytes(), str(kept_path)).subject == ["Pont du Gard"]
    assert window.index.get(rejected).state == "rejected"
    assert (finished[-1].written, finished[-1].failed, finished[-1].relabelled) == (1, 0, 1)
    assert ("1 file left as it is (its photo was labelled again since the plan was made; Write labels… again)"
            in status(window))
    assert not [p for p in window.errors_panel.problems() if p[1] == "write"]  # not a problem of the file


# -- A, R and L ------------------------------------------------------------------------------
def test_r_leaves_a_label_set_in_a_terminal_since_the_photo_was_shown(qtbot, window, tmp_path) -> None:
    shown = review_list_of(qtbot, window, tmp_path, 3)[0]
    assert window.detail.record.label == "Colosseum"
    in_a_terminal(window, lambda other: other.set_label(shown, "Our cabin", source="user", state="accepted"))

    window.reject_selected()  # R on the photo the app shows as "Colosseum, suggested"

    record = window.index.get(shown)
    assert (record.label, record.state) == ("Our cabin", "accepted")
    assert status(window) == "Not rejected: the photo was labelled again since (now “Our cabin”, accepted)"
    assert window.detail.record.label == "Our cabin"  # shown as it is now
    wait_for_results(qtbot, window)
    assert shown not in window.review_model.ids()  # the user's label is not for review


def test_a_on_several_photos_accepts_those_still_as_shown_and_names_the_one_left(qtbot, window, tmp_path) -> None:
    ids = review_list_of(qtbot, window, tmp_path, 3)
    view, model = window.review.list, window.review_model
    for row in range(3):
        model.data(model.index(row))  # each row painted: its label is on screen
    view.selectionModel().select(model.index(2), QItemSelectionModel.SelectionFlag.Select)
    view.selectionModel().select(model.index(1), QItemSelectionModel.SelectionFlag.Select)
    in_a_terminal(window, lambda other: other.set_label(ids[2], "Petra", source="model", state="suggested",
                                                         score=0.7))

    window.accept_selected()

    assert [window.index.get(i).state for i in ids] == ["accepted", "accepted", "suggested"]
    assert window.index.get(ids[2]).label == "Petra"
    assert status(window) == "Accepted 2 photos; 1 photo not accepted, labelled again since (now “Petra”, suggested)"


def test_l_leaves_a_photo_labelled_in_a_terminal_while_its_dialog_was_open(qtbot, window, tmp_path, monkeypatch) -> None:
    from app.gui.label_dialog import LabelDialog

    shown = review_list_of(qtbot, window, tmp_path, 2)[0]

    def answer(dialog: LabelDialog) -> int:
        in_a_terminal(window, lambda other: other.set_label(shown, "Our cabin", source="user", state="accepted"))
        dialog.field.setText("Bakery")
        return LabelDialog.DialogCode.Accepted

    monkeypatch.setattr(LabelDialog, "exec", answer)
    window.relabel_selected()

    wait_for_job(qtbot, window)
    record = window.index.get(shown)
    assert (record.label, record.state) == ("Our cabin", "accepted")  # not replaced, nor taught as wrong
    assert status(window) == "Not changed: the photo was labelled again since (now “Our cabin”, accepted)"


def test_a_photo_the_app_never_showed_is_accepted_as_the_index_holds_it(qtbot, window, tmp_path) -> None:
    """Only a label on screen can be out of date: a photo whose tile was never painted
    (chosen with Ctrl+A far past the screen) is taken as it is."""
    ids = review_list_of(qtbot, window, tmp_path, 2)
    window.detail.show_record(None, [])
    window.review_model.refresh_all()  # no row painted since
    window.review.list.selectAll()
    in_a_terminal(window, lambda other: other.set_label(ids[1], "Petra", source="model", state="suggested",
                                                         score=0.7))

    window.accept_selected()

    assert [window.index.get(i).state for i in ids] == ["accepted", "accepted"]


# -- noticing changes ------------------------------------------------------------------------
def test_the_app_shows_a_label_set_in_a_terminal_and_keeps_the_photos_chosen(qtbot, window, tmp_path) -> None:
    added_folder(qtbot, window, tmp_path, count=6)
    view, model = window.grid, window.grid_model
    window.search_bar.set_text("-state:accepted")
    wait_for_results(qtbot, window)
    ids = model.ids()
    view.selectionModel().setCurrentIndex(model.index(3), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    view.selectionModel().select(model.index(5), QItemSelectionModel.SelectionFlag.Select)
    assert window.outside_changes.look() is False  # the app's own work is not taken for a change

    in_a_terminal(window, lambda other: other.set_label(ids[0], "Our cabin", source="user", state="accepted"))
    QApplication.sendEvent(window, QEvent(QEvent.Type.WindowActivate))  # back from the terminal
    wait_for_results(qtbot, window)

    assert model.ids() == ids[1:]  # the search ran again: the photo accepted in the terminal left it
    assert sorted(window.selected_ids()) == sorted([ids[3], ids[5]])
    assert model.photo_id(view.currentIndex().row()) == ids[3]
    assert window.outside_changes.look() is False  # seen once


def test_the_detail_pane_shows_a_label_set_in_a_terminal(qtbot, window, tmp_path) -> None:
    added_folder(qtbot, window, tmp_path, count=2)
    window.grid.setCurrentIndex(window.grid_model.index(0))
    photo_id = window.grid_model.photo_id(0)
    in_a_terminal(window, lambda other: other.set_label(photo_id, "Our cabin", source="user", state="accepted"))

    assert window.outside_changes.look()

    assert window.detail.record.label == "Our cabin"
    assert window.grid_model.data(window.grid_model.index(0)) == "Our cabin"
