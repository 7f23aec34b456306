"""Ctrl+Z against photos another program changed since the accept or reject it takes back
(`landmark-tagger label` or `forget` in a terminal): those photos are left as they are and
named in A and R's words, and when that is every photo the view shows them as they are
now at once, not at the next check for outside changes."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")
from app.core.index import PhotoIndex  # noqa: E402
from app.core.index.forget import forget_folder  # noqa: E402
from tests import test_gui_support  # noqa: E402
from tests.test_gui_support import wait_for_job, wait_for_results  # noqa: E402
from tests.test_gui_outside_changes import in_a_terminal, review_list_of, status  # noqa: E402
from tests.test_review_labelled_meanwhile import a_folder_forgotten_after_the_look  # noqa: E402

window = test_gui_support.window  # the suite's window fixture: 1,200 × 800, closed after the test

pytestmark = pytest.mark.gui


def rejected_all(qtbot, win, tmp_path, count: int) -> list[int]:
    """`count` photos suggested as "Colosseum", all rejected with R (one Ctrl+Z step),
    then the grid shown (the review list lets rejected photos go at once)."""
    from app.gui.main_window import PAGE_GRID

    ids = review_list_of(qtbot, win, tmp_path, count)
    win.review.list.selectAll()
    win.reject_selected()
    wait_for_job(qtbot, win)
    win.show_page(PAGE_GRID)
    wait_for_results(qtbot, win)
    return ids


def no_outside_look(monkeypatch, win) -> None:
    """The 2-second check for outside changes shows nothing: what the view shows comes from Ctrl+Z."""
    monkeypatch.setattr(win.outside_changes, "show_changes", lambda: None)


@pytest.mark.parametrize("in_worker", [False, True], ids=["on the GUI thread", "in the job worker"])
def test_ctrl_z_names_the_photo_it_left_labelled_again_since(qtbot, window, tmp_path, monkeypatch,
                                                             in_worker) -> None:
    from app.gui import label_actions

    if in_worker:
        monkeypatch.setattr(label_actions, "BULK_IN_WORKER", 1)
    ids = rejected_all(qtbot, window, tmp_path, 3)
    in_a_terminal(window, lambda other: other.set_label(ids[1], "Our cabin", source="user", state="accepted"))

    assert window.undo_review()
    wait_for_job(qtbot, window)

    assert [window.index.get(i).state for i in ids] == ["suggested", "accepted", "suggested"]
    assert status(window) == ("Took back the reject: 2 photos suggested again; "
                              "1 photo not taken back, labelled again since (now “Our cabin”, accepted)")


def test_ctrl_z_names_the_photo_taken_out_of_the_library_since(qtbot, window, tmp_path) -> None:
    shown = review_list_of(qtbot, window, tmp_path, 2)
    trip = a_folder_forgotten_after_the_look(window.index, tmp_path)  # a second library folder
    window.library_changed()
    wait_for_results(qtbot, window)
    window.review.list.selectAll()
    window.reject_selected()  # R on the four photos: one step, of the three suggested
    wait_for_results(qtbot, window)
    in_a_terminal(window, lambda other: forget_folder(other, tmp_path / "Trip"))

    assert window.undo_review()
    wait_for_results(qtbot, window)

    assert [window.index.get(i).state for i in shown] == ["suggested", "suggested"]
    assert window.index.not_in_index(trip) == trip
    assert status(window) == ("Took back the reject: 2 photos suggested again; "
                              "1 photo not taken back, taken out of the library since")


def test_ctrl_z_with_every_photo_gone_shows_the_library_as_it_is_at_once(qtbot, window, tmp_path,
                                                                         monkeypatch) -> None:
    ids = rejected_all(qtbot, window, tmp_path, 2)
    no_outside_look(monkeypatch, window)
    in_a_terminal(window, lambda other: forget_folder(other, tmp_path / "photos"))
    assert window.grid_model.ids() == ids  # the grid still lists them: nothing refreshed it

    assert window.undo_review() is False
    wait_for_results(qtbot, window)

    assert status(window) == "Nothing to take back: those photos were taken out of the library since."
    assert window.grid_model.ids() == []


def test_ctrl_z_with_every_photo_labelled_again_shows_them_as_they_are_now(qtbot, window, tmp_path,
                                                                           monkeypatch) -> None:
    ids = rejected_all(qtbot, window, tmp_path, 2)
    window.search_bar.set_text("state:rejected")
    wait_for_results(qtbot, window)
    assert window.grid_model.ids() == ids
    no_outside_look(monkeypatch, window)

    def relabel(other: PhotoIndex) -> None:
        for photo_id in ids:
            other.set_label(photo_id, "Our cabin", source="user", state="accepted")

    in_a_terminal(window, relabel)

    assert window.undo_review() is False
    wait_for_results(qtbot, window)

    assert status(window) == "Nothing to take back: those photos were labelled again since."
    assert window.grid_model.ids() == []  # no longer rejected: they left the search
