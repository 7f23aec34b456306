"""Tab leaves every list and table: in the Problems panel and the write dialog's plan
table Tab went from cell to cell and wrapped round for ever, so a keyboard user never
reached the next panel or the dialog's Write and Cancel buttons (WCAG 2.1.2)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QAbstractItemView, QApplication, QDialogButtonBox  # noqa: E402

from tests.test_gui_support import added_folder, window  # noqa: E402,F401

pytestmark = pytest.mark.gui


def focus_on(qtbot, widget) -> None:
    widget.window().activateWindow()
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus, timeout=3000)


def press_tab(widget, backward: bool = False):
    """The widget with focus after one Tab (Shift+Tab) in `widget`."""
    if backward:
        QTest.keyClick(widget, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    else:
        QTest.keyClick(widget, Qt.Key.Key_Tab)
    QApplication.processEvents()
    return QApplication.focusWidget()


def reached_by_tab(qtbot, start, presses: int = 30) -> list:
    """Every widget Tab gives focus to, from `start` on."""
    focus_on(qtbot, start)
    seen, widget = [], start
    for _ in range(presses):
        widget = press_tab(widget)
        seen.append(widget)
    return seen


def test_tab_and_shift_tab_leave_the_problems_panel_and_every_view_of_the_window(qtbot, window, tmp_path) -> None:
    added_folder(qtbot, window, tmp_path, count=3)
    for row in range(11):
        window.errors_panel.add_problem(f"/photos/broken_{row}.jpg", "scan", "cannot open: not a JPEG")
    window.errors_dock.show()
    window.errors_panel.setCurrentCell(5, 1)  # in the middle: Shift+Tab went back cell by cell
    views = [view for view in window.findChildren(QAbstractItemView) if view.isVisible()]
    assert window.errors_panel in views and window.grid in views and window.library_tree in views
    for view in views:
        for backward in (False, True):
            focus_on(qtbot, view)
            now = press_tab(view, backward)
            assert now is not view and now is not None, (type(view).__name__, "backward" if backward else "forward")


def test_tab_from_the_write_plan_reaches_write_and_cancel(qtbot, tmp_path) -> None:
    from app.core.metadata.keywords import KeywordFields
    from app.core.metadata.plan import PlannedWrite
    from app.gui.write_dialog import WritePlanDialog

    plan = [PlannedWrite(photo_id=n, source=Path(f"/p/{n}.jpg"), target=Path(f"/p/{n}.jpg"), kind="jpeg",
                         label="Colosseum", previous_label=None, before=KeywordFields(subject=[]),
                         after=KeywordFields(subject=["Colosseum"])) for n in range(22)]
    dialog = WritePlanDialog(plan, include_suggested=False)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    cancel = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Cancel)
    seen = reached_by_tab(qtbot, dialog.table, presses=6)
    assert dialog.write_button in seen and cancel in seen and dialog.include_suggested in seen
    focus_on(qtbot, dialog.table)
    assert press_tab(dialog.table, backward=True) is dialog.include_suggested


def test_tab_from_the_shortcuts_list_reaches_close(qtbot) -> None:
    from app.gui.shortcuts_dialog import ShortcutsDialog

    dialog = ShortcutsDialog([])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    close = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Close)
    assert close in reached_by_tab(qtbot, dialog.table, presses=3)


def test_tab_from_the_taught_places_list_reaches_its_buttons(qtbot, monkeypatch) -> None:
    from app.core import teaching
    from app.gui.taught_places import TaughtPlacesDialog

    monkeypatch.setattr(teaching, "taught_labels", lambda index: {"Colosseum": 3, "Petra": 2})
    dialog = TaughtPlacesDialog(index=None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.places.setCurrentRow(0)
    close = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Close)
    seen = reached_by_tab(qtbot, dialog.places, presses=6)
    assert dialog.show_button in seen and close in seen
