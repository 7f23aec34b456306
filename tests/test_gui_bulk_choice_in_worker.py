"""Ctrl+A then A or R on 30,000 photos froze the window 0.2-0.3 s: the app read every chosen
photo's label and state on the GUI thread before its job. Thousands of photos now go to the
job worker whole (app.gui.choice_work): the look, the change and its journal entry; Ctrl+Z of
such a step too. The tests make a few photos "thousands" (BULK_IN_WORKER) and check that the
GUI thread's index is not asked, and that what the user sees is as before."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from tests import test_gui_support  # noqa: E402
from tests.test_gui_support import wait_for_job  # noqa: E402
from tests.test_gui_outside_changes import review_list_of, status  # noqa: E402
from tests.test_gui_undo_label import answer_held_question, held_photo_beside_another  # noqa: E402

window = test_gui_support.window  # the suite's window fixture: 1,200 × 800, closed after the test

pytestmark = pytest.mark.gui


def no_look_on_the_gui_thread(monkeypatch, win) -> None:
    """The window's own index refuses to read review states: only the worker's may."""
    def refused(*args, **kwargs):
        raise AssertionError("review states read on the GUI thread")

    for name in ("review_states", "review_states_now"):
        monkeypatch.setattr(win.index, name, refused)


@pytest.fixture
def many(monkeypatch) -> None:
    from app.gui import label_actions

    monkeypatch.setattr(label_actions, "BULK_IN_WORKER", 1)  # these few photos are "thousands"


@pytest.mark.parametrize("key, state, title", [("accept", "accepted", "Accepting"), ("reject", "rejected", "Rejecting")])
def test_a_or_r_of_many_photos_is_a_job_whose_end_updates_the_rows_and_ctrl_z_too(
        qtbot, window, tmp_path, monkeypatch, many, key, state, title) -> None:
    ids = review_list_of(qtbot, window, tmp_path, 3)
    window.review.list.selectAll()
    no_look_on_the_gui_thread(monkeypatch, window)

    getattr(window, f"{key}_selected")()
    assert window.jobs.busy and window.jobs.runner.name == f"{title} 3 photos"
    wait_for_job(qtbot, window)

    assert status(window) == f"{state.capitalize()} 3 photos"
    assert window.review_model.ids() == []  # reviewed: they left the list
    assert window.review_undo[-1].before == tuple((i, "Colosseum", "suggested") for i in ids)

    messages: list[str] = []
    window.statusBar().messageChanged.connect(messages.append)
    assert window.undo_review()
    assert window.jobs.busy
    wait_for_job(qtbot, window)
    assert status(window) == "Took back the " + key + ": 3 photos suggested again"
    # its job's end says no field of its result ("done — changed 3", guitest-1): the follow-up says it
    assert f"Taking back the {key} of 3 photos: done" in messages
    assert [m for m in messages if "changed" in m] == []
    assert window.review_model.ids() == ids
    monkeypatch.undo()
    assert window.index.review_states(ids) == dict.fromkeys(ids, ("Colosseum", "suggested"))


@pytest.mark.parametrize("answer", ["Write them again", "Leave them alone"])
def test_a_of_many_photos_asks_about_held_files_then_does_as_answered(qtbot, tmp_path, capsys, monkeypatch, many,
                                                                      answer) -> None:
    """The held files are found in the worker: nothing changes until the user answered."""
    from app.core.metadata import plan_writes
    from tests.test_gui_support import close_main_window, shown_window
    from tests.test_gui_teaching import select

    photo, other, ids = held_photo_beside_another(tmp_path, capsys, other_suggested=True)
    win = shown_window(qtbot, tmp_path / "index.db")
    try:
        wait_for_job(qtbot, win)
        asked = answer_held_question(monkeypatch, answer)
        select(win, list(ids.values()))  # Ctrl+A
        win.accept_selected()
        assert win.jobs.busy and not asked  # asked once the worker found them
        qtbot.waitUntil(lambda: status(win).startswith("Accepted 1 photo"), timeout=20000)
        wait_for_job(qtbot, win)

        assert asked == ["DSC_0004.JPG (a file of these photos) was changed in another program since our write "
                         "(our keywords taken out, or an older copy put back). Write labels leaves it alone."]
        assert win.index.get(ids[other]).state == "accepted"
        held = [item.held for item in plan_writes(win.index) if item.target == photo]
        if answer == "Write them again":
            assert status(win).endswith("; DSC_0004.JPG no longer left alone: Write labels… writes it again")
            assert held == [False]
        else:
            assert status(win).endswith("; 1 file changed in another program left alone by Write labels…")
            assert held == [True]
    finally:
        close_main_window(win)


def test_cancel_while_the_worker_looks_for_held_files_asks_nothing_and_changes_nothing(qtbot, tmp_path, capsys,
                                                                                      monkeypatch, many) -> None:
    """review2-1: Cancel pressed while the worker looked (30,000 photos on a slow disk) was taken
    for one that came too late: the held-files question came, a second job accepted every photo,
    and the app said "done before Cancel could stop it"."""
    import threading

    from app.core.index import PhotoIndex
    from tests.test_gui_support import close_main_window, shown_window
    from tests.test_gui_teaching import select

    photo, other, ids = held_photo_beside_another(tmp_path, capsys, other_suggested=True)
    win = shown_window(qtbot, tmp_path / "index.db")
    try:
        wait_for_job(qtbot, win)
        asked = answer_held_question(monkeypatch, "Write them again")
        pressed, look = threading.Event(), PhotoIndex.held_files

        def held_files_until_cancel(index, *args, **kwargs):  # the worker's look ends after the Cancel
            if threading.current_thread() is not threading.main_thread():
                pressed.wait(10)
            return look(index, *args, **kwargs)

        monkeypatch.setattr(PhotoIndex, "held_files", held_files_until_cancel)
        select(win, list(ids.values()))  # Ctrl+A
        win.accept_selected()
        win.jobs.cancel()  # the job bar's Cancel (Esc)
        pressed.set()
        wait_for_job(qtbot, win)
        qtbot.wait(50)  # a follow-up the job's end queued runs now

        assert asked == [] and not win.jobs.busy
        assert status(win) == "Accepting 2 photos: cancelled; no photo was changed"
        assert win.index.get(ids[other]).state == "suggested"
        assert not win.review_undo
    finally:
        close_main_window(win)


def test_the_status_bar_says_nothing_is_done_while_it_asks_about_held_files(qtbot, tmp_path, capsys, monkeypatch,
                                                                            many) -> None:
    """review2-2: with the question up it said "Accepting 2 photos: done — count 2" (nothing was
    accepted yet), and each bulk A or R "…: done — left held 0": its result's field names."""
    from PySide6.QtWidgets import QMessageBox

    from tests.test_gui_support import close_main_window, shown_window
    from tests.test_gui_teaching import select

    photo, other, ids = held_photo_beside_another(tmp_path, capsys, other_suggested=True)
    win = shown_window(qtbot, tmp_path / "index.db")
    try:
        wait_for_job(qtbot, win)
        answer_held_question(monkeypatch, "Leave them alone")
        answer, while_asked, messages = QMessageBox.exec, [], []

        def answer_seeing_the_status(box) -> int:
            while_asked.append(status(win))
            return answer(box)

        monkeypatch.setattr(QMessageBox, "exec", answer_seeing_the_status)
        win.statusBar().messageChanged.connect(messages.append)
        select(win, list(ids.values()))  # Ctrl+A
        win.accept_selected()
        qtbot.waitUntil(lambda: status(win).startswith("Accepted 1 photo"), timeout=20000)
        wait_for_job(qtbot, win)

        assert while_asked == ["Accepting 2 photos: waiting for your answer about 1 file changed in another program"]
        assert [m for m in messages if "count" in m or "held" in m] == []
        assert status(win).endswith("; 1 file changed in another program left alone by Write labels…")
    finally:
        close_main_window(win)
