"""The GUI tests' own teardown (tests/test_gui_support.close_main_window): the window is
closed before its index, as the app closes it. Left open, a paint after the index closed
(pytest-qt runs the event loop again at teardown) failed now and then with "Cannot operate
on a closed database"."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")
from tests.test_gui_support import added_folder, close_main_window, wait_for_results  # noqa: E402

pytestmark = pytest.mark.gui


def test_a_closed_test_window_paints_nothing_from_its_closed_index(qtbot, tmp_path) -> None:
    from app.gui.app import create_application, open_main_window

    create_application()
    win = open_main_window(tmp_path / "index.db")
    qtbot.addWidget(win)
    win.show()
    wait_for_results(qtbot, win)
    added_folder(qtbot, win, tmp_path, count=3)

    close_main_window(win)
    win.grid_model.refresh_all()  # its tiles' records read again at the next paint
    win.grid.viewport().repaint()  # the paint a late event would bring

    assert not win.isVisible()
