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
least that shows it again (fewer columns put it rows lower).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint
from PySide6.QtWidgets import QAbstractItemView, QListView


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
