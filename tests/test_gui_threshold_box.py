"""The settings dialog's threshold box under a German or an English locale (pytest-qt,
offscreen): "0.8" and "0,8" both mean 0.8, the dialog shows one form of a figure, and a
text that is no threshold is refused, never saved as another figure (it saved 0.0)."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import QLocale, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from app.core.settings import AppSettings  # noqa: E402
from app.gui.threshold_box import parse_threshold, threshold_problem  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture(params=["de_DE", "fr_FR", "en_US"])
def locale(request):
    """The locale a photographer's desktop gives the app (QLocale's default)."""
    before = QLocale()
    QLocale.setDefault(QLocale(request.param))
    yield request.param
    QLocale.setDefault(before)


def open_dialog(qtbot, settings: AppSettings):
    from app.gui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.bundle_chooser.is_listed, timeout=20000)
    return dialog


def type_into_box(dialog, text: str) -> None:
    box = dialog.threshold
    box.setFocus()
    box.lineEdit().selectAll()
    QTest.keyClicks(box.lineEdit(), text)


@pytest.mark.parametrize(("text", "value"), [("0.8", 0.8), ("0,8", 0.8), (",8", 0.8), (" 1 ", 1.0),
                                             ("0,85", 0.85), ("0", 0.0), ("1.00", 1.0)])
def test_a_point_or_a_comma_reads_as_a_threshold(text: str, value: float) -> None:
    assert parse_threshold(text) == pytest.approx(value)
    assert threshold_problem(text) == ""


@pytest.mark.parametrize(("text", "problem"), [
    ("1,5", "Type a number from 0 to 1"), ("-0.5", "Type a number from 0 to 1"), ("abc", "Type a number"),
    ("", "Type a number"), ("0,", "Type a number"), ("0.805", "Use at most 2 decimals"), ("08", "Type a number"),
])
def test_a_text_that_is_no_threshold_is_said_so(text: str, problem: str) -> None:
    assert parse_threshold(text) is None
    assert threshold_problem(text).startswith(problem)


@pytest.mark.parametrize("typed", ["0.8", "0,8"])
def test_either_separator_is_saved_as_typed_whatever_the_locale(qtbot, locale, typed: str) -> None:
    """In German "0.8" lost its point and Enter saved 0.0; in English "0,8" did."""
    dialog = open_dialog(qtbot, AppSettings(threshold=0.6))
    type_into_box(dialog, typed)
    assert dialog.threshold.lineEdit().text() == typed  # no keystroke dropped
    assert dialog.save_button.isEnabled()
    QTest.keyClick(dialog.threshold.lineEdit(), Qt.Key.Key_Return)  # on to the dialog's Save
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.settings().threshold == pytest.approx(0.8)


def test_the_box_and_the_checkbox_show_a_figure_alike(qtbot, locale) -> None:
    """The box read "0,79" beside "Use the bundle's own threshold (0.79)"."""
    dialog = open_dialog(qtbot, AppSettings())
    shown = dialog.threshold.text()
    assert shown[1] == "." and f"({shown})" in dialog.use_bundle_threshold.text()
    dialog.use_bundle_threshold.setChecked(False)
    dialog.threshold.setValue(0.35)
    assert dialog.threshold.text() == "0.35"


def test_a_text_that_is_no_threshold_is_refused_then_the_figure_before_is_kept(qtbot, locale) -> None:
    dialog = open_dialog(qtbot, AppSettings(threshold=0.6))
    type_into_box(dialog, "1,5")
    assert dialog.threshold.lineEdit().text() == "1,5"  # as typed, not "1," nor 1.0
    assert dialog.threshold.property("invalid") == "true" and not dialog.save_button.isEnabled()
    assert "from 0 to 1" in dialog.threshold_problem.text() and dialog.threshold_problem.isVisibleTo(dialog)
    QTest.keyClick(dialog.threshold.lineEdit(), Qt.Key.Key_Return)
    dialog.accept()  # as a caller might: refused too
    assert dialog.isVisible() and dialog.result() != dialog.DialogCode.Accepted
    assert dialog.settings().threshold == pytest.approx(0.6)
    QTest.keyClick(dialog.threshold.lineEdit(), Qt.Key.Key_Tab)  # leaving the box puts back 0.60, and says so
    assert dialog.threshold.text() == "0.60" and dialog.threshold.property("invalid") == "false"
    assert dialog.threshold_problem.text().startswith("“1,5” is no threshold; 0.60 was kept.")
    assert dialog.save_button.isEnabled() and dialog.settings().threshold == pytest.approx(0.6)


def test_enter_on_a_figure_being_typed_is_refused(qtbot) -> None:
    """"0," is on its way to a figure: unmarked while typed, refused when kept as it is."""
    dialog = open_dialog(qtbot, AppSettings(threshold=0.6))
    type_into_box(dialog, "0,")
    assert dialog.threshold.property("invalid") != "true" and not dialog.save_button.isEnabled()
    QTest.keyClick(dialog.threshold.lineEdit(), Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.threshold.property("invalid") == "true"
    QTest.keyClicks(dialog.threshold.lineEdit(), "7")
    QTest.keyClick(dialog.threshold.lineEdit(), Qt.Key.Key_Return)
    assert dialog.result() == dialog.DialogCode.Accepted and dialog.settings().threshold == pytest.approx(0.7)


def test_a_saved_threshold_with_more_decimals_is_kept_while_untouched(qtbot) -> None:
    """One set in settings.json (0.333) shows as 0.33; saving another setting keeps 0.333."""
    dialog = open_dialog(qtbot, AppSettings(threshold=0.333))
    assert dialog.threshold.text() == "0.33"
    dialog.write_into_jpeg.setChecked(False)
    assert dialog.settings().threshold == 0.333
    type_into_box(dialog, "0.34")
    assert dialog.settings().threshold == pytest.approx(0.34)


def test_the_box_keeps_its_width_when_a_problem_is_said_beside_it(qtbot) -> None:
    """It spanned the row, then shrank to a third of it when the problem was shown."""
    dialog = open_dialog(qtbot, AppSettings(threshold=0.6))
    width = dialog.threshold.width()
    type_into_box(dialog, "1,5")
    qtbot.waitUntil(lambda: dialog.threshold_problem.isVisible())
    assert dialog.threshold.width() == width
    assert dialog.threshold_problem.geometry().left() >= dialog.threshold.geometry().right()
