"""Enter pressed out of habit must not do what cannot be taken back (GUI tester's F1, F2,
F3, F7): "Merge two places", "Undo write", "Forget missing photos", "Remove from
library" and "Forget a taught place" went ahead on Enter (QMessageBox.question made Yes
the default); Set label… on a typo made the misspelt landmark at the second Enter; Delete
on one Problems row emptied the whole list; Rename…, Taught places… and Find suggestions
were in no menu."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from tests.test_gui_teaching import taught_window  # noqa: E402,F401

pytestmark = pytest.mark.gui


def _answer_with_key(qtbot, key) -> list:
    """Press `key` on the next question box once it shows; returns what the box said."""
    seen = []

    def press() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) or not box.isVisible():
            QTimer.singleShot(20, press)
            return
        seen.append((box.text(), box.defaultButton().text() if box.defaultButton() else None))
        qtbot.keyClick(box, key)

    QTimer.singleShot(0, press)
    return seen


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Escape])
def test_enter_or_escape_on_a_destructive_question_leaves_everything_as_it_was(qtbot, taught_window, tiny_bundle,
                                                                                key) -> None:
    from app.core.index.connection import now_iso
    from app.core.metadata import journal
    from app.core.teaching import taught_labels, teach

    win, ids = taught_window
    teach(win.index, "Our cabin", ids["cabin"][:2], bundle=tiny_bundle)
    questions = {
        "merge": lambda: win.confirm_merge("Bakery", "Our cabin"),
        "remove folder": lambda: win.confirm_forget_folder(
            SimpleNamespace(folder="photos", line=lambda: "8 photos", yours=1)),
        "forget missing": lambda: win.ask_forget_missing(SimpleNamespace(
            photos=2, yours=0, skipped_folders=[], awaiting_scan=0, in_icloud=0, line=lambda: "2 missing photos")),
    }
    for name, ask in questions.items():
        seen = _answer_with_key(qtbot, key)
        assert ask() is False, name
        assert seen and seen[0][1] == "&No", (name, seen)
    assert not win.jobs.busy  # Forget missing photos started nothing

    dialog = win.taught_places_dialog()
    qtbot.addWidget(dialog)
    seen = _answer_with_key(qtbot, key)
    assert dialog.confirm_forget("Our cabin") is False
    win.jobs.job_stopped.disconnect(dialog.reload_after_job)
    assert "Our cabin" in taught_labels(win.index)

    with win.index.transaction() as conn:  # a write made earlier (what it changed is not needed to ask)
        batch_id = conn.execute("INSERT INTO write_batches (started_at, status) VALUES (?, 'done')",
                                (now_iso(),)).lastrowid
    seen = _answer_with_key(qtbot, key)
    assert win.jobs.undo_after_asking() is False
    assert not win.jobs.busy and not journal.batch_undone(win.index, batch_id)
    # it names the write by when it was made, not by a batch number the user never saw
    assert "batch" not in seen[0][0].lower() and " at " in seen[0][0], seen


def test_yes_still_goes_ahead(qtbot, taught_window) -> None:
    win, _ids = taught_window

    def press_yes() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, press_yes)
            return
        box.button(QMessageBox.StandardButton.Yes).click()

    QTimer.singleShot(0, press_yes)
    assert win.confirm_merge("Bakery", "Our cabin") is True


def test_undo_write_names_its_write_by_when_it_was_made() -> None:
    from datetime import datetime

    from app.gui.job_controller import write_moment

    made = datetime(2024, 12, 5, 21, 40, 12).astimezone()
    started_at = made.isoformat()
    assert write_moment(started_at, now=made.replace(hour=23)) == "today at 21:40"
    assert write_moment(started_at, now=made.replace(month=12, day=24)) == "on 5 Dec at 21:40"
    assert write_moment(started_at, now=made.replace(year=2025, month=1)) == "on 5 Dec 2024 at 21:40"
    assert write_moment(None) == "" and write_moment("not a time") == ""


@pytest.mark.parametrize("teaching", [False, True])
def test_enter_after_did_you_mean_takes_the_suggestion_not_the_typo(qtbot, teaching) -> None:
    from app.gui.label_dialog import LabelDialog

    dialog = LabelDialog(["Colosseum", "Petra"], None, 1, teaching=teaching, known=["Colosseum", "Petra"])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.field.setText("Colloseum")
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    assert dialog.result() != LabelDialog.DialogCode.Accepted and "did you mean 'Colosseum'?" in dialog.question.text()
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)  # the reflex after a typo warning
    assert dialog.result() == LabelDialog.DialogCode.Accepted and dialog.label() == "Colosseum"


def test_make_new_landmark_is_still_one_click_and_ok_is_enter_again_once_the_name_changes(qtbot) -> None:
    from app.gui.label_dialog import MAKE_NEW, LabelDialog

    dialog = LabelDialog(["Colosseum"], None, 1, known=["Colosseum"])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.field.setText("Colloseum")
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    dialog.field.setText("Our cabin")  # a name close to none: Enter is OK again
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    assert dialog.result() == LabelDialog.DialogCode.Accepted and dialog.label() == "Our cabin"

    dialog = LabelDialog(["Colosseum"], None, 1, known=["Colosseum"])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.field.setText("Colloseum")
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    ok = dialog.buttons.buttons()[0] if dialog.buttons.buttons()[0].text() == MAKE_NEW else dialog.buttons.buttons()[1]
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dialog.result() == LabelDialog.DialogCode.Accepted and dialog.label() == "Colloseum"


def test_delete_on_a_problems_row_hides_that_row_only_and_says_it_comes_back(qtbot) -> None:
    from app.gui.errors_panel import ErrorsPanel

    panel = ErrorsPanel()
    qtbot.addWidget(panel)
    for name in ("a.jpg", "b.jpg", "c.jpg"):
        panel.add_problem(f"/photos/{name}", "decode", f"{name} cannot be read")
    said = []
    panel.rows_hidden.connect(said.append)
    panel.setCurrentCell(1, 0)
    qtbot.keyClick(panel, Qt.Key.Key_Delete)
    assert [row[0] for row in panel.problems()] == ["/photos/c.jpg", "/photos/a.jpg"]
    assert said == ["1 problem hidden from the list. A problem a file still has is listed again at the next "
                    "start, or when a job meets it again."]
    panel.add_problem("/photos/b.jpg", "decode", "b.jpg cannot be read")  # met again: listed again
    assert panel.rowCount() == 3


def test_rename_taught_places_and_find_suggestions_are_in_the_edit_menu(qtbot, taught_window, tiny_bundle,
                                                                         monkeypatch) -> None:
    from app.core.teaching import teach
    from app.gui.label_dialog import LabelDialog

    win, ids = taught_window
    teach(win.index, "Our cabin", ids["cabin"][:2], bundle=tiny_bundle)
    win.library_changed()
    qtbot.waitUntil(lambda: win.library_tree.has_landmark("Our cabin"), timeout=10000)
    edit = next(action.menu() for action in win.menuBar().actions() if action.text() == "&Edit")
    texts = [action.text() for action in edit.actions()]
    assert {"Rename place…", "Taught places…", "Find suggestions"} <= set(texts)
    asked = []
    monkeypatch.setattr(LabelDialog, "exec", lambda dialog: asked.append(dialog.renamed) or 0)
    if sys.platform == "darwin":
        assert win.rename_place_action.shortcut().isEmpty()  # a Mac has no rename key
        win.rename_place_action.trigger()
    else:
        assert win.rename_place_action.shortcut().toString() == "F2"
        win.library_tree.select_landmark("Our cabin")
        win.library_tree.setFocus()
        qtbot.keyClick(win.library_tree, Qt.Key.Key_F2)
        assert asked == ["Our cabin"]
