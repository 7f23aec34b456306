"""What the grid shows at the end of a job of the window's own: the photos that came into
or left the results move their rows only, as after another program's change (no reset,
no choosing every chosen photo again: 0.4-0.5 s at 85,000 chosen); the current photo
stays current and in sight, and when it left, the view stays where it was. The photos
chosen stay chosen, with or without a current photo (Ctrl+A with none)."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import QItemSelectionModel  # noqa: E402
from tests.test_gui_support import wait_for_results  # noqa: E402
from tests import test_gui_outside_refresh  # noqa: E402
from tests.test_gui_outside_refresh import chosen_ids  # noqa: E402

unaccepted = test_gui_outside_refresh.unaccepted  # a window on 600 photos showing `-state:accepted`

pytestmark = pytest.mark.gui


def job_sets(qtbot, win, state: str, photo_ids: list[int]) -> None:
    """A job of the window (as A on many photos starts) gives these photos `state`; waits for its end."""
    assert win.jobs.set_states({state: photo_ids}, win.index.review_states(photo_ids), "Changing photos",
                               lambda change: None)
    qtbot.waitUntil(lambda: not win.jobs.busy and not win.results.busy, timeout=20000)


def suggested(win, photo_ids: list[int]) -> None:
    for photo_id in photo_ids:
        win.index.set_label(photo_id, "Colosseum", source="model", state="suggested")


def test_a_jobs_end_with_every_photo_chosen_moves_rows_without_a_reset(qtbot, unaccepted) -> None:
    win = unaccepted
    ids = win.grid_model.ids()
    suggested(win, [ids[7]])
    win.grid.setCurrentIndex(win.grid_model.index(3))
    win.grid.selectAll()  # Ctrl+A
    resets = []
    win.grid_model.modelReset.connect(lambda: resets.append(1))

    job_sets(qtbot, win, "accepted", [ids[7]])

    assert resets == []
    assert win.grid_model.ids() == ids[:7] + ids[8:]
    assert len(win.grid.selectionModel().selection()) <= 2  # the range around the row gone, not one a row
    assert chosen_ids(win) == set(ids) - {ids[7]}
    assert win.grid_model.photo_id(win.grid.currentIndex().row()) == ids[3]


def test_the_current_photo_stays_current_and_in_sight_when_photos_come_in_above_it(qtbot, unaccepted) -> None:
    win = unaccepted
    ids = win.grid_model.ids()
    for photo_id in ids[:120]:
        win.index.set_label(photo_id, "Colosseum", source="model", state="accepted")
    win.library_changed()
    wait_for_results(qtbot, win)
    assert win.grid_model.ids() == ids[120:]
    win.grid.setCurrentIndex(win.grid_model.index(0))
    resets = []
    win.grid_model.modelReset.connect(lambda: resets.append(1))

    job_sets(qtbot, win, "suggested", ids[:120])  # back into the results, before it
    qtbot.wait(50)  # the view's delayed layout

    assert resets == []
    assert win.grid.currentIndex().row() == 120
    assert win.grid_model.photo_id(120) == ids[120]
    assert win.grid.viewport().rect().contains(win.grid.visualRect(win.grid.currentIndex()).center())
    assert win.detail.record.id == ids[120]


def test_a_current_photo_leaving_at_a_jobs_end_leaves_the_view_where_the_user_scrolled(qtbot, unaccepted) -> None:
    win = unaccepted
    ids = win.grid_model.ids()
    suggested(win, [ids[3]])
    win.grid.setCurrentIndex(win.grid_model.index(3))
    bar = win.grid.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)  # the wheel, far from it
    qtbot.wait(50)
    before = bar.value()

    job_sets(qtbot, win, "accepted", [ids[3]])
    qtbot.wait(50)

    assert win.grid_model.photo_id(win.grid.currentIndex().row()) == ids[4]  # the one after it
    assert bar.value() == before


def test_photos_chosen_with_ctrl_a_and_no_current_photo_stay_chosen_after_a_job(qtbot, unaccepted) -> None:
    win = unaccepted
    ids = win.grid_model.ids()
    suggested(win, [ids[7]])
    win.grid.selectionModel().clear()  # no current photo
    win.grid.selectAll()
    assert not win.grid.currentIndex().isValid()

    job_sets(qtbot, win, "accepted", [ids[7]])

    assert chosen_ids(win) == set(ids) - {ids[7]}  # A, R and L act on them still


def test_photos_chosen_with_no_current_photo_stay_chosen_in_reordered_results(qtbot, unaccepted) -> None:
    """New results in another order (a search, the order switched) are put in with a reset;
    the chosen photos are chosen again."""
    win = unaccepted
    ids = win.grid_model.ids()
    win.grid.selectionModel().clear()
    win.grid.selectAll()

    win.results_display.set_model_ids(win.grid_model, win.grid, list(reversed(ids[1:])))

    assert chosen_ids(win) == set(ids[1:])
    assert not win.grid.currentIndex().isValid()


def test_a_job_taking_out_a_run_ending_at_the_current_photo_makes_the_one_after_it_current(qtbot, unaccepted) -> None:
    """Shift+click from row 3 to row 8, then a job accepts them under `-state:accepted`: the
    photo of old row 14 (the old row number) was current and chosen, rows 9-13 skipped."""
    win = unaccepted
    ids = win.grid_model.ids()
    suggested(win, ids[3:9])
    win.grid.setCurrentIndex(win.grid_model.index(3))
    win.grid.selectionModel().select(_run(win, 3, 8), QItemSelectionModel.SelectionFlag.Select)
    win.grid.selectionModel().setCurrentIndex(win.grid_model.index(8), QItemSelectionModel.SelectionFlag.NoUpdate)

    job_sets(qtbot, win, "accepted", ids[3:9])

    assert win.grid_model.photo_id(win.grid.currentIndex().row()) == ids[9]
    assert chosen_ids(win) == {ids[9]}  # nothing else chosen: it alone, as A acts on it


def test_the_photo_made_current_is_not_added_to_photos_still_chosen(qtbot, unaccepted) -> None:
    win = unaccepted
    ids = win.grid_model.ids()
    suggested(win, ids[5:9])
    win.grid.selectionModel().select(_run(win, 20, 22), QItemSelectionModel.SelectionFlag.Select)
    win.grid.selectionModel().setCurrentIndex(win.grid_model.index(8), QItemSelectionModel.SelectionFlag.Select)

    job_sets(qtbot, win, "accepted", ids[5:9])

    assert win.grid_model.photo_id(win.grid.currentIndex().row()) == ids[9]
    assert chosen_ids(win) == set(ids[20:23]), "A would now act on the photo made current too"


def _run(win, first: int, last: int):
    from PySide6.QtCore import QItemSelection

    return QItemSelection(win.grid_model.index(first), win.grid_model.index(last))


def test_a_jobs_end_with_the_same_results_reads_the_tiles_records_once(qtbot, unaccepted, monkeypatch) -> None:
    win = unaccepted
    reads = []
    monkeypatch.setattr(win.grid_model, "refresh_all", lambda: reads.append(1))
    win.library_changed()  # as a job's end that relabels no photo out of the results
    qtbot.waitUntil(lambda: not win.results.busy, timeout=20000)
    assert len(reads) == 1
