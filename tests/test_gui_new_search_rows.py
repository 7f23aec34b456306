"""Where a new search starts. The review list is "most doubtful first": a search typed while
reviewing 15 rows down put the cursor on the old row number of the new list (its most
confident photo when the list was short), and A accepted that one first. Another search now
starts the review at its first row, and the grid at its first row when the current photo is
not in the new results; the same search run again (after A, a job, another program) keeps
the photo it was on."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import QItemSelectionModel  # noqa: E402

from tests import test_gui_support  # noqa: E402
from tests.test_gui_support import added_folder, suggest, wait_for_results  # noqa: E402

window = test_gui_support.window  # the suite's window fixture, closed after the test

pytestmark = pytest.mark.gui


def _suggested(qtbot, window, tmp_path) -> list[int]:
    """30 photos: 20 suggested "Petra", then 10 "Colosseum", each less doubtful than the last."""
    added_folder(qtbot, window, tmp_path, count=30)
    ids = window.index.photo_ids("")
    for rank, photo_id in enumerate(ids):
        suggest(window.index, photo_id, "Petra" if rank < 20 else "Colosseum", 0.5 + rank * 0.01)
    window.library_changed()
    wait_for_results(qtbot, window)
    return ids


def _make_current(view, model, row: int) -> None:
    view.setFocus()
    view.selectionModel().setCurrentIndex(model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect)


def _current_id(view, model) -> int:
    return model.photo_id(view.currentIndex().row())


def test_a_new_search_in_the_review_view_starts_at_the_most_doubtful_photo(qtbot, window, tmp_path) -> None:
    from app.gui.main_window import PAGE_REVIEW

    _suggested(qtbot, window, tmp_path)
    window.show_page(PAGE_REVIEW)
    wait_for_results(qtbot, window)
    view, model = window.review.list, window.review_model
    assert model.rowCount() == 30
    _make_current(view, model, 15)

    window.search_bar.set_text("label:Colosseum")  # narrow the review to one landmark
    wait_for_results(qtbot, window)

    assert model.rowCount() == 10
    assert view.currentIndex().row() == 0  # not row 9, the most confident photo
    assert _current_id(view, model) == model.ids()[0]


def test_a_new_search_in_the_review_view_starts_at_the_top_even_when_it_holds_the_photo(qtbot, window,
                                                                                         tmp_path) -> None:
    from app.gui.main_window import PAGE_REVIEW

    _suggested(qtbot, window, tmp_path)
    window.show_page(PAGE_REVIEW)
    wait_for_results(qtbot, window)
    view, model = window.review.list, window.review_model
    _make_current(view, model, 25)  # a Colosseum photo, 5th most doubtful of them
    assert window.index.get(_current_id(view, model)).label == "Colosseum"

    window.search_bar.set_text("label:Colosseum")
    wait_for_results(qtbot, window)

    assert view.currentIndex().row() == 0  # the more doubtful ones above it are not passed over


def test_the_same_review_search_after_a_keeps_going_down_the_list(qtbot, window, tmp_path) -> None:
    from app.gui.main_window import PAGE_REVIEW

    _suggested(qtbot, window, tmp_path)
    window.show_page(PAGE_REVIEW)
    wait_for_results(qtbot, window)
    view, model = window.review.list, window.review_model
    _make_current(view, model, 15)
    after = model.ids()[16]

    window.accept_selected()
    wait_for_results(qtbot, window)

    assert model.rowCount() == 29
    assert _current_id(view, model) == after  # the photo after the accepted one, not the top


def test_a_new_search_in_the_grid_starts_at_its_first_row_when_the_current_photo_left(qtbot, window,
                                                                                       tmp_path) -> None:
    _suggested(qtbot, window, tmp_path)
    view, model = window.grid, window.grid_model
    _make_current(view, model, 15)
    current = _current_id(view, model)
    assert window.index.get(current).label == "Petra"

    window.search_bar.set_text("label:Colosseum")
    wait_for_results(qtbot, window)

    assert model.rowCount() == 10
    assert view.currentIndex().row() == 0  # not row 9, where the old row number would put it


def test_a_new_search_in_the_grid_keeps_the_current_photo_it_still_holds(qtbot, window, tmp_path) -> None:
    _suggested(qtbot, window, tmp_path)
    view, model = window.grid, window.grid_model
    window.search_bar.set_text("label:Colosseum")
    wait_for_results(qtbot, window)
    _make_current(view, model, 4)
    current = _current_id(view, model)

    window.search_bar.set_text("")  # the search cleared: the photo among the others
    wait_for_results(qtbot, window)

    assert model.rowCount() == 30
    assert _current_id(view, model) == current
