"""Ctrl+A on a 30,000-photo search, and the one photo chosen after an A or R on them, froze
the window 0.2-0.5 s each (scale finding 2): Qt's wrapping list view asked the model for
every chosen row's rectangle, its selectAll walked every row, and selected_ids made an index
object a row. The grid and the review list now choose and repaint by ranges; the photos
chosen, their order and the current photo are as before."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import QAbstractListModel, QItemSelection, QItemSelectionModel, QModelIndex, Qt  # noqa: E402
from PySide6.QtGui import QRegion  # noqa: E402
from PySide6.QtWidgets import QListView  # noqa: E402

from app.gui.label_actions import ids_in_rows  # noqa: E402
from app.gui.steady_list_view import MANY_ROWS, SteadyListView  # noqa: E402

pytestmark = pytest.mark.gui

ROWS = 30_000


class CountingModel(QAbstractListModel):
    """ROWS rows; counts how often the view asks for the row count (a Python call each)."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = 0

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        self.asked += 1
        return 0 if parent.isValid() else ROWS

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        return None


@pytest.fixture
def grid(qtbot):
    view = SteadyListView()
    view.setFlow(QListView.Flow.LeftToRight)
    view.setWrapping(True)  # as the photo grid: the mode that asked for every row
    view.setSelectionMode(QListView.SelectionMode.ExtendedSelection)
    model = CountingModel()
    view.setModel(model)
    view.resize(600, 400)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.model_ref = model  # kept alive with the view
    return view


def test_ctrl_a_chooses_every_row_as_one_range_without_asking_each_row(qtbot, grid):
    grid.setCurrentIndex(grid.model().index(3))
    grid.model().asked = 0
    qtbot.keyClick(grid, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    spans = [(span.top(), span.bottom()) for span in grid.selectionModel().selection()]
    assert spans == [(0, ROWS - 1)]
    assert grid.currentIndex().row() == 3  # Ctrl+A keeps the current photo
    assert grid.model().asked < 100  # Qt's own asked 4 times a row


def test_choosing_one_photo_after_all_does_not_ask_each_row(grid):
    grid.selectAll()
    grid.model().asked = 0
    grid.selectionModel().setCurrentIndex(grid.model().index(7), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    assert [(span.top(), span.bottom()) for span in grid.selectionModel().selection()] == [(7, 7)]
    assert grid.currentIndex().row() == 7
    assert grid.model().asked < 100  # Qt's asked 3 times a row unchosen (their rectangles)


def test_many_rows_changed_repaint_the_view_whole_few_their_own_tiles(grid):
    model = grid.model()
    many = QItemSelection(model.index(0), model.index(MANY_ROWS))
    assert grid.visualRegionForSelection(many) == QRegion(grid.viewport().rect())
    few = QItemSelection(model.index(0), model.index(0))
    assert grid.visualRegionForSelection(few) == QRegion(grid.visualRect(model.index(0)))


def test_ids_in_rows_reads_overlapping_and_scattered_ranges_in_order(grid):
    model = grid.model()
    shown = [1000 + row for row in range(ROWS)]
    selection = QItemSelection(model.index(20), model.index(24))
    selection.select(model.index(2), model.index(3))
    selection.select(model.index(23), model.index(26))  # overlaps the first
    selection.select(model.index(27), model.index(27))  # touches it
    assert ids_in_rows(selection, shown) == [1002, 1003, *range(1020, 1028)]
    assert ids_in_rows(selection, shown[:22]) == [1002, 1003, 1020, 1021]  # rows past the list: none
    assert ids_in_rows(QItemSelection(), shown) == []
