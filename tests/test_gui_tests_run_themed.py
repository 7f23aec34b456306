"""GUI tests see the app as its users do, whatever ran before them: a test run alone
had an unthemed QApplication (9 pt, no style sheet) and one run after a test that opened
the window a themed one, so the write list's Status column was 280 px or 221 px."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

pytestmark = pytest.mark.gui


def test_a_gui_test_starts_in_the_apps_theme_without_opening_the_window(qapp) -> None:
    from app.gui import theme

    assert qapp.font().pointSizeF() >= 10.0
    assert qapp.styleSheet() == theme.style_sheet(qapp.font())
