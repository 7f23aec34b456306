"""The app's A after Ctrl+A on a search turned a photo the user had rejected back into
accepted ("Accepted 20 photos"), and Write labels then put the rejected label into its
file, the harm the command line's accept of a query no longer does (0d8baea; found by a
tester). Among several chosen photos, A now leaves those rejected and R those accepted,
and says so; chosen alone, they change."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import QItemSelectionModel  # noqa: E402

from app.gui.main_window import PAGE_GRID  # noqa: E402
from tests import test_gui_support  # noqa: E402
from tests.test_gui_support import added_folder, suggest, wait_for_results  # noqa: E402
from tests.test_gui_outside_changes import status  # noqa: E402

window = test_gui_support.window  # the suite's window fixture

pytestmark = pytest.mark.gui


def grid_of(qtbot, win, tmp_path, count: int) -> list[int]:
    added_folder(qtbot, win, tmp_path, count=count)
    for photo_id in win.index.photo_ids(""):
        suggest(win.index, photo_id, "Petra", 0.6)
    win.library_changed()
    win.show_page(PAGE_GRID)
    wait_for_results(qtbot, win)
    return win.grid_model.ids()


def choose(win, rows: list[int]) -> None:
    view, model = win.grid, win.grid_model
    view.selectionModel().clearSelection()
    for row in rows:
        view.selectionModel().select(model.index(row), QItemSelectionModel.SelectionFlag.Select)
    view.selectionModel().setCurrentIndex(model.index(rows[0]), QItemSelectionModel.SelectionFlag.Select)


def states(win, ids) -> list[str]:
    return [win.index.get(i).state for i in ids]


def test_a_after_ctrl_a_leaves_the_photo_the_user_rejected(qtbot, window, tmp_path) -> None:
    ids = grid_of(qtbot, window, tmp_path, 3)
    window.index.set_state([ids[1]], "rejected")
    window.photos_changed([ids[1]])
    window.grid.selectAll()

    window.accept_selected()

    assert states(window, ids) == ["accepted", "rejected", "accepted"]
    assert status(window) == "Accepted 2 photos; 1 rejected photo left as it is (choose it alone to accept it)"
    choose(window, [ids.index(ids[1])])
    window.accept_selected()
    assert states(window, ids) == ["accepted", "accepted", "accepted"]  # chosen alone: accepted


def test_r_of_several_leaves_the_photos_the_user_accepted(qtbot, window, tmp_path) -> None:
    ids = grid_of(qtbot, window, tmp_path, 3)
    window.index.set_state([ids[0], ids[2]], "accepted")
    window.photos_changed([ids[0], ids[2]])
    choose(window, [0, 1, 2])

    window.reject_selected()

    assert states(window, ids) == ["accepted", "rejected", "accepted"]
    assert status(window).endswith("; 2 accepted photos left as they are (choose them alone to reject them)")
    choose(window, [0, 2])
    window.reject_selected()  # all of that kind: what the user means
    assert states(window, ids) == ["rejected", "rejected", "rejected"]


def test_photos_leave_the_review_list_a_run_of_rows_at_a_time(qtbot) -> None:
    """A on 3,000 photos of the review list held the window 1.3-1.6 s: they left it a row at
    a time, each removal moving the current photo (the detail pane rebuilt, a preview
    loaded) once per photo (found by a tester). Consecutive rows now leave together."""
    from app.gui import photo_model
    from app.gui.thumbnail_loader import ThumbnailLoader

    model = photo_model.PhotoListModel(lambda photo_id: None, ThumbnailLoader(32, threads=1))
    model.set_ids(list(range(1, 3_001)))
    removals = []
    model.rowsRemoved.connect(lambda _parent, first, last: removals.append((first, last)))

    model.remove_ids([*range(1, 1_001), *range(1_501, 3_001)])  # Ctrl+A less a stretch kept

    assert removals == [(1_500, 2_999), (0, 999)]
    assert model.ids() == list(range(1_001, 1_501))
