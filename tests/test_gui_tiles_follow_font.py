"""A photo tile's label strip grows with the app's font: with a 16 pt system font the
file name line was cut at the bottom of a strip fixed at 42 px."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

pytestmark = pytest.mark.gui


def test_the_label_strip_is_42_px_at_the_default_font_and_grows_with_a_larger_one(qapp) -> None:
    from PySide6.QtGui import QFont, QFontMetrics

    from app.gui import theme
    from app.gui.tile_delegate import LABEL_STRIP, label_rows, label_strip

    default, large = QFont(), QFont()
    default.setPixelSize(13)
    large.setPixelSize(21)  # a 16 pt system font
    assert label_strip(default) == LABEL_STRIP
    label_line, name_top, name_line = label_rows(large)
    assert label_line >= QFontMetrics(large).height()
    assert name_line >= QFontMetrics(theme.scaled_font(large, 0.85)).height()
    assert label_strip(large) >= name_top + name_line + 4 > LABEL_STRIP  # room for the file name, inside the tile


def test_the_grid_tiles_grow_when_the_font_does(qtbot, tmp_path) -> None:
    from PySide6.QtGui import QFont

    from app.gui.app import create_application, open_main_window
    from app.gui.tile_delegate import PADDING, label_strip
    from tests.test_gui_support import close_main_window

    create_application()
    window = open_main_window(tmp_path / "index.db")
    qtbot.addWidget(window)
    grid, side = window.grid, window.settings.thumbnail_size + 2 * PADDING
    before = grid.gridSize().height()
    large = QFont(grid.font())
    large.setPixelSize(21)  # a 16 pt system font
    grid.setFont(large)
    assert grid.gridSize().height() > before
    assert grid.gridSize().height() == side + label_strip(large) + 4
    close_main_window(window)
