"""A search the parser refuses (`label:"no landmark"`, `label:none`) put its error under
the field but left the previous search's photos in the grid and its count beside the
field, read as this query's (GUI tester, finding F4). Emptying the grid for it (a13b090)
blanked it at every pause on a half-typed term (`-state:rej`, an open quote: the search
runs once typing pauses) and lost the photos chosen, the current photo and the place in
review for good (review11 F1): the last valid search's photos now stay, chosen as they
were, and the count says whose they are ("2 photos (last valid search)"). The error's way
to the photos tagged "no landmark" (-has:label -state:unlabelled) found rejected ones too,
11 where the library panel's "No landmark" entry counted 9: in the app it names that entry
and its search, which agree."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QItemSelectionModel  # noqa: E402

from app.gui.search_bar import DEBOUNCE_MS  # noqa: E402
from tests import test_gui_support  # noqa: E402
from tests.test_gui_support import added_folder, suggest, wait_for_results  # noqa: E402

window = test_gui_support.window  # the suite's window fixture: 1,200 × 800, closed after the test

pytestmark = pytest.mark.gui


def _library_with_no_landmark_photos(qtbot, window, tmp_path) -> list[int]:
    added_folder(qtbot, window, tmp_path, count=6)
    ids = window.index.photo_ids("")
    index = window.index
    index.set_label(ids[0], "Petra", source="user", state="accepted")
    index.set_label(ids[1], "Petra", source="user", state="accepted")
    index.set_label(ids[2], None, source="user", state="accepted")  # "no landmark"
    index.set_label(ids[3], None, source="model", state="suggested", score=0.2)  # "no landmark"
    index.set_label(ids[4], None, source="model", state="rejected", score=0.2)  # said wrong: not listed
    window.library_changed()
    wait_for_results(qtbot, window)
    return ids


def _chosen(window) -> list[int]:
    ids = window.grid_model.ids()
    return sorted(ids[index.row()] for index in window.grid.selectionModel().selectedIndexes())


def _current(view, model) -> int | None:
    index = view.currentIndex()
    return model.photo_id(index.row()) if index.isValid() else None


def _typed_with_pauses(qtbot, window, text: str) -> None:
    """Typed a key at a time, each followed by a pause the search runs on."""
    for end in range(1, len(text) + 1):
        window.search_bar.field.setText(text[:end])
        qtbot.wait(DEBOUNCE_MS + 50)
        wait_for_results(qtbot, window)


@pytest.mark.parametrize("typed", ['label:"no landmark"', 'label:"No landmark"', "label:none"])
def test_an_invalid_search_keeps_the_last_valid_photos_said_as_theirs(qtbot, window, tmp_path, typed) -> None:
    _library_with_no_landmark_photos(qtbot, window, tmp_path)
    window.search_bar.set_text("label:Petra")
    wait_for_results(qtbot, window)
    assert window.grid_model.rowCount() == 2 and window.search_bar.count_label.text() == "2 photos"
    window.grid.setCurrentIndex(window.grid_model.index(1))
    shown = window.detail.record.id

    window.search_bar.set_text(typed)  # submitted (Enter) too: nothing the user chose is lost
    wait_for_results(qtbot, window)
    assert window.search_bar.error_label.isVisible()
    assert window.grid_model.rowCount() == 2 and not window.grid.empty_note.isVisibleTo(window.grid)
    assert window.search_bar.count_label.text() == "2 photos (last valid search)"  # not read as this query's
    assert window.detail.record is not None and window.detail.record.id == shown
    assert _current(window.grid, window.grid_model) == shown

    window.search_bar.set_text("label:Petra")  # a valid search again: its count alone, the same photo current
    wait_for_results(qtbot, window)
    assert window.grid_model.rowCount() == 2 and window.search_bar.count_label.text() == "2 photos"
    assert not window.search_bar.error_label.isVisible()
    assert _current(window.grid, window.grid_model) == shown


def test_pausing_on_a_half_typed_term_keeps_the_photos_chosen_and_the_current_one(qtbot, window, tmp_path) -> None:
    added_folder(qtbot, window, tmp_path, count=12)
    selection = window.grid.selectionModel()
    for row in (3, 5):
        selection.select(window.grid_model.index(row), QItemSelectionModel.SelectionFlag.Select)
    selection.setCurrentIndex(window.grid_model.index(7), QItemSelectionModel.SelectionFlag.Select)
    chosen, current = _chosen(window), window.detail.record.id
    assert len(chosen) == 3

    window.search_bar.field.setText("-state:rej")  # a pause on a half-typed value: not a valid query
    qtbot.wait(DEBOUNCE_MS + 50)
    wait_for_results(qtbot, window)
    assert window.search_bar.error_label.isVisible()
    assert window.grid_model.rowCount() == 12 and _chosen(window) == chosen
    assert window.search_bar.count_label.text() == "12 photos (last valid search)"
    assert window.detail.record is not None and window.detail.record.id == current

    _typed_with_pauses(qtbot, window, "-state:rejected")  # matches all 12
    assert not window.search_bar.error_label.isVisible()
    assert window.search_bar.count_label.text() == "12 photos"
    assert _chosen(window) == chosen and _current(window.grid, window.grid_model) == current
    assert window.detail.record is not None and window.detail.record.id == current


def test_a_stray_quote_typed_and_taken_out_keeps_the_place_in_review(qtbot, window, tmp_path) -> None:
    from app.gui.main_window import PAGE_REVIEW

    added_folder(qtbot, window, tmp_path, count=12)
    for n, photo_id in enumerate(window.index.photo_ids("")):
        suggest(window.index, photo_id, "Colosseum", 0.3 + n * 0.05)
    window.library_changed()
    wait_for_results(qtbot, window)
    window.show_page(PAGE_REVIEW)
    wait_for_results(qtbot, window)
    window.search_bar.set_text("Colosseum")
    wait_for_results(qtbot, window)
    assert window.review_model.rowCount() == 12
    window.review.list.setCurrentIndex(window.review_model.index(6))
    place = window.review_model.photo_id(6)

    window.search_bar.field.setText('Colosseum "')
    qtbot.wait(DEBOUNCE_MS + 50)
    wait_for_results(qtbot, window)
    assert window.review_model.rowCount() == 12 and _current(window.review.list, window.review_model) == place
    window.search_bar.field.setText("Colosseum")
    qtbot.wait(DEBOUNCE_MS + 50)
    wait_for_results(qtbot, window)
    assert _current(window.review.list, window.review_model) == place  # not back at the top


def test_the_error_names_the_library_panels_entry_and_a_search_that_counts_as_it(qtbot, window, tmp_path) -> None:
    from app.gui.library_tree import NO_LANDMARK_QUERY, NO_LANDMARK_TITLE

    ids = _library_with_no_landmark_photos(qtbot, window, tmp_path)
    tree = window.library_tree
    (listed,) = [tree._landmarks.child(i) for i in range(tree._landmarks.childCount())
                 if tree._landmarks.child(i).text(0) == NO_LANDMARK_TITLE]
    assert listed.text(1) == "2"

    window.search_bar.set_text('label:"no landmark"')
    wait_for_results(qtbot, window)
    said = window.search_bar.error_label.full_text()
    assert NO_LANDMARK_TITLE in said and "library panel" in said
    (suggested,) = re.findall(r"\(the search (.+?): rejected ones left out\)", said)
    assert suggested == NO_LANDMARK_QUERY
    window.search_bar.set_text(suggested)  # typed as given: the photos the panel counts, no more
    wait_for_results(qtbot, window)
    assert sorted(window.grid_model.ids()) == sorted(ids[2:4])
    assert window.search_bar.count_label.text() == "2 photos"
