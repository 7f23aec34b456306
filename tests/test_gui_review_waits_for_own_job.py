"""A, R, L or Ctrl+Z pressed while the app's own bulk job runs (a bulk Accept, the Ctrl+Z of
one, a bulk L: one transaction holding the index's write lock to its end) were done on the
GUI thread and waited for that lock: the window froze (3.6 s for a 50,000-photo Ctrl+Z), and
past SQLite's 10 s said "the index is busy … close the other program" — there was none
(review6 F5). They now say at once to wait for that job, and change nothing."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import QItemSelectionModel  # noqa: E402

from app.core.index import PhotoIndex  # noqa: E402
from tests.test_gui_support import wait_for_job  # noqa: E402
from tests.test_gui_bulk_review_cancel import big_window, select_all, states, status  # noqa: E402,F401

pytestmark = pytest.mark.gui


def held_by_the_job(monkeypatch) -> threading.Event:
    """The job worker's accepts wait, inside the job's transaction, until the event is set
    (a library big or slow enough for the job to last); the GUI thread's are not held."""
    release = threading.Event()
    original = PhotoIndex.set_state_if_unchanged

    def held(*args, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            release.wait(timeout=60)
        return original(*args, **kwargs)

    monkeypatch.setattr(PhotoIndex, "set_state_if_unchanged", held)
    return release


def current_row(win, row: int) -> None:
    win.grid.selectionModel().setCurrentIndex(win.grid_model.index(row),
                                              QItemSelectionModel.SelectionFlag.ClearAndSelect)


def test_a_r_l_and_ctrl_z_during_the_apps_bulk_accept_say_to_wait_at_once(qtbot, big_window, monkeypatch) -> None:
    from app.gui.label_dialog import LabelDialog

    win = big_window
    select_all(qtbot, win)
    current_row(win, 0)
    win.accept_selected()  # one photo, on the GUI thread: the step Ctrl+Z would take back
    first = win.grid_model.photo_id(0)
    assert win.index.review_states([first]) == {first: ("Petra", "accepted")}
    release = held_by_the_job(monkeypatch)
    try:
        select_all(qtbot, win)
        win.accept_selected()  # 3,000 photos: the job worker, its transaction held
        assert win.jobs.busy
        wait = "Wait for “Accepting 3,000 photos” to finish (or cancel it) first."

        current_row(win, 1)
        win.accept_selected()
        assert status(win) == wait  # said while the job still runs: the call did not wait for it
        assert win.jobs.busy and not release.is_set()
        win.reject_selected()
        assert status(win) == wait

        monkeypatch.setattr(LabelDialog, "exec", lambda dialog: pytest.fail("L asked for a name it cannot set"))
        win.relabel_selected()
        assert status(win) == wait

        steps = list(win.review_undo)
        assert win.undo_review() is False
        assert status(win) == wait
        assert win.review_undo == steps  # the step stays for the next Ctrl+Z
        assert win.index.review_states([first]) == {first: ("Petra", "accepted")}
    finally:
        release.set()
    wait_for_job(qtbot, win)
    assert states(win) == {("Petra", "accepted")}
    assert win.undo_review()  # once the job is done, Ctrl+Z takes the bulk accept back
    wait_for_job(qtbot, win)
    assert win.undo_review()  # then the first accept
    wait_for_job(qtbot, win)
    assert states(win) == {("Petra", "suggested")}


def test_a_during_a_job_that_does_not_hold_the_index_is_done_at_once(qtbot, big_window, monkeypatch) -> None:
    """Tagging, reading folders: their transactions are short, so A goes on as before."""
    from tests.test_review_labelled_meanwhile import while_another_job_runs

    win = big_window
    select_all(qtbot, win)
    current_row(win, 0)
    said = while_another_job_runs(qtbot, win, win.accept_selected)
    assert said == "Accepted 1 photo"


def announcements(monkeypatch) -> list[str]:
    """What a screen reader is told (QAccessible inactive offscreen: made active here)."""
    from app.gui import message_bar

    said: list[str] = []

    class Reader:
        @staticmethod
        def isActive() -> bool:  # noqa: N802 (Qt's name)
            return True

        @staticmethod
        def updateAccessibility(event) -> None:  # noqa: N802
            said.append(event.message())

    monkeypatch.setattr(message_bar, "QAccessible", Reader)
    return said


def test_a_after_cancel_says_the_job_is_stopping_and_a_screen_reader_hears_it(qtbot, big_window,
                                                                               monkeypatch) -> None:
    """Cancel pressed, the job still ending its transaction: "wait … (or cancel it)" told a user
    who had just cancelled, and only the status bar said it (review10 F3)."""
    win = big_window
    said = announcements(monkeypatch)
    release = held_by_the_job(monkeypatch)
    try:
        select_all(qtbot, win)
        win.accept_selected()  # 3,000 photos: the job worker, its transaction held
        current_row(win, 1)
        win.accept_selected()
        wait = "Wait for “Accepting 3,000 photos” to finish (or cancel it) first."
        assert status(win) == wait and said[-1] == wait
        win.jobs.cancel()
        assert win.jobs.busy
        win.accept_selected()
        stopping = "“Accepting 3,000 photos” is stopping (cancelled); try again in a moment."
        assert status(win) == stopping
        assert said[-1] == stopping
    finally:
        release.set()
    wait_for_job(qtbot, win)
    assert status(win).startswith("Accepting 3,000 photos: cancelled; no photo was changed")
    current_row(win, 1)
    win.accept_selected()
    assert status(win) == "Accepted 1 photo"


def test_a_r_l_and_ctrl_z_on_3000_photos_during_a_job_not_holding_the_index_are_refused_at_once(
        qtbot, big_window, monkeypatch) -> None:
    """More photos than the GUI thread takes in a moment, while tagging or reading folders has
    the worker: they were changed on the GUI thread, freezing the window for seconds. Now they
    are refused, said, and nothing is done on the GUI thread (nor queued)."""
    from app.gui import label_actions
    from app.gui.label_dialog import LabelDialog
    from tests.test_review_labelled_meanwhile import while_another_job_runs

    win = big_window
    said = announcements(monkeypatch)
    on_gui_thread: list[int] = []
    original = PhotoIndex.set_state_if_unchanged

    def watched(index, photo_ids, *args, **kwargs):
        if threading.current_thread() is threading.main_thread():
            on_gui_thread.append(len(photo_ids))
        return original(index, photo_ids, *args, **kwargs)

    monkeypatch.setattr(PhotoIndex, "set_state_if_unchanged", watched)
    monkeypatch.setattr(label_actions, "set_labels_journalled",
                        lambda *args, **kwargs: pytest.fail("3,000 labels set on the GUI thread"))
    monkeypatch.setattr(LabelDialog, "exec", lambda dialog: pytest.fail("L asked for a name it cannot set now"))
    refused = ("Wait for “Checking folders” to finish (or cancel it) first: 3,000 photos at once are changed in "
               "the background, one job at a time.")
    select_all(qtbot, win)
    for key in (win.accept_selected, win.reject_selected, win.relabel_selected):
        assert while_another_job_runs(qtbot, win, key) == refused
        assert said[-1] == refused
    assert states(win) == {("Petra", "suggested")} and on_gui_thread == []
    assert not win.review_undo

    win.accept_selected()  # no job runs: the worker accepts them
    wait_for_job(qtbot, win)
    assert states(win) == {("Petra", "accepted")}
    steps = list(win.review_undo)
    assert while_another_job_runs(qtbot, win, win.undo_review) == refused
    assert win.review_undo == steps and states(win) == {("Petra", "accepted")} and on_gui_thread == []
    assert win.undo_review()  # the job done, Ctrl+Z takes it back in the worker
    wait_for_job(qtbot, win)
    assert states(win) == {("Petra", "suggested")}


def test_a_during_a_teach_says_to_wait_at_once(qtbot, big_window, monkeypatch) -> None:
    """Teach… writes what its photos teach in one transaction (seconds for many photos); it was
    not marked as holding the index, so A went to the GUI thread and waited on it."""
    from app.gui import review_work

    win = big_window
    release = threading.Event()

    def teaching(db_path, label, photo_ids, settings, bundles):
        def work(progress, cancel, emit_item):  # stands for teach(): its transaction open until released
            release.wait(timeout=60)
            cancel.raise_if_cancelled()
        return work

    monkeypatch.setattr(review_work, "teach_work", teaching)
    select_all(qtbot, win)
    try:
        assert win.jobs.teach("Petra", list(range(1, 11)))
        current_row(win, 1)
        win.accept_selected()
        assert status(win) == "Wait for Teaching “Petra” to finish (or cancel it) first."
        assert states(win) == {("Petra", "suggested")}
        win.jobs.cancel()
    finally:
        release.set()
    wait_for_job(qtbot, win)
    assert states(win) == {("Petra", "suggested")}
