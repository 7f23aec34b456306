"""A list view of uniform rows that stays where the user scrolled it, whatever arrives.

Qt's batched layout (LayoutMode.Batched) lays out the first batch of rows, then the rest
from a timer; while it does, the scroll range covers the first batch only and the
position is clamped to it, and it stays clamped when the range grows back. QListView
lays out again on every dataChanged (a thumbnail arriving, a label refresh), so a view
past the first batch snapped back to it, and a scrollTo() right after a new search did
nothing for a row past the first batch. Here the layout is one pass (O(rows) with uniform
sizes: about 60 ms for 100,000 rows on a 2-core VM), done only when the rows or the
view's width change: a change of what a row shows never moves a row, because every row
has the same size. When the width changes the photo at the top stays at the top (the
same scroll offset in pixels showed other photos once the columns changed), unless that
would push the current photo, on screen before, out of view: then the view scrolls the
least that shows it again (fewer columns put it rows lower). A change of many chosen rows
(Ctrl+A, or the one photo chosen after an A on them) repaints the view whole, and
Ctrl+A chooses the rows as one range (no row is ever hidden here).
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, QPoint
from PySide6.QtGui import QRegion
from PySide6.QtWidgets import QAbstractItemView, QListView


MANY_ROWS = 256  # more chosen or unchosen rows than this at once: the whole view is repainted


class SteadyListView(QListView):
    """Uniform rows, laid out in one pass; changed data repaints its rows only."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setUniformItemSizes(True)
        self.setLayoutMode(QListView.LayoutMode.SinglePass)

    def dataChanged(self, top_left, bottom_right, roles=()) -> None:  # noqa: N802 (Qt's name)
        # QListView's own handler lays every row out again (tens of ms with 100,000
        # rows, for each thumbnail); the base class repaints the changed rows.
        QAbstractItemView.dataChanged(self, top_left, bottom_right, list(roles))

    def visualRegionForSelection(self, selection) -> QRegion:  # noqa: N802 (Qt's name)
        # A wrapping QListView asks the model for each chosen row's rectangle, visible or not:
        # Ctrl+A on 30,000 photos, and the one chosen after an A on them, froze the window
        # 0.2 s each. More rows than a screen holds: one repaint of what is shown instead.
        if sum(span.height() for span in selection) > MANY_ROWS:
            return QRegion(self.viewport().rect())
        return super().visualRegionForSelection(selection)

    def selectAll(self) -> None:  # noqa: N802 (Qt's name; Ctrl+A calls it)
        # QListView's looks at every row for hidden ones, asking the model for its row count
        # each time (30,000 calls into Python); no row is hidden here: all rows are one range.
        model = self.model()
        many = (QAbstractItemView.SelectionMode.ExtendedSelection, QAbstractItemView.SelectionMode.MultiSelection)
        if model is None or self.selectionModel() is None or self.selectionMode() not in many:
            super().selectAll()
            return
        rows = model.rowCount(self.rootIndex())
        if rows:
            every = QItemSelection(model.index(0, 0, self.rootIndex()), model.index(rows - 1, 0, self.rootIndex()))
            self.selectionModel().select(every, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def doItemsLayout(self) -> None:  # noqa: N802 (Qt's name)
        top = self.indexAt(QPoint(1, 1)) if self.model() is not None else QModelIndex()
        above = self.visualRect(top).top() if top.isValid() else None
        current = self.currentIndex()
        current_shown = current.isValid() and self.viewport().rect().intersects(self.visualRect(current))
        super().doItemsLayout()
        if above is not None:  # the same rows, laid out anew (a resize)
            bar = self.verticalScrollBar()
            bar.setValue(bar.value() + self.visualRect(top).top() - above)
            if current_shown:  # the photo worked on stays in sight
                self.scrollTo(current, QAbstractItemView.ScrollHint.EnsureVisible)
