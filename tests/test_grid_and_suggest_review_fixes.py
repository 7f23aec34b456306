"""A real-size library used end to end (each test failed before its fix): the photo grid
and the review list snapped back to their first batch of rows (row ~484 of 2,145) whenever
a thumbnail or a label arrived, and `suggest` stopped naming a taught place the model
holds as soon as another place got a suggestion."""

from __future__ import annotations

from importlib.util import find_spec

import numpy as np
import pytest

from app.core import teaching_store as store
from app.core.teaching import teach
from app.core.teaching_centres import class_centres
from app.core.teaching_suggest import HeldPlace, SuggestOptions, SuggestReport, suggest
from tests.test_cli_teach import run_cli
from tests.test_gui_support import close_main_window, insert_synthetic_photos
from tests.test_teaching import library  # noqa: F401  (fixture)

HAS_QTBOT = find_spec("pytestqt") is not None  # the app's tests need pytest-qt; the others run without it
needs_qtbot = pytest.mark.skipif(not HAS_QTBOT, reason="needs pytest-qt")

PHOTOS = 3_000  # more than a batch of the old batched layouts (500 tiles in the grid, 2,000 review rows)


@pytest.fixture
def big_window(qtbot, tmp_path):
    from app.gui.app import create_application, open_main_window

    insert_synthetic_photos(tmp_path / "big.db", PHOTOS)
    create_application()
    win = open_main_window(tmp_path / "big.db")
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitUntil(lambda: not win.results.busy, timeout=20000)
    qtbot.wait(300)
    yield win
    close_main_window(win)


def top_row(view) -> int:
    """The row of the photo in the view's top left corner."""
    from PySide6.QtCore import QPoint

    return view.indexAt(QPoint(30, 10)).row()


def scroll_to_end(qtbot, view) -> None:
    view.scrollToBottom()
    qtbot.wait(200)
    assert top_row(view) > PHOTOS - 100  # the last photos are on screen: what must stay


# -- The photo grid stays where the user put it -----------------------------------------

@needs_qtbot
@pytest.mark.gui
def test_the_grid_stays_at_the_end_when_a_thumbnail_or_a_label_arrives(qtbot, big_window, monkeypatch) -> None:
    """Every thumbnail laid the grid out again, a batch at a time; the scroll range shrank to
    the first 500 tiles meanwhile and the view stayed clamped to them."""
    win = big_window
    monkeypatch.setattr(win.thumbnails, "pixmap", lambda photo_id, path, missing=False: None)  # no load starts by itself
    scroll_to_end(qtbot, win.grid)
    last_id = win.grid_model.photo_id(win.grid_model.rowCount() - 1)
    win.thumbnails.ready.emit(last_id)  # what a finished thumbnail of a visible tile sends
    qtbot.wait(200)
    assert top_row(win.grid) > PHOTOS - 100, f"the grid jumped back to row {top_row(win.grid)}"
    win.results_display.photos_changed([last_id])  # a label changed
    win.grid_model.refresh_all()  # a job ended: every record again
    qtbot.wait(200)
    assert top_row(win.grid) > PHOTOS - 100, f"the grid jumped back to row {top_row(win.grid)}"


@needs_qtbot
@pytest.mark.gui
def test_photos_appended_by_a_scan_leave_the_grid_where_it_was(qtbot, big_window) -> None:
    win = big_window
    ids = win.grid_model.ids()
    win.results_display.set_model_ids(win.grid_model, win.grid, ids[:-10])
    scroll_to_end(qtbot, win.grid)
    before = top_row(win.grid)
    win.results_display.set_model_ids(win.grid_model, win.grid, ids)  # 10 new photos at the end
    qtbot.wait(200)
    assert top_row(win.grid) == before


@needs_qtbot
@pytest.mark.gui
def test_paging_down_reaches_the_end_of_the_library(qtbot, big_window) -> None:
    """Thumbnails (here failures: the generated photos have no files) arrive while the user
    pages down; it stopped at about row 570 of 2,145."""
    bar = big_window.grid.verticalScrollBar()
    pages = bar.maximum() // bar.pageStep() + 20
    for _ in range(pages):
        bar.setValue(bar.value() + bar.pageStep())
        qtbot.wait(15)
    assert top_row(big_window.grid) > PHOTOS - 100, f"stuck at row {top_row(big_window.grid)} of {PHOTOS:,}"


@needs_qtbot
@pytest.mark.gui
def test_a_photo_chosen_after_a_new_search_is_scrolled_to_past_the_first_batch(qtbot, big_window) -> None:
    """scrollTo() right after new rows did nothing for a row the first batch did not hold
    (Similar photos, a located photo)."""
    win = big_window
    ids = list(reversed(win.grid_model.ids()))
    win.select_after_load = ids[PHOTOS - 50]
    win.results_display.set_model_ids(win.grid_model, win.grid, ids)
    qtbot.wait(200)
    shown = win.grid.visualRect(win.grid_model.index(PHOTOS - 50))
    assert win.grid.viewport().rect().contains(shown.center()), f"top row {top_row(win.grid)}"


@needs_qtbot
@pytest.mark.gui
def test_resizing_the_window_keeps_the_photos_at_the_top(qtbot, big_window) -> None:
    win = big_window
    win.grid.scrollTo(win.grid_model.index(2_000), win.grid.ScrollHint.PositionAtTop)
    qtbot.wait(200)
    before = top_row(win.grid)
    win.resize(1100, 900)  # fewer columns: the same scroll offset shows other photos
    qtbot.wait(300)
    columns = win.grid.viewport().width() // win.grid.gridSize().width()
    assert abs(top_row(win.grid) - before) < columns, (before, top_row(win.grid))


@needs_qtbot
@pytest.mark.gui
def test_the_review_list_stays_on_its_rows_when_a_thumbnail_arrives_and_a_photo_leaves(
        qtbot, big_window, monkeypatch) -> None:
    from app.gui.results_display import PAGE_REVIEW

    win = big_window
    monkeypatch.setattr(win.thumbnails, "pixmap", lambda photo_id, path, missing=False: None)
    win.review_model.set_ids(win.grid_model.ids())  # 3,000 suggestions to review
    win.stack.setCurrentIndex(PAGE_REVIEW)
    view = win.review.list
    scroll_to_end(qtbot, view)
    win.thumbnails.ready.emit(win.review_model.photo_id(PHOTOS - 1))
    qtbot.wait(200)
    assert top_row(view) > PHOTOS - 100, f"the review list jumped back to row {top_row(view)}"
    win.review_model.remove_ids([win.review_model.photo_id(PHOTOS - 3)])  # reviewed: it leaves the list
    qtbot.wait(200)
    assert top_row(view) > PHOTOS - 100, f"the review list jumped back to row {top_row(view)}"


# -- suggest names each taught place the model holds, whatever the others found ---------

def teach_a_held_place_and_a_found_one(index, paths, bundle) -> None:
    teach(index, "Our tower", paths["known"][:2], bundle=bundle)  # the model's first landmark, confidently
    teach(index, "Bakery", paths["bakery"][:2], bundle=bundle)  # new to the model: its other photos are found


def test_suggest_reports_a_held_place_when_another_place_gets_suggestions(library, tiny_bundle):  # noqa: F811
    index, paths, ids = library
    teach_a_held_place_and_a_found_one(index, paths, tiny_bundle)
    report = SuggestReport()
    found = suggest(index, "", SuggestOptions(threshold=0.5, store=False), bundle=tiny_bundle, report=report)
    assert {s.label for s in found} == {"Bakery"}
    [held] = report.held  # was: nothing said once anything was found
    assert (held.place, held.landmark) == ("Our tower", tiny_bundle.labels[0].name)
    assert 1 <= held.photos <= len(ids["known"]) - 2


def test_the_cli_names_the_held_place_beside_the_suggestions_of_another(
        capsys, library, tiny_bundle, tmp_path):  # noqa: F811
    index, paths, _ = library
    teach_a_held_place_and_a_found_one(index, paths, tiny_bundle)
    code, [*lines, summary], err = run_cli(capsys, "--db", str(tmp_path / "index.db"), "suggest", "--model",
                                           str(tiny_bundle.path), "--threshold", "0.5", "--dry-run", "--json")
    assert code == 0 and lines and {line["label"] for line in lines} == {"Bakery"}
    assert summary["summary"]["suggested"] == len(lines), summary
    landmark = tiny_bundle.labels[0].name
    assert f"recognised confidently as “{landmark}”, a landmark the model knows, like the photos you taught " \
           "as “Our tower”" in err, err
    command = f"`landmark-tagger --db {tmp_path / 'index.db'} label`"  # the index given, kept in the hint
    assert f"if they show “Our tower”, label them with {command}" in err \
        or f"if it shows “Our tower”, label it with {command}" in err, err


def test_each_held_place_is_named_with_the_landmark_of_its_own_photos(library, tiny_bundle):  # noqa: F811
    """Two places taught from photos of two different model landmarks: one note a place, each
    naming the place and its landmark (the note named the commonest landmark only, and no place)."""
    index, paths, ids = library
    centre = class_centres(tiny_bundle)[1, 0]  # the cabin photos become confident photos of the second landmark
    rng = np.random.default_rng(5)
    with index.transaction() as conn:
        for photo_id in ids["cabin"]:
            v = centre + 0.15 * rng.normal(size=tiny_bundle.embedding_size)
            store.store_embedding(conn, photo_id, tiny_bundle.id, (v / np.linalg.norm(v)).astype(np.float32))
    teach(index, "Our tower", paths["known"][:2], bundle=tiny_bundle)
    teach(index, "Shrine", paths["cabin"][:2], bundle=tiny_bundle)
    report = SuggestReport()
    suggest(index, "", SuggestOptions(threshold=0.5, store=False), bundle=tiny_bundle, report=report)
    landmarks = {held.place: held.landmark for held in report.held}
    assert landmarks == {"Our tower": tiny_bundle.labels[0].name, "Shrine": tiny_bundle.labels[1].name}


def test_find_suggestions_in_the_app_names_the_held_place_beside_the_suggestions() -> None:
    from app.gui.teach_actions import TeachActions

    report = SuggestReport(threshold=0.79, taught=5, tagged=60, scored=55,
                           held=[HeldPlace("Pont Saint-Bénézet", "Pont d'Avignon", 39)])
    assert TeachActions._suggestions_message(1, report) == (
        "1 new suggestion from what you taught; 39 photos are recognised confidently as “Pont d'Avignon”, "
        "a landmark the model knows, like the photos you taught as “Pont Saint-Bénézet”, and keep that label; "
        "if they show “Pont Saint-Bénézet”, label them (L).")


# -- The current photo stays the one the user chose, in view and in the detail pane ------

def shown(view, row: int) -> bool:
    return view.viewport().rect().contains(view.visualRect(view.model().index(row)).center())


def choose(qtbot, view, row: int) -> None:
    from PySide6.QtCore import QItemSelectionModel

    view.scrollTo(view.model().index(row))
    view.selectionModel().setCurrentIndex(view.model().index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    qtbot.wait(100)
    assert shown(view, row)


def current_id(win) -> int:
    assert win.grid.currentIndex().isValid()
    return win.grid_model.photo_id(win.grid.currentIndex().row())


@needs_qtbot
@pytest.mark.gui
def test_the_current_photo_stays_current_when_many_photos_appear_before_it(qtbot, big_window) -> None:
    """The photo was looked for up to 50 rows below its old row only: clearing a search, or
    a scan adding newer photos on top of the newest-first grid, made the photo at its old
    row current (and filled the detail pane with it)."""
    win = big_window
    ids = win.grid_model.ids()
    win.results_display.set_model_ids(win.grid_model, win.grid, ids[1_400:])  # a search
    choose(qtbot, win.grid, 100)
    chosen = ids[1_500]
    assert current_id(win) == chosen and win.detail.record.id == chosen
    win.results_display.set_model_ids(win.grid_model, win.grid, ids)  # the search cleared
    qtbot.wait(200)
    assert current_id(win) == chosen, f"photo {current_id(win)} became current instead"
    assert win.detail.record.id == chosen and shown(win.grid, 1_500)
    newer = list(range(PHOTOS + 1, PHOTOS + 81))
    win.results_display.set_model_ids(win.grid_model, win.grid, newer + ids)  # 80 newer photos scanned
    qtbot.wait(200)
    assert current_id(win) == chosen, f"photo {current_id(win)} became current instead"
    assert shown(win.grid, 1_580)
    win.results_display.set_model_ids(win.grid_model, win.grid, newer + ids[:1_500] + ids[1_501:])
    assert win.grid.currentIndex().row() == 1_580  # it left the results: the photo after it


@needs_qtbot
@pytest.mark.gui
def test_back_from_review_the_detail_pane_shows_the_grids_current_photo(qtbot, big_window) -> None:
    """The pane kept the review list's photo while the grid highlighted its own current one."""
    from app.gui.results_display import PAGE_GRID, PAGE_REVIEW
    from tests.test_gui_support import suggest

    win = big_window
    ids = win.grid_model.ids()
    for rank, photo_id in enumerate(ids[-40:]):
        suggest(win.index, photo_id, "Colosseum", 0.3 + rank * 0.01)
    choose(qtbot, win.grid, 1_500)
    in_grid = ids[1_500]
    win.show_page(PAGE_REVIEW)
    qtbot.waitUntil(lambda: not win.results.busy, timeout=20000)
    in_review = win.review_model.photo_id(win.review.list.currentIndex().row())
    assert in_review != in_grid and win.detail.record.id == in_review
    win.show_page(PAGE_GRID)
    qtbot.waitUntil(lambda: not win.results.busy, timeout=20000)
    assert current_id(win) == in_grid
    assert win.detail.record.id == in_grid, (
        f"the detail pane shows photo {win.detail.record.id}, the grid's current photo is {in_grid}")


@needs_qtbot
@pytest.mark.gui
def test_narrowing_the_grid_keeps_the_current_photo_in_view(qtbot, big_window) -> None:
    """Dragging the Details panel's edge (or a narrower window) kept the top photo at the top
    and put the current one, rows lower with fewer columns, below the view."""
    from PySide6.QtCore import Qt

    win = big_window
    grid = win.grid
    grid.scrollTo(win.grid_model.index(1_500), grid.ScrollHint.PositionAtTop)
    qtbot.wait(100)
    columns = grid.viewport().width() // grid.gridSize().width()
    row = 1_500 - 1_500 % columns + 2 * columns + 1  # on the third row of tiles
    choose(qtbot, grid, row)
    top = top_row(grid)
    win.resizeDocks([win.detail_dock], [win.detail_dock.width() + 350], Qt.Orientation.Horizontal)
    qtbot.wait(300)
    assert grid.viewport().width() // grid.gridSize().width() < columns  # fewer columns now
    assert shown(grid, row), f"the current photo is at {grid.visualRect(win.grid_model.index(row))}"
    win.resizeDocks([win.detail_dock], [win.detail_dock.width() - 350], Qt.Orientation.Horizontal)
    qtbot.wait(300)  # wider again: the current photo in view, the top photo kept where it was
    assert shown(grid, row) and top_row(grid) <= top + columns
