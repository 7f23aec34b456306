"""The grid's empty text (first-hour findings F6, F1): under a malformed search it still
said "No photos match “Colloseum”", a search the field no longer showed; plain words
that name a state ("accepted", "unsure") found nothing without a word of help."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from tests import test_gui_support  # noqa: E402
from tests.test_gui_support import added_folder, wait_for_results  # noqa: E402

window = test_gui_support.window  # the suite's window fixture

pytestmark = pytest.mark.gui


def _empty_text(window) -> str:
    note = window.grid.empty_note
    return note.text() if note.isVisibleTo(window.grid) else ""


def test_an_invalid_search_says_the_empty_grid_is_the_last_valid_searchs(qtbot, window, tmp_path) -> None:
    added_folder(qtbot, window, tmp_path, count=2)
    window.search_bar.set_text("Colloseum")
    wait_for_results(qtbot, window)
    assert _empty_text(window).startswith("No photos match “Colloseum”\n")

    window.search_bar.set_text('label:"no landmark"')
    wait_for_results(qtbot, window)
    assert window.search_bar.error_label.isVisible() and window.grid_model.rowCount() == 0
    assert _empty_text(window).startswith("No photos match the last valid search, “Colloseum”\n")

    window.search_bar.set_text("")  # valid again, photos shown: no empty text left behind
    wait_for_results(qtbot, window)
    assert window.grid_model.rowCount() == 2 and _empty_text(window) == ""
    window.search_bar.set_text('label:"no landmark"')  # malformed over photos: they stay, no empty text
    wait_for_results(qtbot, window)
    assert window.grid_model.rowCount() == 2 and _empty_text(window) == ""


@pytest.mark.parametrize(("typed", "said"), [
    ("accepted", "did you mean state:accepted?"),
    ("unsure", "did you mean score<0.5 or state:suggested?"),
    ("not written yet", "did you mean is:unwritten?"),
])
def test_state_words_that_found_nothing_get_their_term(qtbot, window, tmp_path, typed, said) -> None:
    added_folder(qtbot, window, tmp_path, count=2)
    window.search_bar.set_text(typed)
    wait_for_results(qtbot, window)
    lines = _empty_text(window).splitlines()
    assert lines[0] == f"No photos match “{typed}”" and lines[1].endswith(said), lines
    assert lines[2].startswith("Clear the search"), lines


def test_a_landmarks_typo_that_found_nothing_gets_its_label_term(qtbot, window, tmp_path) -> None:
    added_folder(qtbot, window, tmp_path, count=2)
    photo_id = window.index.search("")[0].id
    window.index.set_label(photo_id, "Colosseum", source="user", state="accepted")
    window.results_display.library_changed()  # the library panel's landmarks, which the hint reads
    wait_for_results(qtbot, window)
    window.search_bar.set_text("colloseum")
    wait_for_results(qtbot, window)
    lines = _empty_text(window).splitlines()
    assert lines[0] == "No photos match “colloseum”" and lines[1].endswith('did you mean label:"Colosseum"?'), lines
