"""Follow-ups to the app's label checks (label_names, as the CLI's `label`): L took a word
the app uses for a state ("no landmark", "none", "rejected") as a place's name, and
Teach… (T) and Rename… took a typo of a known place as a second place."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox  # noqa: E402

from tests import test_gui_support, test_gui_teaching  # noqa: E402
from tests.test_gui_label_typo_and_no_landmark import label_first_photo, press_ok, with_a_colosseum  # noqa: E402
from tests.test_gui_teaching import select, wait_for_job  # noqa: E402

window = test_gui_support.window  # the suite's window fixture: 1,200 × 800, closed after the test
taught_window = test_gui_teaching.taught_window  # its photos by group, embedded by the tiny bundle

pytestmark = pytest.mark.gui


def ok_text(dialog) -> str:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).text()


def new_dialog(qtbot, **kwargs):
    from app.gui.label_dialog import LabelDialog

    dialog = LabelDialog(["Colosseum"], None, 1, known=["Colosseum", "Taj Mahal"], **kwargs)
    qtbot.addWidget(dialog)
    return dialog


def test_no_landmark_typed_as_a_name_is_refused_for_good_pointing_to_the_ways_to_that_state(qtbot) -> None:
    from app.gui.label_dialog import LabelDialog

    for typed in ("no landmark", "No Landmark"):
        dialog = new_dialog(qtbot)
        ok = ok_text(dialog)
        dialog.field.setText(typed)
        for _ in range(2):  # OK again does not make it: `label:` could never find such a place
            press_ok(qtbot, dialog)
            assert dialog.result() != LabelDialog.DialogCode.Accepted, typed
        text = dialog.question.text()
        assert "is no landmark name but the label of a photo that shows none" in text
        assert "“(no landmark)”" in text and "Reject (R) marks a wrong label" in text
        assert "a new landmark" not in text and ok_text(dialog) == ok
    dialog.field.setText("")  # the way it names: no name is "no landmark"
    assert dialog.question.isHidden()
    press_ok(qtbot, dialog)
    assert dialog.result() == LabelDialog.DialogCode.Accepted and dialog.label() is None


def test_a_state_word_a_place_may_be_called_is_asked_about_and_a_second_ok_makes_it(qtbot) -> None:
    """As the CLI's --new: a town is called None."""
    from app.gui.label_dialog import MAKE_NEW, LabelDialog

    for typed, way in (("none", "“(no landmark)”"), ("Rejected", "Reject (R) marks a wrong label"),
                       ("accepted", "Accept (A) accepts the label shown"), ("unlabelled", "give the place's name")):
        dialog = new_dialog(qtbot)
        dialog.field.setText(typed)
        press_ok(qtbot, dialog)
        assert dialog.result() != LabelDialog.DialogCode.Accepted, typed
        assert way in dialog.question.text() and f"Or make “{typed}” a new landmark." in dialog.question.text()
        assert ok_text(dialog) == MAKE_NEW and dialog.near_row.isHidden() and not dialog.near_buttons
        press_ok(qtbot, dialog)
        assert dialog.result() == LabelDialog.DialogCode.Accepted and dialog.label() == typed


def test_l_with_no_landmark_typed_leaves_the_photo_and_makes_no_such_place(qtbot, window, tmp_path,
                                                                          monkeypatch) -> None:
    ids = with_a_colosseum(qtbot, window, tmp_path)
    seen = {}

    def answer(dialog) -> int:
        dialog.field.setText("No landmark")
        press_ok(qtbot, dialog)
        seen["question"] = dialog.question.text()
        return dialog.result()

    label_first_photo(qtbot, window, monkeypatch, answer)
    assert "Reject (R) marks a wrong label" in seen["question"]
    assert window.index.get(ids[0]).label is None
    assert window.index.known_labels() == ["Colosseum"]


def answer_with(monkeypatch, typed: str, then) -> list:
    """The dialog gets `typed` and OK; then `then(dialog)` answers. What each dialog showed."""
    from app.gui.label_dialog import LabelDialog

    seen = []

    def answer(dialog) -> int:
        dialog.field.setText(typed)
        dialog.accept()  # OK
        seen.append({"accepted at once": dialog.result() == LabelDialog.DialogCode.Accepted,
                     "question": dialog.question.text() if not dialog.question.isHidden() else "",
                     "near": [button.text() for button in dialog.near_buttons],
                     "tips": [button.toolTip() for button in dialog.near_buttons],
                     "ok": ok_text(dialog)})
        return then(dialog)

    monkeypatch.setattr(LabelDialog, "exec", answer)
    return seen


def click_first_near(qtbot):
    def click(dialog) -> int:
        if dialog.near_buttons:
            qtbot.mouseClick(dialog.near_buttons[0], Qt.MouseButton.LeftButton)
        return dialog.result()
    return click


def test_teach_with_a_typo_of_a_known_place_asks_and_a_click_teaches_that_place(
        qtbot, taught_window, tiny_bundle, monkeypatch) -> None:
    from app.core.teaching import taught_labels, teach
    from app.gui.label_dialog import MAKE_NEW

    win, ids = taught_window
    teach(win.index, "Our cabin", ids["cabin"][:2], bundle=tiny_bundle)
    seen = answer_with(monkeypatch, "Our cabn", click_first_near(qtbot))
    select(win, ids["cabin"][2:4])
    win.grid.setFocus()
    qtbot.keyClick(win.grid, Qt.Key.Key_T)
    wait_for_job(qtbot, win)
    (shown,) = seen
    assert not shown["accepted at once"], "a typo of a taught place was taught as a second place"
    assert "No landmark named 'Our cabn'; did you mean 'Our cabin'?" in shown["question"]
    assert shown["near"] == ["Our cabin"] and shown["ok"] == MAKE_NEW
    assert shown["tips"][0].startswith("Teach it as “Our cabin”")
    assert taught_labels(win.index) == {"Our cabin": 4}
    # the model's own landmark too; and a state's word is refused as in L
    seen = answer_with(monkeypatch, "Colloseum", lambda dialog: dialog.DialogCode.Rejected)
    assert not win.teach_selected()
    assert seen[0]["near"] == ["Colosseum"]
    seen = answer_with(monkeypatch, "no landmark", lambda dialog: dialog.result())
    assert not win.teach_selected()
    assert "give the place's name" in seen[0]["question"] and taught_labels(win.index) == {"Our cabin": 4}


def test_rename_to_a_name_close_to_another_place_says_it_merges_and_a_click_merges(
        qtbot, taught_window, tiny_bundle, monkeypatch) -> None:
    from app.core.teaching import taught_labels, teach

    win, ids = taught_window
    teach(win.index, "Our cabin", ids["cabin"][:2], bundle=tiny_bundle)
    teach(win.index, "Bakery", ids["bakery"][:2], bundle=tiny_bundle)
    asked_merge = []
    monkeypatch.setattr(QMessageBox, "question", lambda parent, title, text, *_: asked_merge.append(text)
                        or QMessageBox.StandardButton.Yes)
    seen = answer_with(monkeypatch, "Our cabn", click_first_near(qtbot))
    assert win.rename_place("Bakery")
    wait_for_job(qtbot, win)
    (shown,) = seen
    assert not shown["accepted at once"], "a typo of another place was taken as a new name"
    assert "did you mean 'Our cabin'? Choosing one merges “Bakery” into it. Or rename it “Our cabn”." \
        in shown["question"]
    from app.gui.label_dialog import RENAME_AS_TYPED

    assert shown["near"] == ["Our cabin"] and shown["ok"] == RENAME_AS_TYPED
    assert shown["tips"][0].startswith("Merge “Bakery” into “Our cabin”")
    assert asked_merge and "Merge “Bakery” into it?" in asked_merge[0]
    assert taught_labels(win.index) == {"Our cabin": 4}


def test_rename_fixing_a_typo_is_no_typo_of_the_old_name(qtbot, taught_window, tiny_bundle, monkeypatch) -> None:
    """"Our cabbin" to "Our cabin": close to the name renamed only, which goes."""
    from app.core.teaching import taught_labels, teach

    win, ids = taught_window
    teach(win.index, "Our cabbin", ids["cabin"][:2], bundle=tiny_bundle)
    seen = answer_with(monkeypatch, "Our cabin", lambda dialog: dialog.result())
    assert win.rename_place("Our cabbin")
    wait_for_job(qtbot, win)
    assert seen[0]["accepted at once"] and not seen[0]["question"]
    assert taught_labels(win.index) == {"Our cabin": 2}
    seen = answer_with(monkeypatch, "rejected", lambda dialog: dialog.result())  # a state's word asks first
    assert not win.rename_place("Our cabin")
    assert "Or rename it “rejected”." in seen[0]["question"] and taught_labels(win.index) == {"Our cabin": 2}


def test_a_name_no_label_can_hold_is_refused_inside_the_dialog_in_the_apps_words(qtbot) -> None:
    """A pasted zero-width space closed the dialog, then the status bar gave teach's command
    line syntax (`teach "Our cabin" PHOTO…`); a right-to-left override, a refusal after it closed."""
    from app.gui.label_dialog import LabelDialog

    for typed, said in (("\u200b", "The name is empty once its invisible characters"),
                        ("\ufeff\u2060", "The name is empty once its invisible characters"),
                        ("\u202eevil", "The name holds a right-to-left override")):
        for teaching in (False, True):
            dialog = new_dialog(qtbot, teaching=teaching)
            dialog.field.setText(typed)
            field = dialog.field.text()  # (a QLineEdit drops a leading BOM)
            press_ok(qtbot, dialog)
            assert dialog.result() != LabelDialog.DialogCode.Accepted, typed
            assert dialog.question.text().startswith(said) and "teach" not in dialog.question.text()
            assert dialog.field.text() == field  # left to mend
    dialog.field.setText("Petra")
    press_ok(qtbot, dialog)
    assert dialog.result() == LabelDialog.DialogCode.Accepted
