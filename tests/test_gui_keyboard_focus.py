"""Keyboard focus shows: the photo grid, the library panel, the sort menu and the detail
pane looked the same with focus and without (Tab moved an invisible cursor), and the
grid's current tile had no outline when nothing was selected."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import QItemSelectionModel, QRect  # noqa: E402

from tests.test_gui_support import added_folder, window  # noqa: E402,F401

pytestmark = pytest.mark.gui


def grab_with_focus(qtbot, win, widget, focused: bool):
    """`widget` drawn with keyboard focus, or with focus in the search field."""
    win.activateWindow()
    (widget if focused else win.search_bar.field).setFocus()
    qtbot.waitUntil(lambda: widget.hasFocus() == focused, timeout=3000)
    qtbot.wait(30)
    return widget.grab().toImage()


@pytest.mark.parametrize("part", ["grid", "library_tree", "sort", "detail"])
def test_a_focused_view_looks_focused(qtbot, window, tmp_path, part) -> None:
    added_folder(qtbot, window, tmp_path, count=3)
    widget = {"grid": window.grid, "library_tree": window.library_tree, "detail": window.detail,
              "sort": window.search_bar.order}[part]
    window.grid.selectionModel().clear()
    assert grab_with_focus(qtbot, window, widget, False) != grab_with_focus(qtbot, window, widget, True)


def test_the_grids_current_tile_is_outlined_while_the_grid_has_focus(qtbot, window, tmp_path) -> None:
    added_folder(qtbot, window, tmp_path, count=3)
    grid = window.grid
    grid.selectionModel().setCurrentIndex(grid.model().index(1), QItemSelectionModel.SelectionFlag.Clear)
    assert not grid.selectionModel().selectedIndexes() and grid.currentIndex().row() == 1
    tile: QRect = grid.visualRect(grid.model().index(1))
    other: QRect = grid.visualRect(grid.model().index(2))
    grid.grab()  # drawn once, the tiles ask for their thumbnails; none may arrive between the grabs below
    qtbot.waitUntil(lambda: window.thumbnails.pending() == 0, timeout=10000)
    qtbot.wait(30)
    focused = grab_with_focus(qtbot, window, grid, True)
    unfocused = grab_with_focus(qtbot, window, grid, False)
    offset = grid.viewport().pos()
    assert focused.copy(tile.translated(offset)) != unfocused.copy(tile.translated(offset))
    assert focused.copy(other.translated(offset)) == unfocused.copy(other.translated(offset))  # only the current one
