"""What the app shows after another program changes its index (a terminal's `label`,
`accept` or `rename`; OutsideChanges.look): the view stays where the user scrolled it,
a photo in or out of the results moves its row only (the photos chosen stay chosen,
with no reset of the grid and no choosing of every row again), and a chosen landmark
renamed there stays chosen under its new name."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")
from app.core.index import PhotoIndex  # noqa: E402
from app.core.rename import rename_place  # noqa: E402
from tests import test_gui_support  # noqa: E402
from tests.test_gui_support import added_folder, wait_for_results  # noqa: E402
from tests.test_gui_support import close_main_window, insert_synthetic_photos  # noqa: E402

window = test_gui_support.window  # the suite's window fixture: 1,200 × 800, closed after the test

pytestmark = pytest.mark.gui


@pytest.fixture
def unaccepted(qtbot, tmp_path):
    """A window on 600 synthetic photos showing the search `-state:accepted`."""
    from app.gui.app import create_application, open_main_window

    create_application()
    db = tmp_path / "index.db"
    insert_synthetic_photos(db, 600)
    win = open_main_window(db)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    wait_for_results(qtbot, win)
    win.search_bar.set_text("-state:accepted")
    wait_for_results(qtbot, win)
    yield win
    close_main_window(win)


def in_a_terminal(qtbot, win, change) -> None:
    """`change(other)` on a second connection to the app's index; then the app looks."""
    with PhotoIndex.open(win.index.path) as other:
        change(other)
    assert win.outside_changes.look()
    wait_for_results(qtbot, win)


def chosen_ids(win) -> set[int]:
    ids = win.grid_model.ids()
    return {photo_id for span in win.grid.selectionModel().selection() for photo_id in ids[span.top():span.bottom() + 1]}


def test_an_outside_change_to_the_results_keeps_the_view_where_the_user_scrolled(qtbot, unaccepted) -> None:
    win = unaccepted
    current = win.grid_model.ids()[10]
    win.grid.setCurrentIndex(win.grid_model.index(10))  # the photo in the detail pane
    bar = win.grid.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)  # then the wheel, far from it
    qtbot.wait(50)
    before = bar.value()
    last = win.grid_model.ids()[-1]  # below the screen

    in_a_terminal(qtbot, win, lambda other: other.set_label(last, "Our cabin", source="user", state="accepted"))
    qtbot.wait(50)  # the view's delayed layout

    assert last not in win.grid_model.ids()
    assert win.grid_model.photo_id(win.grid.currentIndex().row()) == current
    assert bar.value() == before


def test_an_outside_change_with_every_photo_chosen_moves_rows_without_a_reset(qtbot, unaccepted) -> None:
    win = unaccepted
    ids = win.grid_model.ids()
    win.grid.setCurrentIndex(win.grid_model.index(3))
    win.grid.selectAll()  # Ctrl+A
    resets = []
    win.grid_model.modelReset.connect(lambda: resets.append(1))

    in_a_terminal(qtbot, win, lambda other: other.set_label(ids[-1], "Our cabin", source="user", state="accepted"))

    assert resets == []  # a reset and choosing 599 rows again blocked the window 0.4-0.8 s at 85,000
    assert win.grid_model.ids() == ids[:-1]
    assert len(win.grid.selectionModel().selection()) == 1  # still one range
    assert chosen_ids(win) == set(ids[:-1])
    assert win.grid_model.photo_id(win.grid.currentIndex().row()) == ids[3]


def test_a_photo_coming_into_the_results_from_outside_is_not_chosen(qtbot, unaccepted) -> None:
    win = unaccepted
    ids = win.grid_model.ids()
    in_a_terminal(qtbot, win, lambda other: other.set_label(ids[5], "Our cabin", source="user", state="accepted"))
    win.grid.setCurrentIndex(win.grid_model.index(3))
    win.grid.selectAll()
    resets = []
    win.grid_model.modelReset.connect(lambda: resets.append(1))

    in_a_terminal(qtbot, win, lambda other: other.set_state([ids[5]], "suggested"))

    assert resets == []
    assert win.grid_model.ids() == ids
    assert chosen_ids(win) == set(ids) - {ids[5]}  # A, R and L act on the photos chosen, not on it


def test_a_current_photo_leaving_the_results_from_outside_gives_way_to_the_one_after_it(qtbot, unaccepted) -> None:
    win = unaccepted
    ids = win.grid_model.ids()
    win.grid.setCurrentIndex(win.grid_model.index(3))

    in_a_terminal(qtbot, win, lambda other: other.set_label(ids[3], "Our cabin", source="user", state="accepted"))

    assert win.grid_model.photo_id(win.grid.currentIndex().row()) == ids[4]
    assert chosen_ids(win) == {ids[4]}


def test_a_landmark_renamed_in_a_terminal_stays_chosen_under_its_new_name(qtbot, window, tmp_path) -> None:
    added_folder(qtbot, window, tmp_path, count=6)
    ids = window.grid_model.ids()
    for photo_id in ids[:2]:
        window.index.set_label(photo_id, "Our cabbin", source="user", state="accepted")
    window.index.set_label(ids[2], "Eiffel Tower", source="user", state="accepted")
    window.library_changed()
    wait_for_results(qtbot, window)
    window.library_tree.select_landmark("Our cabbin")
    wait_for_results(qtbot, window)

    in_a_terminal(qtbot, window, lambda other: rename_place(other, "Our cabbin", "Our cabin"))

    assert window.library_tree.selected_landmark() == "Our cabin"
    assert sorted(window.grid_model.ids()) == sorted(ids[:2])


def test_a_chosen_landmark_merged_in_a_terminal_into_another_drops_to_all_photos(qtbot, window, tmp_path) -> None:
    added_folder(qtbot, window, tmp_path, count=6)
    ids = window.grid_model.ids()
    for photo_id, label in zip(ids, ["Our cabbin", "Our cabbin", "Our cabin"]):
        window.index.set_label(photo_id, label, source="user", state="accepted")
    window.library_changed()
    wait_for_results(qtbot, window)
    window.library_tree.select_landmark("Our cabbin")
    wait_for_results(qtbot, window)

    in_a_terminal(qtbot, window, lambda other: rename_place(other, "Our cabbin", "Our cabin"))

    assert window.library_tree.selected_landmark() == ""  # no new name holds exactly its photos
    assert len(window.grid_model.ids()) == 6


def test_the_counts_of_an_outside_change_are_read_before_its_photos_arrive(qtbot, unaccepted) -> None:
    """Read by the worker while the grid took out a row and laid out 85,000 (a Python call a
    row, each waiting for the GIL while the worker's Python held it), the counts made that
    stall 3-4 times as long: 190-360 ms. They come first now, the photos with the worker idle."""
    win = unaccepted
    ids = win.grid_model.ids()
    win.grid.selectAll()
    answers = []
    win.results.summarised.connect(lambda _snapshot: answers.append("counts"))
    win.results.searched.connect(lambda _results: answers.append("photos"))

    in_a_terminal(qtbot, win, lambda other: other.set_label(ids[7], "Our cabin", source="user", state="accepted"))

    assert answers == ["counts", "photos"]
    assert win.grid_model.ids() == ids[:7] + ids[8:]
    assert chosen_ids(win) == set(ids) - {ids[7]}


def test_the_counts_after_a_job_are_read_before_its_photos_arrive(qtbot, unaccepted) -> None:
    """As after an outside change: read beside the grid's new rows (85,000 chosen: a reset and
    the chosen rows chosen again), the counts made a job's end stall longer."""
    win = unaccepted
    ids = win.grid_model.ids()
    win.index.set_label(ids[7], "Colosseum", source="model", state="suggested")  # the job accepts it
    win.grid.setCurrentIndex(win.grid_model.index(3))
    win.grid.selectAll()
    answers = []
    win.results.summarised.connect(lambda _snapshot: answers.append("counts"))
    win.results.searched.connect(lambda _results: answers.append("photos"))

    assert win.jobs.set_states({"accepted": [ids[7]]}, win.index.review_states([ids[7]]), "Accepting 1 photo",
                               lambda change: None)
    qtbot.waitUntil(lambda: not win.jobs.busy and not win.results.busy, timeout=20000)

    assert answers == ["counts", "photos"]
    assert win.grid_model.ids() == ids[:7] + ids[8:]
    assert chosen_ids(win) == set(ids) - {ids[7]}


def test_rows_in_and_out_are_found_without_a_python_step_a_row(qtbot) -> None:
    """update_ids went through every row in Python three times (25 ms at 85,000 rows, and
    several times that beside a worker); the rows that changed are found in C now, so the
    Python it runs grows with the photos that changed, not with the rows."""
    import sys

    from app.gui import photo_model
    from app.gui.thumbnail_loader import ThumbnailLoader

    model = photo_model.PhotoListModel(lambda photo_id: None, ThumbnailLoader(32, threads=1))
    ids = list(range(1, 20_001))
    model.set_ids(ids)
    lines = []

    def count_lines(frame, event, _arg):
        if frame.f_code.co_filename == photo_model.__file__:
            lines.append(event)
        return count_lines

    new = ids[:300] + ids[301:15_000] + [30_000, 30_001] + ids[15_000:]
    sys.settrace(count_lines)
    try:
        inserted = model.update_ids(new)
    finally:
        sys.settrace(None)

    assert inserted == [(14_999, 15_000)]
    assert model.ids() == new
    assert len(lines) < 500, len(lines)
