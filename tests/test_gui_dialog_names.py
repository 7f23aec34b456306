"""What a screen reader hears in the app's dialogs: the name field of Set label (L) and
Teach a place (T) was an unnamed edit (a placeholder only), and so were Settings'
threshold box, the F1 shortcuts table and the write list (found by a tester). Every
focusable widget of every dialog the app defines now has a name, its own or its label's."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QAccessible  # noqa: E402
from PySide6.QtWidgets import QDialog, QWidget  # noqa: E402

from app.core.metadata.keywords import KeywordFields  # noqa: E402
from app.core.metadata.plan import PlannedWrite  # noqa: E402
from app.core.settings import AppSettings  # noqa: E402
from tests.test_gui_support import window  # noqa: E402,F401

pytestmark = pytest.mark.gui


def app_dialog_classes() -> set[type]:
    """Every QDialog subclass the app's GUI defines."""
    import app.gui

    found = set()
    for module_info in pkgutil.iter_modules(app.gui.__path__):
        module = importlib.import_module(f"app.gui.{module_info.name}")
        found.update(cls for _, cls in inspect.getmembers(module, inspect.isclass)
                     if issubclass(cls, QDialog) and cls.__module__.startswith("app.gui."))
    return found


def dialogs(win) -> dict[str, QDialog]:
    """One of each dialog the app opens, as it opens them (L, T, Rename…, Settings, F1, write, Taught places)."""
    from app.gui.label_dialog import LabelDialog
    from app.gui.settings_dialog import SettingsDialog
    from app.gui.shortcuts_dialog import ShortcutsDialog
    from app.gui.taught_places import TaughtPlacesDialog
    from app.gui.write_dialog import WritePlanDialog

    plan = [PlannedWrite(photo_id=1, source=Path("/trip/a.jpg"), target=Path("/trip/a.jpg"), kind="jpeg",
                         label="Petra", previous_label=None, before=KeywordFields(subject=[]),
                         after=KeywordFields(subject=["Petra"]))]
    return {
        "label": LabelDialog(["Petra"], None, 3, win),
        "teach": LabelDialog(["Petra"], None, 3, win, teaching=True),
        "rename": LabelDialog(["Petra"], "Petra", 3, win, renaming=True),
        "settings": SettingsDialog(AppSettings(threshold=0.5), win),
        "shortcuts": ShortcutsDialog(win.keyboard_actions(), win),
        "write": WritePlanDialog(plan, False, win),
        "taught places": TaughtPlacesDialog(win.index, win),
    }


def unnamed_focusable(dialog: QDialog) -> list[str]:
    """The focusable widgets shown in `dialog` that a screen reader would call nothing."""
    unnamed = []
    for widget in dialog.findChildren(QWidget):
        if not widget.isVisible() or widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue
        if widget.focusProxy() is not None:  # its proxy takes the focus and is checked itself
            continue
        accessible = QAccessible.queryAccessibleInterface(widget)
        if not (accessible and accessible.text(QAccessible.Text.Name).strip()):
            unnamed.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return unnamed


def test_every_dialog_of_the_app_is_walked_here(window) -> None:
    assert {type(dialog) for dialog in dialogs(window).values()} == app_dialog_classes()


def test_every_focusable_widget_of_every_dialog_has_a_name(qtbot, window) -> None:
    unnamed = {}
    for name, dialog in dialogs(window).items():
        dialog.show()
        qtbot.waitExposed(dialog)
        if missing := unnamed_focusable(dialog):
            unnamed[name] = missing
        dialog.reject()
    assert unnamed == {}


def test_the_name_fields_are_named_as_their_question(qtbot, window) -> None:
    shown = dialogs(window)
    for name, said in [("label", "Label for these 3 photos"), ("teach", "Which place shows in these 3 photos?")]:
        dialog = shown[name]
        dialog.show()
        accessible = QAccessible.queryAccessibleInterface(dialog.field)
        assert accessible.text(QAccessible.Text.Name) == said
        dialog.reject()
