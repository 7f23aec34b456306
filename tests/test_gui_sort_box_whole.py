"""The "Newest first" box beside the search field is drawn whole on a laptop's window
with the library panel dragged as wide as it goes: its right edge was cut (Fusion drew
its own arrow button over the style sheet's rounded border), so it looked clipped by
the search row though the row had room for it."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402

from tests.test_gui_support import close_main_window, wait_for_results  # noqa: E402

pytestmark = pytest.mark.gui

EDGE = 4  # px of border and padding at each side, left of the text and right of the arrow


def edge_columns(widget, columns) -> list[list[str]]:
    """The colours of the widget's pixel `columns` along its straight sides, as drawn
    (its middle half, away from the rounded corners' antialiasing)."""
    image = widget.grab().toImage()
    scale = image.width() // widget.width()
    rows = range(image.height() // 4, image.height() - image.height() // 4)
    return [[QColor(image.pixel(x * scale, y)).name() for y in rows] for x in columns]


@pytest.mark.parametrize("size", [(1024, 640), (800, 600)])
def test_the_sort_box_is_whole_beside_the_widest_library_panel(qtbot, tmp_path, size) -> None:
    from app.gui.app import create_application, open_main_window

    create_application()
    window = open_main_window(tmp_path / "index.db")
    qtbot.addWidget(window)
    try:
        window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        wait_for_results(qtbot, window)
        window.search_bar.show_count(100_000)  # the widest count the row shows beside it
        # the user drags the library panel's edge as far right as it goes
        window.resizeDocks([window.library_dock], [size[0]], Qt.Orientation.Horizontal)
        order, central = window.search_bar.order, window.centralWidget()
        # the layout settles after the drag (on a loaded machine later than a fixed 50 ms)
        qtbot.waitUntil(lambda: order.isVisible() and order.width() >= order.minimumSizeHint().width(), timeout=3000)
        left = order.mapTo(central, order.rect().topLeft()).x()
        assert 0 <= left and left + order.width() <= central.width()
        # its right edge drawn as its left one: the rounded border, not an arrow button's frame
        width = order.width()
        assert edge_columns(order, [width - 1 - k for k in range(EDGE)]) == edge_columns(order, range(EDGE))
    finally:
        close_main_window(window)
