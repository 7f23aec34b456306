"""Cancel on a bulk Accept (Ctrl+A, A, then Cancel) changed every photo anyway, and the
job's follow-up, the step Ctrl+Z takes back, was thrown away: "Nothing to take back"
with 42k photos accepted (found by a tester). A bulk accept, reject, label and their
Ctrl+Z are one transaction each that a cancel between chunks of photos rolls back; one
whose change was made before the cancel came keeps its step and says Ctrl+Z takes it back."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from app.core.index import PhotoIndex  # noqa: E402
from tests.test_gui_support import close_main_window, insert_synthetic_photos, shown_window, wait_for_job  # noqa: E402

pytestmark = pytest.mark.gui

PHOTOS = 3_000


@pytest.fixture
def big_window(qtbot, tmp_path):
    db = tmp_path / "index.db"
    insert_synthetic_photos(db, PHOTOS)
    with PhotoIndex.open(db) as index:
        index.set_labels(list(range(1, PHOTOS + 1)), "Petra", source="model", state="suggested")
    win = shown_window(qtbot, db)
    yield win
    close_main_window(win)


def states(win) -> set[tuple[str | None, str]]:
    return set(win.index.review_states(list(range(1, PHOTOS + 1))).values())


def status(win) -> str:
    return win.statusBar().currentMessage()


def cancel_after_first(monkeypatch, owner, name: str, win) -> list[int]:
    """Ask the running job to stop as soon as `owner.name` (one chunk of photos) has run once."""
    original = getattr(owner, name)
    calls: list[int] = []

    def once_then_cancel(*args, **kwargs):
        result = original(*args, **kwargs)
        calls.append(1)
        win.jobs.runner.cancel()  # the token is thread-safe; the job bar is the GUI's
        return result

    monkeypatch.setattr(owner, name, once_then_cancel)
    return calls


def cancelled_when_done(monkeypatch, module, name: str, win) -> None:
    """The job's work, with Cancel pressed just after it committed (too late to stop it)."""
    original = getattr(module, name)

    def late(*args, **kwargs):
        work = original(*args, **kwargs)

        def cancelled_after(progress, cancel, emit_item):
            summary = work(progress, cancel, emit_item)
            cancel.cancel()
            return summary

        return cancelled_after

    monkeypatch.setattr(module, name, late)


def select_all(qtbot, win) -> None:
    qtbot.waitUntil(lambda: win.grid_model.rowCount() == PHOTOS, timeout=20000)
    win.grid.setFocus()
    win.grid.selectAll()


@pytest.mark.parametrize("verb", ["accept", "reject"])
def test_cancel_during_a_bulk_accept_or_reject_changes_no_photo(qtbot, big_window, monkeypatch, verb) -> None:
    from app.core import teaching_untaught

    monkeypatch.setattr(teaching_untaught, "STATE_CHUNK", 500, raising=False)
    calls = cancel_after_first(monkeypatch, PhotoIndex, "set_state_if_unchanged", big_window)
    select_all(qtbot, big_window)
    getattr(big_window, f"{verb}_selected")()
    assert big_window.jobs.busy
    wait_for_job(qtbot, big_window)
    assert len(calls) == 1  # stopped after the first chunk
    assert states(big_window) == {("Petra", "suggested")}  # the chunk done was rolled back
    title = "Accepting" if verb == "accept" else "Rejecting"
    assert status(big_window) == f"{title} 3,000 photos: cancelled; no photo was changed"


def test_a_bulk_accept_done_before_the_cancel_keeps_its_ctrl_z(qtbot, big_window, monkeypatch) -> None:
    from app.gui import choice_work

    cancelled_when_done(monkeypatch, choice_work, "choice_work", big_window)  # the A's look and change
    select_all(qtbot, big_window)
    big_window.accept_selected()
    wait_for_job(qtbot, big_window)
    assert states(big_window) == {("Petra", "accepted")}
    qtbot.waitUntil(lambda: "done before Cancel could stop it" in status(big_window), timeout=10000)
    assert status(big_window) == ("Accepting 3,000 photos: done before Cancel could stop it — Accepted 3,000 photos; "
                                  "Ctrl+Z takes it back")
    monkeypatch.undo()
    assert big_window.undo_review()
    wait_for_job(qtbot, big_window)
    assert states(big_window) == {("Petra", "suggested")}


def test_cancel_during_a_bulk_label_changes_no_photo(qtbot, big_window, monkeypatch) -> None:
    from app.core import teaching

    calls = cancel_after_first(monkeypatch, teaching, "_correct", big_window)
    select_all(qtbot, big_window)
    ids = big_window.selected_ids()
    big_window.set_user_label(ids, "Our hotel", big_window.index.review_states(ids))
    wait_for_job(qtbot, big_window)
    assert len(calls) == 1  # 500 photos corrected, then rolled back
    assert states(big_window) == {("Petra", "suggested")}
    assert status(big_window) == "Learning from your label: cancelled; no photo was changed"


def test_a_bulk_label_done_before_the_cancel_keeps_its_ctrl_z(qtbot, big_window, monkeypatch) -> None:
    from app.gui import review_work

    cancelled_when_done(monkeypatch, review_work, "correction_work", big_window)
    select_all(qtbot, big_window)
    ids = big_window.selected_ids()
    big_window.set_user_label(ids, "Our hotel", big_window.index.review_states(ids))
    wait_for_job(qtbot, big_window)
    qtbot.waitUntil(lambda: "done before Cancel could stop it" in status(big_window), timeout=10000)
    assert states(big_window) == {("Our hotel", "accepted")}
    assert status(big_window).endswith("; Ctrl+Z takes it back")
    monkeypatch.undo()
    assert big_window.undo_review()
    wait_for_job(qtbot, big_window)
    assert states(big_window) == {("Petra", "suggested")}


def accept_all(qtbot, win) -> None:
    select_all(qtbot, win)
    win.accept_selected()
    wait_for_job(qtbot, win)
    assert states(win) == {("Petra", "accepted")}


def test_cancel_during_the_ctrl_z_of_a_bulk_accept_keeps_the_step(qtbot, big_window, monkeypatch) -> None:
    """Cancel rolled the take-back back but threw its step away: the photos stayed accepted
    and the next Ctrl+Z said "Nothing to take back" (review4 F5)."""
    from app.core import teaching_untaught

    accept_all(qtbot, big_window)
    monkeypatch.setattr(teaching_untaught, "STATE_CHUNK", 500, raising=False)
    calls = cancel_after_first(monkeypatch, PhotoIndex, "set_state_if_unchanged", big_window)
    assert big_window.undo_review()
    wait_for_job(qtbot, big_window)
    assert len(calls) == 1
    assert states(big_window) == {("Petra", "accepted")}  # rolled back
    assert status(big_window) == ("Taking back the accept of 3,000 photos: cancelled; no photo was changed — "
                                  "Ctrl+Z takes the accept back")
    monkeypatch.undo()
    assert big_window.undo_review()  # the step is still there
    wait_for_job(qtbot, big_window)
    assert states(big_window) == {("Petra", "suggested")}


def test_a_step_remembered_during_a_cancelled_ctrl_z_stays_above_it(qtbot, big_window, monkeypatch) -> None:
    from app.core import teaching_untaught
    from app.gui.review_undo import ReviewStep

    accept_all(qtbot, big_window)
    monkeypatch.setattr(teaching_untaught, "STATE_CHUNK", 500, raising=False)
    newer = ReviewStep("rejected", ((1, "Petra", "accepted"),))

    def remember_newer_then_cancel(*args, **kwargs):  # an R on the GUI thread while the job runs
        big_window.jobs.runner.cancel()
        return original(*args, **kwargs)

    original = PhotoIndex.set_state_if_unchanged
    monkeypatch.setattr(PhotoIndex, "set_state_if_unchanged", remember_newer_then_cancel)
    step = big_window.review_undo[-1]
    assert big_window.undo_review()
    big_window.review_undo.append(newer)
    wait_for_job(qtbot, big_window)
    assert big_window.review_undo[-2:] == [step, newer]  # the latest first, as they were made


def test_a_ctrl_z_done_before_the_cancel_is_not_kept(qtbot, big_window, monkeypatch) -> None:
    from app.gui import review_work

    accept_all(qtbot, big_window)
    cancelled_when_done(monkeypatch, review_work, "state_work", big_window)
    assert big_window.undo_review()
    wait_for_job(qtbot, big_window)
    assert states(big_window) == {("Petra", "suggested")}
    qtbot.waitUntil(lambda: "done before Cancel could stop it" in status(big_window), timeout=10000)
    assert big_window.review_undo == []  # taken back: a second Ctrl+Z has nothing to take back
