"""The app's side of two review gaps the CLI closed first (app.core.label_names, the
query's has:label): L with a typo of a known landmark ("Colloseum" beside "Colosseum")
silently made a second place, and the library panel's Landmarks list had no way to
the photos tagged "no landmark"."""

from __future__ import annotations

from dataclasses import replace

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QDialogButtonBox  # noqa: E402

from tests import test_gui_support  # noqa: E402
from tests.test_gui_support import added_folder, wait_for_job, wait_for_results  # noqa: E402

window = test_gui_support.window  # the suite's window fixture: 1,200 × 800, closed after the test

pytestmark = pytest.mark.gui


def press_ok(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def with_a_colosseum(qtbot, win, tmp_path) -> list[int]:
    """Three photos, the second labelled "Colosseum" by the user; no model."""
    added_folder(qtbot, win, tmp_path, count=3)
    ids = [win.grid_model.photo_id(row) for row in range(3)]
    win.index.set_label(ids[1], "Colosseum", source="user", state="accepted")
    win.settings = replace(win.settings, model_bundle=str(tmp_path / "missing.ltbundle"))
    win.library_changed()
    wait_for_results(qtbot, win)
    return ids


def label_first_photo(qtbot, win, monkeypatch, answer) -> None:
    """L on the grid's first photo, the dialog answered by `answer(dialog)` (its result)."""
    from app.gui.label_dialog import LabelDialog

    monkeypatch.setattr(LabelDialog, "exec", answer)
    win.grid.setFocus()
    win.grid.setCurrentIndex(win.grid_model.index(0))
    qtbot.keyClick(win.grid, Qt.Key.Key_L)
    wait_for_job(qtbot, win)


def label_with_a_typo(qtbot, win, monkeypatch, then) -> dict:
    """L on the first photo, "Colloseum" typed and OK pressed; then `then(dialog)` answers
    (the dialog's result). What the dialog showed after that OK."""
    seen = {}

    def answer(dialog) -> int:
        dialog.field.setText("Colloseum")
        press_ok(qtbot, dialog)
        seen["accepted after OK"] = dialog.result() == dialog.DialogCode.Accepted
        seen["question"] = dialog.question.text() if not dialog.question.isHidden() else ""
        seen["near"] = [button.text() for button in dialog.near_buttons]
        seen["ok"] = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).text()
        return then(dialog)

    label_first_photo(qtbot, win, monkeypatch, answer)
    return seen


def test_l_with_a_typo_of_a_known_landmark_asks_and_one_click_takes_the_landmark(
        qtbot, window, tmp_path, monkeypatch) -> None:
    ids = with_a_colosseum(qtbot, window, tmp_path)

    def click_the_near_name(dialog) -> int:
        qtbot.mouseClick(dialog.near_buttons[0], Qt.MouseButton.LeftButton)
        return dialog.result()

    seen = label_with_a_typo(qtbot, window, monkeypatch, click_the_near_name)
    assert not seen["accepted after OK"], "a typo of a known landmark was taken at once"
    assert "No landmark named 'Colloseum'; did you mean 'Colosseum'?" in seen["question"]
    assert seen["near"] == ["Colosseum"]
    record = window.index.get(ids[0])
    assert (record.label, record.source) == ("Colosseum", "user")
    assert "Colloseum" not in window.index.known_labels()


def test_l_with_a_typo_asked_about_makes_the_new_landmark_at_a_second_ok(
        qtbot, window, tmp_path, monkeypatch) -> None:
    """OK, asked, is "Make new landmark" (the CLI's --new): the name as typed."""
    from app.gui.label_dialog import MAKE_NEW

    ids = with_a_colosseum(qtbot, window, tmp_path)

    def press_ok_again(dialog) -> int:
        press_ok(qtbot, dialog)
        return dialog.result()

    seen = label_with_a_typo(qtbot, window, monkeypatch, press_ok_again)
    assert not seen["accepted after OK"] and seen["ok"] == MAKE_NEW
    assert window.index.get(ids[0]).label == "Colloseum"


def test_a_clearly_new_name_or_a_known_one_is_taken_at_the_first_ok(qtbot) -> None:
    from app.gui.label_dialog import LabelDialog

    for typed in ("Our cabin", "colosseum", ""):
        dialog = LabelDialog(["Colosseum"], None, 1, known=["Colosseum", "Taj Mahal"])
        qtbot.addWidget(dialog)
        dialog.field.setText(typed)
        press_ok(qtbot, dialog)
        assert dialog.result() == LabelDialog.DialogCode.Accepted, typed
        assert dialog.question.isHidden()
    completions = dialog.completer.model()
    assert "Colosseum" in [completions.index(row, 0).data() for row in range(completions.rowCount())]


def test_the_near_landmark_is_a_key_away_and_a_changed_name_is_asked_again(qtbot) -> None:
    from app.gui.label_dialog import LabelDialog

    dialog = LabelDialog([], None, 2, known=["Colosseum", "Taj Mahal"])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()  # a shortcut acts in the active window only
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    dialog.field.setText("Colloseum")
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    assert not dialog.question.isHidden() and dialog.result() != LabelDialog.DialogCode.Accepted
    dialog.field.setText("Tajmahal")  # another name: OK asks about it, not takes it
    assert dialog.question.isHidden()
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    assert "did you mean 'Taj Mahal'?" in dialog.question.text()
    assert dialog.result() != LabelDialog.DialogCode.Accepted
    qtbot.keyClick(dialog.field, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    # a button's shortcut clicks it as the mouse would: pressed down a moment, then clicked
    qtbot.waitUntil(lambda: dialog.result() == LabelDialog.DialogCode.Accepted, timeout=5000)
    assert dialog.label() == "Taj Mahal"


def test_l_asks_about_a_typo_of_the_models_own_landmark(qtbot, window, tmp_path, monkeypatch, tiny_bundle) -> None:
    added_folder(qtbot, window, tmp_path, count=2)
    window.settings = replace(window.settings, model_bundle=str(tiny_bundle.path))
    seen = {}

    def answer(dialog) -> int:
        dialog.field.setText("Tajmahal")
        press_ok(qtbot, dialog)
        seen["near"] = [button.text() for button in dialog.near_buttons]
        return dialog.DialogCode.Rejected  # Cancel: nothing changes

    label_first_photo(qtbot, window, monkeypatch, answer)
    assert seen["near"] == ["Taj Mahal"]
    assert window.index.get(window.grid_model.photo_id(0)).label is None


def test_the_landmarks_list_has_a_no_landmark_entry_for_the_photos_tagged_so(qtbot, window, tmp_path) -> None:
    from app.gui.library_tree import NO_LANDMARK_TITLE, NoLandmarkRole

    added_folder(qtbot, window, tmp_path, count=6)
    ids = window.index.photo_ids("")
    index = window.index
    index.set_label(ids[0], "Colosseum", source="user", state="accepted")
    index.set_label(ids[1], None, source="user", state="accepted")  # the user's "no landmark"
    index.set_label(ids[2], None, source="model", state="suggested", score=0.2)  # the model's
    index.set_label(ids[3], None, source="model", state="rejected", score=0.2)  # "it shows one": not listed
    # ids[4:] never tagged: not "no landmark" either
    window.library_changed()
    wait_for_results(qtbot, window)
    tree = window.library_tree
    entries = [tree._landmarks.child(i) for i in range(tree._landmarks.childCount())]
    assert [(item.text(0), item.text(1)) for item in entries] == [("Colosseum", "1"), (NO_LANDMARK_TITLE, "2")]
    entry = entries[-1]
    assert entry.data(0, NoLandmarkRole) and entry.font(0).italic() and not entries[0].font(0).italic()
    tree.setCurrentItem(entry)
    qtbot.waitUntil(lambda: sorted(window.grid_model.ids()) == sorted(ids[1:3]), timeout=20000)
    assert tree.selected_landmark() == ""  # no landmark of its own: nothing to rename
    assert tree.menu_for(entry) is None
    tree._find_landmark("Colosseum").setSelected(True)  # Ctrl-click: any of the two
    qtbot.waitUntil(lambda: sorted(window.grid_model.ids()) == sorted(ids[:3]), timeout=20000)
    window.library_changed()  # a rebuild keeps both chosen
    wait_for_results(qtbot, window)
    assert sorted(window.grid_model.ids()) == sorted(ids[:3])
    assert sorted(index.photo_ids(window.current_query())) == sorted(ids[:3])
