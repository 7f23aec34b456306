"""The app names the best guess a "no landmark" photo's score is for (firsthour F4): the
detail pane said "75% best guess" and the tile just "no landmark", the guess's name only in
the predictions list below."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import Qt  # noqa: E402

from app.core.index import Prediction  # noqa: E402
from tests.test_gui_support import added_folder, window  # noqa: E402,F401  (the fixture)


def _missed_colosseum(win) -> tuple[int, int]:
    """Photo 0 is "no landmark", its best guess Colosseum 0.75 short of the threshold 0.8."""
    photo_id = win.grid_model.photo_id(0)
    win.index.set_predictions(photo_id, "test-model", [Prediction("colosseum", "Colosseum", 0.75),
                                                       Prediction("petra", "Petra", 0.25)], threshold=0.8)
    record = win.index.get(photo_id)
    assert (record.label, record.state, round(record.score, 2)) == (None, "suggested", 0.75)
    win.photos_changed([photo_id])
    return photo_id, 0


def test_the_detail_pane_names_the_best_guess_where_its_percentage_is(qtbot, window, tmp_path) -> None:  # noqa: F811
    added_folder(qtbot, window, tmp_path, count=2)
    _missed_colosseum(window)
    window.grid.setCurrentIndex(window.grid_model.index(1))
    window.grid.setCurrentIndex(window.grid_model.index(0))
    qtbot.waitUntil(lambda: window.detail.title.text() == "No landmark")
    assert window.detail.state_line.text().endswith("best guess Colosseum, 75%")
    assert "75% best guess" not in window.detail.state_line.text()


def test_the_tile_tooltip_names_the_best_guess(qtbot, window, tmp_path) -> None:  # noqa: F811
    added_folder(qtbot, window, tmp_path, count=2)
    _missed_colosseum(window)
    tip = window.grid_model.data(window.grid_model.index(0), Qt.ItemDataRole.ToolTipRole)
    assert tip.splitlines()[1] == "no landmark (best guess Colosseum, 75%) · suggested"


def test_a_no_landmark_the_user_set_names_no_guess(qtbot, window, tmp_path) -> None:  # noqa: F811
    added_folder(qtbot, window, tmp_path, count=2)
    photo_id, row = _missed_colosseum(window)
    window.index.set_label(photo_id, None, source="user", state="accepted", score=None)
    window.photos_changed([photo_id])
    tip = window.grid_model.data(window.grid_model.index(row), Qt.ItemDataRole.ToolTipRole)
    assert tip.splitlines()[1] == "no landmark · accepted"
    window.grid.setCurrentIndex(window.grid_model.index(1))
    window.grid.setCurrentIndex(window.grid_model.index(row))
    qtbot.waitUntil(lambda: window.detail.title.text() == "No landmark")
    assert "best guess" not in window.detail.state_line.text()
