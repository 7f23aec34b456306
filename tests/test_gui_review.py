"""Reviewing in the app: accept and reject keys, Set label, the review list, Ctrl+Z and bulk accepts."""

from __future__ import annotations

from dataclasses import replace

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from app.core.index import Prediction  # noqa: E402
from tests.test_gui_support import added_folder, suggest, wait_for_job, wait_for_results, window  # noqa: E402,F401

pytestmark = pytest.mark.gui


def test_accept_and_reject_keys_change_the_index_at_once(qtbot, window, tmp_path) -> None:
    added_folder(qtbot, window, tmp_path, count=4)
    ids = [window.grid_model.photo_id(row) for row in range(2)]
    for photo_id in ids:
        suggest(window.index, photo_id, "Petra", 0.7)
    window.grid.setFocus()
    window.grid.setCurrentIndex(window.grid_model.index(0))
    qtbot.keyClick(window.grid, Qt.Key.Key_A)
    assert window.index.get(ids[0]).state == "accepted"
    assert window.grid.currentIndex().row() == 1  # moved on to the next photo
    qtbot.keyClick(window.grid, Qt.Key.Key_R)
    assert window.index.get(ids[1]).state == "rejected"
    assert window.grid_model.record(0).state == "accepted"  # the grid shows the change
    window.grid.setCurrentIndex(window.grid_model.index(0))
    qtbot.keyClick(window.grid, Qt.Key.Key_A)
    assert window.statusBar().currentMessage() == "Nothing to change: the photo is already accepted"


def test_reviewing_updates_the_counts_without_a_job(qtbot, window, tmp_path) -> None:
    """The status bar's "to review" and the library panel's counts stayed as they were
    after accepting or rejecting until the next job."""
    added_folder(qtbot, window, tmp_path, count=4)
    ids = [window.grid_model.photo_id(row) for row in range(3)]
    for photo_id in ids:
        suggest(window.index, photo_id, "Petra", 0.7)
    window.library_changed()
    qtbot.waitUntil(lambda: "3 to review" in window.status_label.text(), timeout=10000)
    window.grid.setFocus()
    window.grid.setCurrentIndex(window.grid_model.index(0))
    qtbot.keyClick(window.grid, Qt.Key.Key_A)
    qtbot.keyClick(window.grid, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: "1 to review" in window.status_label.text(), timeout=10000)
    assert window._snapshot.stats["by_state"].get("accepted") == 1
    assert window._snapshot.stats["by_state"].get("rejected") == 1
    qtbot.keyClick(window.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the reject taken back
    qtbot.waitUntil(lambda: "2 to review" in window.status_label.text(), timeout=10000)


def test_set_label_offers_known_labels_and_stores_a_user_label(qtbot, window, tmp_path, monkeypatch) -> None:
    from app.gui.label_dialog import LabelDialog

    added_folder(qtbot, window, tmp_path, count=3)
    suggest(window.index, window.grid_model.photo_id(1), "Taj Mahal", 0.6)
    seen = {}

    def answer(dialog: LabelDialog) -> int:
        dialog.completer.setCompletionPrefix("mah")
        seen["completions"] = [dialog.completer.completionModel().index(i, 0).data()
                               for i in range(dialog.completer.completionCount())]
        dialog.field.setText("Taj Mahal")
        return LabelDialog.DialogCode.Accepted

    monkeypatch.setattr(LabelDialog, "exec", answer)
    # No usable model: the label is still set (teaching from it is skipped).
    window.settings = replace(window.settings, model_bundle=str(tmp_path / "missing.ltbundle"))
    window.grid.setCurrentIndex(window.grid_model.index(0))
    qtbot.keyClick(window.grid, Qt.Key.Key_L)
    assert "Taj Mahal" in seen["completions"]
    wait_for_job(qtbot, window)  # a user label is learnt from in the worker
    record = window.index.get(window.grid_model.photo_id(0))
    assert (record.label, record.state, record.source) == ("Taj Mahal", "accepted", "user")


def test_review_lists_suggestions_least_confident_first(qtbot, window, tmp_path) -> None:
    from app.gui.main_window import PAGE_REVIEW

    added_folder(qtbot, window, tmp_path, count=6)
    scores = {window.grid_model.photo_id(row): score for row, score in enumerate([0.9, 0.3, 0.6])}
    for photo_id, score in scores.items():
        suggest(window.index, photo_id, "Alhambra", score)
    window.review_action.trigger()
    wait_for_results(qtbot, window)
    assert window.stack.currentIndex() == PAGE_REVIEW
    shown = [window.review_model.photo_id(row) for row in range(window.review_model.rowCount())]
    assert [scores[i] for i in shown] == [0.3, 0.6, 0.9]
    from app.gui.photo_model import AlternativesRole

    alternatives = window.review_model.data(window.review_model.index(0), AlternativesRole)
    assert [p.label for p in alternatives] == ["Alhambra", "Other place"]  # the runner-up is shown too
    # accepting the least confident takes it off the list; the next one becomes current
    qtbot.keyClick(window.review.list, Qt.Key.Key_A)
    assert window.index.get(shown[0]).state == "accepted"
    assert window.review_model.rowCount() == 2
    assert window.review_model.photo_id(window.review.list.currentIndex().row()) == shown[1]
    wait_for_results(qtbot, window)
    assert window.review_model.ids() == shown[1:]
    assert window.review_model.photo_id(window.review.list.currentIndex().row()) == shown[1]
    qtbot.keyClick(window.review.list, Qt.Key.Key_Return)
    assert window.detail.record.id == shown[1]


def test_ctrl_z_takes_back_the_latest_accept_or_reject_and_shows_the_photo_again(qtbot, window, tmp_path) -> None:
    from PySide6.QtGui import QKeySequence

    added_folder(qtbot, window, tmp_path, count=6)
    assert not window.undo_review()
    assert window.statusBar().currentMessage().startswith("Nothing to take back")
    window.grid.clearSelection()
    window.grid.setCurrentIndex(window.grid_model.index(-1))
    window.accept_selected()  # nothing chosen: say so
    assert window.statusBar().currentMessage() == "Select photos to accept first."
    scores = {window.grid_model.photo_id(row): score for row, score in enumerate([0.3, 0.6, 0.9])}
    for photo_id, score in scores.items():
        suggest(window.index, photo_id, "Alhambra", score)
    shown = sorted(scores, key=scores.get)  # the review order: least confident first
    window.review_action.trigger()
    wait_for_results(qtbot, window)
    qtbot.keyClick(window.review.list, Qt.Key.Key_R)  # the first: rejected, off the list
    qtbot.keyClick(window.review.list, Qt.Key.Key_A)  # the second: accepted, off the list
    wait_for_results(qtbot, window)
    assert window.review_model.ids() == shown[2:]
    assert window.undo_review_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    window.undo_review_action.trigger()  # the accept first
    assert (window.index.get(shown[1]).state, window.index.get(shown[0]).state) == ("suggested", "rejected")
    qtbot.waitUntil(lambda: window.review_model.ids() == shown[1:], timeout=10000)
    assert window.review_model.photo_id(window.review.list.currentIndex().row()) == shown[1]
    assert window.statusBar().currentMessage() == "Took back the accept: 1 photo suggested again"
    window.undo_review_action.trigger()  # then the reject: the rejection goes too
    assert window.index.get(shown[0]).state == "suggested"
    window.index.set_predictions(shown[0], "test-model", [Prediction("a", "Alhambra", 0.3)], 0.1)
    assert window.index.get(shown[0]).label == "Alhambra"  # suggested again, not held back as rejected
    qtbot.waitUntil(lambda: window.review_model.ids() == shown, timeout=10000)
    assert window.review_model.photo_id(window.review.list.currentIndex().row()) == shown[0]
    # a photo labelled again since is left as it is
    qtbot.keyClick(window.review.list, Qt.Key.Key_A)
    window.index.set_label(shown[0], "Taj Mahal", source="user", state="accepted")
    assert not window.undo_review()
    assert window.index.get(shown[0]).label == "Taj Mahal" and window.index.get(shown[0]).state == "accepted"


def test_accepting_thousands_of_photos_runs_in_the_worker_and_can_be_taken_back(qtbot, window, tmp_path,
                                                                                monkeypatch) -> None:
    from app.gui import label_actions

    monkeypatch.setattr(label_actions, "BULK_IN_WORKER", 2)  # "thousands": more than 2 here
    added_folder(qtbot, window, tmp_path, count=4)
    ids = window.grid_model.ids()
    for photo_id in ids:
        suggest(window.index, photo_id, "Petra", 0.7)
    window.photos_changed(ids)  # as a tag job shows its labels: A acts on the label shown
    window.grid.setFocus()
    window.grid.selectAll()
    qtbot.keyClick(window.grid, Qt.Key.Key_A)
    assert window.jobs.busy  # in the worker, not on the GUI thread
    wait_for_job(qtbot, window)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "Accepted 4 photos", timeout=10000)
    assert {window.index.get(i).state for i in ids} == {"accepted"}
    assert window.undo_review()  # in the worker too
    wait_for_job(qtbot, window)
    assert {window.index.get(i).state for i in ids} == {"suggested"}
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "Took back the accept: 4 photos suggested again",
                    timeout=10000)


def test_a_review_row_names_the_runner_up_without_repeating_its_percentage():
    from app.core.index.records import PhotoRecord
    from app.gui.review_view import runner_up_line
    from app.core.index.records import Prediction

    alternatives = [Prediction("petra", "Petra", 0.19), Prediction("taj", "Taj Mahal", 0.12)]
    no_landmark = PhotoRecord(1, "/p/a.jpg", label=None, score=0.19, state="suggested")
    assert runner_up_line(no_landmark, alternatives) == "best guess Petra"  # 19% is on the right already
    labelled = PhotoRecord(2, "/p/b.jpg", label="Petra", score=0.81, state="suggested")
    assert runner_up_line(labelled, alternatives) == "or Taj Mahal  12%"
    assert runner_up_line(labelled, [Prediction("petra", "Petra", 0.81)]) is None
    blank = [Prediction("petra", "Petra", 0.0), Prediction("taj", "Taj Mahal", 0.0)]  # model.image_detail
    assert runner_up_line(PhotoRecord(3, "/p/c.jpg", label=None, score=0.0, state="suggested"), blank) \
        == "blank frame: too little detail"


def test_an_empty_review_list_says_to_tag_photos_not_tagged_yet(qtbot, window, tmp_path, tiny_bundle) -> None:
    """Right after Add folder the list said every suggestion had been accepted or rejected."""
    from dataclasses import replace

    window.settings = replace(window.settings, model_bundle=str(tiny_bundle.path))
    added_folder(qtbot, window, tmp_path, count=3)
    window.review_action.trigger()
    wait_for_results(qtbot, window)
    qtbot.waitUntil(lambda: "3 photos in the library are not tagged" in window.review.empty.text(), timeout=10000)
    assert window.review.empty.isVisible()
    assert window.tag_folder()
    wait_for_job(qtbot, window)
    window.index.set_state(window.index.photo_ids(""), "accepted")
    window.library_changed()
    wait_for_results(qtbot, window)
    qtbot.waitUntil(lambda: window.review.empty.text().startswith("Nothing to review: every suggestion"), timeout=10000)


def test_review_rows_fit_the_list_on_a_small_laptop_screen(qtbot, window, tmp_path) -> None:
    """Rows were 600 px wide whatever the list's width: at 1,024 px the list is under
    500 px and each row's percentage was out of sight behind a horizontal scroll bar."""
    added_folder(qtbot, window, tmp_path, count=3)
    for row in range(3):
        suggest(window.index, window.grid_model.photo_id(row), "Sagrada Familia", 0.8)
    window.resize(1024, 700)
    window.review_action.trigger()
    wait_for_results(qtbot, window)
    qtbot.waitUntil(lambda: window.review_model.rowCount() == 3, timeout=10000)
    view = window.review.list
    assert view.viewport().width() < 600
    assert view.visualRect(window.review_model.index(0)).width() == view.viewport().width()
    assert not view.horizontalScrollBar().isVisible()
    window.resize(1400, 900)
    qtbot.waitUntil(lambda: view.viewport().width() > 600, timeout=3000)
    assert view.visualRect(window.review_model.index(0)).width() == view.viewport().width()  # rows fill it
