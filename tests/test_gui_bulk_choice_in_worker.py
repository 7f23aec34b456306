"""Ctrl+A then A or R on 30,000 photos froze the window 0.2-0.3 s: the app read every chosen
photo's label and state on the GUI thread before its job. Thousands of photos now go to the
job worker whole (app.gui.choice_work): the look, the change and its journal entry; Ctrl+Z of
such a step too. The tests make a few photos "thousands" (BULK_IN_WORKER) and check that the
GUI thread's index is not asked, and that what the user sees is as before."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from tests import test_gui  # noqa: E402
from tests.test_gui import wait_for_job  # noqa: E402
from tests.test_gui_outside_changes import review_list_of, status  # noqa: E402
from tests.test_gui_undo_label import answer_held_question, held_photo_beside_another  # noqa: E402

window = test_gui.window  # the suite's window fixture: 1,200 × 800, closed after the test

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

    assert window.undo_review()
    assert window.jobs.busy
    wait_for_job(qtbot, window)
    assert status(window) == "Took back the " + key + ": 3 photos suggested again"
    assert window.review_model.ids() == ids
    monkeypatch.undo()
    assert window.index.review_states(ids) == dict.fromkeys(ids, ("Colosseum", "suggested"))


@pytest.mark.parametrize("answer", ["Write them again", "Leave them alone"])
def test_a_of_many_photos_asks_about_held_files_then_does_as_answered(qtbot, tmp_path, capsys, monkeypatch, many,
                                                                      answer) -> None:
    """The held files are found in the worker: nothing changes until the user answered."""
    from app.core.metadata import plan_writes
    from tests.test_gui import close_main_window, shown_window
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
