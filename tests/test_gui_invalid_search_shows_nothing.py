"""A search the parser refuses (`label:"no landmark"`, `label:none`) put its error under
the field but left the previous search's photos in the grid and its count beside the
field, read as this query's (GUI tester, finding F4): the grid and the review list are
now emptied and the count cleared while the query is invalid. The error's way to the
photos tagged "no landmark" (-has:label -state:unlabelled) found rejected ones too, 11
where the library panel's "No landmark" entry counted 9: in the app it names that entry
and its search, which agree."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("pytestqt")

from tests import test_gui  # noqa: E402
from tests.test_gui import added_folder, wait_for_results  # noqa: E402

window = test_gui.window  # the suite's window fixture: 1,200 × 800, closed after the test

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


@pytest.mark.parametrize("typed", ['label:"no landmark"', 'label:"No landmark"', "label:none"])
def test_an_invalid_search_shows_no_photos_and_no_count(qtbot, window, tmp_path, typed) -> None:
    _library_with_no_landmark_photos(qtbot, window, tmp_path)
    window.search_bar.set_text("label:Petra")
    wait_for_results(qtbot, window)
    assert window.grid_model.rowCount() == 2 and window.search_bar.count_label.text() == "2 photos"
    window.grid.setCurrentIndex(window.grid_model.index(0))
    assert window.detail.record is not None

    window.search_bar.set_text(typed)
    wait_for_results(qtbot, window)
    assert window.search_bar.error_label.isVisible()
    assert window.grid_model.rowCount() == 0  # not the 2 Petra photos, as if they were "no landmark"
    assert window.review_model.rowCount() == 0
    assert window.search_bar.count_label.text() == ""  # not "2 photos"
    assert window.grid.empty_note.isVisibleTo(window.grid) and "not valid" in window.grid.empty_note.text()
    assert window.detail.record is None  # the pane does not go on showing a Petra photo

    window.search_bar.set_text("label:Petra")  # a valid search again: its photos and count
    wait_for_results(qtbot, window)
    assert window.grid_model.rowCount() == 2 and window.search_bar.count_label.text() == "2 photos"
    assert not window.search_bar.error_label.isVisible() and not window.grid.empty_note.isVisibleTo(window.grid)


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
