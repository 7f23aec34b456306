"""Ctrl+Z takes back a Teach… too, but the Edit menu, the photos' right-click menu and
the F1 list called it "Take back accept/reject/label" (a GUI tester): a user who taught
the wrong photos and looked in the menus did not see it would take that back."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from tests.test_gui_support import window  # noqa: E402,F401

pytestmark = pytest.mark.gui


def test_the_menus_and_the_f1_list_say_ctrl_z_takes_back_a_teach(window) -> None:  # noqa: F811
    from PySide6.QtGui import QKeySequence

    from app.gui.shortcuts_dialog import shortcut_rows

    name = window.undo_review_action.text()
    assert "teach" in name.lower() and "label" in name.lower()
    edit_menu = next(action.menu() for action in window.menuBar().actions() if action.text() == "&Edit")
    assert name in [action.text() for action in edit_menu.actions()]
    assert name in [action.text() for action in window.grid.actions()]
    assert name in [action.text() for action in window.review.list.actions()]
    undo_keys = QKeySequence(QKeySequence.StandardKey.Undo).toString(QKeySequence.SequenceFormat.NativeText)
    assert dict(shortcut_rows(window.actions()))[name.replace("&", "")] == undo_keys
