"""Review one key per photo reaches the grid's last photo: after A, R or L on the
second-to-last photo the last one is current, so the next key acts on it (an
off-by-one there would leave the reviewed photo current, the next key would act on
it again, and the last photo of the grid would never be reviewed)."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import Qt  # noqa: E402

from app.gui.label_actions import next_row_not_in  # noqa: E402
from tests.test_gui_support import added_folder, suggest, wait_for_job, window  # noqa: E402,F401

pytestmark = pytest.mark.gui


def test_the_next_row_may_be_the_last_one() -> None:
    shown = [11, 12, 13, 14]
    assert next_row_not_in(shown, [13], 2) == 3
    assert next_row_not_in(shown, [12, 13], 1) == 3  # after a run of changed photos
    assert next_row_not_in(shown, [13, 14], 2) == 2  # the changed photos are the last: stay


def _review_the_second_to_last(qtbot, win, how: str) -> None:
    if how == "label":
        photo_id = win.grid_model.photo_id(win.grid.currentIndex().row())
        win.set_user_label([photo_id], "Our hotel", win.index.review_states([photo_id]))
        wait_for_job(qtbot, win)
    else:
        qtbot.keyClick(win.grid, Qt.Key.Key_A if how == "accept" else Qt.Key.Key_R)


@pytest.mark.parametrize(("how", "state"), [("accept", "accepted"), ("reject", "rejected"), ("label", "accepted")])
def test_a_review_key_on_the_second_to_last_photo_moves_on_to_the_last(qtbot, window, tmp_path, how, state) -> None:
    added_folder(qtbot, window, tmp_path, count=4)
    ids = [window.grid_model.photo_id(row) for row in range(4)]
    for photo_id in ids:
        suggest(window.index, photo_id, "Petra", 0.7)
    window.grid.setFocus()
    window.grid.setCurrentIndex(window.grid_model.index(2))
    _review_the_second_to_last(qtbot, window, how)
    assert window.index.get(ids[2]).state == state
    assert window.grid.currentIndex().row() == 3
    qtbot.keyClick(window.grid, Qt.Key.Key_A)  # the next key reviews the last photo
    assert [window.index.get(i).state for i in ids] == ["suggested", "suggested", state, "accepted"]
