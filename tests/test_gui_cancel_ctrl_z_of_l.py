"""Cancel on the Ctrl+Z of a bulk L did not stop it: the take-back never looked at the
cancel token, every photo was taken back, and the app said "…done before Cancel could stop
it — Took back the label “Our hotel”: 20,000 photos as before it; Ctrl+Z takes it back",
though the next Ctrl+Z said "Nothing to take back" (review6 F7). Cancel now rolls the
take-back back between chunks of photos, its step kept; one done before Cancel came no
longer promises a Ctrl+Z that takes it back."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from tests.test_gui_support import wait_for_job  # noqa: E402
from tests.test_gui_bulk_review_cancel import (  # noqa: E402,F401
    big_window, cancel_after_first, cancelled_when_done, select_all, states, status)

pytestmark = pytest.mark.gui


def labelled_our_hotel(qtbot, win) -> None:
    """L “Our hotel” on all 3,000 photos (a job), remembered for Ctrl+Z."""
    select_all(qtbot, win)
    ids = win.selected_ids()
    win.set_user_label(ids, "Our hotel", win.index.review_states(ids))
    wait_for_job(qtbot, win)
    assert states(win) == {("Our hotel", "accepted")}


def test_cancel_during_the_ctrl_z_of_a_bulk_label_keeps_the_step(qtbot, big_window, monkeypatch) -> None:
    from app.core.index import labels as label_store
    from app.core.index import review_journal

    labelled_our_hotel(qtbot, big_window)
    monkeypatch.setattr(review_journal, "RESTORE_CHUNK", 500)
    calls = cancel_after_first(monkeypatch, label_store, "store_label", big_window)
    assert big_window.undo_review()
    wait_for_job(qtbot, big_window)
    assert len(calls) == 500  # stopped at the end of the first chunk
    assert states(big_window) == {("Our hotel", "accepted")}  # rolled back
    assert status(big_window) == ("Taking back the label of 3,000 photos: cancelled; no photo was changed — "
                                  "Ctrl+Z takes the label “Our hotel” back")
    monkeypatch.undo()
    assert big_window.undo_review()  # the step is still there
    wait_for_job(qtbot, big_window)
    assert states(big_window) == {("Petra", "suggested")}


def test_a_ctrl_z_of_a_bulk_label_done_before_the_cancel_promises_no_ctrl_z(qtbot, big_window, monkeypatch) -> None:
    from app.gui import review_work

    labelled_our_hotel(qtbot, big_window)
    cancelled_when_done(monkeypatch, review_work, "take_back_work", big_window)
    assert big_window.undo_review()
    wait_for_job(qtbot, big_window)
    assert states(big_window) == {("Petra", "suggested")}
    qtbot.waitUntil(lambda: "done before Cancel could stop it" in status(big_window), timeout=10000)
    assert status(big_window) == ("Taking back the label of 3,000 photos: done before Cancel could stop it — "
                                  "Took back the label “Our hotel”: 3,000 photos as before it")
    assert big_window.review_undo == []


def test_a_failed_ctrl_z_of_a_bulk_label_keeps_the_step(qtbot, big_window, monkeypatch) -> None:
    """The failure twin of the cancel above: a take-back that fails (another program
    holds the index) is rolled back, and the next Ctrl+Z can still take the label back."""
    import sqlite3

    from app.core.index import labels as label_store

    labelled_our_hotel(qtbot, big_window)

    def locked(*args, **kwargs):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(label_store, "store_label", locked)
    assert big_window.undo_review()
    wait_for_job(qtbot, big_window)
    assert states(big_window) == {("Our hotel", "accepted")}  # rolled back
    assert status(big_window) == ("Taking back the label of 3,000 photos failed: cannot use the index (database is "
                                  "locked); check the disk (full?) and the file's permissions, and whether another "
                                  "program keeps it busy — Ctrl+Z takes the label “Our hotel” back")
    assert len(big_window.review_undo) == 1
    monkeypatch.undo()
    assert big_window.undo_review()  # the step was kept
    wait_for_job(qtbot, big_window)
    assert states(big_window) == {("Petra", "suggested")}
